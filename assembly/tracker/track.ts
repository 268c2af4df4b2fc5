// The connection tracker in WebAssembly: the same model, rule for rule, as the reference
// tracker in TypeScript (sdk/connections/tracker.ts, which follows the sections of
// shared/notes/zeek-conn-semantics.md; read that one for the why of each rule). Packet records
// (assembly/layout.ts) come in from the SDK; connections that end are copied out to the ended
// buffer (ended.ts) for the SDK to turn into connection records. Nothing here allocates per
// packet; memory grows only with the connections open at once.

import * as L from "../layout";
import {
  C_ID, C_FIRST_SEC, C_FIRST_NSEC, C_FIRST_TIME, C_LAST_TIME, C_DURATION_END, C_LAST_PACKET,
  C_ATTEMPT_DEADLINE, C_CLOSE_DEADLINE, C_INACTIVITY_TIMEOUT, C_QUEUED_DEADLINE, C_SYN_ACK_TIME,
  C_HANDSHAKE_ACK_TIME, C_SYN_TIME_ANSWERED, C_SYN_ACK_TIME_ANSWERED, C_SYN_PACKET, C_SYN_ACK_PACKET,
  C_ACK_PACKET, C_KEY, C_KEY_PORTS, C_KEY_VERSION, C_FLOW_HASH, C_GENERATION, C_ACK_PAYLOAD,
  C_EXPECTED_SYN_SEQ, C_FIRST_FIN_END, C_ANOMALY_BITS, C_VLAN, C_INNER_VLAN, C_HANDSHAKE_FLAGS,
  C_FLIPPED, C_FIRST_FIN_SIDE, C_CLOSE_FLAGS, C_FIRST_RST_SIDE, C_FIRST_CLOSE_SIDE, C_REMOVED_BY, C_REMOVED_AT,
  E_PKTS, E_IP_BYTES, E_PAYLOAD_BYTES, E_LAST_SYN_TIME, E_LAST_SYN_SEQ, E_LAST_FIN_POS, E_LAST_RST_SEQ,
  E_TOP_SEQ, E_START_SEQ, E_ISN, E_NEXT_SEQ, E_PENDING_START, E_PENDING_END, E_SYNS, E_SYN_ACKS, E_FINS,
  E_RSTS, E_RETRANSMITS, E_ZERO_WINDOWS, E_BAD_CHECKSUMS, E_GAPS, E_SYN_PAYLOAD, E_MSS, E_OPTION_BITS,
  E_TFO_COOKIE_LEN, E_STATE, E_ONCE, E_SEEN, E_WINDOW_SCALE, E_ECN_BITS, E_REASM,
  INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET,
  ONCE_A, ONCE_D, ONCE_I, ONCE_Q, SEEN_SYN, SEEN_FIN, SEEN_RST, SEEN_TOP, SEEN_START,
  SEEN_CLOSED_BEFORE_RESET, SEEN_ISN, REASM_NEXT, REASM_PENDING, REASM_ESTABLISHED,
  HS_SYN_ACK_ANSWERED, HS_SYN_ACK_MISMATCH, HS_ACK_SEEN, HS_ACK_MISMATCH, HS_SIMULTANEOUS, HS_EXPECT_SYN,
  HS_RST_BEFORE_ACK, CLOSE_PEER_ACKED_FIN, CLOSE_SECOND_FIN_ACKS_FIRST, CLOSE_SECOND_FIN, CLOSE_FIN_BEFORE_RST,
  REMOVED_ATTEMPT, REMOVED_CLOSE, REMOVED_INACTIVITY, REMOVED_REUSE, REMOVED_IDLE_EMPTY, REMOVED_EVICTED,
  ANOMALY_SYN_WITH_DATA, ANOMALY_SYN_RETRANSMIT_DIFFERENT_ISN, ANOMALY_SYN_ACK_WRONG_ACK,
  ANOMALY_HANDSHAKE_ACK_WRONG_ACK, ANOMALY_ACK_WITHOUT_SYN_ACK, ANOMALY_BAD_CHECKSUM, ANOMALY_ZERO_WINDOW,
  ANOMALY_DATA_AFTER_FIN, ANOMALY_FIN_RETRANSMIT, ANOMALY_SNAPLEN_TRUNCATED,
} from "../connection-layout";
import { connAt, allocateSlot, releaseSlot } from "./connections";
import { endpointAt } from "./connection";
import {
  findFlow, insertFlow, removeFlow, foundFromSideA, insertPending, removePending, PENDING, touchIndex, touchConnection,
} from "./flow-index";
import * as P from "./pending";
import {
  pushTimer, peekDeadline, peekSlot, peekGeneration, popTimer, timerCount, staleTimers, timerWentStale,
  staleTimerPopped, timerEntry, keepTimers,
} from "./timers";
import { appendLetter, appendFrom, historyIs, setHistory1, setHistory2, logLetter, noteAnomaly } from "./history";
import { endedFull, endedRoomFor, copyEnded } from "./ended";
import * as config from "./config";

const TIMEOUT_IDLE_EMPTY: f64 = 5;
const REUSE_NEW_ISN = 1;
const REUSE_SIMULTANEOUS = 2;
const LETTER_CARET: u32 = 0x5e; // '^'
const INDEX_AHEAD: u32 = 16; // packets: see touchIndex()
const STALE_TIMERS_MIN: u32 = 256; // timer entries left behind before they are worth dropping
const CONN_AHEAD: u32 = 8;

// The capture clock and its quality figures.
let baseSec: f64 = NaN;
let now: f64 = 0;
export let maxGapSec: f64 = 0;
export let backwardsSteps: f64 = 0;
let lastPacketTime: f64 = NaN;
/** Added to packet indices: the packets of earlier files when several are read as one. */
let packetBase: f64 = 0;
// The packet being processed.
let r: usize = 0;
let curTime: f64 = 0;
let curSeq: u32 = 0;
let curAck: u32 = 0;
let curFlags: u32 = 0;
let curPayload: u32 = 0;
// The record whose clock step was taken before a call returned early (ended buffer full).
let clockTakenFor: i32 = -1;
// The deadline of the newest pending SYN: a new one may join the FIFO only at or after it.
let lastPendingDeadline: f64 = -Infinity;
let scratchRecord: usize = 0;
// The pending FIFO's head and its deadline, as last computed (expire() looks at every packet).
let cachedHead: i64 = -1;
let cachedHeadDeadline: f64 = Infinity;
/** Set once the input has ended: connections are being ended in id order, timers are moot. */
let inputEnded = false;
export function endInput(): void { inputEnded = true; }

export function setPacketBase(base: f64): void { packetBase = base; }

export function resetTracker(): void {
  baseSec = NaN;
  now = 0;
  maxGapSec = 0;
  backwardsSteps = 0;
  lastPacketTime = NaN;
  packetBase = 0;
  clockTakenFor = -1;
  lastPendingDeadline = -Infinity;
  inputEnded = false;
  cachedHead = -1;
  cachedHeadDeadline = Infinity;
  P.resetPending();
  if (scratchRecord == 0) scratchRecord = heap.alloc(L.RECORD_SIZE);
}

@inline function isClosed(state: u32): bool { return state == CLOSED || state == RESET; }
@inline function inHandshake(state: u32): bool { return state == INACTIVE || state == SYN_SENT || state == SYN_ACK_SENT; }
@inline function seqLE(a: u32, b: u32): bool { return <i32>(a - b) <= 0; }
@inline function seqGT(a: u32, b: u32): bool { return <i32>(a - b) > 0; }
@inline function stateOf(e: usize): u32 { return <u32>load<u8>(e, E_STATE); }
@inline function setState(e: usize, state: u32): void { store<u8>(e, <u8>state, E_STATE); }
@inline function seenOf(e: usize): u32 { return <u32>load<u8>(e, E_SEEN); }
@inline function addSeen(e: usize, bits: u32): void { store<u8>(e, <u8>(load<u8>(e, E_SEEN) | bits), E_SEEN); }
@inline function hsOf(c: usize): u32 { return <u32>load<u16>(c, C_HANDSHAKE_FLAGS); }
@inline function addHs(c: usize, bits: u32): void { store<u16>(c, <u16>(load<u16>(c, C_HANDSHAKE_FLAGS) | bits), C_HANDSHAKE_FLAGS); }
@inline function bump(at: usize): u32 { const n = load<u32>(at) + 1; store<u32>(at, n); return n; }
@inline function flippedOf(c: usize): u32 { return <u32>load<u8>(c, C_FLIPPED); }
@inline function packetIndex(): f64 { return load<f64>(r, L.REC_PACKET_INDEX) + packetBase; }

/**
 * Tracks records [from, count) of the packet area; returns the index of the first record not
 * yet processed: `count`, or less when the ended buffer filled up (drain it and call again).
 */
export function trackRecords(records: usize, from: u32, count: u32): u32 {
  for (let i = from; i < count; i++) {
    if (i + INDEX_AHEAD < count) touchIndex(load<u32>(records + <usize>(i + INDEX_AHEAD) * L.RECORD_SIZE, L.REC_FLOW_HASH));
    if (i + CONN_AHEAD < count) touchConnection(load<u32>(records + <usize>(i + CONN_AHEAD) * L.RECORD_SIZE, L.REC_FLOW_HASH));
    r = records + <usize>i * L.RECORD_SIZE;
    const stop = <u32>load<u8>(r, L.REC_STOP_LAYER);
    const packetFlags = <u32>load<u8>(r, L.REC_PACKET_FLAGS);
    // Zeek drops these before any connection exists: fewer than 20 header bytes, impossible
    // header length, bad IPv4 header checksum, and TSO length-0 IPv4 when checksums count.
    const verify = config.verify && !((packetFlags & L.PKT_CHECKSUM_BAD) != 0 && config.checksumsIgnored(r));
    if (stop == L.LAYER_TCP || (verify && (packetFlags & L.PKT_IP_CHECKSUM_BAD) != 0)
      || (verify && (packetFlags & L.PKT_IP_LEN_FROM_CAPTURE) != 0 && load<u8>(r, L.REC_IP_VERSION) == 4)) {
      continue;
    }
    if (clockTakenFor != <i32>i) {
      stepClock();
      clockTakenFor = <i32>i;
    }
    if (!expire()) return i;
    if (!endedRoomFor(2)) return i; // a reuse may end one connection, a new half-open one another
    clockTakenFor = -1;
    if (config.shardCount > 1 && load<u32>(r, L.REC_FLOW_HASH) % config.shardCount != config.shardIndex) continue;
    processPacket(stop, verify, packetFlags);
  }
  clockTakenFor = -1;
  return count;
}

// A timestamp on the capture clock (seconds since its first packet). Every time the tracker
// compares comes from here: a pending SYN's deadlines, recomputed later, must equal the ones
// its packet gave when it came, to the last bit.
@inline function captureTime(secs: f64, nsec: u32): f64 { return secs - baseSec + <f64>nsec * 1e-9; }

function stepClock(): void {
  const secs = load<f64>(r, L.REC_TS_SEC);
  if (baseSec != baseSec) baseSec = secs;
  const t = captureTime(secs, load<u32>(r, L.REC_TS_NSEC));
  if (t > now) now = t;
  if (t < lastPacketTime) backwardsSteps++;
  else if (t - lastPacketTime > maxGapSec) maxGapSec = t - lastPacketTime;
  lastPacketTime = t;
  curTime = t;
}

function processPacket(stop: u32, verify: bool, packetFlags: u32): void {
  const flags = <u32>load<u16>(r, L.REC_TCP_FLAGS);
  curFlags = flags;
  curSeq = load<u32>(r, L.REC_SEQ);
  curAck = load<u32>(r, L.REC_ACK);
  curPayload = load<u32>(r, L.REC_PAYLOAD_LEN);
  const sport = <u32>load<u16>(r, L.REC_SRC_PORT), dport = <u32>load<u16>(r, L.REC_DST_PORT);
  const ports = (sport << 16) | dport;
  const version = <u32>load<u8>(r, L.REC_IP_VERSION);
  const hash = load<u32>(r, L.REC_FLOW_HASH);

  let slot = findFlow(r, hash, ports, version);
  let fromA = foundFromSideA;
  if (slot >= 0 && (slot & PENDING) != 0) slot = <i32>promote(<u32>(slot & ~PENDING));
  let carried = 0; // handshake evidence the new connection inherits from the one it replaces
  if (slot >= 0 && (flags & L.FLAG_SYN) != 0 && isReuse(connAt(<u32>slot), fromA)) {
    carried = reuseEvidence(connAt(<u32>slot), fromA);
    remove(<u32>slot, REMOVED_REUSE, curTime);
    slot = -1;
  }
  if (slot < 0) {
    if (carried == 0 && holdAsPending(stop, verify, packetFlags, hash)) return;
    slot = <i32>create(hash, ports, version, sport, dport);
    fromA = true;
    const c = connAt(<u32>slot);
    if (carried == REUSE_NEW_ISN) noteAnomaly(c, ANOMALY_SYN_RETRANSMIT_DIFFERENT_ISN);
    if (carried == REUSE_SIMULTANEOUS) addHs(c, HS_SIMULTANEOUS);
  }
  // A header whose options were cut by the snaplen: the connection exists, the packet is not used.
  if (stop == L.LAYER_TCP_OPTIONS && load<u8>(r, L.REC_STOP_REASON) == L.STOP_TRUNCATED) return;
  const c = connAt(<u32>slot);
  const side: u32 = fromA ? 0 : 1;
  if (verify && (packetFlags & L.PKT_CHECKSUM_BAD) != 0) {
    // Recorded, then dropped: no state change, not counted.
    logLetter(c, side, bump(endpointAt(c, side) + E_BAD_CHECKSUMS), 0x43); // C
    noteAnomaly(c, ANOMALY_BAD_CHECKSUM);
    return;
  }
  accept(<u32>slot, c, side);
}

// ----------------------------------------------------------------------------------------------
// Pending SYNs (pending.ts): a connection opened by a lone SYN is held as that SYN's fields.

/** When the timers of a connection opened by this SYN alone would first look at it. */
@inline function firstDeadline(t: f64, nowThen: f64): f64 {
  const idleEmpty = t + TIMEOUT_IDLE_EMPTY, attempt = nowThen + config.attemptTimeout;
  return attempt < idleEmpty ? attempt : idleEmpty;
}

function pendingDeadline(p: usize): f64 {
  return firstDeadline(captureTime(load<f64>(p, P.P_TS_SEC), load<u32>(p, P.P_TS_NSEC)), load<f64>(p, P.P_NOW));
}

// Holds a new connection's first packet as a pending SYN when it can be replayed exactly later:
// a pure SYN (ECN bits allowed) without payload, decoded whole, not to be dropped.
function holdAsPending(stop: u32, verify: bool, packetFlags: u32, hash: u32): bool {
  if ((curFlags & (L.FLAG_SYN | L.FLAG_ACK | L.FLAG_FIN | L.FLAG_RST)) != L.FLAG_SYN || curPayload != 0) return false;
  if (stop != L.LAYER_NONE || (verify && (packetFlags & L.PKT_CHECKSUM_BAD) != 0)) return false;
  const deadline = firstDeadline(curTime, now);
  if (deadline < lastPendingDeadline) return false; // the FIFO must stay in deadline order
  if (P.pendingLive >= config.halfOpenLimit) evictOldestPending();
  const p = P.pushPending();
  if (p == 0) return false;
  lastPendingDeadline = deadline;
  memory.copy(p + P.P_KEY, r + L.REC_SRC_ADDR, 16);
  memory.copy(p + P.P_KEY + 16, r + L.REC_DST_ADDR, 16);
  store<u32>(p, (<u32>load<u16>(r, L.REC_SRC_PORT) << 16) | <u32>load<u16>(r, L.REC_DST_PORT), P.P_KEY_PORTS);
  store<u32>(p, <u32>load<u8>(r, L.REC_IP_VERSION), P.P_KEY_VERSION);
  store<u32>(p, hash, P.P_FLOW_HASH);
  store<u32>(p, curSeq, P.P_SEQ);
  store<f64>(p, load<f64>(r, L.REC_TS_SEC), P.P_TS_SEC);
  store<f64>(p, packetIndex(), P.P_PACKET);
  store<f64>(p, now, P.P_NOW);
  store<u32>(p, load<u32>(r, L.REC_TS_NSEC), P.P_TS_NSEC);
  store<u32>(p, load<u32>(r, L.REC_IP_LEN), P.P_IP_LEN);
  store<u16>(p, load<u16>(r, L.REC_WINDOW), P.P_WINDOW);
  store<u16>(p, <u16>curFlags, P.P_FLAGS);
  store<u16>(p, load<u16>(r, L.REC_MSS), P.P_MSS);
  store<u16>(p, load<u16>(r, L.REC_OPTIONS), P.P_OPTIONS);
  store<u16>(p, load<u16>(r, L.REC_VLAN), P.P_VLAN);
  store<u16>(p, load<u16>(r, L.REC_INNER_VLAN), P.P_INNER_VLAN);
  store<u8>(p, load<u8>(r, L.REC_WSCALE), P.P_WSCALE);
  store<u8>(p, load<u8>(r, L.REC_TFO_COOKIE_LEN), P.P_TFO_COOKIE_LEN);
  store<u8>(p, <u8>packetFlags, P.P_PACKET_FLAGS);
  insertPending(P.pendingTail() - 1, hash);
  return true;
}

/**
 * Turns a pending SYN into a connection record by replaying the SYN through create() and
 * accept() as it came (its packet record, its time, the clock's "now" then); returns the slot.
 */
export function promote(seq: u32): u32 {
  const p = P.pendingAt(seq);
  const savedR = r, savedTime = curTime, savedSeq = curSeq, savedAck = curAck, savedFlags = curFlags;
  const savedPayload = curPayload, savedNow = now, savedBase = packetBase;
  const x = scratchRecord;
  memory.fill(x, 0, L.RECORD_SIZE);
  memory.copy(x + L.REC_SRC_ADDR, p + P.P_KEY, 16);
  memory.copy(x + L.REC_DST_ADDR, p + P.P_KEY + 16, 16);
  const ports = load<u32>(p, P.P_KEY_PORTS), hash = load<u32>(p, P.P_FLOW_HASH);
  const version = load<u32>(p, P.P_KEY_VERSION);
  store<u16>(x, <u16>(ports >>> 16), L.REC_SRC_PORT);
  store<u16>(x, <u16>ports, L.REC_DST_PORT);
  store<u8>(x, <u8>version, L.REC_IP_VERSION);
  store<u32>(x, hash, L.REC_FLOW_HASH);
  store<u32>(x, load<u32>(p, P.P_SEQ), L.REC_SEQ);
  store<f64>(x, load<f64>(p, P.P_TS_SEC), L.REC_TS_SEC);
  store<u32>(x, load<u32>(p, P.P_TS_NSEC), L.REC_TS_NSEC);
  store<f64>(x, load<f64>(p, P.P_PACKET), L.REC_PACKET_INDEX);
  store<u32>(x, load<u32>(p, P.P_IP_LEN), L.REC_IP_LEN);
  store<u16>(x, load<u16>(p, P.P_WINDOW), L.REC_WINDOW);
  store<u16>(x, load<u16>(p, P.P_FLAGS), L.REC_TCP_FLAGS);
  store<u16>(x, load<u16>(p, P.P_MSS), L.REC_MSS);
  store<u16>(x, load<u16>(p, P.P_OPTIONS), L.REC_OPTIONS);
  store<u16>(x, load<u16>(p, P.P_VLAN), L.REC_VLAN);
  store<u16>(x, load<u16>(p, P.P_INNER_VLAN), L.REC_INNER_VLAN);
  store<u8>(x, load<u8>(p, P.P_WSCALE), L.REC_WSCALE);
  store<u8>(x, load<u8>(p, P.P_TFO_COOKIE_LEN), L.REC_TFO_COOKIE_LEN);
  store<u8>(x, load<u8>(p, P.P_PACKET_FLAGS), L.REC_PACKET_FLAGS);
  r = x;
  packetBase = 0;
  now = load<f64>(p, P.P_NOW);
  curTime = captureTime(load<f64>(x, L.REC_TS_SEC), load<u32>(x, L.REC_TS_NSEC));
  curFlags = <u32>load<u16>(x, L.REC_TCP_FLAGS);
  curSeq = load<u32>(x, L.REC_SEQ);
  curAck = 0;
  curPayload = 0;
  removePending(seq, hash);
  P.killPending(seq);
  const slot = create(hash, ports, version, ports >>> 16, ports & 0xffff);
  accept(slot, connAt(slot), 0);
  r = savedR; curTime = savedTime; curSeq = savedSeq; curAck = savedAck; curFlags = savedFlags;
  curPayload = savedPayload; now = savedNow; packetBase = savedBase;
  return slot;
}

// Memory stays bounded under a SYN flood: past the limit, the oldest half-open connection
// ends now, as its attempt timer would end it later (the record says "evicted").
function evictOldestPending(): void {
  const head = P.pendingHead();
  if (head < 0) return;
  remove(promote(<u32>head), REMOVED_EVICTED, curTime);
}

/** The id a pending SYN's connection gets. */
export function pendingId(seq: u32): f64 { return load<f64>(P.pendingAt(seq), P.P_PACKET) + 1; }

// Zeek's reuse test (section 7): does this SYN start a new connection on these endpoints?
function isReuse(c: usize, fromA: bool): bool {
  const flags = curFlags, seq = curSeq;
  const oSide = flippedOf(c);
  const eo = endpointAt(c, oSide), er = endpointAt(c, oSide ^ 1);
  const so = stateOf(eo), sr = stateOf(er);
  if (so == CLOSED || so == RESET || sr == CLOSED || sr == RESET) return true;
  const senderIsResp = (fromA ? 0 : 1) != oSide;
  if ((flags & L.FLAG_ACK) == 0) {
    // The SYN that completes a SYN/ACK seen first is not reuse: it flips the connection.
    if (senderIsResp && so == SYN_ACK_SENT && expectsSyn(c)) return false;
    return (seenOf(eo) & SEEN_ISN) == 0 || load<u32>(eo, E_ISN) != seq;
  }
  if (so != INACTIVE) return false;
  return (seenOf(er) & SEEN_ISN) == 0 || load<u32>(er, E_ISN) != seq;
}

// What a SYN that ends a connection says about the handshake: the originator retrying with a
// new ISN, or the responder's own SYN crossing the originator's (simultaneous open).
function reuseEvidence(c: usize, fromA: bool): i32 {
  if ((curFlags & L.FLAG_ACK) != 0) return 0;
  const oSide = flippedOf(c);
  const eo = endpointAt(c, oSide);
  if (stateOf(eo) != SYN_SENT) return 0;
  if ((fromA ? 0 : 1) == oSide) return REUSE_NEW_ISN;
  if (stateOf(endpointAt(c, oSide ^ 1)) == INACTIVE) {
    addHs(c, HS_SIMULTANEOUS);
    return REUSE_SIMULTANEOUS;
  }
  return 0;
}

@inline function expectsSyn(c: usize): bool {
  return (hsOf(c) & HS_EXPECT_SYN) != 0 && load<u32>(c, C_EXPECTED_SYN_SEQ) == curSeq;
}

function create(hash: u32, ports: u32, version: u32, sport: u32, dport: u32): u32 {
  const t = curTime, flags = curFlags;
  const slot = allocateSlot();
  const c = connAt(slot);
  memory.copy(c + C_KEY, r + L.REC_SRC_ADDR, 16);
  memory.copy(c + C_KEY + 16, r + L.REC_DST_ADDR, 16);
  store<u32>(c, ports, C_KEY_PORTS);
  store<u32>(c, version, C_KEY_VERSION);
  store<u32>(c, hash, C_FLOW_HASH);
  store<f64>(c, packetIndex() + 1, C_ID);
  store<f64>(c, load<f64>(r, L.REC_TS_SEC), C_FIRST_SEC);
  store<u32>(c, load<u32>(r, L.REC_TS_NSEC), C_FIRST_NSEC);
  store<f64>(c, t, C_FIRST_TIME);
  store<f64>(c, t, C_LAST_TIME);
  store<f64>(c, t, C_DURATION_END);
  store<f64>(c, packetIndex(), C_LAST_PACKET);
  store<u16>(c, load<u16>(r, L.REC_VLAN), C_VLAN);
  store<u16>(c, load<u16>(r, L.REC_INNER_VLAN), C_INNER_VLAN);
  store<f64>(c, config.handshakeInactivity, C_INACTIVITY_TIMEOUT);
  // Orientation (section 2.1): a pure SYN's sender originates; anything else is flipped
  // towards a likely server port.
  const pureSyn = (flags & (L.FLAG_SYN | L.FLAG_ACK)) == L.FLAG_SYN;
  const broadcast = version == 4 && load<u32>(r, L.REC_DST_ADDR) == 0xffffffff;
  if (!pureSyn && !broadcast) {
    const srcLikely = config.isLikelyServerPort(sport), dstLikely = config.isLikelyServerPort(dport);
    if ((srcLikely && !dstLikely) || (srcLikely && dstLikely && (flags & L.FLAG_SYN) == 0 && sport < dport)) {
      store<u8>(c, 1, C_FLIPPED);
      setHistory1(c, LETTER_CARET);
    }
  }
  insertFlow(slot, hash);
  schedule(slot, c, t + TIMEOUT_IDLE_EMPTY);
  return slot;
}

// ----------------------------------------------------------------------------------------------
// An accepted packet: history, states, counters, handshake and close evidence, timers.

function accept(slot: u32, c: usize, side: u32): void {
  const t = curTime, flags = curFlags, seq = curSeq, payload = curPayload;
  const eS = endpointAt(c, side), eP = endpointAt(c, side ^ 1);
  let isOrig = side == flippedOf(c);
  const syn = (flags & L.FLAG_SYN) != 0, fin = (flags & L.FLAG_FIN) != 0;
  const rst = (flags & L.FLAG_RST) != 0, ack = (flags & L.FLAG_ACK) != 0;

  // The classification letter (section 5.1) and whether it is recorded (5.2).
  const controls = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
  let letter: u32 = 0;
  if (controls >= 2) {
    const bit: u32 = fin && rst ? ONCE_I : ONCE_Q;
    const once = <u32>load<u8>(eS, E_ONCE);
    if ((once & bit) == 0) { store<u8>(eS, <u8>(once | bit), E_ONCE); letter = fin && rst ? 0x49 : 0x51; } // I, Q
  } else if (syn) {
    if ((seenOf(eS) & SEEN_SYN) == 0 || load<u32>(eS, E_LAST_SYN_SEQ) != seq) letter = ack ? 0x48 : 0x53; // H, S
    addSeen(eS, SEEN_SYN);
    store<u32>(eS, seq, E_LAST_SYN_SEQ);
  } else if (fin) {
    const pos = seq + payload;
    if ((seenOf(eS) & SEEN_FIN) == 0 || load<u32>(eS, E_LAST_FIN_POS) != pos) letter = 0x46; // F
    addSeen(eS, SEEN_FIN);
    store<u32>(eS, pos, E_LAST_FIN_POS);
  } else if (rst) {
    if ((seenOf(eS) & SEEN_RST) == 0 || load<u32>(eS, E_LAST_RST_SEQ) != seq) letter = 0x52; // R
    addSeen(eS, SEEN_RST);
    store<u32>(eS, seq, E_LAST_RST_SEQ);
  } else if (payload > 0) {
    const once = <u32>load<u8>(eS, E_ONCE);
    if ((once & ONCE_D) == 0) { store<u8>(eS, <u8>(once | ONCE_D), E_ONCE); letter = 0x44; } // D
  } else if (ack) {
    const once = <u32>load<u8>(eS, E_ONCE);
    if ((once & ONCE_A) == 0) { store<u8>(eS, <u8>(once | ONCE_A), E_ONCE); letter = 0x41; } // A
  }

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

  // Retransmissions (T) and zero windows (W), logarithmically per direction.
  const dataStart = seq + (syn ? 1 : 0);
  const top = dataStart + payload;
  if (payload > 0 && !rst && stateOf(eS) != RESET) {
    if ((seenOf(eS) & SEEN_TOP) != 0 && seqLE(top, load<u32>(eS, E_TOP_SEQ))) {
      logLetter(c, side, bump(eS + E_RETRANSMITS), 0x54); // T
    }
  }
  if (!rst && ((seenOf(eS) & SEEN_TOP) == 0 || seqGT(top, load<u32>(eS, E_TOP_SEQ)))) {
    store<u32>(eS, top, E_TOP_SEQ);
    addSeen(eS, SEEN_TOP);
  }
  if (load<u16>(r, L.REC_WINDOW) == 0 && !rst && stateOf(eS) != RESET && stateOf(eP) != CLOSED) {
    const zeroWindows = bump(eS + E_ZERO_WINDOWS);
    logLetter(c, side, zeroWindows, 0x57); // W
    if (zeroWindows == 1) noteAnomaly(c, ANOMALY_ZERO_WINDOW);
  }

  // Sequence bookkeeping for sizes and the reuse test.
  if ((seenOf(eS) & SEEN_ISN) == 0) { store<u32>(eS, seq, E_ISN); addSeen(eS, SEEN_ISN); }
  if ((seenOf(eS) & SEEN_START) == 0 && !rst) { store<u32>(eS, dataStart, E_START_SEQ); addSeen(eS, SEEN_START); }

  noteHandshake(c, side, eS, isOrig);
  noteClose(c, side, eS);

  const wasBothClosed = isClosed(stateOf(eS)) && isClosed(stateOf(eP));
  if (!reversal) updateStates(slot, c, eS, eP, isOrig);
  if (stateOf(eS) == ESTABLISHED) store<u8>(eS, <u8>(load<u8>(eS, E_REASM) | REASM_ESTABLISHED), E_REASM);
  if (stateOf(eP) == ESTABLISHED) store<u8>(eP, <u8>(load<u8>(eP, E_REASM) | REASM_ESTABLISHED), E_REASM);
  reassemble(c, side, eS, eP);

  // Counters.
  store<f64>(eS, load<f64>(eS, E_PKTS) + 1, E_PKTS);
  store<f64>(eS, load<f64>(eS, E_IP_BYTES) + <f64>load<u32>(r, L.REC_IP_LEN), E_IP_BYTES);
  store<f64>(eS, load<f64>(eS, E_PAYLOAD_BYTES) + <f64>payload, E_PAYLOAD_BYTES);
  if (syn && !ack) bump(eS + E_SYNS);
  if (syn && ack) bump(eS + E_SYN_ACKS);
  if (fin) bump(eS + E_FINS);
  if (rst) bump(eS + E_RSTS);
  if (syn && payload > 0) noteAnomaly(c, ANOMALY_SYN_WITH_DATA);
  if ((load<u8>(r, L.REC_PACKET_FLAGS) & L.PKT_PAYLOAD_TRUNCATED) != 0
    && (load<u32>(c, C_ANOMALY_BITS) & (1 << ANOMALY_SNAPLEN_TRUNCATED)) == 0) {
    noteAnomaly(c, ANOMALY_SNAPLEN_TRUNCATED);
  }

  // Time: the duration stops growing once both sides have closed.
  store<f64>(c, t, C_LAST_TIME);
  store<f64>(c, packetIndex(), C_LAST_PACKET);
  if (!wasBothClosed) store<f64>(c, t, C_DURATION_END);

  updateTimers(slot, c, side, eS, eP, isOrig);
}

// Content gaps (history G/g): bytes of a stream that its peer acknowledged but that were
// never delivered. Reported only while both endpoints are "clean", as Zeek does.
function reassemble(c: usize, side: u32, e: usize, p: usize): void {
  const flags = curFlags, ackNo = curAck, payload = curPayload;
  const dataStart = curSeq + ((flags & L.FLAG_SYN) != 0 ? 1 : 0);
  if ((load<u8>(e, E_REASM) & REASM_NEXT) == 0) {
    if ((flags & L.FLAG_RST) != 0) return;
    store<u32>(e, dataStart, E_NEXT_SEQ);
    store<u8>(e, <u8>(load<u8>(e, E_REASM) | REASM_NEXT), E_REASM);
  }
  // Deliver this segment's payload when it was captured whole and is in order.
  const captured = (load<u8>(r, L.REC_PACKET_FLAGS) & L.PKT_PAYLOAD_TRUNCATED) == 0;
  if (payload > 0 && captured && (flags & L.FLAG_RST) == 0) {
    const end = dataStart + payload;
    const next = load<u32>(e, E_NEXT_SEQ);
    if (seqLE(dataStart, next)) {
      if (seqGT(end, next)) store<u32>(e, end, E_NEXT_SEQ);
    } else if ((load<u8>(e, E_REASM) & REASM_PENDING) == 0) {
      store<u32>(e, dataStart, E_PENDING_START);
      store<u32>(e, end, E_PENDING_END);
      store<u8>(e, <u8>(load<u8>(e, E_REASM) | REASM_PENDING), E_REASM);
    } else {
      // One block is kept: the hull of everything above the hole.
      if (seqGT(load<u32>(e, E_PENDING_START), dataStart)) store<u32>(e, dataStart, E_PENDING_START);
      if (seqGT(end, load<u32>(e, E_PENDING_END))) store<u32>(e, end, E_PENDING_END);
    }
    mergePending(e);
  }
  passFin(e);
  // The peer's stream: does this ACK cover bytes never delivered?
  if ((flags & L.FLAG_ACK) != 0 && (flags & L.FLAG_RST) == 0 && (load<u8>(p, E_REASM) & REASM_NEXT) != 0
    && seqGT(ackNo, load<u32>(p, E_NEXT_SEQ))) {
    if (clean(e) && clean(p)) logLetter(c, side ^ 1, bump(p + E_GAPS), 0x47); // G
    store<u32>(p, ackNo, E_NEXT_SEQ);
    mergePending(p);
  }
}

@inline function clean(e: usize): bool {
  const state = stateOf(e);
  return (load<u8>(e, E_REASM) & REASM_ESTABLISHED) != 0 && (state == ESTABLISHED || state == CLOSED);
}

// The FIN takes one sequence number: step over it once the stream has reached it.
function passFin(e: usize): void {
  if ((seenOf(e) & SEEN_FIN) != 0 && load<u32>(e, E_LAST_FIN_POS) == load<u32>(e, E_NEXT_SEQ)) {
    store<u32>(e, load<u32>(e, E_NEXT_SEQ) + 1, E_NEXT_SEQ);
  }
}

function mergePending(e: usize): void {
  const next = load<u32>(e, E_NEXT_SEQ);
  if ((load<u8>(e, E_REASM) & REASM_PENDING) == 0 || seqGT(load<u32>(e, E_PENDING_START), next)) return;
  if (seqGT(load<u32>(e, E_PENDING_END), next)) store<u32>(e, load<u32>(e, E_PENDING_END), E_NEXT_SEQ);
  store<u8>(e, <u8>(load<u8>(e, E_REASM) & ~REASM_PENDING), E_REASM);
  passFin(e);
}

// Endpoint state transitions (section 3), chosen by the sender's current state.
function updateStates(slot: u32, c: usize, eS: usize, eP: usize, isOrig: bool): void {
  const flags = curFlags, payload = curPayload, ackNo = curAck;
  const syn = (flags & L.FLAG_SYN) != 0, fin = (flags & L.FLAG_FIN) != 0;
  const rst = (flags & L.FLAG_RST) != 0, ack = (flags & L.FLAG_ACK) != 0;
  const state = stateOf(eS);
  if (state == INACTIVE) {
    if (syn) {
      if (isOrig) {
        setState(eS, ack ? SYN_ACK_SENT : SYN_SENT);
        const deadline = now + config.attemptTimeout;
        store<f64>(c, deadline, C_ATTEMPT_DEADLINE);
        schedule(slot, c, deadline);
        if (ack) {
          store<u32>(c, ackNo - 1, C_EXPECTED_SYN_SEQ);
          addHs(c, HS_EXPECT_SYN);
        }
      } else if (ack) {
        setState(eS, ESTABLISHED);
        if (stateOf(eP) == SYN_SENT) setState(eP, ESTABLISHED);
      } else {
        setState(eS, SYN_SENT);
      }
    }
    if (fin) setState(eS, CLOSED);
    if (rst) setState(eS, RESET);
    if (!syn && !fin && !rst) {
      if (!isOrig && payload == 0 && stateOf(eP) == SYN_SENT) return;
      setState(eS, ack && stateOf(eP) == ESTABLISHED ? ESTABLISHED : PARTIAL);
    }
  } else if (state == SYN_SENT || state == SYN_ACK_SENT) {
    if (fin) setState(eS, CLOSED);
    if (rst) setState(eS, RESET);
  } else if (state == ESTABLISHED || state == PARTIAL) {
    if (syn && !ack && state == PARTIAL && stateOf(eP) == INACTIVE) setState(eS, SYN_SENT);
    if (fin && !rst) {
      setState(eS, CLOSED);
      if (stateOf(eP) == RESET && (seenOf(eP) & SEEN_CLOSED_BEFORE_RESET) != 0) setState(eP, CLOSED);
    }
    if (rst) setState(eS, RESET);
  } else if (state == CLOSED) {
    if (rst && stateOf(eP) != CLOSED) {
      setState(eS, RESET);
      addSeen(eS, SEEN_CLOSED_BEFORE_RESET);
    }
  } // RESET is final
}

// Handshake evidence: SYN/ACK validation by sequence numbers, RTT of each leg, options.
function noteHandshake(c: usize, side: u32, eS: usize, isOrig: bool): void {
  const t = curTime, flags = curFlags, ackNo = curAck, payload = curPayload;
  const syn = (flags & L.FLAG_SYN) != 0, ack = (flags & L.FLAG_ACK) != 0;
  const eO = endpointAt(c, side ^ 1); // the other side
  if (syn && (flags & L.FLAG_RST) == 0) {
    // RTTs are measured from the last transmission before the answer.
    const answered = ack ? (hsOf(c) & HS_ACK_SEEN) != 0 : (hsOf(c) & HS_SYN_ACK_ANSWERED) != 0;
    if (!answered) {
      store<f64>(eS, t, E_LAST_SYN_TIME);
      if (!ack) store<f64>(c, packetIndex(), C_SYN_PACKET);
    }
    const options = <u32>load<u16>(r, L.REC_OPTIONS);
    store<u16>(eS, load<u16>(r, L.REC_MSS), E_MSS);
    store<u8>(eS, (options & L.OPT_WSCALE) != 0 ? load<u8>(r, L.REC_WSCALE) : <u8>0xff, E_WINDOW_SCALE);
    store<u16>(eS, <u16>options, E_OPTION_BITS);
    store<u8>(eS, <u8>((flags >> 6) & 7), E_ECN_BITS);
    store<i16>(eS, (options & L.OPT_TFO) != 0 ? <i16>load<u8>(r, L.REC_TFO_COOKIE_LEN) : <i16>-1, E_TFO_COOKIE_LEN);
    store<u32>(eS, payload, E_SYN_PAYLOAD);
    if (ack && !isOrig && load<u32>(eO, E_SYNS) > 0 && (hsOf(c) & HS_SYN_ACK_ANSWERED) == 0) {
      // The SYN/ACK acknowledges the SYN, and the data on it when the server took it (TFO).
      const synEnd = load<u32>(eO, E_LAST_SYN_SEQ) + 1;
      if (ackNo == synEnd || ackNo == synEnd + load<u32>(eO, E_SYN_PAYLOAD)) {
        addHs(c, HS_SYN_ACK_ANSWERED);
        store<f64>(c, t, C_SYN_ACK_TIME);
        store<f64>(c, packetIndex(), C_SYN_ACK_PACKET);
        store<f64>(c, load<f64>(eO, E_LAST_SYN_TIME), C_SYN_TIME_ANSWERED);
      } else {
        addHs(c, HS_SYN_ACK_MISMATCH);
        noteAnomaly(c, ANOMALY_SYN_ACK_WRONG_ACK);
      }
    }
    return;
  }
  const hs = hsOf(c);
  if (isOrig && (hs & HS_SYN_ACK_ANSWERED) != 0 && (hs & HS_ACK_SEEN) == 0 && (hs & HS_RST_BEFORE_ACK) == 0) {
    if ((flags & L.FLAG_RST) != 0) { addHs(c, HS_RST_BEFORE_ACK); return; }
    if (!ack) return;
    addHs(c, HS_ACK_SEEN);
    store<f64>(c, t, C_HANDSHAKE_ACK_TIME);
    store<f64>(c, packetIndex(), C_ACK_PACKET);
    store<u32>(c, payload, C_ACK_PAYLOAD);
    store<f64>(c, load<f64>(eO, E_LAST_SYN_TIME), C_SYN_ACK_TIME_ANSWERED);
    if (ackNo != load<u32>(eO, E_LAST_SYN_SEQ) + 1) {
      addHs(c, HS_ACK_MISMATCH);
      noteAnomaly(c, ANOMALY_HANDSHAKE_ACK_WRONG_ACK);
    }
  } else if (!isOrig && (hs & HS_SYN_ACK_ANSWERED) != 0 && (hs & HS_ACK_SEEN) == 0 && (flags & L.FLAG_RST) != 0) {
    addHs(c, HS_RST_BEFORE_ACK);
  }
  if (isOrig && ack && (hs & HS_SYN_ACK_ANSWERED) == 0 && load<u32>(eS, E_SYNS) > 0 && load<u32>(eO, E_SYN_ACKS) == 0
    && (flags & L.FLAG_RST) == 0) {
    noteAnomaly(c, ANOMALY_ACK_WITHOUT_SYN_ACK);
  }
}

// Teardown evidence: who closed first, and whether the second FIN rode on the ACK of the first.
function noteClose(c: usize, side: u32, eS: usize): void {
  const flags = curFlags, seq = curSeq, ackNo = curAck, payload = curPayload;
  const closer = <u8>(side + 1);
  if ((flags & (L.FLAG_RST | L.FLAG_FIN)) != 0 && load<u8>(c, C_FIRST_CLOSE_SIDE) == 0) store<u8>(c, closer, C_FIRST_CLOSE_SIDE);
  if ((flags & L.FLAG_RST) != 0 && load<u8>(c, C_FIRST_RST_SIDE) == 0) {
    store<u8>(c, closer, C_FIRST_RST_SIDE);
    if (load<u8>(c, C_FIRST_FIN_SIDE) != 0) store<u8>(c, load<u8>(c, C_CLOSE_FLAGS) | CLOSE_FIN_BEFORE_RST, C_CLOSE_FLAGS);
  }
  const first = load<u8>(c, C_FIRST_FIN_SIDE);
  const closeFlags = <u32>load<u8>(c, C_CLOSE_FLAGS);
  if (first != 0 && first != closer && (flags & L.FLAG_ACK) != 0 && (closeFlags & CLOSE_SECOND_FIN) == 0) {
    const acksFin = seqGT(ackNo, load<u32>(c, C_FIRST_FIN_END) - 1);
    if ((flags & L.FLAG_FIN) != 0) {
      store<u8>(c, <u8>(closeFlags | CLOSE_SECOND_FIN | (acksFin ? CLOSE_SECOND_FIN_ACKS_FIRST : 0)), C_CLOSE_FLAGS);
    } else if (acksFin) {
      store<u8>(c, <u8>(closeFlags | CLOSE_PEER_ACKED_FIN), C_CLOSE_FLAGS);
    }
  }
  if ((flags & L.FLAG_FIN) != 0) {
    const state = stateOf(eS);
    if (first == 0) {
      store<u8>(c, closer, C_FIRST_FIN_SIDE);
      store<u32>(c, seq + payload + 1 + ((flags & L.FLAG_SYN) != 0 ? 1 : 0), C_FIRST_FIN_END);
    } else if (first == closer && state != CLOSED && state != RESET) {
      store<u32>(c, seq + payload + 1, C_FIRST_FIN_END);
    } else if (first == closer && load<u32>(eS, E_FINS) > 0 && (<u32>load<u8>(c, C_CLOSE_FLAGS) & CLOSE_SECOND_FIN) == 0) {
      noteAnomaly(c, ANOMALY_FIN_RETRANSMIT);
    }
  } else if (payload > 0 && stateOf(eS) == CLOSED) {
    noteAnomaly(c, ANOMALY_DATA_AFTER_FIN);
  }
}

function updateTimers(slot: u32, c: usize, side: u32, eS: usize, eP: usize, isOrig: bool): void {
  const t = curTime, flags = curFlags;
  const so = stateOf(eS), sp = stateOf(eP);
  // Inactivity: one minute while both are in the handshake, five after; an hour for a few
  // server ports once the responder answers.
  if (load<f64>(c, C_INACTIVITY_TIMEOUT) == config.handshakeInactivity && !(inHandshake(so) && inHandshake(sp))) {
    store<f64>(c, config.inactivityTimeout, C_INACTIVITY_TIMEOUT);
  }
  if (!isOrig && (flags & L.FLAG_SYN) != 0) {
    const ports = load<u32>(c, C_KEY_PORTS);
    const respPort = flippedOf(c) == 0 ? ports & 0xffff : ports >>> 16;
    const portTimeout = config.portTimeout(respPort);
    if (portTimeout > 0) store<f64>(c, portTimeout, C_INACTIVITY_TIMEOUT);
  }
  // A completed close lingers, then ends the connection; later packets do not postpone it.
  if ((flags & (L.FLAG_FIN | L.FLAG_RST)) != 0 && load<f64>(c, C_CLOSE_DEADLINE) == 0) {
    const done = so == RESET || (so == CLOSED && (sp == CLOSED || sp == RESET)) || sp == INACTIVE;
    if (done && (so == CLOSED || so == RESET)) {
      const deadline = t + config.closeTimeout;
      store<f64>(c, deadline, C_CLOSE_DEADLINE);
      schedule(slot, c, deadline);
    }
  }
}

// ----------------------------------------------------------------------------------------------
// Timers and removal.

function schedule(slot: u32, c: usize, deadline: f64): void {
  const queued = load<f64>(c, C_QUEUED_DEADLINE);
  if (queued != 0 && queued <= deadline) return;
  if (queued != 0 && !inputEnded) timerWentStale(); // the later entry is left behind
  store<f64>(c, deadline, C_QUEUED_DEADLINE);
  if (inputEnded) return; // no timer fires after the end
  if (staleTimers >= STALE_TIMERS_MIN && staleTimers * 2 > timerCount) dropStaleTimers();
  pushTimer(deadline, slot, load<u32>(c, C_GENERATION));
}

// A timer entry is current while its slot holds the same connection and that connection still
// waits for that deadline (it may have moved earlier since, or ended).
@inline function timerIsCurrent(c: usize, generation: u32, deadline: f64): bool {
  return load<u32>(c, C_GENERATION) == generation && load<f64>(c, C_QUEUED_DEADLINE) == deadline;
}

// Keeps the timer entries whose connection still waits for them.
function dropStaleTimers(): void {
  const live = heap.alloc(<usize>timerCount);
  for (let i: u32 = 0; i < timerCount; i++) {
    const e = timerEntry(i);
    store<u8>(live + i, timerIsCurrent(connAt(load<u32>(e, 8)), load<u32>(e, 12), load<f64>(e)) ? 1 : 0);
  }
  keepTimers(live);
  heap.free(live);
}

/** The earliest time at which a timer of this connection can end it. */
function nextDeadline(c: usize): f64 {
  let d = load<f64>(c, C_LAST_TIME) + load<f64>(c, C_INACTIVITY_TIMEOUT);
  const attempt = load<f64>(c, C_ATTEMPT_DEADLINE), close = load<f64>(c, C_CLOSE_DEADLINE);
  if (attempt > 0 && attempt < d) d = attempt;
  if (close > 0 && close < d) d = close;
  if (stateOf(endpointAt(c, 0)) == INACTIVE && stateOf(endpointAt(c, 1)) == INACTIVE) {
    const empty = load<f64>(c, C_FIRST_TIME) + TIMEOUT_IDLE_EMPTY;
    if (empty < d) d = empty;
  }
  return d;
}

// Fires the timers due at the current packet's time; false when the ended buffer filled first.
function expire(): bool {
  const t = curTime;
  for (;;) {
    const timerDue = timerCount > 0 && peekDeadline() <= t;
    const head = P.pendingHead();
    if (head != cachedHead) {
      cachedHead = head;
      cachedHeadDeadline = head >= 0 ? pendingDeadline(P.pendingAt(<u32>head)) : Infinity;
    }
    const headDeadline = cachedHeadDeadline;
    if (headDeadline <= t && (!timerDue || headDeadline < peekDeadline())) {
      promote(<u32>head); // its timer is in the heap now, due: the next round takes it
      continue;
    }
    if (!timerDue) return true;
    if (endedFull()) return false;
    const deadline = peekDeadline(), slot = peekSlot(), generation = peekGeneration();
    popTimer();
    const c = connAt(slot);
    if (!timerIsCurrent(c, generation, deadline)) {
      staleTimerPopped();
      continue;
    }
    store<f64>(c, 0, C_QUEUED_DEADLINE);
    const why = dueReason(c, deadline);
    if (why >= 0) remove(slot, why, deadline);
    else schedule(slot, c, nextDeadline(c));
  }
  return true; // not reached: the loop returns
}

// Which timer ends the connection at `at`, or -1 if none does (yet).
function dueReason(c: usize, at: f64): i32 {
  const oSide = flippedOf(c);
  const eo = endpointAt(c, oSide), er = endpointAt(c, oSide ^ 1);
  const close = load<f64>(c, C_CLOSE_DEADLINE), attempt = load<f64>(c, C_ATTEMPT_DEADLINE);
  if (close > 0 && close <= at) return REMOVED_CLOSE;
  if (attempt > 0 && attempt <= at) {
    store<f64>(c, 0, C_ATTEMPT_DEADLINE);
    const so = stateOf(eo);
    if ((so == SYN_SENT || so == SYN_ACK_SENT) && stateOf(er) == INACTIVE) return REMOVED_ATTEMPT;
  }
  if (stateOf(eo) == INACTIVE && stateOf(er) == INACTIVE && load<f64>(c, C_FIRST_TIME) + TIMEOUT_IDLE_EMPTY <= at) return REMOVED_IDLE_EMPTY;
  if (load<f64>(c, C_LAST_TIME) + load<f64>(c, C_INACTIVITY_TIMEOUT) <= at) return REMOVED_INACTIVITY;
  return -1;
}

/** Ends a connection: out of the index, copied to the ended buffer, its slot freed. */
export function remove(slot: u32, why: i32, at: f64): void {
  const c = connAt(slot);
  if (load<f64>(c, C_QUEUED_DEADLINE) != 0 && !inputEnded) timerWentStale(); // its entry stays behind
  store<u8>(c, <u8>why, C_REMOVED_BY);
  store<f64>(c, at, C_REMOVED_AT);
  removeFlow(slot, load<u32>(c, C_FLOW_HASH));
  copyEnded(c);
  releaseSlot(slot);
}
