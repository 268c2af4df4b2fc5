// The capture clock and the packet being tracked: what every rule reads (the reference
// tracker's tracker-context.ts). The packet's fields are globals rather than arguments, set
// once per packet; a pending connection's replay (half-open.ts) swaps in its own and puts them back.

import * as L from "../layout";

// The capture clock and its quality figures.
let baseSec: f64 = NaN;
export let now: f64 = 0;
// The largest gap in whole nanoseconds, from the records' integer seconds and nanoseconds: a
// difference of float seconds would carry binary noise into the report (4.8660369999999995).
export let maxGapNs: f64 = 0;
export let backwardsSteps: f64 = 0;
let lastPacketTime: f64 = NaN;
let lastSecs: f64 = NaN;
let lastNsec: f64 = 0;
/** Added to packet indices: the packets of earlier files when several are read as one. */
export let packetBase: f64 = 0;
// The packet being processed: its record, and the fields most rules read.
export let rec: usize = 0;
export let curTime: f64 = 0;
export let curSeq: u32 = 0;
export let curAck: u32 = 0;
export let curFlags: u32 = 0;
export let curPayload: u32 = 0;

export function setPacketBase(base: f64): void { packetBase = base; }
/**
 * The clock's origin given ahead of the first record, by a run that sees part of a capture's
 * packets (a reduce over partitions: the capture's first record may be in another bucket).
 */
export function setClockBase(secs: f64): void { baseSec = secs; }

export function resetContext(): void {
  baseSec = NaN;
  now = 0;
  maxGapNs = 0;
  backwardsSteps = 0;
  lastPacketTime = NaN;
  lastSecs = NaN;
  lastNsec = 0;
  packetBase = 0;
  tunnelsBase = 0;
}

/** The current packet's index in the whole input (its frame's: the whole part of its key). */
@inline export function packetIndex(): f64 { return Math.floor(load<f64>(rec, L.REC_PACKET_INDEX)) + packetBase; }
/** The same with its subframe fraction (layout.ts, SUBFRAME_STEPS): what a connection's key (C_ID) is made of. */
@inline export function packetKey(): f64 { return load<f64>(rec, L.REC_PACKET_INDEX) + packetBase; }

/** The packet record at `at` is the one being tracked. */
@inline export function setRecord(at: usize): void { rec = at; }

// Where the records being tracked lie, and their tunnel records beside them, same index (0:
// none given: a tunnelled connection then keeps its chain's types, not its levels).
// (A pending connection's replay tracks a record of its own, outside them.)
let recordsBase: usize = 0;
let recordsEnd: usize = 0;
let tunnelsBase: usize = 0;
export function setTunnelRecords(at: usize): void { tunnelsBase = at; }
@inline export function setRecordsRange(at: usize, count: u32): void {
  recordsBase = at;
  recordsEnd = at + <usize>count * L.RECORD_SIZE;
}

/** The tunnel record of the current record (0: none), read only when its packet is tunnelled. */
export function currentTunnelRecord(): usize {
  if (tunnelsBase == 0 || rec < recordsBase || rec >= recordsEnd) return 0;
  return tunnelsBase + ((rec - recordsBase) / L.RECORD_SIZE) * L.TUNNEL_RECORD_SIZE;
}

/** Reads the current record's fields the rules use (after its clock step). */
@inline export function readPacket(): void {
  const r = rec; // once: V8 reloads a global after each store to another
  curFlags = <u32>load<u16>(r, L.REC_TCP_FLAGS);
  curSeq = load<u32>(r, L.REC_SEQ);
  curAck = load<u32>(r, L.REC_ACK);
  curPayload = load<u32>(r, L.REC_PAYLOAD_LEN);
}

// A timestamp on the capture clock (seconds since its first packet). Every time the tracker
// compares comes from here: a pending connection's deadlines, recomputed later, must equal the ones
// its packet gave when it came, to the last bit.
@inline export function captureTime(secs: f64, nsec: u32): f64 { return timeSince(baseSec, secs, nsec); }
@inline export function timeSince(base: f64, secs: f64, nsec: u32): f64 { return secs - base + <f64>nsec * 1e-9; }

/** The capture clock takes the current record's time: the current time, "now", the timeline figures. */
export function stepClock(): void {
  const r = rec;
  const secs = load<f64>(r, L.REC_TS_SEC);
  if (baseSec != baseSec) baseSec = secs;
  const nsec = load<u32>(r, L.REC_TS_NSEC);
  const t = captureTime(secs, nsec);
  if (t > now) now = t;
  if (t < lastPacketTime) backwardsSteps++;
  else {
    // Exact while the gap is under 2^53 ns (104 days); NaN (no gap) at the first record.
    const gapNs = (secs - lastSecs) * 1e9 + (<f64>nsec - lastNsec);
    if (gapNs > maxGapNs) maxGapNs = gapNs;
  }
  lastPacketTime = t;
  lastSecs = secs;
  lastNsec = <f64>nsec;
  curTime = t;
}

/**
 * The clock step of another tracker's packets, passed over by a tracker whose timeline figures
 * nobody reads (config.timelineKept off): `now` and the current time as stepClock leaves them
 * after the same packets, from their latest time and the largest (the gaps and steps back not kept).
 */
@inline export function passedOver(latest: f64, largest: f64): void {
  if (largest > now) now = largest;
  curTime = latest;
}

/** The capture clock's origin: NaN before the first record. */
@inline export function clockBase(): f64 { return baseSec; }

/**
 * The capture clock takes a time read from a packet that is not a record (any packet, TCP or
 * not, as Zeek's clock does); false before the first record, when no timer can be due.
 */
export function clockTo(secs: f64, nsec: u32): bool {
  if (!(secs >= 0) || baseSec != baseSec) return false;
  const t = captureTime(secs, nsec);
  if (t > now) now = t;
  curTime = t;
  return true;
}

// What a replay put aside.
let savedRec: usize = 0;
let savedTime: f64 = 0;
let savedSeq: u32 = 0;
let savedAck: u32 = 0;
let savedFlags: u32 = 0;
let savedPayload: u32 = 0;
let savedNow: f64 = 0;
let savedBase: f64 = 0;

/**
 * Replays the packet in record `x` as it came: its time, the clock's "now" then, packet indices
 * already including their base. endReplay() restores the packet being tracked.
 */
export function beginReplay(x: usize, nowThen: f64): void {
  savedRec = rec; savedTime = curTime; savedSeq = curSeq; savedAck = curAck; savedFlags = curFlags;
  savedPayload = curPayload; savedNow = now; savedBase = packetBase;
  rec = x;
  packetBase = 0;
  now = nowThen;
  curTime = captureTime(load<f64>(x, L.REC_TS_SEC), load<u32>(x, L.REC_TS_NSEC));
  curFlags = <u32>load<u16>(x, L.REC_TCP_FLAGS);
  curSeq = load<u32>(x, L.REC_SEQ);
  curAck = load<u32>(x, L.REC_ACK);
  curPayload = load<u32>(x, L.REC_PAYLOAD_LEN);
}

export function endReplay(): void {
  rec = savedRec; curTime = savedTime; curSeq = savedSeq; curAck = savedAck; curFlags = savedFlags;
  curPayload = savedPayload; now = savedNow; packetBase = savedBase;
}
