// The bound on connection records (maxConnections): past it, connections are ended early,
// "evicted", so that no flood — a mid-stream scan of one-packet "connections", backscatter —
// can exhaust memory (lone SYNs have their own bound, maxHalfOpen: tracker-half-open.ts).
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

import { REMOVED_EVICTED } from "./connection-store.js";
import { TimerQueue } from "./timer-queue.js";
import { CUR_TIME, type TrackerContext } from "./tracker-context.js";
import { remove } from "./tracker-lifetime.js";

/** Entries of ended connections worth dropping from the heaps (as in the timer heap). */
const STALE_MIN = 256;

/** Connection records now (the pending SYNs of half-open connections apart). */
export function recordsOpen(k: TrackerContext): number {
  return k.store.live;
}

// One-sided (one side never sent an accepted packet) or mid-stream (no SYN or SYN/ACK seen).
function firstToGo(k: TrackerContext, slot: number): boolean {
  const s = k.store, e = slot * 2;
  return s.pkts[e] === 0 || s.pkts[e + 1] === 0 || s.syns[e]! + s.syns[e + 1]! + s.synAcks[e]! + s.synAcks[e + 1]! === 0;
}

function queue(k: TrackerContext, slot: number): void {
  const s = k.store;
  (firstToGo(k, slot) ? k.evictFirst : k.evictLater).push(s.lastPacket[slot]!, slot, s.generation[slot]!);
}

// Every connection record into the heaps, afresh.
function fill(k: TrackerContext): void {
  const s = k.store;
  k.evictFirst.size = 0;
  k.evictLater.size = 0;
  k.evictStale = 0;
  for (let slot = 0; slot < s.capacity; slot++) if (s.inUse[slot]) queue(k, slot);
}

/**
 * Before a packet is tracked, with more records open than allowed: ends the least recently
 * active until they are as many as allowed (the packet may then create one more).
 */
export function enforceConnectionLimit(k: TrackerContext): void {
  if (!k.evicting) {
    k.evicting = true;
    fill(k);
  }
  const t = k.cur[CUR_TIME]!;
  while (recordsOpen(k) > k.maxConnections) remove(k, victim(k), REMOVED_EVICTED, t);
}

function victim(k: TrackerContext): number {
  const s = k.store;
  for (;;) {
    const first = k.evictFirst.size > 0;
    const heap = first ? k.evictFirst : k.evictLater;
    const last = heap.peekDeadline(), slot = heap.peekSlot(), generation = heap.peekGeneration();
    heap.pop();
    if (s.generation[slot] !== generation || !s.inUse[slot]) { if (k.evictStale > 0) k.evictStale--; continue; }
    if (first && !firstToGo(k, slot)) { k.evictLater.push(s.lastPacket[slot]!, slot, generation); continue; }
    if (s.lastPacket[slot]! > last) { heap.push(s.lastPacket[slot]!, slot, generation); continue; }
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
  if (k.evictStale >= STALE_MIN && k.evictStale * 2 > k.evictFirst.size + k.evictLater.size) fill(k);
}
