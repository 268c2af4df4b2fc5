// The ended buffer: connections that ended during a call, copied out whole for the SDK to read
// (connection-layout.ts). A copy owns its history and tunnel chain blocks until the buffer is
// cleared at the start of the next call.
//
// A scan worker whose records the main thread reads in place (sdk/parallel/ended-ring.ts) moves
// the buffer before each call into a ring of its own (setEndedArea): the records stay where they
// were written until the main thread has copied them, and their blocks are freed only then
// (freeEndedBlocks), not when the buffer is cleared.

import { CONN_SIZE, C_HISTORY_MORE, C_EXTENSION, C_TUNNEL_CHAIN } from "../connection-layout";

export const ENDED_CAPACITY: u32 = 256;

let ownAt: usize = 0; // the buffer this module allocates
let endedAt: usize = 0; // where this call's ended records go: ownAt, or a ring's area
let keepBlocks = false; // a ring's area: clearEnded leaves the blocks to freeEndedBlocks
export let endedCount: u32 = 0;
let withBlocks: u32 = 0; // of them, records that point to a history or tunnel chain block

export function endedPtr(): usize {
  if (endedAt == 0) {
    if (ownAt == 0) ownAt = heap.alloc(<usize>ENDED_CAPACITY * CONN_SIZE);
    endedAt = ownAt;
  }
  return endedAt;
}

/** Empties the buffer (the SDK has read it). */
export function clearEnded(): void {
  if (!keepBlocks) freeEndedBlocks(endedPtr(), endedCount);
  endedCount = 0;
  withBlocks = 0;
}

/**
 * The next calls' ended records go to `at` (room for ENDED_CAPACITY of them; 0: this module's
 * own buffer again). The records there before are the caller's: their blocks stay allocated
 * until it calls freeEndedBlocks.
 */
export function setEndedArea(at: usize): void {
  clearEnded();
  endedAt = at;
  keepBlocks = at != 0;
}

/** Frees the history and tunnel chain blocks of the `count` records at `at`. */
export function freeEndedBlocks(at: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const c = at + <usize>k * CONN_SIZE;
    const more = <usize>load<u32>(c, C_HISTORY_MORE);
    if (more != 0) { heap.free(more); store<u32>(c, 0, C_HISTORY_MORE); }
    const chain = <usize>load<u32>(c, C_TUNNEL_CHAIN);
    if (chain != 0) { heap.free(chain); store<u32>(c, 0, C_TUNNEL_CHAIN); }
  }
}

/** An area for `records` ended records (a ring's, see setEndedArea), zeroed: no blocks to free yet. */
export function allocEndedRing(records: u32): usize {
  const bytes = <usize>records * CONN_SIZE;
  const at = heap.alloc(bytes);
  memory.fill(at, 0, bytes);
  return at;
}

/** How many of the ended records point to a block (a ring's area need not be walked to free none). */
export function endedWithBlocks(): u32 { return withBlocks; }

@inline export function endedFull(): bool { return endedCount >= ENDED_CAPACITY; }
@inline export function endedRoomFor(n: u32): bool { return endedCount + n <= ENDED_CAPACITY; }

/** Copies a connection record out; its history and chain blocks move with it, its extension stays (freed with the slot). */
export function copyEnded(c: usize): void {
  const copy = endedPtr() + <usize>(endedCount++) * CONN_SIZE;
  memory.copy(copy, c, CONN_SIZE);
  if ((load<u32>(c, C_HISTORY_MORE) | load<u32>(c, C_TUNNEL_CHAIN)) != 0) withBlocks++;
  store<u32>(c, 0, C_HISTORY_MORE);
  store<u32>(c, 0, C_TUNNEL_CHAIN);
  store<u32>(copy, 0, C_EXTENSION);
}
