// The connection tracker: feeds decoded TCP packet records through Zeek's connection model
// (shared/notes/zeek-conn-semantics.md) — orientation and flips, endpoint states, the history
// letters, connection reuse and the timers that end connections — and hands each connection
// to `emit` when it ends: on a timer, on reuse of its endpoints, or at the end of the input.
// Memory is bounded by the connections open at once; nothing is allocated per packet.
//
// This file is the path of one packet; the rules are in modules by concern, each a function of
// the tracker's context (tracker-context.ts): orientation and creation, endpoints (history
// letters, sequence numbers, states), handshake, teardown, gaps, lifetime (timers, removal) and
// half-open connections, and Wireshark's TCP analysis (tracker-analysis.ts). The WebAssembly tracker (assembly/tracker/) is split the same way and
// follows these files rule for rule.

import * as L from "../../assembly/layout.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import { ESTABLISHED, SYN_ACK_SENT } from "./endpoint-state.js";
import { HS_SIMULTANEOUS, REMOVED_END, REMOVED_REUSE, REASM_ESTABLISHED } from "./connection-store.js";
import { noteAnomaly, anomalyBit } from "./anomalies.js";
import { TrackerContext, CUR_ACK, CUR_SEQ, CUR_TIME, isClosed } from "./tracker-context.js";
import type { TrackerOptions, EmitConnection, TrackerHooks } from "./tracker-options.js";
import {
  create, isReuse, reuseEvidence, expectsSyn, regroupsCutSyn, REUSE_NEW_ISN, REUSE_SIMULTANEOUS,
} from "./tracker-orientation.js";
import { historyLetter, noteSequence, updateStates } from "./tracker-endpoints.js";
import { noteHandshake, noteCutSyn } from "./tracker-handshake.js";
import { noteClose } from "./tracker-teardown.js";
import { reassemble } from "./tracker-gaps.js";
import { updateTimers, expire, anyDue, remove } from "./tracker-lifetime.js";
import { holdAsPending } from "./tracker-half-open.js";
import { enforceConnectionLimit, becameRecord } from "./tracker-eviction.js";
import { virtualShard } from "./tracker-options.js";
import { ownsGroup } from "./shard-groups.js";
import { analysePacket } from "./tracker-analysis.js";
import { noteTunnel } from "./tracker-tunnel.js";
import { isUsual, acceptUsual } from "./tracker-usual.js";

export {
  ZEEK_TIMEOUTS, DEFAULT_MAX_HALF_OPEN, DEFAULT_MAX_CONNECTIONS, halfOpenLimit, connectionLimit,
  type Timeouts, type TrackerOptions, type EmitConnection, type TrackerHooks,
} from "./tracker-options.js";

const SNAPLEN_BIT = anomalyBit("snaplen-truncated");

export class ConnectionTracker extends TrackerContext {
  private closing: Int32Array | null = null;
  private closed = 0;

  constructor(options: TrackerOptions, emit: EmitConnection, hooks: TrackerHooks = {}) {
    super(options, emit, hooks);
  }

  // The record fields are read straight from the batch's typed arrays: accessor calls that V8
  // does not inline return boxed numbers (times, sequence numbers), an allocation each.
  processBatch(b: PacketBatch): void {
    for (let i = 0; i < b.count; i++) this.processPacket(b, i);
    this.advanceClock(b.latestSec, b.latestNsec);
  }

  /** The latest time of any packet read (PacketBatch.latestSec): the timers due by then fire. */
  advanceClock(sec: number, nsec: number): void {
    const clocked = this.clockTo(sec, nsec);
    if (!clocked && this.deferredDue === -Infinity) return;
    const t = clocked && this.cur[CUR_TIME]! > this.deferredDue ? this.cur[CUR_TIME]! : this.deferredDue;
    this.deferredDue = -Infinity;
    if (anyDue(this, t)) expire(this, t);
  }

  /**
   * Ends the connections still open (end of input), in the order they began, at most `max` of
   * them per call so that a caller can stream them out; returns true once none is left.
   */
  finish(max = Infinity): boolean {
    const s = this.store;
    this.inputEnded = true;
    if (!this.closing) {
      const open: number[] = [];
      for (let slot = 0; slot < s.capacity; slot++) if (s.inUse[slot]) open.push(slot);
      this.closing = Int32Array.from(open.sort((a, b) => s.id[a]! - s.id[b]!));
      this.closed = 0;
    }
    // The pending SYNs are in key order too: merged in, each replayed just before it ends, so
    // that they never all hold full connections at once.
    const pending = this.pending;
    for (let n = 0; n < max; n++) {
      const next = this.closed < this.closing.length ? this.closing[this.closed]! : -1;
      const p = pending.oldest();
      if (next < 0 && p < 0) return true;
      if (p >= 0 && (next < 0 || pending.connectionKey(p) < s.id[next]!)) remove(this, this.promotePending(p), REMOVED_END, Infinity);
      else { remove(this, next, REMOVED_END, Infinity); this.closed++; }
    }
    return this.closed === this.closing.length && pending.size === 0;
  }

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
    this.stepClock(b, i);
    const t = this.cur[CUR_TIME]!;
    const flowHash = b.u32[i * 32 + L.REC_FLOW_HASH / 4]!;
    const shard = virtualShard(flowHash);
    if (!ownsGroup(this.owned, shard) || (this.tracksFlow !== null && !this.tracksFlow(flowHash))) {
      if (t > this.deferredDue) this.deferredDue = t;
      return;
    }
    const due = this.deferredDue > t ? this.deferredDue : t;
    this.deferredDue = -Infinity;
    if (anyDue(this, due)) expire(this, due);
    if (this.recordsByShard[shard]! > this.connectionShare) enforceConnectionLimit(this, shard);

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

    const tunnelKey = this.keyByTunnel ? b.i32[i * 32 + L.REC_TUNNEL_HASH / 4]! : 0;
    let slot = this.table.find(hash, words, srcAt, dstAt, ports, version, tunnelKey);
    let fromA = this.table.fromSideA;
    if (slot < 0 && this.pending.size > 0) {
      const p = this.pending.find(hash, words, srcAt, dstAt, ports, version, tunnelKey);
      if (p >= 0) {
        fromA = this.pending.fromSideA;
        slot = this.promotePending(p); // a second packet: a record now
        becameRecord(this, slot);
      }
    }
    let carried = 0; // handshake evidence the new connection inherits from the one it replaces
    let created = false;
    if (slot >= 0 && flags & L.FLAG_SYN && !regroupsCutSyn(this, b, i, slot, fromA) && isReuse(this, slot, fromA)) {
      carried = reuseEvidence(this, slot, fromA);
      remove(this, slot, REMOVED_REUSE, t);
      slot = -1;
    }
    if (slot < 0) {
      if (carried === 0 && holdAsPending(this, b, i, stop, verify, packetFlags)) return;
      slot = create(this, b, i, hash, words, srcAt, dstAt, ports, version, sport, dport);
      becameRecord(this, slot);
      fromA = true;
      created = true;
      if (carried === REUSE_NEW_ISN) noteAnomaly(s, slot, "syn-retransmit-different-isn");
      if (carried === REUSE_SIMULTANEOUS) s.handshakeFlags[slot]! |= HS_SIMULTANEOUS;
    }
    const sender = slot * 2 + (fromA ? 0 : 1);
    if (!created) noteTunnel(this, b, i, slot); // Zeek looks before the TCP analyzer does: dropped packets too
    // A header whose options were cut by the snaplen: the connection exists, the packet is not
    // used (as in Zeek), but a SYN or SYN/ACK still counts as handshake evidence.
    if (stop === L.LAYER_TCP_OPTIONS && b.u8[i * L.RECORD_SIZE + L.REC_STOP_REASON] === L.STOP_TRUNCATED) {
      noteCutSyn(this, b, i, slot, sender);
      return;
    }
    if (verify && packetFlags & L.PKT_CHECKSUM_BAD) {
      // Recorded, then dropped: no state change, not counted.
      s.badChecksums[sender]!++;
      this.logLetter(slot, sender, s.badChecksums[sender]!, "C");
      noteAnomaly(s, slot, "bad-checksum");
      return;
    }
    this.accept(b, i, slot, fromA);
    if (this.hooks.packet) this.hooks.packet(slot, fromA, b, i, this.cur[CUR_TIME]!, this.verdicts);
  }

  /**
   * Replays pending connection `p` as it came (its record, its time, the clock's "now" then) into a
   * full connection, as if it had been tracked from the start; returns its slot. The packet
   * being tracked, if any, is left as it was.
   */
  override promotePending(p: number): number {
    const cur = this.cur, b = this.pending.batch;
    const time = cur[CUR_TIME]!, seq = cur[CUR_SEQ]!, ackNo = cur[CUR_ACK]!;
    const flags = this.flags, payload = this.payload, now = this.now, packetBase = this.packetBase, verdicts = this.verdicts;
    this.pending.release(p);
    const r = p * L.RECORD_SIZE;
    cur[CUR_TIME] = this.captureTime(b.f64[(r + L.REC_TS_SEC) >> 3]!, b.u32[(r + L.REC_TS_NSEC) >> 2]!);
    cur[CUR_SEQ] = b.u32[(r + L.REC_SEQ) >> 2]!;
    cur[CUR_ACK] = b.u32[(r + L.REC_ACK) >> 2]!;
    this.flags = b.u16[(r + L.REC_TCP_FLAGS) >> 1]!;
    this.payload = b.u32[(r + L.REC_PAYLOAD_LEN) >> 2]!;
    this.now = this.pending.now[p]!;
    this.packetBase = 0; // the held record's packet index counts the earlier inputs' packets
    const sport = b.u16[(r + L.REC_SRC_PORT) >> 1]!, dport = b.u16[(r + L.REC_DST_PORT) >> 1]!;
    const slot = create(this, b, p, this.pending.flowHash[p]! | 0, b.i32, (r + L.REC_SRC_ADDR) >> 2, (r + L.REC_DST_ADDR) >> 2,
      (sport << 16) | dport, b.u8[r + L.REC_IP_VERSION]!, sport, dport);
    this.accept(b, p, slot, true);
    if (this.hooks.packet) this.hooks.packet(slot, true, b, p, cur[CUR_TIME]!, this.verdicts);
    cur[CUR_TIME] = time; cur[CUR_SEQ] = seq; cur[CUR_ACK] = ackNo;
    this.flags = flags; this.payload = payload; this.now = now; this.packetBase = packetBase; this.verdicts = verdicts;
    return slot;
  }

  // An accepted packet: history, states, counters, handshake and close evidence, timers.
  private accept(b: PacketBatch, i: number, slot: number, fromA: boolean): void {
    const sender = slot * 2 + (fromA ? 0 : 1);
    if (isUsual(this, b, i, slot, sender)) {
      acceptUsual(this, b, i, slot, sender);
      return;
    }
    const s = this.store;
    const t = this.cur[CUR_TIME]!, flags = this.flags;
    let isOrig = sender === slot * 2 + s.flipped[slot]!;
    const payload = this.payload;
    const syn = (flags & L.FLAG_SYN) !== 0, fin = (flags & L.FLAG_FIN) !== 0;
    const rst = (flags & L.FLAG_RST) !== 0, ack = (flags & L.FLAG_ACK) !== 0;
    const peer = sender ^ 1;

    // The classification letter (section 5.1) and whether it is recorded (5.2).
    const letter = historyLetter(this, sender);
    // Flip 2.2(1): a lone SYN/ACK followed by an ACK or data turns the roles round.
    if ((letter === "A" || letter === "D") && s.history[slot] === "H") {
      s.flipped[slot]! ^= 1;
      s.history[slot] = "^h";
      isOrig = !isOrig;
    }
    // Flip 2.2(2): the SYN answering a SYN/ACK that was captured first.
    let reversal = false;
    if (syn && !ack && !isOrig && s.state[peer] === SYN_ACK_SENT && expectsSyn(this, slot)) reversal = true;
    if (letter) this.appendFrom(slot, isOrig, letter);
    if (reversal) {
      s.flipped[slot]! ^= 1;
      this.appendLetter(slot, "^");
      isOrig = true;
      s.state[sender] = ESTABLISHED;
      s.state[peer] = ESTABLISHED;
    }

    noteSequence(this, b, i, slot, sender);
    noteHandshake(this, b, i, slot, sender, isOrig);
    noteClose(this, slot, sender);

    const wasBothClosed = isClosed(s.state[sender]!) && isClosed(s.state[peer]!);
    if (!reversal) updateStates(this, slot, sender, isOrig);
    if (s.state[sender] === ESTABLISHED) s.reasm[sender]! |= REASM_ESTABLISHED;
    if (s.state[peer] === ESTABLISHED) s.reasm[peer]! |= REASM_ESTABLISHED;
    reassemble(this, b, i, slot, sender);

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
    s.lastPacket[slot] = this.packetIndex(b, i);
    if (!wasBothClosed) s.durationEnd[slot] = t;

    analysePacket(this, b, i, slot, sender & 1);
    updateTimers(this, slot, sender, isOrig);
  }
}
