// The ladder's second pass: the reference tracker, which draws ladders (it hands on each
// accepted packet with its verdicts), run over the flows of the connections the first pass
// selected only (find-selected.ts); every other packet only moves its clock and timers, as in a
// threaded scan's shard, so those flows' connections end exactly as in a scan of every flow.
// Where the first pass saw evictions, the selected flow's whole virtual shard is tracked (the
// shard's evictions depend on each of its connections, and on nothing else).

import { decodeInputs } from "../decoder/decode-inputs.js";
import type { CaptureInput } from "../decoder/capture-input.js";
import type { CaptureSummary } from "../decoder/decode-capture.js";
import { ConnectionTracker } from "../connections/tracker.js";
import { buildConnectionRecord } from "../connections/connection-record.js";
import type { ConnectionFilter } from "../filter/connection-filter.js";
import type { ScanOptions } from "../scan.js";
import { virtualShard } from "../connections/tracker-options.js";
import { KeptPackets, KEEPING } from "./kept-packets.js";
import type { SelectedConnections } from "./find-selected.js";
import { ladderOf } from "./ladder-one-pass.js";
import type { ConnectionLadder } from "./ladder-capture.js";

export interface DrawnSelection {
  /** The ladders of the selected connections, by id. */
  ladders: ConnectionLadder[];
  /**
   * Each selected id ended as a connection the filter selects, as in the first pass. False
   * would mean the two trackers parted (a defect): the caller then draws in one pass instead.
   */
  complete: boolean;
  captures: CaptureSummary[];
}

export async function drawSelected(
  inputs: CaptureInput[], filter: ConnectionFilter, options: ScanOptions, selected: Pick<SelectedConnections, "flowHashById" | "wholeShards">,
): Promise<DrawnSelection> {
  const kept = new KeptPackets();
  const ladders: ConnectionLadder[] = [];
  let complete = true;
  const { flowHashById, wholeShards } = selected;
  const flowHashes = new Set(flowHashById.values());
  const tracksFlow = (hash: number) => flowHashes.has(hash) || (wholeShards.size > 0 && wholeShards.has(virtualShard(hash)));
  const tracker = new ConnectionTracker({ ...options, tracksFlow }, (store, slot) => {
    if (kept.stateOf(slot) !== KEEPING) return;
    const connection = buildConnectionRecord(store, slot);
    const run = kept.take(slot);
    kept.forget(slot);
    if (filter.matches(connection)) ladders.push(ladderOf(store, slot, connection, run));
    else complete = false;
  }, {
    created(store, slot) {
      // Other connections of these flows (earlier or later ones, the same hash) are tracked, not kept.
      if (flowHashById.has(store.id[slot]!)) kept.watch(slot, true);
    },
    packet(slot, fromSideA, b, i, time, verdicts) {
      if (kept.stateOf(slot) !== KEEPING) return;
      kept.add(slot, fromSideA, b, i, time, b.packetIndex(i) + tracker.packetBase + 1, verdicts);
    },
  });
  const captures: CaptureSummary[] = [];
  for await (const { batch, packetBase } of decodeInputs(inputs, options, captures)) {
    tracker.packetBase = packetBase;
    tracker.processBatch(batch);
  }
  tracker.finish();
  ladders.sort((a, b) => a.connection.id - b.connection.id);
  return { ladders, complete: complete && ladders.length === flowHashById.size, captures };
}
