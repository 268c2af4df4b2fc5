// The bound on connection records: the reference tracker's tracker-eviction.ts, rule for rule
// (read that one for the why). Pending SYNs are not records (half-open.ts bounds them); a
// connection is queued once it is a record and eviction has begun (C_EVICTION_QUEUED), so
// that one ended without ever being queued (a pending SYN evicted at once) leaves no entry.

import {
  C_LAST_PACKET, C_GENERATION, C_IN_USE, C_EVICTION_QUEUED, E_PKTS, E_SYNS, E_SYN_ACKS, REMOVED_EVICTED,
} from "../connection-layout";
import { connAt, slotsUsed, liveConnections } from "./connections";
import { endpointAt } from "./connection";
import { endedRoomFor } from "./ended";
import * as config from "./config";
import { curTime } from "./context";
import { remove } from "./lifetime";
import { newHeap, heapCount, clearHeap, heapPush, heapKey, heapSlot, heapGeneration, heapPop } from "./eviction-heap";

const STALE_MIN: u32 = 256;

let evicting = false;
let evictFirst: usize = 0;
let evictLater: usize = 0;
let evictStale: u32 = 0;

export function resetEviction(): void {
  if (evictFirst == 0) {
    evictFirst = newHeap();
    evictLater = newHeap();
  }
  clearHeap(evictFirst);
  clearHeap(evictLater);
  evicting = false;
  evictStale = 0;
}

// One-sided (one side never sent an accepted packet) or mid-stream (no SYN or SYN/ACK seen).
function firstToGo(c: usize): bool {
  const e0 = endpointAt(c, 0), e1 = endpointAt(c, 1);
  return load<f64>(e0, E_PKTS) == 0 || load<f64>(e1, E_PKTS) == 0
    || load<u32>(e0, E_SYNS) + load<u32>(e1, E_SYNS) + load<u32>(e0, E_SYN_ACKS) + load<u32>(e1, E_SYN_ACKS) == 0;
}

function queue(slot: u32): void {
  const c = connAt(slot);
  store<u8>(c, 1, C_EVICTION_QUEUED);
  heapPush(firstToGo(c) ? evictFirst : evictLater, load<f64>(c, C_LAST_PACKET), slot, load<u32>(c, C_GENERATION));
}

// Every connection record into the heaps, afresh.
function fill(): void {
  clearHeap(evictFirst);
  clearHeap(evictLater);
  evictStale = 0;
  const n = slotsUsed();
  for (let slot: u32 = 0; slot < n; slot++) if (load<u8>(connAt(slot), C_IN_USE) != 0) queue(slot);
}

/**
 * Before a packet is tracked, with more records open than allowed: ends the least recently
 * active until they are as many as allowed; false when the ended buffer filled first (room is
 * kept for what the packet itself may end).
 */
export function enforceConnectionLimit(): bool {
  if (!evicting) {
    evicting = true;
    fill();
  }
  while (liveConnections > config.connectionLimit) {
    if (!endedRoomFor(3)) return false;
    remove(victim(), REMOVED_EVICTED, curTime);
  }
  return true;
}

function victim(): u32 {
  for (;;) {
    const first = heapCount(evictFirst) > 0;
    const h = first ? evictFirst : evictLater;
    const last = heapKey(h), slot = heapSlot(h), generation = heapGeneration(h);
    heapPop(h);
    const c = connAt(slot);
    if (load<u32>(c, C_GENERATION) != generation || load<u8>(c, C_IN_USE) == 0) {
      if (evictStale > 0) evictStale--;
      continue;
    }
    if (first && !firstToGo(c)) { heapPush(evictLater, load<f64>(c, C_LAST_PACKET), slot, generation); continue; }
    if (load<f64>(c, C_LAST_PACKET) > last) { heapPush(h, load<f64>(c, C_LAST_PACKET), slot, generation); continue; }
    return slot;
  }
  return 0; // not reached
}

/** A connection is a record now (created, or a pending SYN promoted): queued once eviction has begun. */
export function becameRecord(slot: u32): void {
  if (evicting) queue(slot);
}

/** A record ends (c, before its slot is freed): its entry is left behind, dropped when they are the majority. */
export function recordEnding(c: usize): bool {
  return evicting && load<u8>(c, C_EVICTION_QUEUED) != 0;
}

export function recordEnded(): void {
  evictStale++;
  if (evictStale >= STALE_MIN && evictStale * 2 > heapCount(evictFirst) + heapCount(evictLater)) fill();
}
