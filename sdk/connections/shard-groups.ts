// Which flows a sharded tracker tracks: the virtual shards (flow groups, tracker-options.ts) it
// owns, as a 64-bit set. Both trackers test a packet's group against the same set, made here
// (the WebAssembly tracker gets it as two 32-bit words: assembly/tracker/config.ts), so the
// rule cannot differ between them. Any split of whole groups gives the same connections, as
// each group holds its own share of the bounds and is tracked whole by one tracker.

import { VIRTUAL_SHARDS } from "./tracker-options.js";

/**
 * Shard `index` of `count`. Without weights it owns the groups g with g mod count == index;
 * with `weights` (one per shard, not negative, not all 0) the groups are dealt out in
 * contiguous runs, shard k taking about weights[k] / sum of the 64 (rounded at the run's ends:
 * a share in 64ths), so that one thread can take a smaller part of the flows than another.
 */
export interface TrackerShard {
  index: number;
  count: number;
  weights?: readonly number[];
}

/** The groups a shard owns: bit g of `low` (g < 32) or of `high` (g - 32). */
export interface OwnedGroups {
  low: number;
  high: number;
}

export const ALL_GROUPS: OwnedGroups = { low: 0xffffffff, high: 0xffffffff };

function check(shard: TrackerShard): void {
  const { index, count, weights } = shard;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`shard must be a whole index from 0 to count - 1 of a whole count, at least 1 (got ${index} of ${count})`);
  }
  if (weights === undefined) return;
  if (weights.length !== count || weights.some((w) => typeof w !== "number" || !Number.isFinite(w) || w < 0)) {
    throw new RangeError(`shard weights must be ${count} finite numbers, none negative (got ${String(weights)})`);
  }
  if (!weights.some((w) => w > 0)) throw new RangeError("shard weights must not all be 0");
}

/** The first group of shard k's run with these weights (k = count: VIRTUAL_SHARDS). */
function runStart(weights: readonly number[], k: number): number {
  let before = 0, total = 0;
  for (let j = 0; j < weights.length; j++) {
    if (j < k) before += weights[j]!;
    total += weights[j]!;
  }
  return Math.round((before / total) * VIRTUAL_SHARDS);
}

/** The groups `shard` owns (all of them without a shard). */
export function ownedGroups(shard: TrackerShard | undefined): OwnedGroups {
  if (shard === undefined) return ALL_GROUPS;
  check(shard);
  const owned = { low: 0, high: 0 };
  const add = (g: number) => {
    if (g < 32) owned.low = (owned.low | (1 << g)) >>> 0;
    else owned.high = (owned.high | (1 << (g - 32))) >>> 0;
  };
  if (shard.weights === undefined) {
    for (let g = shard.index; g < VIRTUAL_SHARDS; g += shard.count) add(g);
  } else {
    const end = runStart(shard.weights, shard.index + 1);
    for (let g = runStart(shard.weights, shard.index); g < end; g++) add(g);
  }
  return owned;
}

/** Whether the owned set holds group g (0 to VIRTUAL_SHARDS - 1). */
export function ownsGroup(owned: OwnedGroups, g: number): boolean {
  return ((g < 32 ? owned.low >>> g : owned.high >>> (g - 32)) & 1) === 1;
}
