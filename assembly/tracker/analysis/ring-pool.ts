// The pool of ring blocks that sides with more unacknowledged segments than their inline ring
// holds borrow from (assembly/analysis-layout.ts, RING_INLINE / RING_BLOCK): allocated once,
// bounded, a free stack of block indices. As the TypeScript engine's pool
// (sdk/connections/analysis/analysis-state.ts), block for block.

import { RING_BLOCK, RING_INLINE, S_RING_NEXT, S_RING_TIME, S_RING_COUNT, S_RING_START, S_RING_BLOCK } from "../../analysis-layout";

let freeStack: usize = 0; //   i32 block indices
let freeCount: i32 = 0;
let ends: usize = 0; //        u32 x RING_BLOCK per block
let times: usize = 0; //       f64 x RING_BLOCK per block
let poolBase: usize = 0;

/** Allocates the pool (again: the previous one is freed): `blocks` blocks of RING_BLOCK entries, all free. */
export function initRingPool(blocks: i32): void {
  const stackBytes = (<usize>blocks * 4 + 7) & ~7;
  if (poolBase != 0) heap.free(poolBase);
  const base = heap.alloc(stackBytes + <usize>blocks * RING_BLOCK * 12 + 8);
  poolBase = base;
  freeStack = (base + 7) & ~7;
  times = freeStack + stackBytes;
  ends = times + <usize>blocks * RING_BLOCK * 8;
  for (let k = 0; k < blocks; k++) store<i32>(freeStack + (<usize>k << 2), blocks - 1 - k);
  freeCount = blocks;
}

export function freeRingBlocks(): i32 { return freeCount; }

@inline export function blockEnds(blk: i32): usize { return ends + <usize>blk * RING_BLOCK * 4; }
@inline export function blockTimes(blk: i32): usize { return times + <usize>blk * RING_BLOCK * 8; }

/** Gives back the block side `s` (a side block's address) holds, if any. */
export function releaseRing(s: usize): void {
  const held = load<i32>(s, S_RING_BLOCK);
  if (held > 0) {
    store<i32>(freeStack + (<usize>freeCount << 2), held - 1);
    freeCount++;
  }
  store<i32>(s, 0, S_RING_BLOCK);
}

/** Moves side s's full inline ring into a pool block; false when the pool is empty. */
export function promoteRing(s: usize): bool {
  if (freeCount == 0) return false;
  freeCount--;
  const blk = load<i32>(freeStack + (<usize>freeCount << 2));
  const n = <i32>load<u16>(s, S_RING_COUNT), from = <i32>load<u16>(s, S_RING_START);
  const e = blockEnds(blk), t = blockTimes(blk);
  for (let k = 0; k < n; k++) {
    store<u32>(e + (<usize>k << 2), load<u32>(s + S_RING_NEXT + (<usize>(from + k) << 2)));
    store<f64>(t + (<usize>k << 3), load<f64>(s + S_RING_TIME + (<usize>(from + k) << 3)));
  }
  store<u16>(s, 0, S_RING_START);
  store<i32>(s, blk + 1, S_RING_BLOCK);
  return true;
}

/** Moves side s's ring back inline (RING_INLINE entries or fewer) and frees its block. */
export function demoteRing(s: usize): void {
  const blk = load<i32>(s, S_RING_BLOCK) - 1;
  const n = <i32>load<u16>(s, S_RING_COUNT), from = <i32>load<u16>(s, S_RING_START);
  const e = blockEnds(blk), t = blockTimes(blk);
  for (let k = 0; k < n && k < RING_INLINE; k++) {
    store<u32>(s + S_RING_NEXT + (<usize>k << 2), load<u32>(e + (<usize>(from + k) << 2)));
    store<f64>(s + S_RING_TIME + (<usize>k << 3), load<f64>(t + (<usize>(from + k) << 3)));
  }
  store<u16>(s, 0, S_RING_START);
  store<i32>(freeStack + (<usize>freeCount << 2), blk);
  freeCount++;
  store<i32>(s, 0, S_RING_BLOCK);
}
