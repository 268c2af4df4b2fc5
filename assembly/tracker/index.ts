// The WebAssembly connection tracker's exported interface (its own module: build/tracker.wasm).
//
// The SDK configures a run with reset() and the set*() calls, copies decoded packet records
// (assembly/layout.ts) into the records area and calls track(from, count), or, when the tracker
// shares the decoder's memory (its data and heap start at 64 MiB: package.json, --memoryBase),
// calls trackAt() on the decoder's output slot. Connections that
// end are copied to the ended buffer (connection-layout.ts); track() returns early, with the
// index of the first record it did not process, when that buffer is full: the SDK reads it
// and calls again from there. finish(max) ends the connections still open, in the order they
// began. Memory grows with the connections open at once (TLSF heap); the SDK re-reads
// memory.buffer after every call.

import { LAYOUT_VERSION, RECORD_SIZE, REC_TUNNEL_DEPTH, TUNNEL_RECORD_SIZE } from "../layout";
import { CONNECTION_LAYOUT_VERSION, C_ID, C_IN_USE, REMOVED_END } from "../connection-layout";
import { resetConnections, connAt, slotsUsed, liveConnections as live } from "./connections";
import { resetFlowIndex, touchedSum } from "./flow-index";
import { resetTimers } from "./timers";
import { clearEnded, endedPtr as ended, endedCount as endedN, ENDED_CAPACITY } from "./ended";
export { setEndedArea, freeEndedBlocks, allocEndedRing, endedWithBlocks } from "./ended";
import { trackRecords, resetTracker, advanceClock as advance } from "./track";
import * as clock from "./context";
import { endInput, remove } from "./lifetime";
import { promote, pendingKey } from "./half-open";
import { pendingLive, pendingFirst, pendingTail, pendingAt, P_ALIVE } from "./pending";
import * as config from "./config";
// The line writers (assembly/lines/): ndjson, csv and zeek lines, and their parts one at a time.
// The timer queue's operations, for its tests.
export { timersReset, timersPush, timersPop, timersSize, timersPeekDeadline, timersPeekSlot, timersPeekGeneration, timersKeepOddGenerations } from "./timer-exports";
// The pending FIFO's numbering, for its tests.
export { startPendingAt } from "./pending";
export { linesScratchPtr, linesScratchBytes, writeNumber, writeAddress, writeCommunityId, writeLine, writeCsvLine, writeZeekLine, lineMaxBytes, linesArea, setBlocksBase, zeekLocalAddress, clearSiteNets, addSiteNet } from "../lines/exports";

const RECORDS_CAPACITY: u32 = 4096;
let records: usize = 0;
let tunnelRecords: usize = 0;
// End of input: the open connections' slots, sorted by key (C_ID), and how many have been ended.
let closing: usize = 0;
let closingCount: u32 = 0;
let closed: u32 = 0;
let closingReady = false;
let pendingCursor: u32 = 0;

export function layoutVersion(): i32 { return LAYOUT_VERSION; }
export function connectionLayoutVersion(): i32 { return CONNECTION_LAYOUT_VERSION; }
export function recordsPtr(): usize {
  if (records == 0) records = heap.alloc(<usize>RECORDS_CAPACITY * RECORD_SIZE);
  return records;
}
export function recordsCapacity(): u32 { return RECORDS_CAPACITY; }
export function endedPtr(): usize { return ended(); }
export function endedCount(): u32 { return endedN; }
/** The room of an ended buffer (setEndedArea), in records. */
export function endedCapacity(): u32 { return ENDED_CAPACITY; }
/** The largest gap in seconds: the nearest double to the exact decimal. */
export function maxGapSec(): f64 { return clock.maxGapNs / 1e9; }
export function backwardsSteps(): f64 { return clock.backwardsSteps; }
export function liveConnections(): u32 { return live + pendingLive; }
/** The look-ahead loads' sum (flow-index.ts): exported so that no optimiser drops them. */
export function lookAheadSum(): u32 { return touchedSum(); }
export function setPacketBase(base: f64): void { clock.setPacketBase(base); }
export function setClockBase(secs: f64): void { clock.setClockBase(secs); }
export function setLikelyServerPort(port: u32): void { config.setLikelyServerPort(port); }
/** At most `limit` half-open connections at once (0xffffffff: no limit); call after reset(). */
export function setHalfOpenLimit(limit: u32): void { config.setHalfOpenLimit(limit); }
/** At most `limit` connection records at once, pending one-packet connections apart (0xffffffff: no limit); call after reset(). */
export function setConnectionLimit(limit: u32): void { config.setConnectionLimit(limit); }
/** Keys connections by tunnel chain and inner endpoints; call after reset(). */
export function setKeyByTunnel(on: bool): void { config.setKeyByTunnel(on); }
/** Off: maxGapSec and backwardsSteps are not kept (a shard whose timeline nobody reads). */
export function setTimelineKept(on: bool): void { config.setTimelineKept(on); }
/**
 * The tunnel records beside the records the next track() or trackAt() calls read, same index
 * (layout.ts, "Tunnel chain"; 0: none): where tunnelled connections take their chains from.
 */
export function setTunnelRecords(at: usize): void { clock.setTunnelRecords(at); }
/** The area for track()'s tunnel records, RECORDS_CAPACITY of them (allocated on first use). */
export function tunnelRecordsPtr(): usize {
  if (tunnelRecords == 0) tunnelRecords = heap.alloc(<usize>RECORDS_CAPACITY * TUNNEL_RECORD_SIZE);
  return tunnelRecords;
}
/**
 * Whether any of the `count` records at `at` came through a tunnel, so that their tunnel records
 * must be copied in beside them (a loop in JS over a batch's records cost ~2.5 ns a record).
 */
export function anyTunnelled(at: usize, count: u32): bool {
  let depths: u32 = 0; // or-ed, without a branch a record
  for (let i: u32 = 0; i < count; i++) depths |= <u32>load<u8>(at + <usize>i * RECORD_SIZE, REC_TUNNEL_DEPTH);
  return depths != 0;
}
export function setPortTimeout(port: u32, seconds: f64): void { config.setPortTimeout(port, seconds); }
export function addIgnoredNet(version: u32, bits: u32): usize { return config.addIgnoredNet(version, bits); }

/**
 * Starts a new run with these settings (seconds; the flow groups it tracks: bit g of
 * ownedLow, or of ownedHigh for g - 32, as sdk/connections/shard-groups.ts sets them).
 */
export function reset(
  attempt: f64, close: f64, handshake: f64, inactivity: f64, verify: bool, ownedLow: u32, ownedHigh: u32,
): void {
  config.resetConfig(attempt, close, handshake, inactivity, verify, ownedLow, ownedHigh);
  clearEnded();
  resetConnections();
  resetFlowIndex();
  resetTimers();
  resetTracker();
  if (closing != 0) heap.free(closing);
  closing = 0;
  closingCount = 0;
  closed = 0;
  closingReady = false;
}

/** Tracks records [from, count) of the records area; returns where it stopped (count when done). */
export function track(from: u32, count: u32): u32 {
  return trackAt(recordsPtr(), from, count > RECORDS_CAPACITY ? RECORDS_CAPACITY : count);
}

/**
 * As track(), for records elsewhere in this memory: a decoder's output slot, when the tracker
 * lives in the decoder's memory (read only, as other trackers may be reading it too).
 */
export function trackAt(records: usize, from: u32, count: u32): u32 {
  clearEnded();
  return trackRecords(records, from, count);
}

/**
 * Moves the clock to the latest time of any packet read (epoch seconds and nanoseconds), firing
 * the timers due by then; false when the ended buffer filled first (drain it, call again).
 */
export function advanceClock(secs: f64, nsec: u32): bool {
  clearEnded();
  return advance(secs, nsec);
}

/** Ends up to `max` of the connections still open (end of input); true once none is left. */
export function finish(max: u32): bool {
  clearEnded();
  if (!closingReady) {
    endInput();
    collectOpen();
  }
  // Two lists in key order (C_ID: the id and a subframe fraction): the connection records, sorted, and the pending connections, whose FIFO
  // order is packet order. Merged as they go.
  const limit = max < ENDED_CAPACITY ? max : ENDED_CAPACITY;
  for (let n: u32 = 0; n < limit; n++) {
    const seq = nextPending();
    const haveSlot = closed < closingCount;
    if (!haveSlot && seq < 0) return true;
    if (seq >= 0 && (!haveSlot || pendingKey(<u32>seq) < load<f64>(closing + (<usize>closed << 4)))) {
      remove(promote(<u32>seq), REMOVED_END, Infinity);
    } else {
      remove(load<u32>(closing + (<usize>(closed++) << 4), 8), REMOVED_END, Infinity);
    }
  }
  return closed == closingCount && nextPending() < 0;
}

// The next live pending connection at or after the finish cursor, or -1.
function nextPending(): i64 {
  for (; pendingCursor != pendingTail(); pendingCursor++) {
    if (load<u8>(pendingAt(pendingCursor), P_ALIVE) != 0) return <i64>pendingCursor;
  }
  return -1;
}

// Entries of 16 bytes: key (f64, C_ID), slot (u32), sorted by key.
function collectOpen(): void {
  closingReady = true;
  closing = heap.alloc(<usize>(live > 0 ? live : <u32>1) << 4);
  closingCount = 0;
  pendingCursor = pendingFirst();
  const n = slotsUsed();
  for (let slot: u32 = 0; slot < n; slot++) {
    const c = connAt(slot);
    if (load<u8>(c, C_IN_USE) == 0) continue;
    const at = closing + (<usize>(closingCount++) << 4);
    store<f64>(at, load<f64>(c, C_ID));
    store<u32>(at, slot, 8);
  }
  sortByKey(closing, closingCount);
}

// Heapsort: no allocation, no recursion.
function sortByKey(base: usize, n: u32): void {
  if (n < 2) return;
  for (let i = <i32>(n / 2) - 1; i >= 0; i--) siftDown(base, <u32>i, n);
  for (let end = n - 1; end > 0; end--) {
    swap(base, 0, end);
    siftDown(base, 0, end);
  }
}

function siftDown(base: usize, start: u32, n: u32): void {
  let i = start;
  for (;;) {
    const l: u32 = 2 * i + 1;
    if (l >= n) return;
    const r: u32 = l + 1;
    const c = r < n && keyAt(base, r) > keyAt(base, l) ? r : l;
    if (keyAt(base, c) <= keyAt(base, i)) return;
    swap(base, i, c);
    i = c;
  }
}

@inline function keyAt(base: usize, i: u32): f64 { return load<f64>(base + (<usize>i << 4)); }

function swap(base: usize, i: u32, j: u32): void {
  const a = base + (<usize>i << 4), b = base + (<usize>j << 4);
  const ta = load<u64>(a), tb = load<u64>(a, 8);
  store<u64>(a, load<u64>(b));
  store<u64>(a, load<u64>(b, 8), 8);
  store<u64>(b, ta);
  store<u64>(b, tb, 8);
}

