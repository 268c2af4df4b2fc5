// The usual packet's fast path: an in-order data segment or a pure ACK of an established
// connection (most packets of a capture), or of one first seen mid-stream (both endpoints
// PARTIAL). One test proves that the full rule walk of accept() would only do this packet's
// bookkeeping (counters, the stream's top and next bytes, a gap its ACK reveals, times, the
// analysis, the inactivity timeout); then only that is done. The WebAssembly tracker's
// assembly/tracker/usual.ts takes the same path on the same test, and its header says what
// each part of the test rules out.

import * as L from "../../assembly/layout.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import { ESTABLISHED, PARTIAL } from "./endpoint-state.js";
import {
  ONCE_A, ONCE_D, SEEN_FIN, SEEN_TOP, SEEN_ISN, SEEN_START, REASM_NEXT, REASM_PENDING, REASM_ESTABLISHED,
  HS_SYN_ACK_ANSWERED, HS_ACK_SEEN, HS_RST_BEFORE_ACK, HS_PEER_ACKED_DATA, HS_SYN_ACKED_UNSEEN,
} from "./connection-store.js";
import { noteAnomaly, anomalyBit } from "./anomalies.js";
import { CUR_ACK, CUR_SEQ, CUR_TIME, seqLE, seqGT, type TrackerContext } from "./tracker-context.js";
import { gap } from "./tracker-gaps.js";
import { analysePacket } from "./tracker-analysis.js";

const CONTROLS = L.FLAG_SYN | L.FLAG_FIN | L.FLAG_RST | L.FLAG_ACK;
const WAITING = HS_ACK_SEEN | HS_RST_BEFORE_ACK | HS_PEER_ACKED_DATA;
const SENDER_SEEN = SEEN_TOP | SEEN_ISN | SEEN_START;
const SNAPLEN_BIT = anomalyBit("snaplen-truncated");

/** Packet i is a usual one for the connection in `slot`, sent by `sender` (its endpoint index). */
export function isUsual(k: TrackerContext, b: PacketBatch, i: number, slot: number, sender: number): boolean {
  const s = k.store, peer = sender ^ 1;
  const seq = k.cur[CUR_SEQ]!;
  const hs = s.handshakeFlags[slot]!;
  // The parts that do not depend on the endpoints' states, then the established ones, else the
  // mid-stream ones (both PARTIAL; the handshake past its third packet, or else no SYN/ACK
  // answered, no SYN from the sender, and a SYN from the peer acknowledged already).
  const packet = (k.flags & CONTROLS) === L.FLAG_ACK
    && seq === s.topSeq[sender] && (k.payload | 0) >= 0
    && b.u16[i * 64 + L.REC_WINDOW / 2]! !== 0
    && s.firstFinSide[slot] === 0
    && (s.seen[sender]! & (SENDER_SEEN | SEEN_FIN)) === SENDER_SEEN && (s.seen[peer]! & SEEN_FIN) === 0;
  if (!packet) return false;
  const established = s.state[sender] === ESTABLISHED && s.state[peer] === ESTABLISHED
    && (s.reasm[sender]! & (REASM_NEXT | REASM_PENDING | REASM_ESTABLISHED)) === (REASM_NEXT | REASM_ESTABLISHED)
    && (s.reasm[peer]! & (REASM_PENDING | REASM_ESTABLISHED)) === REASM_ESTABLISHED
    && (hs & HS_SYN_ACK_ANSWERED) !== 0 && (hs & WAITING) !== 0;
  const midStream = !established && s.state[sender] === PARTIAL && s.state[peer] === PARTIAL
    && (s.reasm[sender]! & (REASM_NEXT | REASM_PENDING)) === REASM_NEXT && (s.reasm[peer]! & REASM_PENDING) === 0
    && ((hs & HS_SYN_ACK_ANSWERED) !== 0 ? (hs & WAITING) !== 0
      : s.syns[sender] === 0 && (s.syns[peer] === 0 || (hs & HS_SYN_ACKED_UNSEEN) !== 0));
  return (established || midStream) && inOrder(k, b, i, slot, sender);
}

// The parts with a branch of their own: the letter (no flip) and the segment not above the next byte.
function inOrder(k: TrackerContext, b: PacketBatch, i: number, slot: number, sender: number): boolean {
  const s = k.store, payload = k.payload;
  return ((s.once[sender]! & (payload > 0 ? ONCE_D : ONCE_A)) !== 0 || s.history[slot] !== "H")
    && (payload === 0 || (b.u8[i * L.RECORD_SIZE + L.REC_PACKET_FLAGS]! & L.PKT_PAYLOAD_TRUNCATED) !== 0
      || seqLE(k.cur[CUR_SEQ]!, s.nextSeq[sender]!));
}

/** A usual packet accepted (isUsual): what the full rule walk would do for it, and only that. */
export function acceptUsual(k: TrackerContext, b: PacketBatch, i: number, slot: number, sender: number): void {
  const s = k.store, peer = sender ^ 1;
  const t = k.cur[CUR_TIME]!, seq = k.cur[CUR_SEQ]!, ackNo = k.cur[CUR_ACK]!, payload = k.payload;
  const captured = !(b.u8[i * L.RECORD_SIZE + L.REC_PACKET_FLAGS]! & L.PKT_PAYLOAD_TRUNCATED);
  // The sender's first data segment or pure ACK: its letter (tracker-endpoints.ts historyLetter()), first.
  const bit = payload > 0 ? ONCE_D : ONCE_A;
  if (!(s.once[sender]! & bit)) {
    s.once[sender]! |= bit;
    k.appendFrom(slot, sender === slot * 2 + s.flipped[slot]!, payload > 0 ? "D" : "A");
  }
  if (payload > 0) {
    // The sender's top and, for a whole segment, its next in-order byte (tracker-endpoints.ts, tracker-gaps.ts).
    const top = (seq + payload) >>> 0;
    if (top < seq) s.topWraps[sender]!++;
    s.topSeq[sender] = top;
    if (captured && seqGT(top, s.nextSeq[sender]!)) s.nextSeq[sender] = top;
  }
  // The ACK covers bytes of the peer's stream never delivered: a gap (tracker-gaps.ts acknowledge()).
  const peerNext = s.nextSeq[peer]!;
  // Reported only when both streams are "clean": established (mid-stream, it is not).
  if (s.reasm[peer]! & REASM_NEXT && seqGT(ackNo, peerNext)) {
    if (s.state[peer] === ESTABLISHED) gap(k, slot, peer, (ackNo - peerNext) >>> 0, true);
    s.nextSeq[peer] = ackNo;
  }
  s.pkts[sender]!++;
  s.ipBytes[sender]! += b.u32[i * 32 + L.REC_IP_LEN / 4]!;
  s.payloadBytes[sender]! += payload;
  if (!captured && !(s.anomalyBits[slot]! & SNAPLEN_BIT)) noteAnomaly(s, slot, "snaplen-truncated");
  s.lastTime[slot] = t;
  s.lastPacket[slot] = k.packetIndex(b, i);
  s.durationEnd[slot] = t;
  analysePacket(k, b, i, slot, sender & 1);
  // Both established or PARTIAL: past the handshake's inactivity timeout (tracker-lifetime.ts updateTimers()).
  if (s.inactivityTimeout[slot] === k.timeouts.handshakeInactivity) s.inactivityTimeout[slot] = k.timeouts.inactivity;
}
