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
  /** Ended early: more were open at once than maxHalfOpen (one packet so far) or maxConnections allows. */
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

function options(s: ConnectionStore, e: number): HandshakeOptions | null {
  if (s.syns[e] === 0 && s.synAcks[e] === 0) return null;
  const bits = s.optionBits[e]!;
  const ecn = s.ecnBits[e]!; // ECE, CWR, AE as bits 0..2 (flags >> 6)
  return {
    mss: bits & L.OPT_MSS ? s.mss[e]! : null,
    windowScale: s.windowScale[e] === 0xff ? null : s.windowScale[e]!,
    sackPermitted: (bits & L.OPT_SACK_PERMITTED) !== 0,
    timestamps: (bits & L.OPT_TIMESTAMPS) !== 0,
    ecn: { ece: (ecn & 1) !== 0, cwr: (ecn & 2) !== 0, ae: (ecn & 4) !== 0 },
    tfo: s.tfoCookieLen[e]! >= 0 || s.synPayload[e]! > 0 ? { cookieLen: Math.max(0, s.tfoCookieLen[e]!), data: s.synPayload[e]! } : null,
    mptcp: (bits & L.OPT_MPTCP) !== 0,
  };
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

function teardown(s: ConnectionStore, slot: number, origSide: number): { kind: TeardownKind; firstCloser: "orig" | "resp" | null } {
  const role = (side: number) => (side === 0 ? null : side - 1 === origSide ? "orig" : "resp");
  const firstCloser = role(s.firstCloseSide[slot]!);
  const o = slot * 2 + origSide, r = o ^ 1;
  const flags = s.closeFlags[slot]!;
  if (s.firstRstSide[slot]) {
    if (flags & CLOSE_FIN_BEFORE_RST) return { kind: "fin-then-rst", firstCloser };
    return { kind: role(s.firstRstSide[slot]!) === "orig" ? "rst-orig" : "rst-resp", firstCloser };
  }
  if (s.fins[o]! > 0 && s.fins[r]! > 0) {
    if (!(flags & CLOSE_SECOND_FIN_ACKS_FIRST)) return { kind: "simultaneous-close", firstCloser };
    return { kind: flags & CLOSE_PEER_ACKED_FIN ? "fin" : "fin-3", firstCloser };
  }
  if (s.fins[o]! > 0) return { kind: "half-closed-orig", firstCloser };
  if (s.fins[r]! > 0) return { kind: "half-closed-resp", firstCloser };
  if (s.removedBy[slot] === REMOVED_EVICTED) return { kind: "evicted", firstCloser };
  const timedOut = s.removedBy[slot] === REMOVED_INACTIVITY || s.removedBy[slot] === REMOVED_ATTEMPT;
  return { kind: timedOut ? "timeout" : "open", firstCloser };
}

// The counts as an object, in the order they first appeared (Object.fromEntries did the same
// through the iteration protocol, the costliest line of the record).
function anomalyRecord(counts: Map<string, number> | undefined): Record<string, number> {
  const anomalies: Record<string, number> = {};
  if (counts) for (const [name, count] of counts) anomalies[name] = count;
  return anomalies;
}

// Times are seconds on the capture clock (0 at its first packet; earlier packets are negative):
// any two that were seen make an RTT, negative too when the timestamps step backwards.
function rttUs(from: number, to: number): number {
  return Math.round((to - from) * 1e7) / 10;
}

// The engine's results are by side index; the record's by role.
function recordAnalysis(s: ConnectionStore, slot: number, origSide: number): RecordAnalysis {
  const a = s.analysis[slot];
  if (!a) throw new Error(`connection ${s.id[slot]}: no TCP analysis results`);
  return { orig: a.sides[origSide]!, resp: a.sides[origSide ^ 1]!, maxGapUs: a.maxGapUs };
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

export function buildConnectionRecord(s: ConnectionStore, slot: number): ConnectionRecord {
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
  const endpoint = (e: number, addr: string, port: number, bytes: number): EndpointRecord => ({
    addr, port, pkts: s.pkts[e]!, bytes, missedBytes: s.reasm[e]! & REASM_INEXACT ? null : s.missedBytes[e]!, ipBytes: s.ipBytes[e]!,
    flags: { syn: s.syns[e]!, synAck: s.synAcks[e]!, fin: s.fins[e]!, rst: s.rsts[e]! },
  });
  const hs = s.handshakeFlags[slot]!;
  const record: ConnectionRecord = {
    id: s.id[slot]!,
    communityId: communityId(ADDRESS_BYTES, version === 4 ? 4 : 16, origAt, origPort, respAt, respPort),
    ts: epochString(s.firstSec[slot]!, s.firstNsec[slot]!),
    // Never negative: a connection whose last packet is stamped before its first (the capture's
    // clock stepped back) lasted 0 s as far as can be told. Zeek computes the negative difference
    // but its conn.log then leaves duration (and the byte counts) unset, as for 0 s.
    duration: Math.max(0, Math.round((s.durationEnd[slot]! - s.firstTime[slot]!) * 1e9) / 1e9),
    orig: endpoint(o, formatAddress(ADDRESS_BYTES, origAt, version), origPort, origBytes),
    resp: endpoint(r, formatAddress(ADDRESS_BYTES, respAt, version), respPort, respBytes),
    // Frame numbers, 1-based as in Wireshark (the trackers count packets from 0).
    firstPacket: s.firstPacket[slot]! + 1,
    lastPacket: s.lastPacket[slot]! + 1,
    handshake: {
      outcome: handshakeOutcome(s, slot, o, r),
      synCount: s.syns[o]!,
      synAckCount: s.synAcks[r]!,
      rttSynToSynAckUs: hs & HS_SYN_ACK_ANSWERED ? rttUs(s.synTimeAnswered[slot]!, s.synAckTime[slot]!) : null,
      rttSynAckToAckUs: hs & HS_ACK_SEEN && !(hs & HS_ACK_MISMATCH) ? rttUs(s.synAckTimeAnswered[slot]!, s.handshakeAckTime[slot]!) : null,
      synPacket: hs & HS_SYN_ACK_ANSWERED ? s.synPacket[slot]! + 1 : null,
      synAckPacket: hs & HS_SYN_ACK_ANSWERED ? s.synAckPacket[slot]! + 1 : null,
      ack: hs & HS_ACK_SEEN ? { packet: s.ackPacket[slot]! + 1, acksSynAck: !(hs & HS_ACK_MISMATCH), payload: s.ackPayload[slot]! } : null,
      options: { orig: options(s, o), resp: options(s, r) },
    },
    teardown: teardown(s, slot, origSide),
    connState: connState(s.state[o]!, s.state[r]!, history, origBytes, respBytes),
    history,
    anomalies: anomalyRecord(s.anomalyCounts[slot]),
    analysis: recordAnalysis(s, slot, origSide),
  };
  if (s.vlan[slot] !== L.NO_VLAN) record.vlan = s.vlan[slot]!;
  if (s.innerVlan[slot] !== L.NO_VLAN) record.innerVlan = s.innerVlan[slot]!;
  if (s.tunnelParentCount[slot] !== 0) record.tunnel = recordTunnel(s, slot);
  if (record.handshake.outcome === "mid-stream") record.anomalies["mid-stream-start"] = 1;
  if (s.pkts[o] === 0 || s.pkts[r] === 0) record.anomalies["one-sided"] = 1;
  return record;
}
