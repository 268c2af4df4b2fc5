// The ladder's second pass: the reference tracker, which draws ladders (it hands on each
// accepted packet with its verdicts), run over the flows of the connections the first pass
// selected only (find-selected.ts); every other packet only moves its clock and timers, as in a
// threaded scan's shard, so those flows' connections end exactly as in a scan of every flow.
// Where the first pass saw evictions, the selected flow's whole virtual shard is tracked (the
// shard's evictions depend on each of its connections, and on nothing else). The ladders are
// handed on in id order as they become due, after each batch (in-order.ts).

import { decodeInputs } from "../decoder/decode-inputs.js";
import type { CaptureInput } from "../decoder/capture-input.js";
import type { CaptureSummary, DecodeProgress } from "../decoder/decode-capture.js";
import { ConnectionTracker } from "../connections/tracker.js";
import { buildConnectionRecord } from "../connections/connection-record.js";
import type { ConnectionFilter } from "../filter/connection-filter.js";
import type { ScanOptions } from "../scan.js";
import { virtualShard } from "../connections/tracker-options.js";
import { KeptPackets, KEEPING, KEPT_PACKETS } from "./kept-packets.js";
import { KeptIds } from "./kept-ids.js";
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
 * still being written), else the two trackers parted (a defect). Memory: past `keptPackets`
 * packet objects kept for the connections being drawn (checked after each batch), the latest-begun
 * ones' packets are let go, down to three quarters of it, and they and every selected connection
 * after them are drawn by another pass over the inputs (at least the earliest-begun one not yet
 * handed on is drawn by each pass): `--ladder tcp --ladder-limit none` on a capture with many
 * connections open at once kept every open one's packets (346 MiB on the 300 MB 96-byte short mix).
 */
export async function drawSelected(
  inputs: CaptureInput[], filter: ConnectionFilter, options: ScanOptions,
  selected: Pick<SelectedConnections, "ids" | "flowHashes" | "wholeShards" | "captures">,
  onLadder: (ladder: ConnectionLadder) => void | Promise<void>, maxWaiting?: number, keptPackets = KEPT_PACKETS,
): Promise<{ passes: number }> {
  let passes = 0;
  for (let from = 0; from < selected.ids.length; passes++) {
    // The progress of each pass from 0, with its number (the first pass, findSelected's, is 1).
    const passOptions = inPass(options, passes + 2);
    passOptions.onProgress?.({ bytesRead: 0, storedBytesRead: 0 });
    from = await drawPass(inputs, filter, passOptions, selected, from, onLadder, maxWaiting, keptPackets);
  }
  return { passes };
}

/** `options` whose progress reports say they come from a ladder's pass `pass` over its inputs. */
export function inPass(options: ScanOptions, pass: number): ScanOptions {
  const onProgress = options.onProgress;
  return onProgress ? { ...options, onProgress: (p: DecodeProgress) => onProgress({ ...p, pass }) } : options;
}

/** One pass: draws the selected from index `from` on, as many as memory allows; returns the index it drew up to. */
async function drawPass(
  inputs: CaptureInput[], filter: ConnectionFilter, options: ScanOptions,
  selected: Pick<SelectedConnections, "ids" | "flowHashes" | "wholeShards" | "captures">, from: number,
  onLadder: (ladder: ConnectionLadder) => void | Promise<void>, maxWaiting: number | undefined, keptPackets: number,
): Promise<number> {
  const kept = new KeptPackets();
  const order = new InOrderLadders(selected.ids.subarray(from), maxWaiting);
  // This pass draws the selected below `cut` (an index into order.ids): lowered when memory lets go.
  let cut = order.ids.length;
  // The flows of the selected from `from` on; once the cut comes down, only those below it and
  // those any packet of this pass came in already. A flow no packet came in has nothing in the
  // tracker, so leaving it out changes no connection; one that had (its connections may still be
  // open) goes on being followed: its connections, their FIN or RST unseen, would stay records
  // till their timers, and a shard's --max-connections would end connections the scan of every
  // flow did not (a first version, found by a review). Each shard then holds some of the
  // connections the scan of every flow held, each as there: where that scan ended none early, none
  // is; where it did, every flow of the shard is followed.
  const wholeShards = selected.wholeShards;
  const inWholeShard = (hash: number) => wholeShards.size > 0 && wholeShards.has(virtualShard(hash));
  const flowHashes = order.ids.length > MAX_FLOW_SET ? null : new Set(selected.flowHashes.subarray(from));
  const came = new Set<number>(); // flows followed that a packet came in, this pass
  let followed = flowHashes;
  const tracksFlow = flowHashes === null ? undefined : (hash: number) => {
    if (!followed!.has(hash) && !inWholeShard(hash)) return false;
    came.add(hash);
    return true;
  };
  const followBelowCut = () => {
    if (flowHashes === null) return;
    followed = new Set(selected.flowHashes.subarray(from, from + cut));
    for (const hash of came) followed.add(hash);
  };
  let parted: number | null = null;
  const tracker = new ConnectionTracker({ ...options, tracksFlow }, (store, slot) => {
    if (kept.stateOf(slot) !== KEEPING) {
      kept.forget(slot); // (let go: drawn by a later pass)
      return;
    }
    const connection = buildConnectionRecord(store, slot);
    const run = kept.take(slot);
    kept.forget(slot);
    if (filter.matches(connection)) order.add(order.indexOf(store.id[slot]!), ladderOf(store, slot, connection, run));
    else parted ??= connection.id;
  }, {
    created(store, slot) {
      // Other connections of these flows (earlier or later ones, the same hash) are tracked, not kept.
      const index = order.indexOf(store.id[slot]!);
      if (index < 0 || index >= cut) return;
      kept.watch(slot, true);
      keptIds.add(store.id[slot]!, slot);
    },
    packet: kept.packetHook((): number => tracker.packetBase),
  });
  const keptIds = new KeptIds((slot, id) => kept.stateOf(slot) === KEEPING && tracker.store.id[slot] === id);
  // Past the bound, the latest-begun connections being drawn are left to the next pass (never the
  // earliest-begun of them: each pass draws one at least), and with them every one after them
  // (taken highest first, so none kept lies past the cut).
  const letGo = () => {
    const slots = kept.letGoLatest(keptIds, keptPackets, 1);
    if (slots.length === 0) return;
    for (const slot of slots) cut = Math.min(cut, order.indexOf(tracker.store.id[slot]!));
    order.keepBelow(cut); // ladders past it already drawn wait no longer: the next pass draws them again
    followBelowCut();
  };
  const captures: CaptureSummary[] = [];
  try {
    for await (const { batch, packetBase } of decodeInputs(inputs, options, captures)) {
      tracker.packetBase = packetBase;
      tracker.processBatch(batch);
      letGo();
      for (const ladder of order.due()) await onLadder(ladder);
      if (order.handed === cut) return from + cut; // the rest of the input cannot change them
    }
    tracker.finish();
    for (const ladder of order.due()) await onLadder(ladder);
  } finally {
    order.close();
  }
  if (parted !== null || order.handed !== cut) {
    const id = parted ?? connectionId(order.ids[order.handed]!);
    if (packetCounts(captures) !== packetCounts(selected.captures)) {
      throw Object.assign(new Error(`the capture changed between the ladder's passes (is it still being written?): connection ${id} ended otherwise`), { code: "input.changed" });
    }
    throw new Error(`the ladder's passes disagree on connection ${id}: the reference and WebAssembly trackers parted`);
  }
  return from + cut;
}

function packetCounts(captures: CaptureSummary[]): string {
  return captures.map((c) => c.stats.packets).join(",");
}
