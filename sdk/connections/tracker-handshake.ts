// Handshake evidence, judged by sequence numbers as RFC 9293 does: a SYN/ACK answers the SYN
// when it acknowledges the SYN (and its data, when the server took it); the third packet
// completes the handshake when it acknowledges anything the responder has sent, from its ISN + 1
// up to its highest sequence number (data or a FIN may have come before it), under the ISN of
// any SYN/ACK that answered — the first, or the latest with another ISN; the responder
// acknowledging the originator's data proves it too. What the responder sent is kept per ISN
// (its packets go to the ISN they follow). The RTT of each leg is measured from the last
// transmission before the answer, both legs from the SYN/ACK that was answered. With no SYN/ACK
// captured, a responder packet acknowledging the SYN (and no more than the originator sent)
// proves that the connection came up: the SYN/ACK was missed, or captured before its SYN and
// taken as a connection of its own, as Zeek does.

import * as L from "../../assembly/layout.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import {
  HS_SYN_ACK_ANSWERED, HS_SYN_ACK_MISMATCH, HS_ACK_SEEN, HS_ACK_MISMATCH, HS_RST_BEFORE_ACK, HS_PEER_ACKED_DATA,
  HS_SYN_ACK2, HS_SYN_ACKED_UNSEEN, HS_ORIG_ACKED_UNSEEN, SEEN_FIN, type ConnectionStore,
} from "./connection-store.js";
import { noteAnomaly, anomalyBit } from "./anomalies.js";
import { CUR_ACK, CUR_SEQ, CUR_TIME, seqGT, seqLE, type TrackerContext } from "./tracker-context.js";

/** The handshake's evidence is still open: answered, but neither completed nor reset yet. */
const WAITING = HS_ACK_SEEN | HS_RST_BEFORE_ACK | HS_PEER_ACKED_DATA;

export function noteHandshake(k: TrackerContext, b: PacketBatch, i: number, slot: number, sender: number, isOrig: boolean): void {
  const s = k.store;
  const flags = k.flags;
  if (flags & L.FLAG_SYN && !(flags & L.FLAG_RST)) {
    noteSyn(k, b, i, slot, sender, isOrig);
    return;
  }
  const hs = s.handshakeFlags[slot]!;
  const ack = flags & L.FLAG_ACK;
  if (hs & HS_SYN_ACK_ANSWERED && !(hs & WAITING)) {
    if (isOrig) {
      if (flags & L.FLAG_RST) s.handshakeFlags[slot]! |= HS_RST_BEFORE_ACK;
      else if (ack) noteThirdPacket(k, b, i, slot);
    } else if (flags & L.FLAG_RST) {
      s.handshakeFlags[slot]! |= HS_RST_BEFORE_ACK;
    } else {
      noteResponderSent(k, slot);
      // The responder acknowledges bytes the originator sent after its SYN: the originator
      // was established, though its third packet was not captured.
      const o = sender ^ 1;
      if (ack && seqGT(k.cur[CUR_ACK]!, (s.lastSynSeq[o]! + 1 + s.synPayload[o]!) >>> 0)) s.handshakeFlags[slot]! |= HS_PEER_ACKED_DATA;
    }
  }
  // Both notes count only before any RST (noRstYet): after one, an ACK crossing it proves nothing.
  if (!isOrig && ack && !(hs & (HS_SYN_ACK_ANSWERED | HS_SYN_ACKED_UNSEEN)) && !(flags & L.FLAG_RST) && noRstYet(s, sender)
    && s.syns[sender ^ 1]! > 0 && s.synAcks[sender] === 0 && acksOriginator(k, sender ^ 1)) {
    s.handshakeFlags[slot]! |= HS_SYN_ACKED_UNSEEN;
  }
  if (isOrig && ack && !(hs & HS_SYN_ACK_ANSWERED) && s.syns[sender]! > 0 && s.synAcks[sender ^ 1] === 0 && !(flags & L.FLAG_RST)) {
    noteAnomaly(s, slot, "ack-without-syn-ack");
    if (noRstYet(s, sender)) s.handshakeFlags[slot]! |= HS_ORIG_ACKED_UNSEEN; // without it, a RST aborts a handshake whose SYN/ACK was missed
  }
}

/**
 * A SYN or SYN/ACK whose options the snaplen cut: Zeek discards it (no state, no history, not
 * counted), but its fixed header proves the handshake step: counted among the SYNs or
 * SYN/ACKs, its time and sequence number taken as for a whole one.
 */
export function noteCutSyn(k: TrackerContext, b: PacketBatch, i: number, slot: number, sender: number): void {
  const s = k.store;
  const flags = k.flags;
  if ((flags & (L.FLAG_SYN | L.FLAG_FIN | L.FLAG_RST)) !== L.FLAG_SYN) return;
  if (flags & L.FLAG_ACK) s.synAcks[sender]!++;
  else s.syns[sender]!++;
  s.lastSynSeq[sender] = k.cur[CUR_SEQ]!;
  noteSyn(k, b, i, slot, sender, sender === slot * 2 + s.flipped[slot]!);
  if (!(s.anomalyBits[slot]! & anomalyBit("snaplen-truncated"))) noteAnomaly(s, slot, "snaplen-truncated");
}

// A SYN or SYN/ACK: its options, its time (until it is answered), and whether a SYN/ACK
// answers the other side's SYN.
function noteSyn(k: TrackerContext, b: PacketBatch, i: number, slot: number, sender: number, isOrig: boolean): void {
  const s = k.store;
  const t = k.cur[CUR_TIME]!, flags = k.flags, ackNo = k.cur[CUR_ACK]!, seq = k.cur[CUR_SEQ]!;
  const ack = flags & L.FLAG_ACK;
  const hs = s.handshakeFlags[slot]!;
  // RTTs are measured from the last transmission before the answer.
  if (!(ack ? hs & HS_ACK_SEEN : hs & HS_SYN_ACK_ANSWERED)) {
    s.lastSynTime[sender] = t;
    if (!ack) s.synPacket[slot] = k.packetIndex(b, i);
  }
  const r = i * L.RECORD_SIZE;
  s.mss[sender] = b.u16[(r + L.REC_MSS) >> 1]!;
  s.windowScale[sender] = b.u16[i * 64 + L.REC_OPTIONS / 2]! & L.OPT_WSCALE ? b.u8[r + L.REC_WSCALE]! : 0xff;
  s.optionBits[sender] = b.u16[i * 64 + L.REC_OPTIONS / 2]!;
  s.ecnBits[sender] = (flags >> 6) & 7;
  s.tfoCookieLen[sender] = b.u16[i * 64 + L.REC_OPTIONS / 2]! & L.OPT_TFO ? b.u8[r + L.REC_TFO_COOKIE_LEN]! : -1;
  s.synPayload[sender] = k.payload;
  const o = sender ^ 1;
  if (!ack || isOrig || s.syns[o]! === 0) return;
  // The SYN/ACK acknowledges the SYN, and the data on it when the server took it (TFO).
  const synEnd = (s.lastSynSeq[o]! + 1) >>> 0;
  if (ackNo !== synEnd && ackNo !== ((synEnd + s.synPayload[o]!) >>> 0)) {
    if (!(hs & HS_SYN_ACK_ANSWERED)) {
      s.handshakeFlags[slot]! |= HS_SYN_ACK_MISMATCH;
      noteAnomaly(s, slot, "syn-ack-wrong-ack");
    }
    return;
  }
  if (!(hs & HS_SYN_ACK_ANSWERED)) {
    s.handshakeFlags[slot]! |= HS_SYN_ACK_ANSWERED;
    newSynAckIsn(k, b, i, slot, o, false);
  } else if (hs & HS_ACK_SEEN) {
    // Answered already: later transmissions do not move the RTTs.
  } else if (seq === s.synAckIsn[slot]) {
    repeatedSynAck(k, slot, false);
  } else if (hs & HS_SYN_ACK2 && seq === s.synAck2Isn[slot]) {
    repeatedSynAck(k, slot, true);
  } else {
    s.handshakeFlags[slot]! |= HS_SYN_ACK2;
    newSynAckIsn(k, b, i, slot, o, true);
  }
}

// The SYN/ACK ISNs kept: the first that answered the SYN (synAck*, synTimeAnswered) and the
// latest other one (`second`: synAck2*). The packet's numbers are read from the context, not
// passed: a number passed to a function V8 does not inline may be boxed.

// The current SYN/ACK, under an ISN not kept yet: the ISN, what it sent, when, and the time of
// the SYN transmission it answered (the other side's latest).
function newSynAckIsn(k: TrackerContext, b: PacketBatch, i: number, slot: number, o: number, second: boolean): void {
  const s = k.store;
  const t = k.cur[CUR_TIME]!, seq = k.cur[CUR_SEQ]!;
  (second ? s.synAck2Isn : s.synAckIsn)[slot] = seq;
  (second ? s.synAck2Sent : s.synAckSent)[slot] = (seq + 1 + k.payload) >>> 0;
  (second ? s.synAck2Time : s.synAckTime)[slot] = t;
  (second ? s.synAck2LastTime : s.synAckLastTime)[slot] = t;
  (second ? s.synAck2Packet : s.synAckPacket)[slot] = k.packetIndex(b, i);
  (second ? s.synAck2SynTime : s.synTimeAnswered)[slot] = s.lastSynTime[o]!;
}

// The current SYN/ACK, under an ISN kept already: its latest transmission, and how far it reached.
function repeatedSynAck(k: TrackerContext, slot: number, second: boolean): void {
  const s = k.store;
  const sent = (k.cur[CUR_SEQ]! + 1 + k.payload) >>> 0;
  const sentSoFar = second ? s.synAck2Sent : s.synAckSent;
  (second ? s.synAck2LastTime : s.synAckLastTime)[slot] = k.cur[CUR_TIME]!;
  if (seqGT(sent, sentSoFar[slot]!)) sentSoFar[slot] = sent;
}

// A responder packet (no SYN, no RST) before the third packet: what it sent, under the ISN
// its sequence number follows most closely.
function noteResponderSent(k: TrackerContext, slot: number): void {
  const s = k.store;
  const seq = k.cur[CUR_SEQ]!;
  const end = (seq + k.payload + (k.flags & L.FLAG_FIN ? 1 : 0)) >>> 0;
  const second = s.handshakeFlags[slot]! & HS_SYN_ACK2
    && ((seq - s.synAck2Isn[slot]!) >>> 0) < ((seq - s.synAckIsn[slot]!) >>> 0);
  if (second) {
    if (seqGT(end, s.synAck2Sent[slot]!)) s.synAck2Sent[slot] = end;
  } else if (seqGT(end, s.synAckSent[slot]!)) {
    s.synAckSent[slot] = end;
  }
}

// The originator's first ACK after the SYN/ACK.
function noteThirdPacket(k: TrackerContext, b: PacketBatch, i: number, slot: number): void {
  const s = k.store;
  const ackNo = k.cur[CUR_ACK]!;
  s.handshakeFlags[slot]! |= HS_ACK_SEEN;
  s.handshakeAckTime[slot] = k.cur[CUR_TIME]!;
  s.ackPacket[slot] = k.packetIndex(b, i);
  s.ackPayload[slot] = k.payload;
  const first = acknowledges(ackNo, s.synAckIsn[slot]!, s.synAckSent[slot]!);
  const second = s.handshakeFlags[slot]! & HS_SYN_ACK2 ? acknowledges(ackNo, s.synAck2Isn[slot]!, s.synAck2Sent[slot]!) : false;
  if (second && (!first || ((ackNo - s.synAck2Isn[slot]!) >>> 0) < ((ackNo - s.synAckIsn[slot]!) >>> 0))) {
    // The second ISN was answered: both legs are measured from that SYN/ACK.
    s.synAckIsn[slot] = s.synAck2Isn[slot]!;
    s.synAckSent[slot] = s.synAck2Sent[slot]!;
    s.synAckTime[slot] = s.synAck2Time[slot]!;
    s.synAckLastTime[slot] = s.synAck2LastTime[slot]!;
    s.synAckPacket[slot] = s.synAck2Packet[slot]!;
    s.synTimeAnswered[slot] = s.synAck2SynTime[slot]!;
  } else if (!first) {
    s.handshakeFlags[slot]! |= HS_ACK_MISMATCH;
    noteAnomaly(s, slot, "handshake-ack-wrong-ack");
  }
  s.synAckTimeAnswered[slot] = s.synAckLastTime[slot]!;
}

// No RST from either side of the connection so far (read only where a note depends on it).
function noRstYet(s: ConnectionStore, sender: number): boolean {
  return s.rsts[sender]! + s.rsts[sender ^ 1]! === 0;
}

// The current packet acknowledges the originator's (endpoint o's) SYN and no more than it sent:
// its data and a FIN.
function acksOriginator(k: TrackerContext, o: number): boolean {
  const s = k.store;
  const finEnd = (s.lastFinPos[o]! + 1) >>> 0;
  const sent = s.seen[o]! & SEEN_FIN && seqGT(finEnd, s.topSeq[o]!) ? finEnd : s.topSeq[o]!;
  return acknowledges(k.cur[CUR_ACK]!, s.lastSynSeq[o]!, sent);
}

/** RFC 9293's test in SYN-RECEIVED: ISN < ack <= what was sent under that ISN. */
function acknowledges(ack: number, isn: number, sent: number): boolean {
  return seqGT(ack, isn) && seqLE(ack, sent);
}
