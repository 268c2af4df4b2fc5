// The ended buffer: connections that ended during a call, copied out whole for the SDK to read
// (connection-layout.ts). A copy owns its history and tunnel chain blocks until the buffer is
// cleared at the start of the next call.

import { CONN_SIZE, C_HISTORY_MORE, C_EXTENSION, C_TUNNEL_CHAIN } from "../connection-layout";

export const ENDED_CAPACITY: u32 = 256;

let endedAt: usize = 0;
export let endedCount: u32 = 0;

export function endedPtr(): usize {
  if (endedAt == 0) endedAt = heap.alloc(<usize>ENDED_CAPACITY * CONN_SIZE);
  return endedAt;
}

/** Empties the buffer (the SDK has read it). */
export function clearEnded(): void {
  const base = endedPtr();
  for (let k: u32 = 0; k < endedCount; k++) {
    const more = <usize>load<u32>(base + <usize>k * CONN_SIZE, C_HISTORY_MORE);
    if (more != 0) heap.free(more);
    const chain = <usize>load<u32>(base + <usize>k * CONN_SIZE, C_TUNNEL_CHAIN);
    if (chain != 0) heap.free(chain);
  }
  endedCount = 0;
}

@inline export function endedFull(): bool { return endedCount >= ENDED_CAPACITY; }
@inline export function endedRoomFor(n: u32): bool { return endedCount + n <= ENDED_CAPACITY; }

/** Copies a connection record out; its history and chain blocks move with it, its extension stays (freed with the slot). */
export function copyEnded(c: usize): void {
  const copy = endedPtr() + <usize>(endedCount++) * CONN_SIZE;
  memory.copy(copy, c, CONN_SIZE);
  store<u32>(c, 0, C_HISTORY_MORE);
  store<u32>(c, 0, C_TUNNEL_CHAIN);
  store<u32>(copy, 0, C_EXTENSION);
}
