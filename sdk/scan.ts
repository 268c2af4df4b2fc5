// The connection-level SDK: scan() for a whole report, createScanner() to stream connection
// records out of multi-GB captures as they end (memory bounded by open connections).

import type { CaptureSummary, DecodeCaptureOptions } from "./decoder/decode-capture.js";
import type { CaptureInput } from "./decoder/capture-input.js";
import type { Timeouts } from "./connections/tracker.js";
import type { ConnectionRecord } from "./connections/connection-record.js";
import { endedGroups } from "./ended-groups.js";
import { CaptureReportBuilder, type CaptureReport, type Timeline } from "./report/capture-report.js";
import { checkInputs, checkScanOptions } from "./options.js";
import { ScanStop } from "./abort.js";

export interface ScanOptions extends DecodeCaptureOptions {
  /** Ports taken as the server side of connections first seen mid-stream (default: Zeek's). */
  likelyServerPorts?: readonly number[];
  /** Verify IPv4 and TCP checksums and drop bad packets as Zeek does (default false). */
  verifyChecksums?: boolean;
  /** Prefixes whose packets are not checksum-checked (Zeek's ignore_checksums_nets). */
  ignoreChecksumsNets?: readonly string[];
  /**
   * The site's own networks (Zeek's Site::local_nets, prefixes like "203.0.113.0/24" or bare
   * addresses; at most 256): a line format may use them, as the command's zeek rows do for
   * local_orig and local_resp, which count these local beside the private address space, as
   * Zeek does by default. No record changes.
   */
  localNets?: readonly string[];
  /**
   * Connections of one packet so far (a lone SYN, a mid-stream ACK, a RST, a SYN/ACK, ...)
   * kept at once: the bound on memory under a flood of them (default 100 000, ~150 bytes each;
   * Infinity: none). Past it, the oldest ends at once with teardown "evicted" (a lone SYN would
   * have ended as S0 at its attempt timeout; a late answer then starts a new connection). Each of the 64 flow groups (flow
   * hash & 63) keeps its share, limit / 64 rounded up, and ends its own oldest past it: the same
   * connections are evicted whatever the thread count.
   */
  maxHalfOpen?: number;
  /**
   * Connection records (those of two packets or more) kept at once: the bound on memory under
   * any other flood, e.g. a mid-stream scan or backscatter (default 30 000, ~1.4 KB each;
   * Infinity: none). Past it, the least recently active end at once with teardown
   * "evicted", one-sided and mid-stream ones (no SYN seen) first. Each of the 64 flow groups
   * keeps its share, as for maxHalfOpen. A whole number of at least 1, or Infinity (else a RangeError).
   */
  maxConnections?: number;
  /**
   * Key connections by the tunnel chain that carried them as well as by their inner endpoints
   * (default false: Zeek's key, the inner endpoints alone). With it, the same inner addresses
   * and ports in two tunnels (overlapping VXLAN tenants, two GTP-U tunnels) are two connections;
   * a connection then never changes tunnel, so its history never gets Zeek's 'X'. The identity
   * of a chain is the record's tunnel.identity (see the README).
   */
  keyByTunnel?: boolean;
  /** Connection lifetimes in seconds (default: Zeek's). */
  timeouts?: Partial<Timeouts>;
  /**
   * Threads to use (default 1: this thread does everything). With n > 1, this thread reads,
   * decodes and builds the records while n - 1 worker threads track shards of the flows.
   */
  threads?: number;
  /**
   * The connection tracker: "wasm" (default), or "typescript", the reference implementation of
   * the same model (slower; the tests hold the two to identical output; one thread only).
   */
  tracker?: "wasm" | "typescript";
  /**
   * Stops the scan when it aborts: iteration throws the signal's reason (an AbortError unless
   * one was given), worker threads stop and the memory is given back, as with close().
   */
  signal?: AbortSignal;
  /**
   * Build the capture-level report (default true). A caller that only streams the records
   * out can save its cost (~3 µs a connection); report() then throws, timeline() still works.
   */
  report?: boolean;
  /**
   * How many entries the report's lists (topFailedServers, topFailedHosts, scanSuspects) hold at
   * most: default 10, 0 for none, Infinity for all; the command's `--top`. `report.totals` says
   * how many each was taken from.
   */
  reportTop?: number;
}

export interface ScanResult {
  connections: ConnectionRecord[];
  /** One summary per input, in the order read. */
  captures: CaptureSummary[];
  report: CaptureReport;
}

export interface Scanner extends AsyncIterable<ConnectionRecord> {
  /**
   * The same records in the same order, as arrays of the connections that ended together
   * (cheaper than one await per record when there are millions). Iterate either the scanner
   * or batches(), once.
   */
  batches(): AsyncIterable<ConnectionRecord[]>;
  /** One summary per input read to its end so far (none for an input left early: close(), a break); complete once iteration has ended. */
  captures(): CaptureSummary[];
  /** The capture-level report over every connection yielded; once iteration has ended. */
  report(): CaptureReport;
  /** The capture clock's largest gap and backward steps; once iteration has ended. */
  timeline(): Timeline;
  /**
   * Stops the scan where it is: iteration ends (a pending next() returns done), the worker
   * threads stop and the memory is given back; resolves once they have. Leaving a `for await`
   * loop early (break, return, throw) does the same by itself.
   */
  close(): Promise<void>;
}

/**
 * Streams the connections of one capture, or of several read as one (rotated files: pass them
 * in time order), as each connection ends. With `threads` > 1 the flows are sharded over
 * `threads` - 1 worker threads; the records and their order are the same as with one.
 */
export function createScanner(input: CaptureInput | CaptureInput[], options: ScanOptions = {}): Scanner {
  checkInputs(input);
  checkScanOptions(options);
  const inputs = Array.isArray(input) ? input : [input];
  const summaries: CaptureSummary[] = [];
  const builder = options.report === false ? null : new CaptureReportBuilder({ top: options.reportTop });
  let report: CaptureReport | null = null;
  let timeline: Timeline | null = null;
  const threads = options.threads ?? 1;
  // close() stops the scan; the caller's signal, if any, stops it as well (abort.ts).
  const stop = new ScanStop(options.signal, new Error("the scanner was closed"));
  const signal = stop.signal;
  const scanOptions: ScanOptions = { ...options, signal };
  let started = false;
  let running: AsyncGenerator<ConnectionRecord[]> | null = null;

  async function* run(): AsyncGenerator<ConnectionRecord[]> {
    if (started) throw new Error("a scanner can be iterated only once");
    started = true;
    if (stop.stopped()) return;
    const groups = endedGroups(inputs, scanOptions, threads, summaries, (ended) => {
      timeline = ended;
      report = builder?.finish(summaries, ended) ?? null;
    });
    try {
      // Leaving this loop (a return or throw here, or the caller's break at the yield) returns
      // `groups`, which stops the tracker: the workers end and the memory is given back.
      for await (const group of groups) {
        const records = group.records;
        if (builder) for (const record of records) builder.add(record);
        yield records;
        if (stop.stopped()) return;
      }
    } catch (error) {
      if (!stop.isClose(error)) throw error;
    }
  }
  // What report() and timeline() say before the scan has read all its input.
  const notYet = (what: string) => new Error(`${what}() is available once the scan has read all its input${started ? " (not after a loop left early)" : ": iterate it first"}`);
  function batches(): AsyncGenerator<ConnectionRecord[]> {
    running = run();
    return running;
  }
  return {
    captures: () => summaries,
    report: () => {
      if (!builder) throw new Error("this scanner was created with report: false");
      if (!report) throw notYet("report");
      return report;
    },
    timeline: () => {
      if (!timeline) throw notYet("timeline");
      return timeline;
    },
    batches,
    async *[Symbol.asyncIterator]() {
      for await (const records of batches()) {
        for (const record of records) {
          // Stopped meanwhile: the rest of this batch is not handed out either.
          if (stop.stopped()) return;
          yield record;
        }
      }
    },
    async close() {
      stop.close();
      // A generator waiting inside wakes on the abort and ends; one suspended at a yield ends here.
      if (running) await running.return(undefined).catch(() => {});
    },
  };
}

export async function scan(input: CaptureInput | CaptureInput[], options: ScanOptions = {}): Promise<ScanResult> {
  if (options?.report === false) throw new RangeError("report: false is for createScanner(): scan() returns the report");
  const scanner = createScanner(input, options);
  const connections: ConnectionRecord[] = [];
  for await (const c of scanner) connections.push(c);
  return { connections, captures: scanner.captures(), report: scanner.report() };
}
