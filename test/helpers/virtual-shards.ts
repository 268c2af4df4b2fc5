// Flows chosen by virtual shard (sdk/connections/tracker-options.ts: the flow hash's group, each
// with its own share of the connection bounds): a test of what one shard keeps and ends puts
// all its flows in one.

import { decodeCapture } from "../../sdk/index.js";
import * as L from "../../assembly/layout.js";
import { virtualShard } from "../../sdk/connections/tracker-options.js";
import { writePcap, type Frame } from "./capture-writer.js";

/** The virtual shard of each packet of the capture (its frames, or a path), in order. */
export async function packetShards(capture: Frame[] | string): Promise<number[]> {
  const shards: number[] = [];
  for await (const b of decodeCapture(typeof capture === "string" ? capture : writePcap(capture))) {
    for (let i = 0; i < b.count; i++) shards.push(virtualShard(b.u32[(i * L.RECORD_SIZE + L.REC_FLOW_HASH) >> 2]!));
  }
  return shards;
}

/**
 * Whether each virtual shard ended its oldest first: every connection kept (`keptIds`) came after
 * every one evicted of its shard, and a shard keeps `share` unless it had fewer; `ids` are
 * 1-based frame numbers of the capture whose packets `shards` are.
 */
export function endedOldestPerShard(shards: number[], evictedIds: number[], keptIds: number[], share: number): boolean {
  const newestEvicted = new Map<number, number>(), kept = new Map<number, number[]>(), all = new Map<number, number>();
  for (const id of evictedIds) newestEvicted.set(shards[id - 1]!, Math.max(newestEvicted.get(shards[id - 1]!) ?? 0, id));
  for (const id of keptIds) kept.set(shards[id - 1]!, [...(kept.get(shards[id - 1]!) ?? []), id]);
  for (const id of [...evictedIds, ...keptIds]) all.set(shards[id - 1]!, (all.get(shards[id - 1]!) ?? 0) + 1);
  for (const [shard, count] of all) {
    const ids = kept.get(shard) ?? [];
    if (ids.length !== Math.min(share, count)) return false;
    if (ids.some((id) => id < (newestEvicted.get(shard) ?? 0))) return false;
  }
  return true;
}

/**
 * The first `count` of `keys` whose flows (a packet of each: `packet(key)`) fall in virtual
 * shard `shard`, or in the first shard to hold that many when none is given; and that shard.
 */
export async function keysInShard(
  keys: number[], packet: (key: number) => Frame, count: number, shard = -1,
): Promise<{ keys: number[]; shard: number }> {
  const shards = await packetShards(keys.map(packet));
  const byShard = new Map<number, number[]>();
  for (const [k, s] of shards.entries()) {
    if (shard >= 0 && s !== shard) continue;
    const list = byShard.get(s) ?? [];
    list.push(keys[k]!);
    if (list.length === count) return { keys: list, shard: s };
    byShard.set(s, list);
  }
  throw new Error(`no ${count} of ${keys.length} flows share a virtual shard`);
}
