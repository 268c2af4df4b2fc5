// Runs captures through the decoder and the connection tracker, yielding the connections that
// ended during each decoded batch, in a canonical order: by batch, then by the time each
// connection ended, then by id. The order depends only on the capture, so a run split over
// worker threads (each tracking a shard of the flows) merges back into exactly this order.

import { decodeCapture, type CaptureSummary } from "../decoder/decode-capture.js";
import type { CaptureInput } from "../decoder/capture-input.js";
import { ConnectionTracker } from "./tracker.js";
import { buildConnectionRecord, type ConnectionRecord } from "./connection-record.js";
import type { Timeline } from "../report/capture-report.js";
import type { ScanOptions } from "../scan.js";
import type { TrackerOptions } from "./tracker.js";

export interface EndedGroup {
  /** Sequence number of the decoded batch during which these connections ended. */
  batch: number;
  /** Sorted by (ended at, id). */
  records: ConnectionRecord[];
  /** When each ended, on the capture clock (Infinity: at the end of input). */
  ends: number[];
}

interface Ended { at: number; record: ConnectionRecord }

function byEndThenId(a: Ended, b: Ended): number {
  return a.at - b.at || a.record.id - b.record.id;
}

/** Connections still open at the end of input come out in groups of this many. */
const FINISH_GROUP = 4096;

export async function* trackConnections(
  inputs: CaptureInput[], options: ScanOptions & Pick<TrackerOptions, "shard">, summaries: CaptureSummary[],
): AsyncGenerator<EndedGroup, Timeline> {
  let ended: Ended[] = [];
  const tracker = new ConnectionTracker(options, (store, slot) => {
    ended.push({ at: store.removedAt[slot]!, record: buildConnectionRecord(store, slot) });
  });
  let batch = 0;
  // Every batch yields a group, empty or not, so that consumers can tell how far it got.
  const take = (): EndedGroup => {
    ended.sort(byEndThenId);
    const group = { batch, records: ended.map((e) => e.record), ends: ended.map((e) => e.at) };
    ended = [];
    return group;
  };
  for (const one of inputs) {
    const decoding = decodeCapture(one, options);
    for await (const packets of decoding) {
      tracker.processBatch(packets);
      yield take();
      batch++;
    }
    const summary = decoding.summary();
    summaries.push(summary);
    tracker.packetBase += summary.stats.packets;
  }
  // Connections still open: in id order, a group at a time.
  for (let done = false; !done;) {
    done = tracker.finish(FINISH_GROUP);
    yield take();
    batch++;
  }
  return { maxGapSec: tracker.maxGapSec, backwardsSteps: tracker.backwardsSteps };
}
