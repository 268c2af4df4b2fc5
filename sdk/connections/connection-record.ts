// The connection record: what tcp-handshake-scan says about one TCP connection (schema in the
// README). Built once per connection, when it ends, as one object literal from the record's
// values (record-values.ts: the rules, shared with the ndjson byte writer).

import type { ConnState } from "./conn-state.js";
import type { SideAnalysis } from "./analysis/analysis-result.js";
import type { TunnelType } from "../decoder/tunnels.js";
import type { RecordTunnelLevel } from "./tunnel-chain.js";
import type { ConnectionStore } from "./connection-store.js";
import { readRecordValues, RecordValues, type EndpointValues, type OptionValues } from "./record-values.js";

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
  | "evicted"
  /** Ended, before it closed, by a SYN that began a new connection on its endpoints (Zeek's connection reuse). */
  | "reused";

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
  /** TCP Fast Open: cookie bytes (0 = cookie request; null = no TFO option, data on the SYN without one), data carried on the SYN. */
  tfo: { cookieLen: number | null; data: number } | null;
  mptcp: boolean;
}

export interface ConnectionRecord {
  /** The frame number (1-based) of its first packet; shared only by connections that one frame began (an 802.11 A-MSDU's subframes). */
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

function endpoint(e: EndpointValues): EndpointRecord {
  return {
    addr: e.addr, port: e.port, pkts: e.pkts, bytes: e.bytes, missedBytes: e.missedBytes, ipBytes: e.ipBytes,
    flags: { syn: e.syn, synAck: e.synAck, fin: e.fin, rst: e.rst },
  };
}

function options(o: OptionValues): HandshakeOptions | null {
  if (!o.seen) return null;
  return {
    mss: o.mss,
    windowScale: o.windowScale,
    sackPermitted: o.sackPermitted,
    timestamps: o.timestamps,
    ecn: { ece: o.ece, cwr: o.cwr, ae: o.ae },
    tfo: o.tfo ? { cookieLen: o.cookieLen, data: o.data } : null,
    mptcp: o.mptcp,
  };
}

// The counts as an object, in the order they first appeared.
function anomalyRecord(v: RecordValues): Record<string, number> {
  const anomalies: Record<string, number> = {};
  for (let k = 0; k < v.anomalyCount; k++) anomalies[v.anomalyNames[k]!] = v.anomalyCounts[k]!;
  return anomalies;
}

const values = new RecordValues();

export function buildConnectionRecord(s: ConnectionStore, slot: number): ConnectionRecord {
  const v = values;
  readRecordValues(s, slot, v);
  const record: ConnectionRecord = {
    id: v.id,
    communityId: v.communityId,
    ts: v.ts,
    duration: v.duration,
    orig: endpoint(v.orig),
    resp: endpoint(v.resp),
    firstPacket: v.firstPacket,
    lastPacket: v.lastPacket,
    handshake: {
      outcome: v.outcome,
      synCount: v.synCount,
      synAckCount: v.synAckCount,
      rttSynToSynAckUs: v.rttSynToSynAckUs,
      rttSynAckToAckUs: v.rttSynAckToAckUs,
      synPacket: v.synPacket,
      synAckPacket: v.synAckPacket,
      ack: v.ackSeen ? { packet: v.ackPacket, acksSynAck: v.acksSynAck, payload: v.ackPayload } : null,
      options: { orig: options(v.origOptions), resp: options(v.respOptions) },
    },
    teardown: { kind: v.teardown, firstCloser: v.firstCloser },
    connState: v.connState,
    history: v.history,
    anomalies: anomalyRecord(v),
    analysis: { orig: v.origAnalysis, resp: v.respAnalysis, maxGapUs: v.maxGapUs },
  };
  if (v.vlan !== undefined) record.vlan = v.vlan;
  if (v.innerVlan !== undefined) record.innerVlan = v.innerVlan;
  if (v.tunnel !== undefined) record.tunnel = v.tunnel;
  return record;
}
