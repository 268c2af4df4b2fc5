// The ladder's first pass: a scan with the WebAssembly tracker (on the threads asked for) that
// counts the connections the filter selects and finds the first `limit` of them by id, with
// each one's flow hash, so that the second pass (draw-selected.ts) tracks only their flows. It
// also notes the virtual shards (flow groups) where the --max-* bounds ended connections early:
// a shard's evictions depend on all of its connections, so there the second pass tracks the
// whole shard, as a threaded scan's worker does, and ends the same connections.

import type { CaptureInput } from "../decoder/capture-input.js";
import type { CaptureSummary } from "../decoder/decode-capture.js";
import type { ConnectionFilter } from "../filter/connection-filter.js";
import { virtualShard } from "../connections/tracker-options.js";
import { createGroupScanner } from "../group-scanner.js";
import type { ScanOptions } from "../scan.js";
import { IdHeap } from "./id-heap.js";
import { keyIsId } from "../connections/connection-id.js";

export interface SelectedConnections {
  /** The first `limit` matches' keys (connection-id.ts: ids, told apart where one frame began several), ascending. */
  ids: Float64Array;
  /** Their flow hashes, in the same order. */
  flowHashes: Uint32Array;
  /** The virtual shards of those matches where connections were evicted: tracked whole. */
  wholeShards: Set<number>;
  /** Matches in all. */
  matched: number;
  /** The inputs the scan read to their end (it stops once the ids a filter pins have ended: not the one it stopped in). */
  captures: CaptureSummary[];
}

export async function findSelected(
  inputs: CaptureInput[], filter: ConnectionFilter, options: ScanOptions, limit: number,
): Promise<SelectedConnections> {
  const scanner = createGroupScanner(inputs, { ...options, tracker: "wasm" });
  // Every match when there is no limit; else the first `limit` by id.
  const all: { ids: number[]; hashes: number[] } | null = limit === Infinity ? { ids: [], hashes: [] } : null;
  const first = new IdHeap<number>();
  const evictedShards = new Set<number>();
  let matched = 0, stop = false;
  // A filter that pins ids (`id 42`) has its count once those have ended: the scan stops there.
  const idsToEnd = filter.onlyIds ? new Set(filter.onlyIds) : null;
  for await (const group of scanner.groups()) {
    // Groups of the WebAssembly tracker without lines are unpacked into a store, flow hashes included.
    if (!group.inStore) throw new Error("the ladder's first pass got a group without its store");
    const records = group.records, hashes = group.store().flowHash, keys = group.store().id;
    for (let k = 0; k < records.length; k++) {
      const record = records[k]!;
      if (record.teardown.kind === "evicted") evictedShards.add(virtualShard(hashes[k]!));
      // An id another connection may share (its frame began several) is never settled by one of them.
      if (keyIsId(keys[k]!)) idsToEnd?.delete(record.id);
      const matches = filter.matches(record);
      if (matches) matched++;
      // Once the pinned ids have ended nothing else can match, whether or not the last one did.
      if (idsToEnd?.size === 0) stop = true;
      if (!matches) continue;
      if (all) {
        all.ids.push(keys[k]!);
        all.hashes.push(hashes[k]!);
      } else if (first.size < limit || keys[k]! < first.maxId()) {
        first.push(keys[k]!, hashes[k]!);
        if (first.size > limit) first.popMax();
      }
    }
    if (stop) break;
  }
  const firstEntries = first.entries();
  const { ids, flowHashes } = byId(all ?? { ids: firstEntries.map(([id]) => id), hashes: firstEntries.map(([, hash]) => hash) });
  const wholeShards = new Set<number>();
  for (const hash of flowHashes) if (evictedShards.has(virtualShard(hash))) wholeShards.add(virtualShard(hash));
  return { ids, flowHashes, wholeShards, matched, captures: scanner.captures() };
}

/** The matches sorted by id (they come in the order they ended). */
function byId(found: { ids: number[]; hashes: number[] }): { ids: Float64Array; flowHashes: Uint32Array } {
  const order = Uint32Array.from(found.ids.keys()).sort((a, b) => found.ids[a]! - found.ids[b]!);
  return { ids: Float64Array.from(order, (k) => found.ids[k]!), flowHashes: Uint32Array.from(order, (k) => found.hashes[k]!) };
}
