// The rules of a connection record (schema in the README), in one place: what each field is,
// read from the tracker's columns into flat, reusable values. Both outputs start from them: the
// SDK's record object (connection-record.ts, buildConnectionRecord) and the ndjson line written
// as bytes (lines/ndjson-bytes.ts), which so needs no record object in between.
// A third copy of these rules writes the one-thread scan's ndjson lines in WebAssembly
// (assembly/lines/record-rules.ts, ndjson.ts): change both; test/sdk/lines/wasm-lines.test.ts
// holds their lines byte-equal.

import * as L from "../../assembly/layout.js";
import { formatAddress } from "../decoder/packet-batch.js";
import {
  ConnectionStore, KEY_WORDS, HS_SYN_ACK_ANSWERED, HS_SYN_ACK_MISMATCH, HS_ACK_SEEN, HS_ACK_MISMATCH,
  HS_RST_BEFORE_ACK, HS_SIMULTANEOUS, CLOSE_PEER_ACKED_FIN, CLOSE_SECOND_FIN_ACKS_FIRST, CLOSE_FIN_BEFORE_RST,
  SEEN_START, SEEN_TOP, SEEN_FIN, REMOVED_INACTIVITY, REMOVED_ATTEMPT, REMOVED_EVICTED, REMOVED_REUSE, REMOVED_IDLE_EMPTY, REASM_INEXACT,
  HS_PEER_ACKED_DATA, HS_SYN_ACKED_UNSEEN, HS_ORIG_ACKED_UNSEEN,
} from "./connection-store.js";
import { connState, type ConnState } from "./conn-state.js";
import { communityId } from "./community-id.js";
import { epochString } from "../decoder/timestamp.js";
import type { SideAnalysis } from "./analysis/analysis-result.js";
import { TUNNEL_TYPES, type TunnelType } from "../decoder/tunnels.js";
import { ANOMALY_ONE_SIDED, TUNNEL_MAX_PARENTS } from "../../assembly/connection-layout.js";
import { recordChain } from "./tunnel-chain.js";
import type { HandshakeOutcome, RecordTunnel, TeardownKind } from "./connection-record.js";
import { connectionId } from "./connection-id.js";

/** One side's endpoint fields. */
export class EndpointValues {
  /**
   * The address, as readRecordValues read it: `version` 4 or 6, its bytes at `addrAt` of
   * `addrBytes` (the record's). `addr` formats it on first asking (the line formats write it
   * straight from the bytes instead, with no string in between: ByteSink.address).
   */
  version = 4;
  addrBytes: Uint8Array;
  addrAt = 0;
  /** The address as text, once formatted or set; null before. */
  addrText: string | null = "";
  port = 0;
  pkts = 0;
  bytes = 0;
  missedBytes: number | null = 0;
  ipBytes = 0;
  syn = 0;
  synAck = 0;
  fin = 0;
  rst = 0;

  constructor(addrBytes = new Uint8Array(16)) {
    this.addrBytes = addrBytes;
  }

  get addr(): string {
    return this.addrText ??= formatAddress(this.addrBytes, this.addrAt, this.version);
  }

  set addr(text: string) {
    this.addrText = text;
  }
}

/** One side's handshake options; `seen` false: the record's null (no SYN or SYN/ACK sent). */
export class OptionValues {
  seen = false;
  mss: number | null = null;
  windowScale: number | null = null;
  sackPermitted = false;
  timestamps = false;
  ece = false;
  cwr = false;
  ae = false;
  /** TCP Fast Open: false for the record's null. */
  tfo = false;
  /** null: data on the SYN without a TFO option. */
  cookieLen: number | null = null;
  data = 0;
  mptcp = false;
}

// The strings of a record (its time, addresses and Community ID) are made only when read: the
// line formats write the time and addresses from the numbers and bytes here, and a
// connection's strings were most of the objects a line allocated. Setting one (a test's
// values read back from a record) makes it what is read and written.
// They are getters on the class, not own fields: a spread, JSON.stringify or structuredClone of
// the values leaves them out (build the record, connection-record.ts, to copy one).
export class RecordValues {
  id = 0;
  /** The first packet's time: epochString(firstSec, firstNsec) is `ts`. */
  firstSec = 0;
  firstNsec = 0;
  /** `ts` once made or set; null before. */
  tsText: string | null = "";
  /** The two addresses as bytes (orig's, resp's at their addrAt), and the ports: what communityId hashes. */
  readonly addressBytes = new Uint8Array(32);
  readonly addressWords = new Int32Array(this.addressBytes.buffer);
  private communityIdText: string | null = "";
  duration = 0;
  readonly orig = new EndpointValues(this.addressBytes);
  readonly resp = new EndpointValues(this.addressBytes);
  firstPacket = 0;
  lastPacket = 0;
  outcome: HandshakeOutcome = "complete";
  synCount = 0;
  synAckCount = 0;
  rttSynToSynAckUs: number | null = null;
  rttSynAckToAckUs: number | null = null;
  synPacket: number | null = null;
  synAckPacket: number | null = null;
  /** The handshake's third packet; `ackSeen` false: the record's null. */
  ackSeen = false;
  ackPacket = 0;
  acksSynAck = false;
  ackPayload = 0;
  readonly origOptions = new OptionValues();
  readonly respOptions = new OptionValues();
  teardown: TeardownKind = "open";
  firstCloser: "orig" | "resp" | null = null;
  connState: ConnState = "OTH";
  history = "";
  /** The anomalies, in the order they first appeared: names and counts, `anomalyCount` of them. */
  readonly anomalyNames: string[] = [];
  readonly anomalyCounts: number[] = [];
  anomalyCount = 0;
  origAnalysis!: SideAnalysis;
  respAnalysis!: SideAnalysis;
  maxGapUs: number | null = null;
  /** undefined when untagged. */
  vlan: number | undefined = undefined;
  innerVlan: number | undefined = undefined;
  tunnel: RecordTunnel | undefined = undefined;

  get ts(): string {
    return this.tsText ??= epochString(this.firstSec, this.firstNsec);
  }

  set ts(text: string) {
    this.tsText = text;
  }

  get communityId(): string {
    const o = this.orig, r = this.resp;
    return this.communityIdText ??= communityId(this.addressBytes, o.version === 4 ? 4 : 16, o.addrAt, o.port, r.addrAt, r.port);
  }

  set communityId(text: string) {
    this.communityIdText = text;
  }

  /** The strings of the connection just read are made afresh when asked for. */
  forgetText(): void {
    this.tsText = null;
    this.communityIdText = null;
    this.orig.addrText = null;
    this.resp.addrText = null;
  }
}

export function seqSpan(s: ConnectionStore, e: number): number {
  // Zeek's endpoint size: the sequence span of what was sent, less the FIN's octet once a later
  // sequence number passed it (data after a FIN counts, as Zeek's last_seq keeps moving past
  // it); the payload sum when the span is unknown. The highest sequence number counts its
  // passes of 2^32.
  const need = SEEN_START | SEEN_TOP;
  if ((s.seen[e]! & need) !== need) return s.payloadBytes[e]!;
  const top = s.topSeq[e]!;
  let end = s.topWraps[e]! * 4294967296 + top;
  if (s.seen[e]! & SEEN_FIN && ((top - s.lastFinPos[e]!) | 0) > 0) end -= 1;
  const span = end - s.startSeq[e]!;
  return span > 0 ? span : 0;
}

// The connection's two addresses as bytes (side 0 at 0, side 1 at 16), copied into the values
// from the key once per record: formatting and hashing read them there, allocating nothing.
function loadAddresses(s: ConnectionStore, slot: number, into: Int32Array): void {
  const k = slot * KEY_WORDS;
  for (let w = 0; w < 8; w++) into[w] = s.key[k + w]!;
}

function endpoint(s: ConnectionStore, e: number, version: number, addrAt: number, port: number, bytes: number, v: EndpointValues): void {
  v.version = version;
  v.addrAt = addrAt;
  v.port = port;
  v.pkts = s.pkts[e]!;
  v.bytes = bytes;
  v.missedBytes = s.reasm[e]! & REASM_INEXACT ? null : s.missedBytes[e]!;
  v.ipBytes = s.ipBytes[e]!;
  v.syn = s.syns[e]!;
  v.synAck = s.synAcks[e]!;
  v.fin = s.fins[e]!;
  v.rst = s.rsts[e]!;
}

function options(s: ConnectionStore, e: number, v: OptionValues): void {
  v.seen = s.syns[e] !== 0 || s.synAcks[e] !== 0;
  if (!v.seen) return;
  const bits = s.optionBits[e]!;
  const ecn = s.ecnBits[e]!; // ECE, CWR, AE as bits 0..2 (flags >> 6)
  v.mss = bits & L.OPT_MSS ? s.mss[e]! : null;
  v.windowScale = s.windowScale[e] === 0xff ? null : s.windowScale[e]!;
  v.sackPermitted = (bits & L.OPT_SACK_PERMITTED) !== 0;
  v.timestamps = (bits & L.OPT_TIMESTAMPS) !== 0;
  v.ece = (ecn & 1) !== 0;
  v.cwr = (ecn & 2) !== 0;
  v.ae = (ecn & 4) !== 0;
  v.tfo = s.tfoCookieLen[e]! >= 0 || s.synPayload[e]! > 0;
  v.cookieLen = s.tfoCookieLen[e]! >= 0 ? s.tfoCookieLen[e]! : null; // -1: no TFO option
  v.data = s.synPayload[e]!;
  v.mptcp = (bits & L.OPT_MPTCP) !== 0;
}

export function handshakeOutcome(s: ConnectionStore, slot: number, o: number, r: number): HandshakeOutcome {
  const hs = s.handshakeFlags[slot]!;
  if (hs & HS_SIMULTANEOUS || (s.syns[o]! > 0 && s.syns[r]! > 0)) return "simultaneous-open";
  if (s.syns[o]! > 0) {
    if (s.synAcks[r]! > 0) {
      if (!(hs & HS_SYN_ACK_ANSWERED) && hs & HS_SYN_ACK_MISMATCH) return "invalid";
      if (hs & HS_ACK_MISMATCH) return "invalid";
      if (hs & HS_RST_BEFORE_ACK && !(hs & (HS_ACK_SEEN | HS_PEER_ACKED_DATA))) return "aborted";
      return "complete";
    }
    // The SYN/ACK was not captured, but the responder acknowledged the SYN: it came up, untimed,
    // unless a RST came and the originator never sent its ACK (as with a SYN/ACK captured).
    if (hs & HS_SYN_ACKED_UNSEEN) return s.rsts[o]! + s.rsts[r]! > 0 && !(hs & HS_ORIG_ACKED_UNSEEN) ? "aborted" : "complete";
    return s.rsts[r]! > 0 ? "rejected" : "unanswered";
  }
  return s.synAcks[r]! > 0 || s.synAcks[o]! > 0 ? "syn-ack-only" : "mid-stream";
}

// A side as the tracker stores it (0 none, else side index + 1), as a role.
function role(side: number, origSide: number): "orig" | "resp" | null {
  return side === 0 ? null : side - 1 === origSide ? "orig" : "resp";
}

export function teardown(s: ConnectionStore, slot: number, origSide: number): TeardownKind {
  const o = slot * 2 + origSide, r = o ^ 1;
  const flags = s.closeFlags[slot]!;
  if (s.firstRstSide[slot]) {
    if (flags & CLOSE_FIN_BEFORE_RST) return "fin-then-rst";
    return role(s.firstRstSide[slot]!, origSide) === "orig" ? "rst-orig" : "rst-resp";
  }
  if (s.fins[o]! > 0 && s.fins[r]! > 0) {
    if (!(flags & CLOSE_SECOND_FIN_ACKS_FIRST)) return "simultaneous-close";
    return flags & CLOSE_PEER_ACKED_FIN ? "fin" : "fin-3";
  }
  if (s.fins[o]! > 0) return "half-closed-orig";
  if (s.fins[r]! > 0) return "half-closed-resp";
  if (s.removedBy[slot] === REMOVED_EVICTED) return "evicted";
  // A SYN that began another connection on its endpoints ended it, before it closed: not open at the end.
  if (s.removedBy[slot] === REMOVED_REUSE) return "reused";
  // (An empty connection, its packets all refused (bad checksums), ends by a timer of its own.)
  const by = s.removedBy[slot], timedOut = by === REMOVED_INACTIVITY || by === REMOVED_ATTEMPT || by === REMOVED_IDLE_EMPTY;
  return timedOut ? "timeout" : "open";
}

function addAnomaly(v: RecordValues, name: string, count: number): void {
  v.anomalyNames[v.anomalyCount] = name;
  v.anomalyCounts[v.anomalyCount++] = count;
}

// The counts in the order they first appeared; mid-stream-start and one-sided are 1 when the
// record's own rules say so (in place if the tracker counted them too, else after the rest).
function anomalies(v: RecordValues, counts: Map<string, number> | undefined, midStream: boolean, oneSided: boolean): void {
  v.anomalyCount = 0;
  let sawMidStream = false, sawOneSided = false;
  if (counts) {
    for (const [name, count] of counts) {
      let n = count;
      if (name === MID_STREAM && midStream) { n = 1; sawMidStream = true; }
      else if (name === ONE_SIDED && oneSided) { n = 1; sawOneSided = true; }
      addAnomaly(v, name, n);
    }
  }
  if (midStream && !sawMidStream) addAnomaly(v, MID_STREAM, 1);
  if (oneSided && !sawOneSided) addAnomaly(v, ONE_SIDED, 1);
}
const MID_STREAM = "mid-stream-start", ONE_SIDED = "one-sided";

// Packets from one side only: the record's rule for its one-sided anomaly.
function isOneSided(s: ConnectionStore, o: number, r: number): boolean {
  return s.pkts[o] === 0 || s.pkts[r] === 0;
}

/** Whether the record's anomalies hold a one-sided count that is not 0 (the rule above, or the tracker's count). */
export function hasOneSidedAnomaly(s: ConnectionStore, slot: number, o: number, r: number): boolean {
  return isOneSided(s, o, r) || s.anomalyCountOf(slot, ANOMALY_ONE_SIDED) !== 0;
}

// Times are seconds on the capture clock (0 at its first packet; earlier packets are negative):
// any two that were seen make an RTT, negative too when the timestamps step backwards. To the
// nanosecond (a nanosecond capture's 459 ns leg read 0.5 µs) while both times lie within 2^20 s
// (12 days) of the clock's origin, where a double holds them within 0.12 ns, so that a leg between
// whole nanoseconds rounds exactly; past it (timestamps years apart) to 0.1 µs, as the double's
// error grows with the time (~50 ns at 10^8 s).
const NS_EXACT_SPAN = 2 ** 20;
function rttUs(from: number, to: number): number {
  return Math.abs(from) < NS_EXACT_SPAN && Math.abs(to) < NS_EXACT_SPAN ? Math.round((to - from) * 1e9) / 1000 : Math.round((to - from) * 1e7) / 10;
}

/** The handshake's first leg, SYN to SYN/ACK (µs); null unless the SYN/ACK answered the SYN. */
export function synToSynAckUs(s: ConnectionStore, slot: number): number | null {
  return s.handshakeFlags[slot]! & HS_SYN_ACK_ANSWERED ? rttUs(s.synTimeAnswered[slot]!, s.synAckTime[slot]!) : null;
}

/** The second leg, SYN/ACK to the third packet (µs); null unless that packet was seen and acknowledged the SYN/ACK. */
export function synAckToAckUs(s: ConnectionStore, slot: number): number | null {
  const hs = s.handshakeFlags[slot]!;
  return hs & HS_ACK_SEEN && !(hs & HS_ACK_MISMATCH) ? rttUs(s.synAckTimeAnswered[slot]!, s.handshakeAckTime[slot]!) : null;
}

const hex8 = (n: number) => n.toString(16).padStart(8, "0");

function recordTunnel(s: ConnectionStore, slot: number): RecordTunnel {
  const types: TunnelType[] = [];
  for (let k = 0, bits = s.tunnelTypes[slot]!; k < s.tunnelDepth[slot]!; k++, bits >>= 4) types.push(TUNNEL_TYPES[bits & 15] ?? "ip");
  const parents: string[] = [];
  for (let k = 0; k < s.tunnelParentCount[slot]!; k++) parents.push(hex8(s.tunnelParents[slot * TUNNEL_MAX_PARENTS + k]!));
  const tunnel: RecordTunnel = { types, identity: hex8(s.tunnelFirst[slot]!), parents, changes: s.tunnelChanges[slot]! };
  const chain = s.tunnelChain[slot];
  if (chain) tunnel.chain = recordChain(chain);
  return tunnel;
}

/** Reads the record of the connection in `slot` of `s` into `v`. */
export function readRecordValues(s: ConnectionStore, slot: number, v: RecordValues): void {
  const origSide = s.flipped[slot]!;
  const o = slot * 2 + origSide, r = o ^ 1;
  v.forgetText();
  loadAddresses(s, slot, v.addressWords);
  const version = s.key[slot * KEY_WORDS + 9]! === 4 ? 4 : 6;
  const origAt = origSide * 16, respAt = (origSide ^ 1) * 16;
  const portsWord = s.key[slot * KEY_WORDS + 8]!;
  const portA = portsWord >>> 16, portB = portsWord & 0xffff;
  const origPort = origSide === 0 ? portA : portB, respPort = origSide === 0 ? portB : portA;
  const origBytes = seqSpan(s, o), respBytes = seqSpan(s, r);
  const history = s.history[slot]!;
  const hs = s.handshakeFlags[slot]!;
  v.id = connectionId(s.id[slot]!);
  v.firstSec = s.firstSec[slot]!;
  v.firstNsec = s.firstNsec[slot]!;
  // Never negative: a connection whose last packet is stamped before its first (the capture's
  // clock stepped back) lasted 0 s as far as can be told. Zeek computes the negative difference
  // but its conn.log then leaves duration (and the byte counts) unset, as for 0 s.
  v.duration = Math.max(0, Math.round((s.durationEnd[slot]! - s.firstTime[slot]!) * 1e9) / 1e9);
  endpoint(s, o, version, origAt, origPort, origBytes, v.orig);
  endpoint(s, r, version, respAt, respPort, respBytes, v.resp);
  // Frame numbers, 1-based as in Wireshark (the trackers count packets from 0).
  v.firstPacket = s.firstPacket[slot]! + 1;
  v.lastPacket = s.lastPacket[slot]! + 1;
  v.outcome = handshakeOutcome(s, slot, o, r);
  v.synCount = s.syns[o]!;
  v.synAckCount = s.synAcks[r]!;
  const answered = (hs & HS_SYN_ACK_ANSWERED) !== 0;
  v.rttSynToSynAckUs = synToSynAckUs(s, slot);
  v.rttSynAckToAckUs = synAckToAckUs(s, slot);
  v.synPacket = answered ? s.synPacket[slot]! + 1 : null;
  v.synAckPacket = answered ? s.synAckPacket[slot]! + 1 : null;
  v.ackSeen = (hs & HS_ACK_SEEN) !== 0;
  v.ackPacket = s.ackPacket[slot]! + 1;
  v.acksSynAck = !(hs & HS_ACK_MISMATCH);
  v.ackPayload = s.ackPayload[slot]!;
  options(s, o, v.origOptions);
  options(s, r, v.respOptions);
  v.teardown = teardown(s, slot, origSide);
  v.firstCloser = role(s.firstCloseSide[slot]!, origSide);
  v.connState = connState(s.state[o]!, s.state[r]!, history, origBytes, respBytes);
  v.history = history;
  anomalies(v, s.anomalyCountsAt(slot), v.outcome === "mid-stream", isOneSided(s, o, r));
  // The engine's results are by side index; the record's by role.
  const a = s.analysisAt(slot);
  if (!a) throw new Error(`connection ${connectionId(s.id[slot]!)}: no TCP analysis results`);
  v.origAnalysis = a.sides[origSide]!;
  v.respAnalysis = a.sides[origSide ^ 1]!;
  v.maxGapUs = a.maxGapUs;
  v.vlan = s.vlan[slot] !== L.NO_VLAN ? s.vlan[slot]! : undefined;
  v.innerVlan = s.innerVlan[slot] !== L.NO_VLAN ? s.innerVlan[slot]! : undefined;
  v.tunnel = s.tunnelParentCount[slot] !== 0 ? recordTunnel(s, slot) : undefined;
}

/** A side without a single verdict: every count 0 (most sides of a short connection). */
export function noVerdicts(a: SideAnalysis): boolean {
  return a.retransmission === 0 && a.fastRetransmission === 0 && a.spuriousRetransmission === 0 && a.outOfOrder === 0
    && a.dupAck === 0 && a.lostSegment === 0 && a.ackedUnseen === 0 && a.zeroWindow === 0 && a.zeroWindowProbe === 0
    && a.zeroWindowProbeAck === 0 && a.windowFull === 0 && a.windowUpdate === 0 && a.keepAlive === 0 && a.keepAliveAck === 0;
}

/** A side without an ack-RTT: no sample and every figure null. */
export function noAckRtt(a: SideAnalysis): boolean {
  const r = a.ackRttUs;
  return r.samples === 0 && r.min === null && r.mean === null && r.max === null && r.p50 === null && r.p95 === null;
}
