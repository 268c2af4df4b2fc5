// The connection tracker: feeds decoded TCP packet records through Zeek's connection model
// (shared/notes/zeek-conn-semantics.md) — orientation and flips, endpoint states, the history
// letters, connection reuse and the timers that end connections — and hands each connection
// to `emit` when it ends: on a timer, on reuse of its endpoints, or at the end of the input.
// Memory is bounded by the connections open at once; nothing is allocated per packet.

import * as L from "../../assembly/layout.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import {
  INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET, inHandshake,
} from "./endpoint-state.js";
import {
  ConnectionStore, KEY_WORDS, ONCE_A, ONCE_D, ONCE_I, ONCE_Q, SEEN_SYN, SEEN_FIN, SEEN_RST, SEEN_TOP,
  SEEN_START, SEEN_CLOSED_BEFORE_RESET, SEEN_ISN, HS_SYN_ACK_ANSWERED, HS_SYN_ACK_MISMATCH, HS_ACK_SEEN,
  HS_ACK_MISMATCH, HS_EXPECT_SYN, HS_RST_BEFORE_ACK, HS_SIMULTANEOUS, CLOSE_PEER_ACKED_FIN, CLOSE_SECOND_FIN_ACKS_FIRST,
  CLOSE_SECOND_FIN, CLOSE_FIN_BEFORE_RST, REMOVED_END, REMOVED_ATTEMPT, REMOVED_CLOSE, REMOVED_INACTIVITY, REMOVED_REUSE,
  REMOVED_IDLE_EMPTY, REMOVED_EVICTED, REASM_NEXT, REASM_PENDING, REASM_ESTABLISHED,
} from "./connection-store.js";
import { FlowTable } from "./flow-table.js";
import { TimerQueue } from "./timer-queue.js";
import { portSet, ZEEK_LIKELY_SERVER_PORTS } from "./likely-server-ports.js";
import { noteAnomaly, anomalyBit } from "./anomalies.js";
import { parseCidr, cidrContains, type Cidr } from "./cidr.js";
import { SlotFifo } from "./slot-fifo.js";

/** Connection lifetimes in seconds; Zeek's defaults. */
export interface Timeouts {
  /** An originator SYN left unanswered this long ends the attempt (tcp_attempt_delay). */
  attempt: number;
  /** Linger after a close or reset completes (tcp_close_delay, tcp_reset_delay). */
  close: number;
  /** Inactivity while both sides are still in the handshake (udp_inactivity_timeout). */
  handshakeInactivity: number;
  /** Inactivity once a side is past the handshake (tcp_inactivity_timeout). */
  inactivity: number;
  /** Inactivity for connections to these server ports (Conn::port_inactivity_timeouts). */
  portInactivity: Record<number, number>;
}

export const ZEEK_TIMEOUTS: Timeouts = {
  attempt: 5,
  close: 5,
  handshakeInactivity: 60,
  inactivity: 300,
  portInactivity: { 21: 3600, 22: 3600, 23: 3600, 513: 3600 },
};

export interface TrackerOptions {
  /** Ports taken to be the server side of connections first seen mid-stream. */
  likelyServerPorts?: readonly number[];
  /** Act on checksum flags of the decoder (which must verify them). */
  verifyChecksums?: boolean;
  /** With verifyChecksums: packets from or to these prefixes are not checked (Zeek's ignore_checksums_nets). */
  ignoreChecksumsNets?: readonly string[];
  timeouts?: Partial<Timeouts>;
  /**
   * Track only the connections whose flow hash falls in this shard (hash mod count = index);
   * the clock and timers still advance with every packet, so each connection ends exactly as
   * it would without sharding.
   */
  shard?: { index: number; count: number };
  /**
   * Half-open connections (opened by a lone SYN, nothing since) kept at once (default
   * DEFAULT_MAX_HALF_OPEN; Infinity: no limit). Past it, the oldest ends at once, as its attempt
   * timer would have ended it later, with teardown "evicted": a SYN flood cannot exhaust memory.
   */
  maxHalfOpen?: number;
}

/** Far more than ordinary traffic holds at once; under a flood, ~110 bytes each (plus timers). */
export const DEFAULT_MAX_HALF_OPEN = 100_000;

/** TrackerOptions.maxHalfOpen as both trackers apply it: a whole number, at least 1, or Infinity. */
export function halfOpenLimit(options: TrackerOptions): number {
  return Math.max(1, Math.floor(options.maxHalfOpen ?? DEFAULT_MAX_HALF_OPEN));
}

export type EmitConnection = (store: ConnectionStore, slot: number) => void;

/** Optional observers, for tools that need more than the connection records (the ladder). */
export interface TrackerHooks {
  /** A connection was created in `slot`; `packet` is the packet that created it. */
  created?(store: ConnectionStore, slot: number, b: PacketBatch, i: number): void;
  /** An accepted packet; `fromSideA` says whether the connection's side 0 sent it. */
  packet?(slot: number, fromSideA: boolean, b: PacketBatch, i: number, time: number): void;
}

const TIMEOUT_IDLE_EMPTY = 5;
const CUR_TIME = 0;
const CUR_SEQ = 1;
const CUR_ACK = 2;
const SNAPLEN_BIT = anomalyBit("snaplen-truncated");
const REUSE_NEW_ISN = 1;
const REUSE_SIMULTANEOUS = 2;

function isClosed(state: number): boolean { return state === CLOSED || state === RESET; }
function seqLE(a: number, b: number): boolean { return ((a - b) | 0) <= 0; }
function seqGT(a: number, b: number): boolean { return ((a - b) | 0) > 0; }

export class ConnectionTracker {
  readonly store = new ConnectionStore();
  private readonly table = new FlowTable(this.store);
  private readonly timers = new TimerQueue();
  private readonly likely: Uint8Array;
  private readonly portTimeout = new Float64Array(65536);
  private readonly timeouts: Timeouts;
  private readonly verify: boolean;
  private readonly ignoreChecksums: Cidr[];
  private readonly shardIndex: number;
  private readonly shardCount: number;
  // Half-open connections, oldest first, as the WebAssembly tracker holds them (its pending
  // SYNs): the same admission rule, so that both end the same ones past maxHalfOpen.
  private readonly halfOpen = new SlotFifo(); // slots, each with when its timers first look at it
  private readonly maxHalfOpen: number;
  private lastHalfOpenDeadline = -Infinity;
  private halfOpenCheck = Infinity; // no half-open connection is due before this
  private baseSec = NaN;
  /** Added to packet indices: the packets of earlier files when several are read as one. */
  packetBase = 0;
  now = 0;
  /** Timeline quality: the largest silence between packets, and steps backwards in time. */
  maxGapSec = 0;
  backwardsSteps = 0;
  private lastPacketTime = NaN;
  // The packet being processed, in fields rather than arguments: a number passed to a function
  // that is not inlined, or kept in an ordinary field, may be boxed — sequence numbers above
  // 2^31 and times are — which would allocate on every packet. Doubles live in a typed array.
  private readonly cur = new Float64Array(3); // CUR_TIME, CUR_SEQ, CUR_ACK
  private flags = 0;
  private payload = 0;

  constructor(options: TrackerOptions, private readonly emit: EmitConnection, private readonly hooks: TrackerHooks = {}) {
    this.likely = portSet(options.likelyServerPorts ?? ZEEK_LIKELY_SERVER_PORTS);
    this.timeouts = { ...ZEEK_TIMEOUTS, ...options.timeouts };
    for (const [port, seconds] of Object.entries(this.timeouts.portInactivity)) this.portTimeout[Number(port)] = seconds;
    this.verify = options.verifyChecksums ?? false;
    this.ignoreChecksums = (options.ignoreChecksumsNets ?? []).map(parseCidr);
    this.shardIndex = options.shard?.index ?? 0;
    this.shardCount = options.shard?.count ?? 1;
    this.maxHalfOpen = halfOpenLimit(options);
  }

  // The record fields are read straight from the batch's typed arrays: accessor calls that V8
  // does not inline return boxed numbers (times, sequence numbers), an allocation each.
  processBatch(b: PacketBatch): void {
    for (let i = 0; i < b.count; i++) this.processPacket(b, i);
  }

  /**
   * Ends the connections still open (end of input), in the order they began, at most `max` of
   * them per call so that a caller can stream them out; returns true once none is left.
   */
  finish(max = Infinity): boolean {
    const s = this.store;
    if (!this.closing) {
      const open: number[] = [];
      for (let slot = 0; slot < s.capacity; slot++) if (s.inUse[slot]) open.push(slot);
      this.closing = Int32Array.from(open.sort((a, b) => s.id[a]! - s.id[b]!));
      this.closed = 0;
    }
    const end = Math.min(this.closing.length, this.closed + max);
    for (; this.closed < end; this.closed++) this.remove(this.closing[this.closed]!, REMOVED_END, Infinity);
    return this.closed === this.closing.length;
  }

  private closing: Int32Array | null = null;
  private closed = 0;

  // --------------------------------------------------------------------------------------
  // One packet.

  private processPacket(b: PacketBatch, i: number): void {
    const stop = b.u8[i * L.RECORD_SIZE + L.REC_STOP_LAYER]!;
    const packetFlags = b.u8[i * L.RECORD_SIZE + L.REC_PACKET_FLAGS]!;
    // Zeek drops these before any connection exists: fewer than 20 header bytes, impossible
    // header length, bad IPv4 header checksum, and TSO length-0 IPv4 when checksums count.
    const verify = this.verify && !(packetFlags & L.PKT_CHECKSUM_BAD && this.checksumsIgnored(b, i));
    if (stop === L.LAYER_TCP || (verify && packetFlags & L.PKT_IP_CHECKSUM_BAD)
      || (verify && packetFlags & L.PKT_IP_LEN_FROM_CAPTURE && b.u8[i * L.RECORD_SIZE + L.REC_IP_VERSION]! === 4)) {
      return;
    }
    const secs = b.f64[i * 16 + L.REC_TS_SEC / 8]!;
    if (this.baseSec !== this.baseSec) this.baseSec = secs;
    const t = secs - this.baseSec + b.u32[i * 32 + L.REC_TS_NSEC / 4]! * 1e-9;
    if (t > this.now) this.now = t;
    if (t < this.lastPacketTime) this.backwardsSteps++;
    else if (t - this.lastPacketTime > this.maxGapSec) this.maxGapSec = t - this.lastPacketTime;
    this.lastPacketTime = t;
    this.cur[CUR_TIME] = t;
    if (this.timers.size > 0 && this.timers.peekDeadline() <= t) this.expire();
    if (t >= this.halfOpenCheck) this.dropDueHalfOpen(t);
    if (this.shardCount > 1 && (b.u32[i * 32 + L.REC_FLOW_HASH / 4]! % this.shardCount) !== this.shardIndex) return;

    const s = this.store;
    const flags = b.u16[i * 64 + L.REC_TCP_FLAGS / 2]!;
    this.flags = flags;
    this.cur[CUR_SEQ] = b.u32[i * 32 + L.REC_SEQ / 4]!;
    this.cur[CUR_ACK] = b.u32[i * 32 + L.REC_ACK / 4]!;
    this.payload = b.u32[i * 32 + L.REC_PAYLOAD_LEN / 4]!;
    // Keys are handled as int32: numbers above 2^31 would be boxed (allocated) when passed.
    const words = b.i32;
    const srcAt = (i * L.RECORD_SIZE + L.REC_SRC_ADDR) >> 2, dstAt = (i * L.RECORD_SIZE + L.REC_DST_ADDR) >> 2;
    const sport = b.u16[i * 64 + L.REC_SRC_PORT / 2]!, dport = b.u16[i * 64 + L.REC_DST_PORT / 2]!;
    const ports = (sport << 16) | dport;
    const version = b.u8[i * L.RECORD_SIZE + L.REC_IP_VERSION]!;
    const hash = b.i32[i * 32 + L.REC_FLOW_HASH / 4]!;

    let slot = this.table.find(hash, words, srcAt, dstAt, ports, version);
    let fromA = this.table.fromSideA;
    if (slot >= 0) this.halfOpen.delete(slot); // a second packet: no longer half-open
    let carried = 0; // handshake evidence the new connection inherits from the one it replaces
    if (slot >= 0 && flags & L.FLAG_SYN && this.isReuse(slot, fromA)) {
      carried = this.reuseEvidence(slot, fromA);
      this.remove(slot, REMOVED_REUSE, t);
      slot = -1;
    }
    if (slot < 0) {
      const halfOpen = carried === 0 && this.opensHalfOpen(stop, verify, packetFlags);
      slot = this.create(b, i, hash, words, srcAt, dstAt, ports, version, sport, dport);
      if (halfOpen) {
        if (this.halfOpen.size === 0) this.halfOpenCheck = this.lastHalfOpenDeadline;
        this.halfOpen.push(slot, this.lastHalfOpenDeadline);
      }
      fromA = true;
      if (carried === REUSE_NEW_ISN) noteAnomaly(s, slot, "syn-retransmit-different-isn");
      if (carried === REUSE_SIMULTANEOUS) s.handshakeFlags[slot]! |= HS_SIMULTANEOUS;
    }
    // A header whose options were cut by the snaplen: the connection exists, the packet is not used.
    if (stop === L.LAYER_TCP_OPTIONS && b.u8[i * L.RECORD_SIZE + L.REC_STOP_REASON] === L.STOP_TRUNCATED) return;
    const sender = slot * 2 + (fromA ? 0 : 1);
    if (verify && packetFlags & L.PKT_CHECKSUM_BAD) {
      // Recorded, then dropped: no state change, not counted.
      s.badChecksums[sender]!++;
      this.logLetter(slot, sender, s.badChecksums[sender]!, "C");
      noteAnomaly(s, slot, "bad-checksum");
      return;
    }
    this.accept(b, i, slot, fromA);
    if (this.hooks.packet) this.hooks.packet(slot, fromA, b, i, this.cur[CUR_TIME]!);
  }

  // Does this packet open a half-open connection the WebAssembly tracker would hold as a
  // pending SYN (a pure SYN, whole, not dropped, due no earlier than the last one held)? If so,
  // and as many are held as allowed, the oldest ends now.
  private opensHalfOpen(stop: number, verify: boolean, packetFlags: number): boolean {
    if ((this.flags & (L.FLAG_SYN | L.FLAG_ACK | L.FLAG_FIN | L.FLAG_RST)) !== L.FLAG_SYN || this.payload !== 0) return false;
    if (stop !== L.LAYER_NONE || (verify && packetFlags & L.PKT_CHECKSUM_BAD)) return false;
    const t = this.cur[CUR_TIME]!;
    const attempt = this.now + this.timeouts.attempt, idleEmpty = t + TIMEOUT_IDLE_EMPTY;
    const deadline = attempt < idleEmpty ? attempt : idleEmpty;
    if (deadline < this.lastHalfOpenDeadline) return false;
    this.lastHalfOpenDeadline = deadline;
    if (this.halfOpen.size >= this.maxHalfOpen) {
      this.remove(this.halfOpen.oldest(), REMOVED_EVICTED, t);
    }
    return true;
  }

  // Half-open no more once their timers have looked at them (the WebAssembly tracker promotes
  // its pending SYNs then). Deadline order: the oldest go first.
  private dropDueHalfOpen(t: number): void {
    while (this.halfOpen.size > 0 && this.halfOpen.oldestDeadline() <= t) this.halfOpen.delete(this.halfOpen.oldest());
    this.halfOpenCheck = this.halfOpen.oldestDeadline();
  }

  private checksumsIgnored(b: PacketBatch, i: number): boolean {
    if (this.ignoreChecksums.length === 0) return false;
    const v = b.u8[i * L.RECORD_SIZE + L.REC_IP_VERSION]!, src = (i * L.RECORD_SIZE + L.REC_SRC_ADDR) >> 2, dst = (i * L.RECORD_SIZE + L.REC_DST_ADDR) >> 2;
    return this.ignoreChecksums.some((c) => cidrContains(c, v, b.u32, src) || cidrContains(c, v, b.u32, dst));
  }

  // Zeek's reuse test (section 7): does this SYN start a new connection on these endpoints?
  private isReuse(slot: number, fromA: boolean): boolean {
    const s = this.store;
    const flags = this.flags, seq = this.cur[CUR_SEQ]!;
    const o = slot * 2 + s.flipped[slot]!, r = o ^ 1;
    const so = s.state[o]!, sr = s.state[r]!;
    if (so === CLOSED || so === RESET || sr === CLOSED || sr === RESET) return true;
    const sender = slot * 2 + (fromA ? 0 : 1);
    if (!(flags & L.FLAG_ACK)) {
      // The SYN that completes a SYN/ACK seen first is not reuse: it flips the connection.
      if (sender === r && so === SYN_ACK_SENT && this.expectsSyn(slot)) return false;
      return !(s.seen[o]! & SEEN_ISN) || s.isn[o] !== seq;
    }
    if (so !== INACTIVE) return false;
    return !(s.seen[r]! & SEEN_ISN) || s.isn[r] !== seq;
  }

  // What a SYN that ends a connection says about the handshake: the originator retrying with a
  // new ISN, or the responder's own SYN crossing the originator's (simultaneous open, which
  // Zeek splits into two connections: both are marked).
  private reuseEvidence(slot: number, fromA: boolean): number {
    const s = this.store;
    if (this.flags & L.FLAG_ACK) return 0;
    const o = slot * 2 + s.flipped[slot]!;
    const sender = slot * 2 + (fromA ? 0 : 1);
    if (s.state[o] !== SYN_SENT) return 0;
    if (sender === o) return REUSE_NEW_ISN;
    if (s.state[o ^ 1] === INACTIVE) {
      s.handshakeFlags[slot]! |= HS_SIMULTANEOUS;
      return REUSE_SIMULTANEOUS;
    }
    return 0;
  }

  private expectsSyn(slot: number): boolean {
    const s = this.store;
    return (s.handshakeFlags[slot]! & HS_EXPECT_SYN) !== 0 && s.expectedSynSeq[slot] === this.cur[CUR_SEQ]!;
  }

  private create(
    b: PacketBatch, i: number, hash: number, words: Int32Array, srcAt: number, dstAt: number,
    ports: number, version: number, sport: number, dport: number,
  ): number {
    const s = this.store;
    const t = this.cur[CUR_TIME]!, flags = this.flags;
    const slot = s.allocate();
    const k = slot * KEY_WORDS;
    for (let w = 0; w < 4; w++) {
      s.key[k + w] = words[srcAt + w]!;
      s.key[k + 4 + w] = words[dstAt + w]!;
    }
    s.key[k + 8] = ports;
    s.key[k + 9] = version;
    s.flowHash[slot] = hash;
    s.id[slot] = b.f64[i * 16 + L.REC_PACKET_INDEX / 8]! + this.packetBase + 1;
    s.firstSec[slot] = b.f64[i * 16 + L.REC_TS_SEC / 8]!;
    s.firstNsec[slot] = b.u32[i * 32 + L.REC_TS_NSEC / 4]!;
    s.firstTime[slot] = t;
    s.lastTime[slot] = t;
    s.durationEnd[slot] = t;
    s.firstPacket[slot] = (b.f64[i * 16 + L.REC_PACKET_INDEX / 8]! + this.packetBase);
    s.lastPacket[slot] = (b.f64[i * 16 + L.REC_PACKET_INDEX / 8]! + this.packetBase);
    s.vlan[slot] = b.u16[i * 64 + L.REC_VLAN / 2]!;
    s.innerVlan[slot] = b.u16[(i * L.RECORD_SIZE + L.REC_INNER_VLAN) >> 1]!;
    s.inactivityTimeout[slot] = this.timeouts.handshakeInactivity;
    // Orientation (section 2.1): a pure SYN's sender originates; anything else is flipped
    // towards a likely server port.
    const pureSyn = (flags & (L.FLAG_SYN | L.FLAG_ACK)) === L.FLAG_SYN;
    if (!pureSyn && !this.isBroadcast(words, dstAt, version)) {
      const srcLikely = this.likely[sport] === 1, dstLikely = this.likely[dport] === 1;
      if ((srcLikely && !dstLikely) || (srcLikely && dstLikely && !(flags & L.FLAG_SYN) && sport < dport)) {
        s.flipped[slot] = 1;
        s.history[slot] = "^";
      }
    }
    this.table.insert(slot, hash);
    this.schedule(slot, t + TIMEOUT_IDLE_EMPTY);
    this.hooks.created?.(s, slot, b, i);
    return slot;
  }

  private isBroadcast(words: Int32Array, at: number, version: number): boolean {
    return version === 4 && words[at] === -1;
  }

  // --------------------------------------------------------------------------------------
  // An accepted packet: history, states, counters, handshake and close evidence, timers.

  private accept(b: PacketBatch, i: number, slot: number, fromA: boolean): void {
    const s = this.store;
    const t = this.cur[CUR_TIME]!, flags = this.flags, seq = this.cur[CUR_SEQ]!;
    let sender = slot * 2 + (fromA ? 0 : 1);
    let isOrig = sender === slot * 2 + s.flipped[slot]!;
    const payload = this.payload;
    const syn = (flags & L.FLAG_SYN) !== 0, fin = (flags & L.FLAG_FIN) !== 0;
    const rst = (flags & L.FLAG_RST) !== 0, ack = (flags & L.FLAG_ACK) !== 0;
    const peer = sender ^ 1;

    // The classification letter (section 5.1) and whether it is recorded (5.2).
    const controls = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
    let letter = "";
    if (controls >= 2) {
      const bit = fin && rst ? ONCE_I : ONCE_Q;
      if (!(s.once[sender]! & bit)) { s.once[sender]! |= bit; letter = fin && rst ? "I" : "Q"; }
    } else if (syn) {
      if (!(s.seen[sender]! & SEEN_SYN) || s.lastSynSeq[sender] !== seq) letter = ack ? "H" : "S";
      s.seen[sender]! |= SEEN_SYN;
      s.lastSynSeq[sender] = seq;
    } else if (fin) {
      const pos = (seq + payload) >>> 0;
      if (!(s.seen[sender]! & SEEN_FIN) || s.lastFinPos[sender] !== pos) letter = "F";
      s.seen[sender]! |= SEEN_FIN;
      s.lastFinPos[sender] = pos;
    } else if (rst) {
      if (!(s.seen[sender]! & SEEN_RST) || s.lastRstSeq[sender] !== seq) letter = "R";
      s.seen[sender]! |= SEEN_RST;
      s.lastRstSeq[sender] = seq;
    } else if (payload > 0) {
      if (!(s.once[sender]! & ONCE_D)) { s.once[sender]! |= ONCE_D; letter = "D"; }
    } else if (ack) {
      if (!(s.once[sender]! & ONCE_A)) { s.once[sender]! |= ONCE_A; letter = "A"; }
    }

    // Flip 2.2(1): a lone SYN/ACK followed by an ACK or data turns the roles round.
    if ((letter === "A" || letter === "D") && s.history[slot] === "H") {
      s.flipped[slot]! ^= 1;
      s.history[slot] = "^h";
      isOrig = !isOrig;
    }
    // Flip 2.2(2): the SYN answering a SYN/ACK that was captured first.
    let reversal = false;
    if (syn && !ack && !isOrig && s.state[peer] === SYN_ACK_SENT && this.expectsSyn(slot)) reversal = true;
    if (letter) s.history[slot] += isOrig ? letter : letter.toLowerCase();
    if (reversal) {
      s.flipped[slot]! ^= 1;
      s.history[slot] += "^";
      isOrig = true;
      s.state[sender] = ESTABLISHED;
      s.state[peer] = ESTABLISHED;
    }

    // Retransmissions (T) and zero windows (W), logarithmically per direction.
    const dataStart = (seq + (syn ? 1 : 0)) >>> 0;
    const top = (dataStart + payload) >>> 0;
    if (payload > 0 && !rst && s.state[sender] !== RESET) {
      if (s.seen[sender]! & SEEN_TOP && seqLE(top, s.topSeq[sender]!)) {
        s.retransmits[sender]!++;
        this.logLetter(slot, sender, s.retransmits[sender]!, "T");
      }
    }
    if (!rst && (!(s.seen[sender]! & SEEN_TOP) || seqGT(top, s.topSeq[sender]!))) {
      s.topSeq[sender] = top;
      s.seen[sender]! |= SEEN_TOP;
    }
    if (b.u16[i * 64 + L.REC_WINDOW / 2]! === 0 && !rst && s.state[sender] !== RESET && s.state[peer] !== CLOSED) {
      s.zeroWindows[sender]!++;
      this.logLetter(slot, sender, s.zeroWindows[sender]!, "W");
      if (s.zeroWindows[sender] === 1) noteAnomaly(s, slot, "zero-window");
    }

    // Sequence bookkeeping for sizes and the reuse test.
    if (!(s.seen[sender]! & SEEN_ISN)) { s.isn[sender] = seq; s.seen[sender]! |= SEEN_ISN; }
    if (!(s.seen[sender]! & SEEN_START) && !rst) { s.startSeq[sender] = dataStart; s.seen[sender]! |= SEEN_START; }

    this.noteHandshake(b, i, slot, sender, isOrig);
    this.noteClose(slot, sender);

    const wasBothClosed = isClosed(s.state[sender]!) && isClosed(s.state[peer]!);
    if (!reversal) this.updateStates(slot, sender, isOrig);
    if (s.state[sender] === ESTABLISHED) s.reasm[sender]! |= REASM_ESTABLISHED;
    if (s.state[peer] === ESTABLISHED) s.reasm[peer]! |= REASM_ESTABLISHED;
    this.reassemble(b, i, slot, sender);

    // Counters.
    s.pkts[sender]!++;
    s.ipBytes[sender]! += b.u32[i * 32 + L.REC_IP_LEN / 4]!;
    s.payloadBytes[sender]! += payload;
    if (syn && !ack) s.syns[sender]!++;
    if (syn && ack) s.synAcks[sender]!++;
    if (fin) s.fins[sender]!++;
    if (rst) s.rsts[sender]!++;
    if (syn && payload > 0) noteAnomaly(s, slot, "syn-with-data");
    if (b.u8[i * L.RECORD_SIZE + L.REC_PACKET_FLAGS]! & L.PKT_PAYLOAD_TRUNCATED && !(s.anomalyBits[slot]! & SNAPLEN_BIT)) noteAnomaly(s, slot, "snaplen-truncated");

    // Time: the duration stops growing once both sides have closed.
    s.lastTime[slot] = t;
    s.lastPacket[slot] = (b.f64[i * 16 + L.REC_PACKET_INDEX / 8]! + this.packetBase);
    if (!wasBothClosed) s.durationEnd[slot] = t;

    this.updateTimers(slot, sender, isOrig);
  }

  // Content gaps (history G/g): bytes of a stream that its peer acknowledged but that were
  // never delivered — lost, or cut by the snaplen. Reported only while both endpoints are
  // "clean" (ESTABLISHED, or closed after being ESTABLISHED), as Zeek does.
  private reassemble(b: PacketBatch, i: number, slot: number, sender: number): void {
    const s = this.store;
    const flags = this.flags, ackNo = this.cur[CUR_ACK]!, payload = this.payload;
    const dataStart = (this.cur[CUR_SEQ]! + (flags & L.FLAG_SYN ? 1 : 0)) >>> 0;
    const e = sender;
    if (!(s.reasm[e]! & REASM_NEXT)) {
      if (flags & L.FLAG_RST) return;
      s.nextSeq[e] = dataStart;
      s.reasm[e]! |= REASM_NEXT;
    }
    // Deliver this segment's payload when it was captured whole and is in order.
    const captured = !(b.u8[i * L.RECORD_SIZE + L.REC_PACKET_FLAGS]! & L.PKT_PAYLOAD_TRUNCATED);
    if (payload > 0 && captured && !(flags & L.FLAG_RST)) {
      const end = (dataStart + payload) >>> 0;
      if (seqLE(dataStart, s.nextSeq[e]!)) {
        if (seqGT(end, s.nextSeq[e]!)) s.nextSeq[e] = end;
      } else if (!(s.reasm[e]! & REASM_PENDING)) {
        s.pendingStart[e] = dataStart;
        s.pendingEnd[e] = end;
        s.reasm[e]! |= REASM_PENDING;
      } else {
        // One block is kept: the hull of everything above the hole (holes inside it are
        // taken as filled later, which undercounts rather than invents gaps).
        if (seqGT(s.pendingStart[e]!, dataStart)) s.pendingStart[e] = dataStart;
        if (seqGT(end, s.pendingEnd[e]!)) s.pendingEnd[e] = end;
      }
      this.mergePending(e);
    }
    this.passFin(e);
    // The peer's stream: does this ACK cover bytes never delivered?
    const p = e ^ 1;
    if (flags & L.FLAG_ACK && !(flags & L.FLAG_RST) && s.reasm[p]! & REASM_NEXT && seqGT(ackNo, s.nextSeq[p]!)) {
      if (this.clean(e) && this.clean(p)) {
        s.gaps[p]!++;
        this.logLetter(slot, p, s.gaps[p]!, "G");
      }
      s.nextSeq[p] = ackNo;
      this.mergePending(p);
    }
  }

  private clean(e: number): boolean {
    const s = this.store;
    return (s.reasm[e]! & REASM_ESTABLISHED) !== 0 && (s.state[e] === ESTABLISHED || s.state[e] === CLOSED);
  }

  // The FIN takes one sequence number: step over it once the stream has reached it.
  private passFin(e: number): void {
    const s = this.store;
    if (s.seen[e]! & SEEN_FIN && s.lastFinPos[e] === s.nextSeq[e]) s.nextSeq[e] = (s.nextSeq[e]! + 1) >>> 0;
  }

  private mergePending(e: number): void {
    const s = this.store;
    if (!(s.reasm[e]! & REASM_PENDING) || seqGT(s.pendingStart[e]!, s.nextSeq[e]!)) return;
    if (seqGT(s.pendingEnd[e]!, s.nextSeq[e]!)) s.nextSeq[e] = s.pendingEnd[e]!;
    s.reasm[e]! &= ~REASM_PENDING;
    this.passFin(e);
  }

  // Endpoint state transitions (section 3), chosen by the sender's current state.
  private updateStates(slot: number, sender: number, isOrig: boolean): void {
    const s = this.store;
    const flags = this.flags, payload = this.payload, ackNo = this.cur[CUR_ACK]!;
    const peer = sender ^ 1;
    const syn = (flags & L.FLAG_SYN) !== 0, fin = (flags & L.FLAG_FIN) !== 0;
    const rst = (flags & L.FLAG_RST) !== 0, ack = (flags & L.FLAG_ACK) !== 0;
    const state = s.state[sender]!;
    switch (state) {
      case INACTIVE: {
        if (syn) {
          if (isOrig) {
            s.state[sender] = ack ? SYN_ACK_SENT : SYN_SENT;
            s.attemptDeadline[slot] = this.now + this.timeouts.attempt;
            this.schedule(slot, s.attemptDeadline[slot]!);
            if (ack) {
              s.expectedSynSeq[slot] = (ackNo - 1) >>> 0;
              s.handshakeFlags[slot]! |= HS_EXPECT_SYN;
            }
          } else if (ack) {
            s.state[sender] = ESTABLISHED;
            if (s.state[peer] === SYN_SENT) s.state[peer] = ESTABLISHED;
          } else {
            s.state[sender] = SYN_SENT;
          }
        }
        if (fin) s.state[sender] = CLOSED;
        if (rst) s.state[sender] = RESET;
        if (!syn && !fin && !rst) {
          if (!isOrig && payload === 0 && s.state[peer] === SYN_SENT) break;
          s.state[sender] = ack && s.state[peer] === ESTABLISHED ? ESTABLISHED : PARTIAL;
        }
        break;
      }
      case SYN_SENT:
      case SYN_ACK_SENT:
        if (fin) s.state[sender] = CLOSED;
        if (rst) s.state[sender] = RESET;
        break;
      case ESTABLISHED:
      case PARTIAL:
        if (syn && !ack && state === PARTIAL && s.state[peer] === INACTIVE) s.state[sender] = SYN_SENT;
        if (fin && !rst) {
          s.state[sender] = CLOSED;
          if (s.state[peer] === RESET && s.seen[peer]! & SEEN_CLOSED_BEFORE_RESET) s.state[peer] = CLOSED;
        }
        if (rst) s.state[sender] = RESET;
        break;
      case CLOSED:
        if (rst && s.state[peer] !== CLOSED) {
          s.state[sender] = RESET;
          s.seen[sender]! |= SEEN_CLOSED_BEFORE_RESET;
        }
        break;
      default: // RESET is final
        break;
    }
  }

  // Handshake evidence: SYN/ACK validation by sequence numbers, RTT of each leg, options.
  private noteHandshake(b: PacketBatch, i: number, slot: number, sender: number, isOrig: boolean): void {
    const s = this.store;
    const t = this.cur[CUR_TIME]!, flags = this.flags, ackNo = this.cur[CUR_ACK]!, payload = this.payload;
    const syn = flags & L.FLAG_SYN, ack = flags & L.FLAG_ACK;
    if (syn && !(flags & L.FLAG_RST)) {
      // RTTs are measured from the last transmission before the answer.
      const answered = ack ? s.handshakeFlags[slot]! & HS_ACK_SEEN : s.handshakeFlags[slot]! & HS_SYN_ACK_ANSWERED;
      if (!answered) {
        s.lastSynTime[sender] = t;
        if (!ack) s.synPacket[slot] = (b.f64[i * 16 + L.REC_PACKET_INDEX / 8]! + this.packetBase);
      }
      const r = i * L.RECORD_SIZE;
      s.mss[sender] = b.u16[(r + L.REC_MSS) >> 1]!;
      s.windowScale[sender] = b.u16[i * 64 + L.REC_OPTIONS / 2]! & L.OPT_WSCALE ? b.u8[r + L.REC_WSCALE]! : 0xff;
      s.optionBits[sender] = b.u16[i * 64 + L.REC_OPTIONS / 2]!;
      s.ecnBits[sender] = (flags >> 6) & 7;
      s.tfoCookieLen[sender] = b.u16[i * 64 + L.REC_OPTIONS / 2]! & L.OPT_TFO ? b.u8[r + L.REC_TFO_COOKIE_LEN]! : -1;
      s.synPayload[sender] = payload;
      if (ack && !isOrig && s.syns[sender ^ 1]! > 0 && !(s.handshakeFlags[slot]! & HS_SYN_ACK_ANSWERED)) {
        const o = sender ^ 1;
        // The SYN/ACK acknowledges the SYN, and the data on it when the server took it (TFO).
        const synEnd = (s.lastSynSeq[o]! + 1) >>> 0;
        if (ackNo === synEnd || ackNo === ((synEnd + s.synPayload[o]!) >>> 0)) {
          s.handshakeFlags[slot]! |= HS_SYN_ACK_ANSWERED;
          s.synAckTime[slot] = t;
          s.synAckPacket[slot] = (b.f64[i * 16 + L.REC_PACKET_INDEX / 8]! + this.packetBase);
          s.synTimeAnswered[slot] = s.lastSynTime[o]!;
        } else {
          s.handshakeFlags[slot]! |= HS_SYN_ACK_MISMATCH;
          noteAnomaly(s, slot, "syn-ack-wrong-ack");
        }
      }
      return;
    }
    const hs = s.handshakeFlags[slot]!;
    if (isOrig && hs & HS_SYN_ACK_ANSWERED && !(hs & HS_ACK_SEEN) && !(hs & HS_RST_BEFORE_ACK)) {
      if (flags & L.FLAG_RST) { s.handshakeFlags[slot]! |= HS_RST_BEFORE_ACK; return; }
      if (!ack) return;
      s.handshakeFlags[slot]! |= HS_ACK_SEEN;
      s.handshakeAckTime[slot] = t;
      s.ackPacket[slot] = (b.f64[i * 16 + L.REC_PACKET_INDEX / 8]! + this.packetBase);
      s.ackPayload[slot] = payload;
      s.synAckTimeAnswered[slot] = s.lastSynTime[sender ^ 1]!;
      if (ackNo !== ((s.lastSynSeq[sender ^ 1]! + 1) >>> 0)) {
        s.handshakeFlags[slot]! |= HS_ACK_MISMATCH;
        noteAnomaly(s, slot, "handshake-ack-wrong-ack");
      }
    } else if (!isOrig && hs & HS_SYN_ACK_ANSWERED && !(hs & HS_ACK_SEEN) && flags & L.FLAG_RST) {
      s.handshakeFlags[slot]! |= HS_RST_BEFORE_ACK;
    }
    if (isOrig && ack && !(hs & HS_SYN_ACK_ANSWERED) && s.syns[sender]! > 0 && s.synAcks[sender ^ 1] === 0 && !(flags & L.FLAG_RST)) {
      noteAnomaly(s, slot, "ack-without-syn-ack");
    }
  }

  // Teardown evidence: who closed first, and whether the second FIN rode on the ACK of the first.
  private noteClose(slot: number, sender: number): void {
    const s = this.store;
    const flags = this.flags, seq = this.cur[CUR_SEQ]!, ackNo = this.cur[CUR_ACK]!, payload = this.payload;
    const side = (sender & 1) + 1;
    if (flags & (L.FLAG_RST | L.FLAG_FIN) && s.firstCloseSide[slot] === 0) s.firstCloseSide[slot] = side;
    if (flags & L.FLAG_RST && s.firstRstSide[slot] === 0) {
      s.firstRstSide[slot] = side;
      if (s.firstFinSide[slot] !== 0) s.closeFlags[slot]! |= CLOSE_FIN_BEFORE_RST;
    }
    const first = s.firstFinSide[slot]!;
    if (first !== 0 && first !== side && flags & L.FLAG_ACK && !(s.closeFlags[slot]! & CLOSE_SECOND_FIN)) {
      const acksFin = seqGT(ackNo, (s.firstFinEnd[slot]! - 1) >>> 0);
      if (flags & L.FLAG_FIN) {
        s.closeFlags[slot]! |= CLOSE_SECOND_FIN | (acksFin ? CLOSE_SECOND_FIN_ACKS_FIRST : 0);
      } else if (acksFin) {
        s.closeFlags[slot]! |= CLOSE_PEER_ACKED_FIN;
      }
    }
    if (flags & L.FLAG_FIN) {
      if (first === 0) {
        s.firstFinSide[slot] = side;
        s.firstFinEnd[slot] = (seq + payload + 1 + (flags & L.FLAG_SYN ? 1 : 0)) >>> 0;
      } else if (first === side && s.state[sender] !== CLOSED && s.state[sender] !== RESET) {
        s.firstFinEnd[slot] = (seq + payload + 1) >>> 0;
      } else if (first === side && s.fins[sender]! > 0 && !(s.closeFlags[slot]! & CLOSE_SECOND_FIN)) {
        noteAnomaly(s, slot, "fin-retransmit");
      }
    } else if (payload > 0 && (s.state[sender] === CLOSED)) {
      noteAnomaly(s, slot, "data-after-fin");
    }
  }

  private updateTimers(slot: number, sender: number, isOrig: boolean): void {
    const s = this.store;
    const t = this.cur[CUR_TIME]!, flags = this.flags;
    const peer = sender ^ 1;
    const so = s.state[sender]!, sp = s.state[peer]!;
    // Inactivity: one minute while both are in the handshake, five after; an hour for a few
    // server ports once the responder answers.
    if (s.inactivityTimeout[slot] === this.timeouts.handshakeInactivity && !(inHandshake(so) && inHandshake(sp))) {
      s.inactivityTimeout[slot] = this.timeouts.inactivity;
    }
    if (!isOrig && flags & L.FLAG_SYN) {
      const o = slot * 2 + s.flipped[slot]!;
      const k = slot * KEY_WORDS + 8;
      const respPort = o === slot * 2 ? s.key[k]! & 0xffff : s.key[k]! >>> 16;
      const portTimeout = this.portTimeout[respPort]!;
      if (portTimeout > 0) s.inactivityTimeout[slot] = portTimeout;
    }
    // A completed close lingers, then ends the connection; later packets do not postpone it.
    if (flags & (L.FLAG_FIN | L.FLAG_RST) && s.closeDeadline[slot] === 0) {
      const done = so === RESET || (so === CLOSED && (sp === CLOSED || sp === RESET)) || sp === INACTIVE;
      if (done && (so === CLOSED || so === RESET)) {
        s.closeDeadline[slot] = t + this.timeouts.close;
        this.schedule(slot, s.closeDeadline[slot]!);
      }
    }
  }

  // --------------------------------------------------------------------------------------
  // Timers and removal.

  private schedule(slot: number, deadline: number): void {
    const s = this.store;
    const queued = s.queuedDeadline[slot]!;
    if (queued !== 0 && queued <= deadline) return;
    s.queuedDeadline[slot] = deadline;
    this.timers.push(deadline, slot, s.generation[slot]!);
  }

  /** The earliest time at which a timer of this connection can end it. */
  private nextDeadline(slot: number): number {
    const s = this.store;
    let d = s.lastTime[slot]! + s.inactivityTimeout[slot]!;
    if (s.attemptDeadline[slot]! > 0 && s.attemptDeadline[slot]! < d) d = s.attemptDeadline[slot]!;
    if (s.closeDeadline[slot]! > 0 && s.closeDeadline[slot]! < d) d = s.closeDeadline[slot]!;
    const o = slot * 2;
    if (s.state[o] === INACTIVE && s.state[o + 1] === INACTIVE) {
      const empty = s.firstTime[slot]! + TIMEOUT_IDLE_EMPTY;
      if (empty < d) d = empty;
    }
    return d;
  }

  // Fires the timers due at time t (all of them at the end of input).
  private expire(): void {
    const s = this.store;
    const t = this.cur[CUR_TIME]!;
    const q = this.timers;
    while (q.size > 0 && q.peekDeadline() <= t) {
      const deadline = q.peekDeadline(), slot = q.peekSlot(), generation = q.peekGeneration();
      q.pop();
      if (s.generation[slot] !== generation || s.queuedDeadline[slot] !== deadline) continue; // stale
      s.queuedDeadline[slot] = 0;
      const why = this.dueReason(slot, deadline);
      if (why >= 0) this.remove(slot, why, deadline);
      else this.schedule(slot, this.nextDeadline(slot));
    }
  }

  // Which timer ends the connection at `now`, or -1 if none does (yet).
  private dueReason(slot: number, now: number): number {
    const s = this.store;
    const o = slot * 2 + s.flipped[slot]!, r = o ^ 1;
    if (s.closeDeadline[slot]! > 0 && s.closeDeadline[slot]! <= now) return REMOVED_CLOSE;
    if (s.attemptDeadline[slot]! > 0 && s.attemptDeadline[slot]! <= now) {
      s.attemptDeadline[slot] = 0;
      const so = s.state[o]!;
      if ((so === SYN_SENT || so === SYN_ACK_SENT) && s.state[r] === INACTIVE) return REMOVED_ATTEMPT;
    }
    if (s.state[o] === INACTIVE && s.state[r] === INACTIVE && s.firstTime[slot]! + TIMEOUT_IDLE_EMPTY <= now) return REMOVED_IDLE_EMPTY;
    if (s.lastTime[slot]! + s.inactivityTimeout[slot]! <= now) return REMOVED_INACTIVITY;
    return -1;
  }

  private remove(slot: number, why: number, at: number): void {
    const s = this.store;
    this.halfOpen.delete(slot);
    s.removedBy[slot] = why;
    s.removedAt[slot] = at;
    this.table.remove(slot, s.flowHash[slot]!);
    this.emit(s, slot);
    s.release(slot);
  }

  private logLetter(slot: number, sender: number, count: number, letter: string): void {
    // Appended when the count reaches 1, 10, 100, ...
    let n = count;
    while (n % 10 === 0) n /= 10;
    if (n !== 1) return;
    const s = this.store;
    const isOrig = sender === slot * 2 + s.flipped[slot]!;
    s.history[slot] += isOrig ? letter : letter.toLowerCase();
  }
}
