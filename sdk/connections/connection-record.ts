// The connection record: what tcp-handshake-scan says about one TCP connection (schema in the
// README). Built once per connection, when it ends, from the tracker's columns.

import * as L from "../../assembly/layout.js";
import { formatAddress } from "../decoder/packet-batch.js";
import {
  ConnectionStore, KEY_WORDS, HS_SYN_ACK_ANSWERED, HS_SYN_ACK_MISMATCH, HS_ACK_SEEN, HS_ACK_MISMATCH,
  HS_RST_BEFORE_ACK, HS_SIMULTANEOUS, CLOSE_PEER_ACKED_FIN, CLOSE_SECOND_FIN_ACKS_FIRST, CLOSE_FIN_BEFORE_RST,
  SEEN_START, SEEN_TOP, SEEN_FIN, REMOVED_INACTIVITY, REMOVED_ATTEMPT, REMOVED_EVICTED, REASM_INEXACT,
  HS_PEER_ACKED_DATA,
} from "./connection-store.js";
import { connState, type ConnState } from "./conn-state.js";
import { communityId } from "./community-id.js";
import { epochString } from "../decoder/timestamp.js";
import type { SideAnalysis } from "./analysis/analysis-result.js";
import { TUNNEL_TYPES, type TunnelType } from "../decoder/tunnels.js";
import { TUNNEL_MAX_PARENTS } from "../../assembly/connection-layout.js";
import { recordChain, type RecordTunnelLevel } from "./tunnel-chain.js";
import { COUNT_NAMES } from "./analysis/analysis-result.js";
import { field, type FieldKey, type RecordVisitor } from "./record-visitor.js";
import { RecordObjectBuilder } from "./record-object.js";

// The record's keys (record-visitor.ts), by name.
const F = Object.fromEntries([
  "id", "communityId", "ts", "duration", "orig", "resp", "firstPacket", "lastPacket", "addr", "port", "pkts",
  "bytes", "missedBytes", "ipBytes", "flags", "syn", "synAck", "fin", "rst", "handshake", "outcome", "synCount",
  "synAckCount", "rttSynToSynAckUs", "rttSynAckToAckUs", "synPacket", "synAckPacket", "ack", "packet", "acksSynAck",
  "payload", "options", "mss", "windowScale", "sackPermitted", "timestamps", "ecn", "ece", "cwr", "ae", "tfo",
  "cookieLen", "data", "mptcp", "teardown", "kind", "firstCloser", "connState", "history", "anomalies", "analysis",
  "ackRttUs", "samples", "min", "mean", "max", "p50", "p95", "retransmittedBytes", "maxGapUs", "firstPayloadUs",
  "vlan", "innerVlan", "tunnel", "types", "identity", "parents", "changes", "chain",
].map((name) => [name, field(name)])) as Record<string, FieldKey> & {
  midStreamStart: FieldKey; oneSided: FieldKey;
};
const MID_STREAM = "mid-stream-start", ONE_SIDED = "one-sided";
F.midStreamStart = field(MID_STREAM);
F.oneSided = field(ONE_SIDED);
const COUNT_KEYS = COUNT_NAMES.map(field);

/**
 * Wireshark's TCP analysis of the connection's packets (docs/tcp-analysis.md): per side, the
 * verdict counts of the packets that side sent, the ack-RTT of its segments, its retransmitted
 * bytes, largest gap and time to first payload byte; and the connection's largest gap.
 */
export interface RecordAnalysis {
  orig: SideAnalysis;
  resp: SideAnalysis;
  /** Largest gap between two packets of the connection, in microseconds; null below two packets. */
  maxGapUs: number | null;
}

export type HandshakeOutcome =
  | "complete" | "rejected" | "unanswered" | "syn-ack-only" | "aborted" | "simultaneous-open" | "mid-stream" | "invalid";

export type TeardownKind =
  | "fin" | "fin-3" | "simultaneous-close" | "rst-orig" | "rst-resp" | "fin-then-rst"
  | "half-closed-orig" | "half-closed-resp" | "open" | "timeout"
  /** A half-open connection ended early: more were open at once than maxHalfOpen allows. */
  | "evicted";

/**
 * What carried a tunnelled connection (absent when its first packet was not tunnelled and no
 * later one was): the chain of tunnels around its first packet, and the chains its packets
 * came through, as Zeek follows them (conn.log tunnel_parents, tunnel_changed, history 'X').
 */
export interface RecordTunnel {
  /** The first packet's chain, outermost first (its depth is the length). */
  types: TunnelType[];
  /**
   * The chain's identity, 8 hex digits, the same both ways: per level its type, its outer
   * addresses (and the ports and segment id that identify it: VNI, GRE key, ...). With
   * keyByTunnel it is part of the connection's key.
   */
  identity: string;
  /** The identities of the chains the packets came through, each once, in the order first seen (at most 6): Zeek's tunnel_parents. */
  parents: string[];
  /** Changes from one chain to another, counted up to 5 (Zeek's Tunnel::max_changes_per_connection); history 'X' marks one past that. */
  changes: number;
  /**
   * The first packet's chain in full, outermost first (absent when its first packet was not
   * tunnelled, or came without its tunnel record: a PacketBatch view without them).
   */
  chain?: RecordTunnelLevel[];
}

export interface EndpointRecord {
  addr: string;
  port: number;
  pkts: number;
  /** Payload bytes, from sequence numbers as Zeek counts them (includes bytes not captured). */
  bytes: number;
  /**
   * Bytes of this side's stream that the peer acknowledged but the capture never held whole
   * (lost, or cut by the snaplen): Zeek's missed_bytes, per side. null when not measured exactly
   * (more holes were open at once than the tracker keeps).
   */
  missedBytes: number | null;
  /** IP bytes (headers and payload) per the IP length fields. */
  ipBytes: number;
  flags: { syn: number; synAck: number; fin: number; rst: number };
}

export interface HandshakeOptions {
  mss: number | null;
  windowScale: number | null;
  sackPermitted: boolean;
  timestamps: boolean;
  /** ECN setup: ECE and CWR on the SYN, ECE on the SYN/ACK (AE too for AccECN). */
  ecn: { ece: boolean; cwr: boolean; ae: boolean };
  /** TCP Fast Open: cookie bytes (0 = cookie request), data carried on the SYN. */
  tfo: { cookieLen: number; data: number } | null;
  mptcp: boolean;
}

export interface ConnectionRecord {
  id: number;
  communityId: string;
  ts: string;
  duration: number;
  orig: EndpointRecord;
  resp: EndpointRecord;
  vlan?: number;
  innerVlan?: number;
  tunnel?: RecordTunnel;
  firstPacket: number;
  lastPacket: number;
  handshake: {
    outcome: HandshakeOutcome;
    synCount: number;
    synAckCount: number;
    rttSynToSynAckUs: number | null;
    rttSynAckToAckUs: number | null;
    /** Frame numbers (1-based) of the answered SYN and of its SYN/ACK (null when not seen). */
    synPacket: number | null;
    synAckPacket: number | null;
    /** The third packet: the originator's first ACK after the SYN/ACK. */
    ack: { packet: number; acksSynAck: boolean; payload: number } | null;
    options: { orig: HandshakeOptions | null; resp: HandshakeOptions | null };
  };
  teardown: { kind: TeardownKind; firstCloser: "orig" | "resp" | null };
  connState: ConnState;
  history: string;
  anomalies: Record<string, number>;
  analysis: RecordAnalysis;
}

function seqSpan(s: ConnectionStore, e: number): number {
  // Zeek's endpoint size: the sequence span of the data sent, up to the FIN; the payload sum
  // when the span is unknown. The highest sequence number counts its passes of 2^32.
  const need = SEEN_START | SEEN_TOP;
  if ((s.seen[e]! & need) !== need) return s.payloadBytes[e]!;
  const top = s.topSeq[e]!;
  let end = s.topWraps[e]! * 4294967296 + top;
  if (s.seen[e]! & SEEN_FIN && ((top - s.lastFinPos[e]!) | 0) > 0) end -= (top - s.lastFinPos[e]!) >>> 0;
  const span = end - s.startSeq[e]!;
  return span > 0 ? span : 0;
}

// The connection's two addresses as bytes (side 0 at 0, side 1 at 16), copied here from the
// key once per record: formatting and hashing read this one buffer, allocating nothing.
const ADDRESS_BYTES = new Uint8Array(32);
const ADDRESS_WORDS = new Int32Array(ADDRESS_BYTES.buffer);

function loadAddresses(s: ConnectionStore, slot: number): void {
  const k = slot * KEY_WORDS;
  for (let w = 0; w < 8; w++) ADDRESS_WORDS[w] = s.key[k + w]!;
}

// The SYN (or SYN/ACK) options of side index e, null when it sent neither.
function options(v: RecordVisitor, key: FieldKey, s: ConnectionStore, e: number): void {
  if (s.syns[e] === 0 && s.synAcks[e] === 0) return v.nil(key);
  const bits = s.optionBits[e]!;
  const ecn = s.ecnBits[e]!; // ECE, CWR, AE as bits 0..2 (flags >> 6)
  v.open(key);
  v.numOrNull(F.mss, bits & L.OPT_MSS ? s.mss[e]! : null);
  v.numOrNull(F.windowScale, s.windowScale[e] === 0xff ? null : s.windowScale[e]!);
  v.bool(F.sackPermitted, (bits & L.OPT_SACK_PERMITTED) !== 0);
  v.bool(F.timestamps, (bits & L.OPT_TIMESTAMPS) !== 0);
  v.open(F.ecn);
  v.bool(F.ece, (ecn & 1) !== 0);
  v.bool(F.cwr, (ecn & 2) !== 0);
  v.bool(F.ae, (ecn & 4) !== 0);
  v.close();
  if (s.tfoCookieLen[e]! >= 0 || s.synPayload[e]! > 0) {
    v.open(F.tfo);
    v.num(F.cookieLen, Math.max(0, s.tfoCookieLen[e]!));
    v.num(F.data, s.synPayload[e]!);
    v.close();
  } else v.nil(F.tfo);
  v.bool(F.mptcp, (bits & L.OPT_MPTCP) !== 0);
  v.close();
}

function handshakeOutcome(s: ConnectionStore, slot: number, o: number, r: number): HandshakeOutcome {
  const hs = s.handshakeFlags[slot]!;
  if (hs & HS_SIMULTANEOUS || (s.syns[o]! > 0 && s.syns[r]! > 0)) return "simultaneous-open";
  if (s.syns[o]! > 0) {
    if (s.synAcks[r]! > 0) {
      if (!(hs & HS_SYN_ACK_ANSWERED) && hs & HS_SYN_ACK_MISMATCH) return "invalid";
      if (hs & HS_ACK_MISMATCH) return "invalid";
      if (hs & HS_RST_BEFORE_ACK && !(hs & (HS_ACK_SEEN | HS_PEER_ACKED_DATA))) return "aborted";
      return "complete";
    }
    return s.rsts[r]! > 0 ? "rejected" : "unanswered";
  }
  return s.synAcks[r]! > 0 || s.synAcks[o]! > 0 ? "syn-ack-only" : "mid-stream";
}

function teardown(s: ConnectionStore, slot: number, origSide: number): TeardownKind {
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
  const timedOut = s.removedBy[slot] === REMOVED_INACTIVITY || s.removedBy[slot] === REMOVED_ATTEMPT;
  return timedOut ? "timeout" : "open";
}

// A side as the tracker stores it (0 none, else side index + 1), as a role.
function role(side: number, origSide: number): "orig" | "resp" | null {
  return side === 0 ? null : side - 1 === origSide ? "orig" : "resp";
}

// The counts in the order they first appeared; mid-stream-start and one-sided are 1 when the
// record's own rules say so (in place if the tracker counted them too, else after the rest).
function anomalies(v: RecordVisitor, counts: Map<string, number> | undefined, midStream: boolean, oneSided: boolean): void {
  v.open(F.anomalies);
  let sawMidStream = false, sawOneSided = false;
  if (counts) {
    for (const [name, count] of counts) {
      let n = count;
      if (name === MID_STREAM && midStream) { n = 1; sawMidStream = true; }
      else if (name === ONE_SIDED && oneSided) { n = 1; sawOneSided = true; }
      v.num(field(name), n);
    }
  }
  if (midStream && !sawMidStream) v.num(F.midStreamStart, 1);
  if (oneSided && !sawOneSided) v.num(F.oneSided, 1);
  v.close();
}

// Times are seconds on the capture clock (0 at its first packet; earlier packets are negative):
// any two that were seen make an RTT, negative too when the timestamps step backwards.
function rttUs(from: number, to: number): number {
  return Math.round((to - from) * 1e7) / 10;
}

// One side's analysis, the counts by name in COUNT_NAMES' order (a read by a computed name
// showed in profiles).
function side(v: RecordVisitor, key: FieldKey, a: SideAnalysis): void {
  const k = COUNT_KEYS;
  v.open(key);
  v.num(k[0]!, a.retransmission);
  v.num(k[1]!, a.fastRetransmission);
  v.num(k[2]!, a.spuriousRetransmission);
  v.num(k[3]!, a.outOfOrder);
  v.num(k[4]!, a.dupAck);
  v.num(k[5]!, a.lostSegment);
  v.num(k[6]!, a.ackedUnseen);
  v.num(k[7]!, a.zeroWindow);
  v.num(k[8]!, a.zeroWindowProbe);
  v.num(k[9]!, a.zeroWindowProbeAck);
  v.num(k[10]!, a.windowFull);
  v.num(k[11]!, a.windowUpdate);
  v.num(k[12]!, a.keepAlive);
  v.num(k[13]!, a.keepAliveAck);
  const r = a.ackRttUs;
  v.open(F.ackRttUs);
  v.num(F.samples, r.samples);
  v.numOrNull(F.min, r.min);
  v.numOrNull(F.mean, r.mean);
  v.numOrNull(F.max, r.max);
  v.numOrNull(F.p50, r.p50);
  v.numOrNull(F.p95, r.p95);
  v.close();
  v.num(F.retransmittedBytes, a.retransmittedBytes);
  v.numOrNull(F.maxGapUs, a.maxGapUs);
  v.numOrNull(F.firstPayloadUs, a.firstPayloadUs);
  v.close();
}

// The engine's results are by side index; the record's by role.
function analysis(v: RecordVisitor, s: ConnectionStore, slot: number, origSide: number): void {
  const a = s.analysis[slot];
  if (!a) throw new Error(`connection ${s.id[slot]}: no TCP analysis results`);
  v.open(F.analysis);
  side(v, F.orig, a.sides[origSide]!);
  side(v, F.resp, a.sides[origSide ^ 1]!);
  v.numOrNull(F.maxGapUs, a.maxGapUs);
  v.close();
}

const hex8 = (n: number) => n.toString(16).padStart(8, "0");

function tunnel(v: RecordVisitor, s: ConnectionStore, slot: number): void {
  const types: TunnelType[] = [];
  for (let k = 0, bits = s.tunnelTypes[slot]!; k < s.tunnelDepth[slot]!; k++, bits >>= 4) types.push(TUNNEL_TYPES[bits & 15] ?? "ip");
  const parents: string[] = [];
  for (let k = 0; k < s.tunnelParentCount[slot]!; k++) parents.push(hex8(s.tunnelParents[slot * TUNNEL_MAX_PARENTS + k]!));
  v.open(F.tunnel);
  v.strings(F.types, types);
  v.str(F.identity, hex8(s.tunnelFirst[slot]!));
  v.strings(F.parents, parents);
  v.num(F.changes, s.tunnelChanges[slot]!);
  const chain = s.tunnelChain[slot];
  if (chain) v.value(F.chain, recordChain(chain));
  v.close();
}

function endpoint(v: RecordVisitor, key: FieldKey, s: ConnectionStore, e: number, addr: string, port: number, bytes: number): void {
  v.open(key);
  v.str(F.addr, addr);
  v.num(F.port, port);
  v.num(F.pkts, s.pkts[e]!);
  v.num(F.bytes, bytes);
  v.numOrNull(F.missedBytes, s.reasm[e]! & REASM_INEXACT ? null : s.missedBytes[e]!);
  v.num(F.ipBytes, s.ipBytes[e]!);
  v.open(F.flags);
  v.num(F.syn, s.syns[e]!);
  v.num(F.synAck, s.synAcks[e]!);
  v.num(F.fin, s.fins[e]!);
  v.num(F.rst, s.rsts[e]!);
  v.close();
  v.close();
}

/**
 * The record of the connection in `slot`, field by field in the record's order, to `v`: the
 * rules of the record, for every output (record-visitor.ts). The caller opens and closes the
 * root object.
 */
export function visitConnection(s: ConnectionStore, slot: number, v: RecordVisitor): void {
  const origSide = s.flipped[slot]!;
  const o = slot * 2 + origSide, r = o ^ 1;
  loadAddresses(s, slot);
  const version = s.key[slot * KEY_WORDS + 9]!;
  const origAt = origSide * 16, respAt = (origSide ^ 1) * 16;
  const portsWord = s.key[slot * KEY_WORDS + 8]!;
  const portA = portsWord >>> 16, portB = portsWord & 0xffff;
  const origPort = origSide === 0 ? portA : portB, respPort = origSide === 0 ? portB : portA;
  const origBytes = seqSpan(s, o), respBytes = seqSpan(s, r);
  const history = s.history[slot]!;
  const hs = s.handshakeFlags[slot]!;
  v.num(F.id, s.id[slot]!);
  v.str(F.communityId, communityId(ADDRESS_BYTES, version === 4 ? 4 : 16, origAt, origPort, respAt, respPort));
  v.str(F.ts, epochString(s.firstSec[slot]!, s.firstNsec[slot]!));
  // Never negative: a connection whose last packet is stamped before its first (the capture's
  // clock stepped back) lasted 0 s as far as can be told. Zeek computes the negative difference
  // but its conn.log then leaves duration (and the byte counts) unset, as for 0 s.
  v.num(F.duration, Math.max(0, Math.round((s.durationEnd[slot]! - s.firstTime[slot]!) * 1e9) / 1e9));
  endpoint(v, F.orig, s, o, formatAddress(ADDRESS_BYTES, origAt, version), origPort, origBytes);
  endpoint(v, F.resp, s, r, formatAddress(ADDRESS_BYTES, respAt, version), respPort, respBytes);
  // Frame numbers, 1-based as in Wireshark (the trackers count packets from 0).
  v.num(F.firstPacket, s.firstPacket[slot]! + 1);
  v.num(F.lastPacket, s.lastPacket[slot]! + 1);
  const outcome = handshakeOutcome(s, slot, o, r);
  const answered = (hs & HS_SYN_ACK_ANSWERED) !== 0;
  v.open(F.handshake);
  v.str(F.outcome, outcome);
  v.num(F.synCount, s.syns[o]!);
  v.num(F.synAckCount, s.synAcks[r]!);
  v.numOrNull(F.rttSynToSynAckUs, answered ? rttUs(s.synTimeAnswered[slot]!, s.synAckTime[slot]!) : null);
  v.numOrNull(F.rttSynAckToAckUs, hs & HS_ACK_SEEN && !(hs & HS_ACK_MISMATCH) ? rttUs(s.synAckTimeAnswered[slot]!, s.handshakeAckTime[slot]!) : null);
  v.numOrNull(F.synPacket, answered ? s.synPacket[slot]! + 1 : null);
  v.numOrNull(F.synAckPacket, answered ? s.synAckPacket[slot]! + 1 : null);
  if (hs & HS_ACK_SEEN) {
    v.open(F.ack);
    v.num(F.packet, s.ackPacket[slot]! + 1);
    v.bool(F.acksSynAck, !(hs & HS_ACK_MISMATCH));
    v.num(F.payload, s.ackPayload[slot]!);
    v.close();
  } else v.nil(F.ack);
  v.open(F.options);
  options(v, F.orig, s, o);
  options(v, F.resp, s, r);
  v.close();
  v.close();
  v.open(F.teardown);
  v.str(F.kind, teardown(s, slot, origSide));
  v.strOrNull(F.firstCloser, role(s.firstCloseSide[slot]!, origSide));
  v.close();
  v.str(F.connState, connState(s.state[o]!, s.state[r]!, history, origBytes, respBytes));
  v.str(F.history, history);
  anomalies(v, s.anomalyCounts[slot], outcome === "mid-stream", s.pkts[o] === 0 || s.pkts[r] === 0);
  analysis(v, s, slot, origSide);
  if (s.vlan[slot] !== L.NO_VLAN) v.num(F.vlan, s.vlan[slot]!);
  if (s.innerVlan[slot] !== L.NO_VLAN) v.num(F.innerVlan, s.innerVlan[slot]!);
  if (s.tunnelParentCount[slot] !== 0) tunnel(v, s, slot);
}

const objects = new RecordObjectBuilder();

/** The record of the connection in `slot` as an object (the SDK's records). */
export function buildConnectionRecord(s: ConnectionStore, slot: number): ConnectionRecord {
  objects.start();
  visitConnection(s, slot, objects);
  return objects.result() as unknown as ConnectionRecord;
}
