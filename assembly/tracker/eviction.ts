// The bound on connection records: the reference tracker's tracker-eviction.ts, rule for rule
// (read that one for the why). Pending one-packet connections are not records (half-open.ts
// bounds them); a connection is queued once it is a record and eviction has begun
// (C_EVICTION_QUEUED), so that one ended without ever being queued (a pending connection
// evicted at once) leaves no entry. Each virtual shard (config.ts) has its own share of the
// bound and its own two heaps: it ends its own records, whichever worker tracks it.

import {
  C_LAST_PACKET, C_GENERATION, C_IN_USE, C_EVICTION_QUEUED, C_FLOW_HASH, E_PKTS, E_SYNS, E_SYN_ACKS, REMOVED_EVICTED,
} from "../connection-layout";
import { connAt, slotsUsed, liveIn } from "./connections";
import { endpointAt } from "./connection";
import { endedRoomFor } from "./ended";
import * as config from "./config";
import { curTime } from "./context";
import { remove } from "./lifetime";
import { newHeap, heapCount, clearHeap, heapPush, heapKey, heapSlot, heapGeneration, heapPop } from "./eviction-heap";

const STALE_MIN: u32 = 256;

let evicting = false;
// Per virtual shard, the handles of its two heaps: one-sided or mid-stream records, the others.
let evictFirst: usize = 0;
let evictLater: usize = 0;
let evictStale: u32 = 0;
let queued: u32 = 0; // entries in all the heaps

@inline function firstHeap(shard: u32): usize { return <usize>load<u32>(evictFirst + (<usize>shard << 2)); }
@inline function laterHeap(shard: u32): usize { return <usize>load<u32>(evictLater + (<usize>shard << 2)); }

export function resetEviction(): void {
  if (evictFirst == 0) {
    evictFirst = heap.alloc(<usize>config.VIRTUAL_SHARDS << 2);
    evictLater = heap.alloc(<usize>config.VIRTUAL_SHARDS << 2);
    memory.fill(evictFirst, 0, <usize>config.VIRTUAL_SHARDS << 2);
    memory.fill(evictLater, 0, <usize>config.VIRTUAL_SHARDS << 2);
  }
  clearHeaps();
  evicting = false;
}

// Empties every heap (made on first use: only a flood needs them).
function clearHeaps(): void {
  for (let shard: u32 = 0; shard < config.VIRTUAL_SHARDS; shard++) {
    if (firstHeap(shard) == 0) continue;
    clearHeap(firstHeap(shard));
    clearHeap(laterHeap(shard));
  }
  evictStale = 0;
  queued = 0;
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
  const shard = config.virtualShard(load<u32>(c, C_FLOW_HASH));
  if (firstHeap(shard) == 0) {
    store<u32>(evictFirst + (<usize>shard << 2), <u32>newHeap());
    store<u32>(evictLater + (<usize>shard << 2), <u32>newHeap());
  }
  heapPush(firstToGo(c) ? firstHeap(shard) : laterHeap(shard), load<f64>(c, C_LAST_PACKET), slot, load<u32>(c, C_GENERATION));
  queued++;
}

// Every connection record into the heaps, afresh.
function fill(): void {
  clearHeaps();
  const n = slotsUsed();
  for (let slot: u32 = 0; slot < n; slot++) if (load<u8>(connAt(slot), C_IN_USE) != 0) queue(slot);
}

/**
 * Before a packet of this virtual shard is tracked, with more of its records open than its
 * share: ends its least recently active until they are as many as allowed; false when the
 * ended buffer filled first (room is kept for what the packet itself may end).
 */
export function enforceConnectionLimit(shard: u32): bool {
  if (!evicting) {
    evicting = true;
    fill();
  }
  while (liveIn(shard) > config.connectionShare) {
    if (!endedRoomFor(3)) return false;
    remove(victim(shard), REMOVED_EVICTED, curTime);
  }
  return true;
}

function victim(shard: u32): u32 {
  const evictFirst = firstHeap(shard), evictLater = laterHeap(shard);
  for (;;) {
    const first = heapCount(evictFirst) > 0;
    const h = first ? evictFirst : evictLater;
    const last = heapKey(h), slot = heapSlot(h), generation = heapGeneration(h);
    heapPop(h);
    queued--;
    const c = connAt(slot);
    if (load<u32>(c, C_GENERATION) != generation || load<u8>(c, C_IN_USE) == 0) {
      if (evictStale > 0) evictStale--;
      continue;
    }
    if (first && !firstToGo(c)) { heapPush(evictLater, load<f64>(c, C_LAST_PACKET), slot, generation); queued++; continue; }
    if (load<f64>(c, C_LAST_PACKET) > last) { heapPush(h, load<f64>(c, C_LAST_PACKET), slot, generation); queued++; continue; }
    return slot;
  }
  return 0; // not reached
}

/** A connection is a record now (created, or a pending connection promoted): queued once eviction has begun. */
export function becameRecord(slot: u32): void {
  if (evicting) queue(slot);
}

/** A record ends (c, before its slot is freed): its entry is left behind, dropped when they are the majority. */
export function recordEnding(c: usize): bool {
  return evicting && load<u8>(c, C_EVICTION_QUEUED) != 0;
}

export function recordEnded(): void {
  evictStale++;
  if (evictStale >= STALE_MIN && evictStale * 2 > queued) fill();
}
