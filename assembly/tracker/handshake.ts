// Handshake evidence, judged by sequence numbers as RFC 9293 does: the reference tracker's
// tracker-handshake.ts, rule for rule (read that one for the why).

import * as L from "../layout";
import {
  C_SYN_ACK_TIME, C_HANDSHAKE_ACK_TIME, C_SYN_TIME_ANSWERED, C_SYN_ACK_TIME_ANSWERED, C_SYN_PACKET,
  C_SYN_ACK_PACKET, C_ACK_PACKET, C_ACK_PAYLOAD, C_SYN_ACK_ISN, C_SYN_ACK_LAST_TIME, C_SYN_ACK2_ISN,
  C_SYN_ACK2_TIME, C_SYN_ACK2_LAST_TIME, C_SYN_ACK2_PACKET, C_SYN_ACK2_SYN_TIME, C_SYN_ACK_SENT, C_SYN_ACK2_SENT,
  E_LAST_SYN_TIME,
  E_LAST_SYN_SEQ, E_SYNS, E_SYN_ACKS, E_SYN_PAYLOAD, E_MSS, E_OPTION_BITS, E_TFO_COOKIE_LEN, E_WINDOW_SCALE,
  E_ECN_BITS, HS_SYN_ACK_ANSWERED, HS_SYN_ACK_MISMATCH,
  HS_ACK_SEEN, HS_ACK_MISMATCH, HS_RST_BEFORE_ACK, HS_PEER_ACKED_DATA, HS_SYN_ACK2, HS_SYN_ACKED_UNSEEN, HS_ORIG_ACKED_UNSEEN,
  E_SEEN, SEEN_FIN, E_LAST_FIN_POS, E_TOP_SEQ, E_RSTS,
  ANOMALY_SYN_ACK_WRONG_ACK, ANOMALY_HANDSHAKE_ACK_WRONG_ACK, ANOMALY_ACK_WITHOUT_SYN_ACK, ANOMALY_SNAPLEN_TRUNCATED,
  C_ANOMALY_BITS, C_FLIPPED,
} from "../connection-layout";
import { endpointAt, hsOf, addHs, bump, seqGT, seqLE } from "./connection";
import { noteAnomaly } from "./history";
import { rec, curTime, curSeq, curAck, curFlags, curPayload, packetIndex } from "./context";

/** The handshake's evidence is still open: answered, but neither completed nor reset yet. */
const WAITING: u32 = HS_ACK_SEEN | HS_RST_BEFORE_ACK | HS_PEER_ACKED_DATA;

export function noteHandshake(c: usize, side: u32, eS: usize, isOrig: bool): void {
  const flags = curFlags;
  const eO = endpointAt(c, side ^ 1); // the other side
  if ((flags & L.FLAG_SYN) != 0 && (flags & L.FLAG_RST) == 0) {
    noteSyn(c, eS, eO, isOrig);
    return;
  }
  const hs = hsOf(c);
  const ack = (flags & L.FLAG_ACK) != 0;
  if ((hs & HS_SYN_ACK_ANSWERED) != 0 && (hs & WAITING) == 0) {
    if (isOrig) {
      if ((flags & L.FLAG_RST) != 0) addHs(c, HS_RST_BEFORE_ACK);
      else if (ack) noteThirdPacket(c);
    } else if ((flags & L.FLAG_RST) != 0) {
      addHs(c, HS_RST_BEFORE_ACK);
    } else {
      noteResponderSent(c);
      // The responder acknowledges bytes the originator sent after its SYN.
      if (ack && seqGT(curAck, load<u32>(eO, E_LAST_SYN_SEQ) + 1 + load<u32>(eO, E_SYN_PAYLOAD))) addHs(c, HS_PEER_ACKED_DATA);
    }
  }
  // Both notes count only before any RST (noRstYet; tracker-handshake.ts).
  if (!isOrig && ack && (hs & (HS_SYN_ACK_ANSWERED | HS_SYN_ACKED_UNSEEN)) == 0 && (flags & L.FLAG_RST) == 0 && noRstYet(eS, eO)
    && load<u32>(eO, E_SYNS) > 0 && load<u32>(eS, E_SYN_ACKS) == 0 && acksOriginator(eO)) {
    addHs(c, HS_SYN_ACKED_UNSEEN);
  }
  if (isOrig && ack && (hs & HS_SYN_ACK_ANSWERED) == 0 && load<u32>(eS, E_SYNS) > 0 && load<u32>(eO, E_SYN_ACKS) == 0
    && (flags & L.FLAG_RST) == 0) {
    noteAnomaly(c, ANOMALY_ACK_WITHOUT_SYN_ACK);
    if (noRstYet(eS, eO)) addHs(c, HS_ORIG_ACKED_UNSEEN);
  }
}

/**
 * A SYN or SYN/ACK whose options the snaplen cut: no Zeek field, but handshake evidence from
 * its fixed header (tracker-handshake.ts says why).
 */
export function noteCutSyn(c: usize, side: u32): void {
  const flags = curFlags;
  if ((flags & (L.FLAG_SYN | L.FLAG_FIN | L.FLAG_RST)) != L.FLAG_SYN) return;
  const eS = endpointAt(c, side);
  if ((flags & L.FLAG_ACK) != 0) bump(eS + E_SYN_ACKS);
  else bump(eS + E_SYNS);
  store<u32>(eS, curSeq, E_LAST_SYN_SEQ);
  noteSyn(c, eS, endpointAt(c, side ^ 1), side == <u32>load<u8>(c, C_FLIPPED));
  if ((load<u32>(c, C_ANOMALY_BITS) & (1 << ANOMALY_SNAPLEN_TRUNCATED)) == 0) noteAnomaly(c, ANOMALY_SNAPLEN_TRUNCATED);
}

function noteSyn(c: usize, eS: usize, eO: usize, isOrig: bool): void {
  const t = curTime, flags = curFlags, ackNo = curAck, seq = curSeq, r = rec;
  const ack = (flags & L.FLAG_ACK) != 0;
  const hs = hsOf(c);
  // RTTs are measured from the last transmission before the answer.
  if ((ack ? hs & HS_ACK_SEEN : hs & HS_SYN_ACK_ANSWERED) == 0) {
    store<f64>(eS, t, E_LAST_SYN_TIME);
    if (!ack) store<f64>(c, packetIndex(), C_SYN_PACKET);
  }
  const options = <u32>load<u16>(r, L.REC_OPTIONS);
  store<u16>(eS, load<u16>(r, L.REC_MSS), E_MSS);
  store<u8>(eS, (options & L.OPT_WSCALE) != 0 ? load<u8>(r, L.REC_WSCALE) : <u8>0xff, E_WINDOW_SCALE);
  store<u16>(eS, <u16>options, E_OPTION_BITS);
  store<u8>(eS, <u8>((flags >> 6) & 7), E_ECN_BITS);
  store<i16>(eS, (options & L.OPT_TFO) != 0 ? <i16>load<u8>(r, L.REC_TFO_COOKIE_LEN) : <i16>-1, E_TFO_COOKIE_LEN);
  store<u32>(eS, curPayload, E_SYN_PAYLOAD);
  if (!ack || isOrig || load<u32>(eO, E_SYNS) == 0) return;
  // The SYN/ACK acknowledges the SYN, and the data on it when the server took it (TFO).
  const synEnd = load<u32>(eO, E_LAST_SYN_SEQ) + 1;
  if (ackNo != synEnd && ackNo != synEnd + load<u32>(eO, E_SYN_PAYLOAD)) {
    if ((hs & HS_SYN_ACK_ANSWERED) == 0) {
      addHs(c, HS_SYN_ACK_MISMATCH);
      noteAnomaly(c, ANOMALY_SYN_ACK_WRONG_ACK);
    }
    return;
  }
  if ((hs & HS_SYN_ACK_ANSWERED) == 0) {
    addHs(c, HS_SYN_ACK_ANSWERED);
    newSynAckIsn(c, eO, false);
  } else if ((hs & HS_ACK_SEEN) != 0) {
    // Answered already: later transmissions do not move the RTTs.
  } else if (seq == load<u32>(c, C_SYN_ACK_ISN)) {
    repeatedSynAck(c, false);
  } else if ((hs & HS_SYN_ACK2) != 0 && seq == load<u32>(c, C_SYN_ACK2_ISN)) {
    repeatedSynAck(c, true);
  } else {
    addHs(c, HS_SYN_ACK2);
    newSynAckIsn(c, eO, true);
  }
}

// The SYN/ACK ISNs kept: the first that answered the SYN (C_SYN_ACK_*, C_SYN_TIME_ANSWERED)
// and the latest other one (`second`: C_SYN_ACK2_*). Inlined with a constant `second`, each
// call stores straight to its fields.

// The current SYN/ACK, under an ISN not kept yet: the ISN, what it sent, when, and the time of
// the SYN transmission it answered (the other side's latest).
@inline function newSynAckIsn(c: usize, eO: usize, second: bool): void {
  const t = curTime;
  store<u32>(c + (second ? C_SYN_ACK2_ISN : C_SYN_ACK_ISN), curSeq);
  store<u32>(c + (second ? C_SYN_ACK2_SENT : C_SYN_ACK_SENT), curSeq + 1 + curPayload);
  store<f64>(c + (second ? C_SYN_ACK2_TIME : C_SYN_ACK_TIME), t);
  store<f64>(c + (second ? C_SYN_ACK2_LAST_TIME : C_SYN_ACK_LAST_TIME), t);
  store<f64>(c + (second ? C_SYN_ACK2_PACKET : C_SYN_ACK_PACKET), packetIndex());
  store<f64>(c + (second ? C_SYN_ACK2_SYN_TIME : C_SYN_TIME_ANSWERED), load<f64>(eO, E_LAST_SYN_TIME));
}

// The current SYN/ACK, under an ISN kept already: its latest transmission, and how far it reached.
@inline function repeatedSynAck(c: usize, second: bool): void {
  const sent = curSeq + 1 + curPayload;
  const sentAt = c + (second ? C_SYN_ACK2_SENT : C_SYN_ACK_SENT);
  store<f64>(c + (second ? C_SYN_ACK2_LAST_TIME : C_SYN_ACK_LAST_TIME), curTime);
  if (seqGT(sent, load<u32>(sentAt))) store<u32>(sentAt, sent);
}

// A responder packet (no SYN, no RST) before the third packet: what it sent, under the ISN
// its sequence number follows most closely.
function noteResponderSent(c: usize): void {
  const seq = curSeq;
  const end = seq + curPayload + ((curFlags & L.FLAG_FIN) != 0 ? 1 : 0);
  if ((hsOf(c) & HS_SYN_ACK2) != 0 && seq - load<u32>(c, C_SYN_ACK2_ISN) < seq - load<u32>(c, C_SYN_ACK_ISN)) {
    if (seqGT(end, load<u32>(c, C_SYN_ACK2_SENT))) store<u32>(c, end, C_SYN_ACK2_SENT);
  } else if (seqGT(end, load<u32>(c, C_SYN_ACK_SENT))) {
    store<u32>(c, end, C_SYN_ACK_SENT);
  }
}

// The originator's first ACK after the SYN/ACK.
function noteThirdPacket(c: usize): void {
  const ackNo = curAck;
  addHs(c, HS_ACK_SEEN);
  store<f64>(c, curTime, C_HANDSHAKE_ACK_TIME);
  store<f64>(c, packetIndex(), C_ACK_PACKET);
  store<u32>(c, curPayload, C_ACK_PAYLOAD);
  const isn1 = load<u32>(c, C_SYN_ACK_ISN), isn2 = load<u32>(c, C_SYN_ACK2_ISN);
  const first = acknowledges(ackNo, isn1, load<u32>(c, C_SYN_ACK_SENT));
  const second = (hsOf(c) & HS_SYN_ACK2) != 0 ? acknowledges(ackNo, isn2, load<u32>(c, C_SYN_ACK2_SENT)) : false;
  if (second && (!first || ackNo - isn2 < ackNo - isn1)) {
    // The second ISN was answered: both legs are measured from that SYN/ACK.
    store<u32>(c, isn2, C_SYN_ACK_ISN);
    store<u32>(c, load<u32>(c, C_SYN_ACK2_SENT), C_SYN_ACK_SENT);
    store<f64>(c, load<f64>(c, C_SYN_ACK2_TIME), C_SYN_ACK_TIME);
    store<f64>(c, load<f64>(c, C_SYN_ACK2_LAST_TIME), C_SYN_ACK_LAST_TIME);
    store<f64>(c, load<f64>(c, C_SYN_ACK2_PACKET), C_SYN_ACK_PACKET);
    store<f64>(c, load<f64>(c, C_SYN_ACK2_SYN_TIME), C_SYN_TIME_ANSWERED);
  } else if (!first) {
    addHs(c, HS_ACK_MISMATCH);
    noteAnomaly(c, ANOMALY_HANDSHAKE_ACK_WRONG_ACK);
  }
  store<f64>(c, load<f64>(c, C_SYN_ACK_LAST_TIME), C_SYN_ACK_TIME_ANSWERED);
}

// No RST from either side so far (read only where a note depends on it).
@inline function noRstYet(eS: usize, eO: usize): bool {
  return load<u32>(eS, E_RSTS) + load<u32>(eO, E_RSTS) == 0;
}

// The current packet acknowledges the originator's (eO's) SYN and no more than it sent.
function acksOriginator(eO: usize): bool {
  const top = load<u32>(eO, E_TOP_SEQ), finEnd = load<u32>(eO, E_LAST_FIN_POS) + 1;
  const sent = (load<u8>(eO, E_SEEN) & SEEN_FIN) != 0 && seqGT(finEnd, top) ? finEnd : top;
  return acknowledges(curAck, load<u32>(eO, E_LAST_SYN_SEQ), sent);
}

/** RFC 9293's test in SYN-RECEIVED: ISN < ack <= what was sent under that ISN. */
@inline function acknowledges(ack: u32, isn: u32, sent: u32): bool {
  return seqGT(ack, isn) && seqLE(ack, sent);
}
