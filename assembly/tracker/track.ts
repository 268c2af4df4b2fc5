// The connection tracker in WebAssembly: the same model, rule for rule, as the reference
// tracker in TypeScript (sdk/connections/tracker.ts, which follows the sections of
// shared/notes/zeek-conn-semantics.md; read that one for the why of each rule). Packet records
// (assembly/layout.ts) come in from the SDK; connections that end are copied out to the ended
// buffer (ended.ts) for the SDK to turn into connection records. Nothing here allocates per
// packet; memory grows only with the connections open at once.
//
// This file is the path of one packet; the rules are in modules by concern, split as the
// reference tracker's are: context.ts (clock, current packet), orientation.ts, endpoints.ts,
// handshake.ts, teardown.ts, gaps.ts, lifetime.ts, half-open.ts, analysis-hooks.ts.

import * as L from "../layout";
import {
  C_LAST_TIME, C_DURATION_END, C_LAST_PACKET, C_ANOMALY_BITS, C_FLIPPED, E_PKTS, E_IP_BYTES,
  E_PAYLOAD_BYTES, E_SYNS, E_SYN_ACKS, E_FINS, E_RSTS, E_BAD_CHECKSUMS, E_REASM, SYN_ACK_SENT, ESTABLISHED,
  REASM_ESTABLISHED, HS_SIMULTANEOUS, REMOVED_REUSE, ANOMALY_SYN_WITH_DATA,
  ANOMALY_SYN_RETRANSMIT_DIFFERENT_ISN, ANOMALY_BAD_CHECKSUM, ANOMALY_SNAPLEN_TRUNCATED,
} from "../connection-layout";
import { connAt, liveIn } from "./connections";
import { enforceConnectionLimit, becameRecord, resetEviction } from "./eviction";
import { endpointAt, isClosed, stateOf, setState, addHs, bump, flippedOf } from "./connection";
import { findFlow, foundFromSideA, PENDING, touchIndex, touchConnection, keepTouched } from "./flow-index";
import { appendLetter, appendFrom, historyIs, setHistory2, logLetter, noteAnomaly } from "./history";
import { endedRoomFor } from "./ended";
import * as config from "./config";
import {
  rec, curTime, curFlags, curSeq, curPayload, packetIndex, setRecord, setRecordsRange, readPacket, stepClock, resetContext, clockTo,
  passedOver, clockBase, timeSince,
} from "./context";
import { create, isReuse, reuseEvidence, expectsSyn, regroupsCutSyn, REUSE_NEW_ISN, REUSE_SIMULTANEOUS } from "./orientation";
import { historyLetter, noteSequence, updateStates } from "./endpoints";
import { noteHandshake, noteCutSyn } from "./handshake";
import { noteClose } from "./teardown";
import { reassemble } from "./gaps";
import { updateTimers, expire, expireBy, anyDueBy, remove, resetLifetime } from "./lifetime";
import { holdAsPending, promote, resetHalfOpen } from "./half-open";
import { analysePacket, resetAnalysis } from "./analysis-hooks";
import { noteTunnel } from "./tunnel";
import { isUsual, acceptUsual } from "./usual";

const LETTER_CARET: u32 = 0x5e; // '^'
const INDEX_AHEAD: u32 = 16; // packets: see touchIndex()
const CONN_AHEAD: u32 = 8;
const LOOK_GROUP: u32 = 4; // packets whose look-ahead loads are made together (lookAheadEvery writes out four)

// The record whose clock step was taken before a call returned early (ended buffer full).
let clockTakenFor: i32 = -1;
// The latest time of other trackers' packets passed over since this tracker's last timer check:
// the timers due by then fire before its next own packet (or at the batch's clock step), in the
// same order as had they fired at each of those packets.
let deferredDue: f64 = -Infinity;

export function resetTracker(): void {
  clockTakenFor = -1;
  deferredDue = -Infinity;
  resumeAt = -1;
  resetContext();
  resetLifetime();
  resetHalfOpen();
  resetEviction();
  resetAnalysis();
}

/**
 * Tracks records [from, count) of the packet area; returns the index of the first record not
 * yet processed: `count`, or less when the ended buffer filled up (drain it and call again).
 */
export function trackRecords(records: usize, from: u32, count: u32): u32 {
  setRecordsRange(records, count);
  return config.ownsAll ? trackEvery(records, from, count) : trackShard(records, from, count);
}

// Every record is this tracker's (one thread, or one worker).
function trackEvery(records: usize, from: u32, count: u32): u32 {
  for (let i = from; i < count; i++) {
    if (((i - from) & (LOOK_GROUP - 1)) == 0) lookAheadEvery(records, i, count);
    if (!trackOne(records + <usize>i * L.RECORD_SIZE, i, false)) return i;
  }
  clockTakenFor = -1;
  return count;
}

// A shard: its own records in the list (listOwn), the others passed over between them.
function trackShard(records: usize, from: u32, count: u32): u32 {
  const owned = listOwn(records, from, count);
  let j = from;
  const timeline = config.timelineKept;
  for (let p = resumeList; p < owned; p++) {
    const i = load<u32>(ownList + (<usize>p << 2));
    if (timeline) for (; j < i; j++) passOver(records + <usize>j * L.RECORD_SIZE);
    else passOverRun(records, j, i);
    j = i + 1;
    if ((p & (LOOK_GROUP - 1)) == 0) lookAheadOwn(records, p, owned);
    if (!trackOne(records + <usize>i * L.RECORD_SIZE, i, true)) return stopAt(i, p);
  }
  if (timeline) for (; j < count; j++) passOver(records + <usize>j * L.RECORD_SIZE);
  else passOverRun(records, j, count);
  clockTakenFor = -1;
  resumeAt = -1;
  return count;
}

// One of this tracker's records; false when the call must stop at it (drain and call again).
// `sharded` (a constant where inlined): the timers other trackers' packets left due fire too.
@inline function trackOne(r: usize, i: u32, sharded: bool): bool {
  setRecord(r);
  const stop = <u32>load<u8>(r, L.REC_STOP_LAYER);
  const packetFlags = <u32>load<u8>(r, L.REC_PACKET_FLAGS);
  const verify = dropVerify(r, packetFlags);
  if (dropped(r, stop, packetFlags, verify)) return true;
  if (clockTakenFor != <i32>i) {
    stepClock();
    clockTakenFor = <i32>i;
  }
  if (sharded) {
    const due = deferredDue > curTime ? deferredDue : curTime;
    if (anyDueBy(due) && !expireBy(due)) return false;
    deferredDue = -Infinity;
  } else if (anyDueBy(curTime) && !expire()) return false;
  if (!endedRoomFor(2)) return false; // a reuse may end one connection, a new half-open one another
  const shard = config.virtualShard(load<u32>(r, L.REC_FLOW_HASH));
  if (liveIn(shard) > config.connectionShare && !enforceConnectionLimit(shard)) return false;
  clockTakenFor = -1;
  processPacket(stop, verify, packetFlags);
  return true;
}

// Checksums count for this packet (Zeek's ignore_checksums_nets aside).
@inline function dropVerify(r: usize, packetFlags: u32): bool {
  return config.verify && !((packetFlags & L.PKT_CHECKSUM_BAD) != 0 && config.checksumsIgnored(r));
}

// Zeek drops these before any connection exists: fewer than 20 header bytes, impossible
// header length, bad IPv4 header checksum, and TSO length-0 IPv4 when checksums count.
@inline function dropped(r: usize, stop: u32, packetFlags: u32, verify: bool): bool {
  // Each test without a branch of its own, or-ed (all but the first are rare: a chain of
  // branches cost more instructions).
  const checked = <u32>verify & ((packetFlags >> PKT_IP_CHECKSUM_BAD_SHIFT)
    | ((packetFlags >> PKT_IP_LEN_FROM_CAPTURE_SHIFT) & <u32>(load<u8>(r, L.REC_IP_VERSION) == 4)));
  return (<u32>(stop == L.LAYER_TCP) | (checked & 1)) != 0;
}
const PKT_IP_CHECKSUM_BAD_SHIFT: u32 = ctz<u32>(L.PKT_IP_CHECKSUM_BAD);
const PKT_IP_LEN_FROM_CAPTURE_SHIFT: u32 = ctz<u32>(L.PKT_IP_LEN_FROM_CAPTURE);

// Another tracker's packet: only its clock step; the timers due by its time wait (deferredDue).
function passOver(r: usize): void {
  const packetFlags = <u32>load<u8>(r, L.REC_PACKET_FLAGS);
  if (dropped(r, <u32>load<u8>(r, L.REC_STOP_LAYER), packetFlags, dropVerify(r, packetFlags))) return;
  setRecord(r);
  stepClock();
  if (curTime > deferredDue) deferredDue = curTime;
}

// Records [j, end) of other trackers, when no timeline is kept: what passOver leaves after each
// of them, from their latest time and the largest (a loop of its own, in locals).
function passOverRun(records: usize, j: u32, end: u32): void {
  const base = clockBase();
  if (config.verify || base != base) {
    // Checksums verified (a packet may be dropped for its checksum), or the clock's origin not
    // set yet (the first records): passOver, one at a time.
    for (; j < end; j++) passOver(records + <usize>j * L.RECORD_SIZE);
    return;
  }
  // Without checksums a packet is dropped for its header alone.
  let largest = -Infinity, latest: f64 = NaN, last: usize = 0;
  for (; j < end; j++) {
    const r = records + <usize>j * L.RECORD_SIZE;
    if (<u32>load<u8>(r, L.REC_STOP_LAYER) == L.LAYER_TCP) continue;
    latest = timeSince(base, load<f64>(r, L.REC_TS_SEC), load<u32>(r, L.REC_TS_NSEC));
    if (latest > largest) largest = latest;
    last = r;
  }
  if (last == 0) return;
  setRecord(last);
  passedOver(latest, largest);
  if (largest > deferredDue) deferredDue = largest;
}

// This tracker's packets of the records being tracked, by index, listed without a branch on
// each (an even split makes the branch a coin toss); kept when a call returns early, for the
// call that continues the same records from where it stopped.
let ownList: usize = 0;
let ownCapacity: u32 = 0;
let listRecords: usize = 0;
let listCount: u32 = 0;
let listed: u32 = 0;
let resumeAt: i64 = -1; //   where the last call stopped, -1 when it finished
let resumeList: u32 = 0; //  and its place in the list

function listOwn(records: usize, from: u32, count: u32): u32 {
  if (resumeAt == <i64>from && records == listRecords && count == listCount) return listed;
  resumeList = 0;
  if (count - from + 1 > ownCapacity) {
    if (ownList != 0) heap.free(ownList);
    ownCapacity = count - from + 1 > 4096 ? count - from + 1 : 4096;
    ownList = heap.alloc(<usize>ownCapacity << 2);
  }
  let n: u32 = 0;
  for (let j = from; j < count; j++) {
    store<u32>(ownList + (<usize>n << 2), j);
    n += <u32>config.tracksFlow(load<u32>(records + <usize>j * L.RECORD_SIZE, L.REC_FLOW_HASH));
  }
  listRecords = records;
  listCount = count;
  listed = n;
  return n;
}

function stopAt(i: u32, p: u32): u32 {
  resumeAt = <i64>i;
  resumeList = p;
  return i;
}

// The look-ahead loads (flow-index.ts) of the next group: made one after another, so that their
// cache misses overlap each other as well as the work that follows (a load that misses holds up
// the instructions after it from retiring: one at a time, each packet waited out a miss of its own).
function lookAheadEvery(records: usize, i: u32, count: u32): void {
  if (i + INDEX_AHEAD + LOOK_GROUP <= count) {
    // The whole group within the records (all but a batch's last few): no test for each.
    const a = records + <usize>(i + INDEX_AHEAD) * L.RECORD_SIZE, b = records + <usize>(i + CONN_AHEAD) * L.RECORD_SIZE;
    keepTouched(touchIndex(load<u32>(a, L.REC_FLOW_HASH)) + touchIndex(load<u32>(a + L.RECORD_SIZE, L.REC_FLOW_HASH))
      + touchIndex(load<u32>(a + 2 * L.RECORD_SIZE, L.REC_FLOW_HASH)) + touchIndex(load<u32>(a + 3 * L.RECORD_SIZE, L.REC_FLOW_HASH))
      + touchConnection(load<u32>(b, L.REC_FLOW_HASH)) + touchConnection(load<u32>(b + L.RECORD_SIZE, L.REC_FLOW_HASH))
      + touchConnection(load<u32>(b + 2 * L.RECORD_SIZE, L.REC_FLOW_HASH)) + touchConnection(load<u32>(b + 3 * L.RECORD_SIZE, L.REC_FLOW_HASH)));
    return;
  }
  let sum: u32 = 0;
  for (let k: u32 = 0; k < LOOK_GROUP; k++) {
    const j = i + INDEX_AHEAD + k;
    if (j < count) sum += touchIndex(load<u32>(records + <usize>j * L.RECORD_SIZE, L.REC_FLOW_HASH));
  }
  for (let k: u32 = 0; k < LOOK_GROUP; k++) {
    const j = i + CONN_AHEAD + k;
    if (j < count) sum += touchConnection(load<u32>(records + <usize>j * L.RECORD_SIZE, L.REC_FLOW_HASH));
  }
  keepTouched(sum);
}

// The same for a shard: INDEX_AHEAD and CONN_AHEAD of its own packets ahead, whatever share of
// the flows it has (other trackers' flows are not in its memory).
@inline function ownHash(records: usize, q: u32): u32 {
  return load<u32>(records + <usize>load<u32>(ownList + (<usize>q << 2)) * L.RECORD_SIZE, L.REC_FLOW_HASH);
}

function lookAheadOwn(records: usize, p: u32, owned: u32): void {
  let sum: u32 = 0;
  for (let k: u32 = 0; k < LOOK_GROUP; k++) {
    const q = p + INDEX_AHEAD + k;
    if (q < owned) sum += touchIndex(ownHash(records, q));
  }
  for (let k: u32 = 0; k < LOOK_GROUP; k++) {
    const q = p + CONN_AHEAD + k;
    if (q < owned) sum += touchConnection(ownHash(records, q));
  }
  keepTouched(sum);
}

/**
 * The latest time of any packet read (TCP or not): the timers due by then fire. False when the
 * ended buffer filled first (drain it and call again).
 */
export function advanceClock(secs: f64, nsec: u32): bool {
  if (!clockTo(secs, nsec) && deferredDue == -Infinity) return true;
  if (!expireBy(deferredDue > curTime ? deferredDue : curTime)) return false;
  deferredDue = -Infinity;
  return true;
}

function processPacket(stop: u32, verify: bool, packetFlags: u32): void {
  const r = rec;
  readPacket();
  const flags = curFlags;
  const sport = <u32>load<u16>(r, L.REC_SRC_PORT), dport = <u32>load<u16>(r, L.REC_DST_PORT);
  const ports = (sport << 16) | dport;
  const version = <u32>load<u8>(r, L.REC_IP_VERSION);
  const hash = load<u32>(r, L.REC_FLOW_HASH);

  let slot = findFlow(r, hash, ports, version);
  let fromA = foundFromSideA;
  if (slot >= 0 && (slot & PENDING) != 0) {
    slot = <i32>promote(<u32>(slot & ~PENDING)); // a second packet: a record now
    becameRecord(<u32>slot);
  }
  let carried = 0; // handshake evidence the new connection inherits from the one it replaces
  let created = false;
  if (slot >= 0 && (flags & L.FLAG_SYN) != 0 && !regroupsCutSyn(connAt(<u32>slot), fromA) && isReuse(connAt(<u32>slot), fromA)) {
    carried = reuseEvidence(connAt(<u32>slot), fromA);
    remove(<u32>slot, REMOVED_REUSE, curTime);
    slot = -1;
  }
  if (slot < 0) {
    if (carried == 0 && holdAsPending(stop, verify, packetFlags, hash)) return;
    slot = <i32>create(hash, ports, version, sport, dport);
    becameRecord(<u32>slot);
    fromA = true;
    created = true;
    const c = connAt(<u32>slot);
    if (carried == REUSE_NEW_ISN) noteAnomaly(c, ANOMALY_SYN_RETRANSMIT_DIFFERENT_ISN);
    if (carried == REUSE_SIMULTANEOUS) addHs(c, HS_SIMULTANEOUS);
  }
  const c = connAt(<u32>slot);
  const side: u32 = fromA ? 0 : 1;
  if (!created) noteTunnel(c, side); // Zeek looks before the TCP analyzer does: dropped packets too
  // A header whose options were cut by the snaplen: the connection exists, the packet is not
  // used (as in Zeek), but a SYN or SYN/ACK still counts as handshake evidence.
  if (stop == L.LAYER_TCP_OPTIONS && load<u8>(r, L.REC_STOP_REASON) == L.STOP_TRUNCATED) {
    noteCutSyn(c, side);
    return;
  }
  if (verify && (packetFlags & L.PKT_CHECKSUM_BAD) != 0) {
    // Recorded, then dropped: no state change, not counted.
    logLetter(c, side, bump(endpointAt(c, side) + E_BAD_CHECKSUMS), 0x43); // C
    noteAnomaly(c, ANOMALY_BAD_CHECKSUM);
    return;
  }
  accept(<u32>slot, c, side);
}

// An accepted packet: the usual one's fast path (usual.ts), else the rules.
@inline function accept(slot: u32, c: usize, side: u32): void {
  const eS = endpointAt(c, side), eP = endpointAt(c, side ^ 1);
  if (isUsual(c, eS, eP)) acceptUsual(c, side, eS, eP);
  else acceptByRules(slot, c, side, eS, eP);
}

/**
 * A packet accepted by the rules: history, states, counters, handshake and close evidence,
 * timers. Its own function (called from here and by a pending connection's replay, whose first
 * packet is never a usual one), so that the usual packet's path, inlined where the packet's
 * connection is found, does not spill and reload the registers the rules need.
 */
export function acceptByRules(slot: u32, c: usize, side: u32, eS: usize, eP: usize): void {
  const t = curTime, flags = curFlags, payload = curPayload;
  let isOrig = side == flippedOf(c);
  const syn = (flags & L.FLAG_SYN) != 0, fin = (flags & L.FLAG_FIN) != 0;
  const rst = (flags & L.FLAG_RST) != 0, ack = (flags & L.FLAG_ACK) != 0;

  // The classification letter (section 5.1) and whether it is recorded (5.2).
  const letter = historyLetter(eS);
  // Flip 2.2(1): a lone SYN/ACK followed by an ACK or data turns the roles round.
  if ((letter == 0x41 || letter == 0x44) && historyIs(c, 0x48)) {
    store<u8>(c, <u8>(flippedOf(c) ^ 1), C_FLIPPED);
    setHistory2(c, LETTER_CARET, 0x68); // ^h
    isOrig = !isOrig;
  }
  // Flip 2.2(2): the SYN answering a SYN/ACK that was captured first.
  let reversal = false;
  if (syn && !ack && !isOrig && stateOf(eP) == SYN_ACK_SENT && expectsSyn(c)) reversal = true;
  if (letter != 0) appendFrom(c, isOrig, letter);
  if (reversal) {
    store<u8>(c, <u8>(flippedOf(c) ^ 1), C_FLIPPED);
    appendLetter(c, LETTER_CARET);
    isOrig = true;
    setState(eS, ESTABLISHED);
    setState(eP, ESTABLISHED);
  }

  noteSequence(c, side, eS, eP);
  noteHandshake(c, side, eS, isOrig);
  noteClose(c, side, eS);

  const wasBothClosed = isClosed(stateOf(eS)) && isClosed(stateOf(eP));
  if (!reversal) updateStates(slot, c, eS, eP, isOrig);
  if (stateOf(eS) == ESTABLISHED) store<u8>(eS, <u8>(load<u8>(eS, E_REASM) | REASM_ESTABLISHED), E_REASM);
  if (stateOf(eP) == ESTABLISHED) store<u8>(eP, <u8>(load<u8>(eP, E_REASM) | REASM_ESTABLISHED), E_REASM);
  reassemble(c, side, eS, eP);

  // Counters.
  store<f64>(eS, load<f64>(eS, E_PKTS) + 1, E_PKTS);
  store<f64>(eS, load<f64>(eS, E_IP_BYTES) + <f64>load<u32>(rec, L.REC_IP_LEN), E_IP_BYTES);
  store<f64>(eS, load<f64>(eS, E_PAYLOAD_BYTES) + <f64>payload, E_PAYLOAD_BYTES);
  if (syn && !ack) bump(eS + E_SYNS);
  if (syn && ack) bump(eS + E_SYN_ACKS);
  if (fin) bump(eS + E_FINS);
  if (rst) bump(eS + E_RSTS);
  if (syn && payload > 0) noteAnomaly(c, ANOMALY_SYN_WITH_DATA);
  if ((load<u8>(rec, L.REC_PACKET_FLAGS) & L.PKT_PAYLOAD_TRUNCATED) != 0
    && (load<u32>(c, C_ANOMALY_BITS) & (1 << ANOMALY_SNAPLEN_TRUNCATED)) == 0) {
    noteAnomaly(c, ANOMALY_SNAPLEN_TRUNCATED);
  }

  // Time: the duration stops growing once both sides have closed.
  store<f64>(c, t, C_LAST_TIME);
  store<f64>(c, packetIndex(), C_LAST_PACKET);
  if (!wasBothClosed) store<f64>(c, t, C_DURATION_END);

  analysePacket(c, side);
  updateTimers(slot, c, side, eS, eP, isOrig);
}
