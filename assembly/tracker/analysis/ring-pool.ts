// The pool of ring blocks that sides with more unacknowledged segments than their inline ring
// holds borrow from (assembly/analysis-layout.ts, RING_INLINE / RING_BLOCK): allocated once,
// bounded, a free stack of block indices. As the TypeScript engine's pool
// (sdk/connections/analysis/analysis-state.ts), block for block. A block's entries have the
// inline ring's form (RING_ENTRY bytes: end, then time), so one line holds both of an entry.

import { RING_BLOCK, RING_INLINE, RING_ENTRY, MAX_RING_BLOCKS, S_RING_COUNT, S_RING_START, S_RING_BLOCK } from "../../analysis-layout";

let freeStack: usize = 0; //   i32 block indices
let freeCount: i32 = 0;
let entries: usize = 0; //     RING_BLOCK entries per block
let poolBase: usize = 0;

/** Allocates the pool (again: the previous one is freed): `blocks` blocks (at most MAX_RING_BLOCKS), all free. */
export function initRingPool(blocks: i32): void {
  if (blocks > MAX_RING_BLOCKS) blocks = MAX_RING_BLOCKS;
  const stackBytes = (<usize>blocks * 4 + 63) & ~63;
  if (poolBase != 0) heap.free(poolBase);
  const base = heap.alloc(stackBytes + <usize>blocks * RING_BLOCK * RING_ENTRY + 64);
  poolBase = base;
  freeStack = (base + 63) & ~63;
  entries = freeStack + stackBytes;
  for (let k = 0; k < blocks; k++) store<i32>(freeStack + (<usize>k << 2), blocks - 1 - k);
  freeCount = blocks;
}

export function freeRingBlocks(): i32 { return freeCount; }

@inline export function blockEntries(blk: i32): usize { return entries + <usize>blk * (RING_BLOCK * RING_ENTRY); }

/** Gives back the block side `s` (a side's hot address) holds, if any. */
export function releaseRing(s: usize): void {
  const held = <i32>load<u16>(s, S_RING_BLOCK);
  if (held > 0) {
    store<i32>(freeStack + (<usize>freeCount << 2), held - 1);
    freeCount++;
  }
  store<u16>(s, 0, S_RING_BLOCK);
}

/** Moves side s's full inline ring (at `inline`) into a pool block; false when the pool is empty. */
export function promoteRing(s: usize, inline: usize): bool {
  if (freeCount == 0) return false;
  freeCount--;
  const blk = load<i32>(freeStack + (<usize>freeCount << 2));
  const n = <usize>load<u8>(s, S_RING_COUNT), from = <usize>load<u8>(s, S_RING_START);
  memory.copy(blockEntries(blk), inline + from * RING_ENTRY, n * RING_ENTRY);
  store<u8>(s, 0, S_RING_START);
  store<u16>(s, <u16>(blk + 1), S_RING_BLOCK);
  return true;
}

/** Moves side s's ring back to `inline` (RING_INLINE entries or fewer) and frees its block. */
export function demoteRing(s: usize, inline: usize): void {
  const blk = <i32>load<u16>(s, S_RING_BLOCK) - 1;
  const n = <usize>load<u8>(s, S_RING_COUNT), from = <usize>load<u8>(s, S_RING_START);
  memory.copy(inline, blockEntries(blk) + from * RING_ENTRY, (n < <usize>RING_INLINE ? n : <usize>RING_INLINE) * RING_ENTRY);
  store<u8>(s, 0, S_RING_START);
  store<i32>(freeStack + (<usize>freeCount << 2), blk);
  freeCount++;
  store<u16>(s, 0, S_RING_BLOCK);
}
