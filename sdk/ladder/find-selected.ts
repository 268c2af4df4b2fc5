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

export interface SelectedConnections {
  /** The first `limit` matches: id → flow hash. */
  flowHashById: Map<number, number>;
  /** The virtual shards of those matches where connections were evicted: tracked whole. */
  wholeShards: Set<number>;
  /** Matches in all. */
  matched: number;
  /** A group came without its flow hashes (not expected): the ladder needs a pass over every flow. */
  needsEveryFlow: boolean;
  captures: CaptureSummary[];
}

export async function findSelected(
  inputs: CaptureInput[], filter: ConnectionFilter, options: ScanOptions, limit: number,
): Promise<SelectedConnections> {
  const scanner = createGroupScanner(inputs, { ...options, tracker: "wasm" });
  const first = new IdHeap<number>();
  const evictedShards = new Set<number>();
  let matched = 0;
  let needsEveryFlow = false;
  for await (const group of scanner.groups()) {
    if (!group.inStore) { needsEveryFlow = true; break; }
    const records = group.records, hashes = group.store().flowHash;
    for (let k = 0; k < records.length; k++) {
      const record = records[k]!;
      if (record.teardown.kind === "evicted") evictedShards.add(virtualShard(hashes[k]!));
      if (!filter.matches(record)) continue;
      matched++;
      if (first.size < limit || record.id < first.maxId()) {
        first.push(record.id, hashes[k]!);
        if (first.size > limit) first.popMax();
      }
    }
  }
  const flowHashById = new Map(first.entries());
  const wholeShards = new Set([...flowHashById.values()].map(virtualShard).filter((shard) => evictedShards.has(shard)));
  return { flowHashById, wholeShards, matched, needsEveryFlow, captures: scanner.captures() };
}
