// The connection-level SDK: scan() for a whole report, createScanner() to stream connection
// records out of multi-GB captures as they end (memory bounded by open connections).

import { decodeCapture, type CaptureSummary, type DecodeCaptureOptions } from "./decoder/decode-capture.js";
import type { CaptureInput } from "./decoder/capture-input.js";
import { ConnectionTracker, type Timeouts } from "./connections/tracker.js";
import { buildConnectionRecord, type ConnectionRecord } from "./connections/connection-record.js";
import { CaptureReportBuilder, type CaptureReport } from "./report/capture-report.js";

export interface ScanOptions extends DecodeCaptureOptions {
  /** Ports taken as the server side of connections first seen mid-stream (default: Zeek's). */
  likelyServerPorts?: readonly number[];
  /** Verify IPv4 and TCP checksums and drop bad packets as Zeek does (default false). */
  verifyChecksums?: boolean;
  /** Prefixes whose packets are not checksum-checked (Zeek's ignore_checksums_nets). */
  ignoreChecksumsNets?: readonly string[];
  /** Connection lifetimes in seconds (default: Zeek's). */
  timeouts?: Partial<Timeouts>;
}

export interface ScanResult {
  connections: ConnectionRecord[];
  /** One summary per input, in the order read. */
  captures: CaptureSummary[];
  report: CaptureReport;
}

export interface Scanner extends AsyncIterable<ConnectionRecord> {
  /** One summary per input read so far; complete once iteration has ended. */
  captures(): CaptureSummary[];
  /** The capture-level report over every connection yielded; once iteration has ended. */
  report(): CaptureReport;
}

/**
 * Streams the connections of one capture, or of several read as one (rotated files: pass them
 * in time order), as each connection ends.
 */
export function createScanner(input: CaptureInput | CaptureInput[], options: ScanOptions = {}): Scanner {
  const inputs = Array.isArray(input) ? input : [input];
  const summaries: CaptureSummary[] = [];
  const builder = new CaptureReportBuilder();
  let report: CaptureReport | null = null;
  return {
    captures: () => summaries,
    report: () => {
      if (!report) throw new Error("report() is available once iteration has ended");
      return report;
    },
    async *[Symbol.asyncIterator]() {
      const ready: ConnectionRecord[] = [];
      const tracker = new ConnectionTracker(options, (store, slot) => {
        const record = buildConnectionRecord(store, slot);
        builder.add(record);
        ready.push(record);
      });
      for (const one of inputs) {
        const decoding = decodeCapture(one, options);
        for await (const batch of decoding) {
          tracker.processBatch(batch);
          if (ready.length) yield* ready.splice(0);
        }
        const summary = decoding.summary();
        summaries.push(summary);
        tracker.packetBase += summary.stats.packets;
      }
      // Stream out the connections still open, a few thousand at a time.
      while (!tracker.finish(4096)) yield* ready.splice(0);
      yield* ready.splice(0);
      report = builder.finish(summaries, tracker);
    },
  };
}

export async function scan(input: CaptureInput | CaptureInput[], options: ScanOptions = {}): Promise<ScanResult> {
  const scanner = createScanner(input, options);
  const connections: ConnectionRecord[] = [];
  for await (const c of scanner) connections.push(c);
  return { connections, captures: scanner.captures(), report: scanner.report() };
}
