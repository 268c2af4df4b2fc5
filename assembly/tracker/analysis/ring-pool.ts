// The pool of ring blocks that sides with more unacknowledged segments than their inline ring
// holds borrow from (assembly/analysis-layout.ts, RING_INLINE / RING_BLOCK): allocated once,
// bounded, a free stack of block indices. As the TypeScript engine's pool
// (sdk/connections/analysis/analysis-state.ts), block for block. A block's entries have the
// inline ring's form (RING_ENTRY bytes: end, then time), so one line holds both of an entry.

import { RING_BLOCK, RING_INLINE, RING_ENTRY, MAX_RING_BLOCKS, RING_GROUPS, RING_GROUP_BLOCKS, S_RING_COUNT, S_RING_START, S_RING_BLOCK } from "../../analysis-layout";

let freeStack: usize = 0; //   i32 block indices
let freeCount: i32 = 0;
// Blocks' entries in chunks of CHUNK_BLOCKS, each allocated when one of its blocks is first lent:
// the pool's 4 096 blocks would take 6 MB of the tracker's heap at once (its initial heap is
// ~11 MB; past it the scan's memory doubles), while a capture rarely has more than a few such
// sides at once.
const CHUNK_BLOCKS: i32 = 64;
const CHUNK_BYTES: usize = <usize>CHUNK_BLOCKS * RING_BLOCK * RING_ENTRY;
let chunks: usize = 0; //      usize per chunk: its entries, 0 until its first block is lent
let chunkCount: i32 = 0;
let poolBase: usize = 0;
let blockGroup: usize = 0; //  u8 per block: the flow group it is lent to
let groupBlocks: usize = 0; // i32 per flow group: blocks it holds (at most RING_GROUP_BLOCKS)
/** The flow group (flow hash & 63) of the packet being analysed: a block it borrows counts there. */
let ringGroup: i32 = 0;
@inline export function setRingGroup(group: i32): void { ringGroup = group; }

/** Allocates the pool (again: the previous one is freed): `blocks` blocks (at most MAX_RING_BLOCKS), all free. */
export function initRingPool(blocks: i32): void {
  if (blocks > MAX_RING_BLOCKS) blocks = MAX_RING_BLOCKS;
  const stackBytes = (<usize>blocks * 4 + 63) & ~63;
  const groupBytes = (<usize>blocks + <usize>RING_GROUPS * 4 + 63) & ~63;
  if (poolBase != 0) {
    for (let c = 0; c < chunkCount; c++) {
      const at = load<usize>(chunks + (<usize>c << 2));
      if (at != 0) heap.free(at);
    }
    heap.free(poolBase);
  }
  chunkCount = (blocks + CHUNK_BLOCKS - 1) / CHUNK_BLOCKS;
  const chunkBytes = (<usize>chunkCount * 4 + 63) & ~63;
  const base = heap.alloc(stackBytes + groupBytes + chunkBytes + 64);
  poolBase = base;
  freeStack = (base + 63) & ~63;
  groupBlocks = freeStack + stackBytes;
  blockGroup = groupBlocks + <usize>RING_GROUPS * 4;
  chunks = freeStack + stackBytes + groupBytes;
  for (let k = 0; k < blocks; k++) store<i32>(freeStack + (<usize>k << 2), blocks - 1 - k);
  memory.fill(groupBlocks, 0, <usize>RING_GROUPS * 4);
  memory.fill(chunks, 0, <usize>chunkCount * 4);
  freeCount = blocks;
  ringGroup = 0;
}

@inline function freeBlock(blk: i32): void {
  store<i32>(freeStack + (<usize>freeCount << 2), blk);
  freeCount++;
  const g = groupBlocks + (<usize>load<u8>(blockGroup + <usize>blk) << 2);
  store<i32>(g, load<i32>(g) - 1);
}

export function freeRingBlocks(): i32 { return freeCount; }

@inline export function blockEntries(blk: i32): usize {
  return load<usize>(chunks + ((<usize>blk / <usize>CHUNK_BLOCKS) << 2)) + (<usize>blk % <usize>CHUNK_BLOCKS) * (RING_BLOCK * RING_ENTRY);
}

/** Gives back the block side `s` (a side's hot address) holds, if any. */
export function releaseRing(s: usize): void {
  const held = <i32>load<u16>(s, S_RING_BLOCK);
  if (held > 0) freeBlock(held - 1);
  store<u16>(s, 0, S_RING_BLOCK);
}

/** Moves side s's full inline ring (at `inline`) into a pool block; false when the pool is empty. */
export function promoteRing(s: usize, inline: usize): bool {
  const g = groupBlocks + (<usize>ringGroup << 2);
  if (freeCount == 0 || load<i32>(g) >= RING_GROUP_BLOCKS) return false;
  freeCount--;
  const blk = load<i32>(freeStack + (<usize>freeCount << 2));
  store<u8>(blockGroup + <usize>blk, <u8>ringGroup);
  store<i32>(g, load<i32>(g) + 1);
  const chunk = chunks + ((<usize>blk / <usize>CHUNK_BLOCKS) << 2);
  if (load<usize>(chunk) == 0) store<usize>(chunk, heap.alloc(CHUNK_BYTES));
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
  freeBlock(blk);
  store<u16>(s, 0, S_RING_BLOCK);
}
