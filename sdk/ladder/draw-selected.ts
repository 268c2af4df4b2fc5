// The ladder's second pass: the reference tracker, which draws ladders (it hands on each
// accepted packet with its verdicts), run over the flows of the connections the first pass
// selected only (find-selected.ts); every other packet only moves its clock and timers, as in a
// threaded scan's shard, so those flows' connections end exactly as in a scan of every flow.
// Where the first pass saw evictions, the selected flow's whole virtual shard is tracked (the
// shard's evictions depend on each of its connections, and on nothing else). The ladders are
// handed on in id order as they become due, after each batch (in-order.ts).

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
import { InOrderLadders } from "./in-order.js";
import type { ConnectionLadder } from "./ladder-capture.js";
import { connectionId } from "../connections/connection-id.js";

/** Past this many selected flows, every flow is tracked: a set of them would cost more than it saves. */
const MAX_FLOW_SET = 100_000;

/**
 * Draws the selected connections, handing each ladder to `onLadder` in id order, and stops
 * reading once every one is drawn. Throws should a selected connection not end as one the filter selects:
 * an error with code "input.changed" when the capture changed since the first pass (a file
 * still being written), else the two trackers parted (a defect).
 */
export async function drawSelected(
  inputs: CaptureInput[], filter: ConnectionFilter, options: ScanOptions,
  selected: Pick<SelectedConnections, "ids" | "flowHashes" | "wholeShards" | "captures">,
  onLadder: (ladder: ConnectionLadder) => void | Promise<void>, maxWaiting?: number,
): Promise<void> {
  const kept = new KeptPackets();
  const order = new InOrderLadders(selected.ids, maxWaiting);
  const flowHashes = new Set(selected.flowHashes), wholeShards = selected.wholeShards;
  const tracksFlow = selected.ids.length > MAX_FLOW_SET ? undefined
    : (hash: number) => flowHashes.has(hash) || (wholeShards.size > 0 && wholeShards.has(virtualShard(hash)));
  let parted: number | null = null;
  const tracker = new ConnectionTracker({ ...options, tracksFlow }, (store, slot) => {
    if (kept.stateOf(slot) !== KEEPING) return;
    const connection = buildConnectionRecord(store, slot);
    const run = kept.take(slot);
    kept.forget(slot);
    if (filter.matches(connection)) order.add(order.indexOf(store.id[slot]!), ladderOf(store, slot, connection, run));
    else parted ??= connection.id;
  }, {
    created(store, slot) {
      // Other connections of these flows (earlier or later ones, the same hash) are tracked, not kept.
      if (order.indexOf(store.id[slot]!) >= 0) kept.watch(slot, true);
    },
    packet: kept.packetHook((): number => tracker.packetBase),
  });
  const captures: CaptureSummary[] = [];
  try {
    for await (const { batch, packetBase } of decodeInputs(inputs, options, captures)) {
      tracker.packetBase = packetBase;
      tracker.processBatch(batch);
      for (const ladder of order.due()) await onLadder(ladder);
      if (order.handed === selected.ids.length) return; // the rest of the input cannot change them
    }
    tracker.finish();
    for (const ladder of order.due()) await onLadder(ladder);
  } finally {
    order.close();
  }
  if (parted !== null || order.handed !== selected.ids.length) {
    const id = parted ?? connectionId(selected.ids[order.handed]!);
    if (packetCounts(captures) !== packetCounts(selected.captures)) {
      throw Object.assign(new Error(`the capture changed between the ladder's two passes (is it still being written?): connection ${id} ended otherwise`), { code: "input.changed" });
    }
    throw new Error(`the ladder's two passes disagree on connection ${id}: the reference and WebAssembly trackers parted`);
  }
}

function packetCounts(captures: CaptureSummary[]): string {
  return captures.map((c) => c.stats.packets).join(",");
}
