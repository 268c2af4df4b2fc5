// The bound on connection records (maxConnections): past it, connections are ended early,
// "evicted", so that no flood — a mid-stream scan, backscatter — can exhaust memory (connections
// of one packet so far have their own bound, maxHalfOpen: tracker-half-open.ts).
// The least recently active go first (by the index of their last packet), those that are
// one-sided (one side never sent anything) or mid-stream (no SYN seen) before the others.
//
// Nothing happens per packet while the bound is not reached. When it is first exceeded, every
// connection goes into one of two lazy min-heaps by its last packet (one-sided or mid-stream,
// the others); a connection that became two-sided with a handshake moves to the other heap,
// one active since it was queued is queued again, when they come out. The victim is therefore
// the same whatever the order the heaps were filled in: the WebAssembly tracker
// (assembly/tracker/eviction.ts) picks the same one. Half-open connections are not counted
// (they are bounded apart, and both trackers hold them outside their records: pending-syns.ts).
// Each virtual shard (tracker-options.ts) has its own share of the bound and its own two heaps,
// and ends its own records: the same ones whichever worker tracks it.

import { REMOVED_EVICTED } from "./connection-store.js";
import { TimerQueue } from "./timer-queue.js";
import { CUR_TIME, type TrackerContext } from "./tracker-context.js";
import { remove } from "./tracker-lifetime.js";
import { virtualShard } from "./tracker-options.js";

/** Entries of ended connections worth dropping from the heaps (as in the timer heap). */
const STALE_MIN = 256;

// One-sided (one side never sent an accepted packet) or mid-stream (no SYN or SYN/ACK seen).
function firstToGo(k: TrackerContext, slot: number): boolean {
  const s = k.store, e = slot * 2;
  return s.pkts[e] === 0 || s.pkts[e + 1] === 0 || s.syns[e]! + s.syns[e + 1]! + s.synAcks[e]! + s.synAcks[e + 1]! === 0;
}

function queue(k: TrackerContext, slot: number): void {
  const s = k.store;
  const shard = virtualShard(s.flowHash[slot]!);
  if (!k.evictFirst[shard]) {
    k.evictFirst[shard] = new TimerQueue();
    k.evictLater[shard] = new TimerQueue();
  }
  (firstToGo(k, slot) ? k.evictFirst[shard]! : k.evictLater[shard]!).push(s.lastPacket[slot]!, slot, s.generation[slot]!);
  k.evictQueued++;
}

// Every connection record into the heaps, afresh.
function fill(k: TrackerContext): void {
  const s = k.store;
  for (const heap of [...k.evictFirst, ...k.evictLater]) if (heap) heap.size = 0;
  k.evictQueued = 0;
  k.evictStale = 0;
  for (let slot = 0; slot < s.capacity; slot++) if (s.inUse[slot]) queue(k, slot);
}

/**
 * Before a packet of this virtual shard is tracked, with more of its records open than its
 * share: ends its least recently active until they are as many as allowed (the packet may then
 * create one more).
 */
export function enforceConnectionLimit(k: TrackerContext, shard: number): void {
  if (!k.evicting) {
    k.evicting = true;
    fill(k);
  }
  const t = k.cur[CUR_TIME]!;
  while (k.recordsByShard[shard]! > k.connectionShare) remove(k, victim(k, shard), REMOVED_EVICTED, t);
}

function victim(k: TrackerContext, shard: number): number {
  const s = k.store;
  const evictFirst = k.evictFirst[shard]!, evictLater = k.evictLater[shard]!;
  for (;;) {
    const first = evictFirst.size > 0;
    const heap = first ? evictFirst : evictLater;
    const last = heap.peekDeadline(), slot = heap.peekSlot(), generation = heap.peekGeneration();
    heap.pop();
    k.evictQueued--;
    if (s.generation[slot] !== generation || !s.inUse[slot]) { if (k.evictStale > 0) k.evictStale--; continue; }
    if (first && !firstToGo(k, slot)) { evictLater.push(s.lastPacket[slot]!, slot, generation); k.evictQueued++; continue; }
    if (s.lastPacket[slot]! > last) { heap.push(s.lastPacket[slot]!, slot, generation); k.evictQueued++; continue; }
    return slot;
  }
}

/** A connection is a record now (created, or half-open no more): queued once eviction has begun. */
export function becameRecord(k: TrackerContext, slot: number): void {
  if (k.evicting) queue(k, slot);
}

/** A record ended: its heap entry is left behind, dropped when they are the majority. */
export function recordEnded(k: TrackerContext): void {
  if (!k.evicting || k.inputEnded) return;
  k.evictStale++;
  if (k.evictStale >= STALE_MIN && k.evictStale * 2 > k.evictQueued) fill(k);
}
