// The usual packet's fast path: an in-order data segment or a pure ACK of an established
// connection (most packets of a capture). One test proves that the full rule walk of accept()
// would only do this packet's bookkeeping (counters, the stream's top and next bytes, a gap its
// ACK reveals, times, the analysis, the inactivity timeout); then only that is done. The
// reference tracker's tracker-usual.ts takes the same path on the same test.
//
// What each part of the test rules out, rule by rule (track.ts accept()):
// - flags exactly ACK (PSH, URG, ECN bits aside): no SYN, FIN or RST rule applies; the
//   handshake and close rules only act on those, or before the handshake's end (below);
// - both endpoints ESTABLISHED: no state transition, the duration still grows, the inactivity
//   timeout leaves the handshake's, and both streams are "clean" for gap reports;
// - the sender's D (data) or A (pure ACK) letter already recorded, or else a history that is
//   not a lone SYN/ACK: the letter is recorded (the sender's first data segment or pure ACK,
//   ~7 % of the packets of short exchanges), and no flip (section 2.2(1) flips only "H");
// - the sender's sequence fields known (top, ISN, start) and the packet starting at its top: no
//   retransmission, the top moves to the segment's end (a pure ACK leaves it);
// - a non-zero window: no zero-window count;
// - the handshake answered and past its third packet (or its evidence otherwise closed), no
//   FIN yet: the handshake and teardown rules do nothing;
// - neither stream holding out-of-order blocks nor having seen a FIN, the sender's next byte
//   known and the segment (when captured whole) not above it: reassembly only moves next bytes.

import * as L from "../layout";
import {
  C_LAST_TIME, C_DURATION_END, C_LAST_PACKET, C_ANOMALY_BITS, C_INACTIVITY_TIMEOUT, C_FIRST_FIN_SIDE,
  E_ONCE, E_PKTS, E_IP_BYTES, E_PAYLOAD_BYTES, E_REASM, E_TOP_SEQ, E_TOP_WRAPS, E_NEXT_SEQ, ESTABLISHED, ONCE_A, ONCE_D,
  SEEN_FIN, SEEN_TOP, SEEN_ISN, SEEN_START, REASM_NEXT, REASM_PENDING, REASM_ESTABLISHED,
  HS_SYN_ACK_ANSWERED, HS_ACK_SEEN, HS_RST_BEFORE_ACK, HS_PEER_ACKED_DATA, ANOMALY_SNAPLEN_TRUNCATED,
} from "../connection-layout";
import { hsOf, bump, seqLE, seqGT, flippedOf } from "./connection";
import { noteAnomaly, historyIs, appendFrom } from "./history";
import * as config from "./config";
import { rec, curTime, curFlags, curSeq, curAck, curPayload, packetIndex } from "./context";
import { gap } from "./gaps";
import { analysePacket } from "./analysis-hooks";

const CONTROLS: u32 = L.FLAG_SYN | L.FLAG_FIN | L.FLAG_RST | L.FLAG_ACK;
const WAITING: u32 = HS_ACK_SEEN | HS_RST_BEFORE_ACK | HS_PEER_ACKED_DATA;
// An endpoint's first word (E_STATE, E_ONCE, E_SEEN, E_REASM: bytes 0-3), masked and compared
// at once. The sender's once bit (D or A, by the payload) is tested apart.
const SENDER_SEEN: u32 = SEEN_TOP | SEEN_ISN | SEEN_START;
const SENDER_MASK: u32 = 0xff | (SENDER_SEEN | SEEN_FIN) << 16 | (REASM_NEXT | REASM_PENDING | REASM_ESTABLISHED) << 24;
const SENDER_WANT: u32 = ESTABLISHED | SENDER_SEEN << 16 | (REASM_NEXT | REASM_ESTABLISHED) << 24;
const PEER_MASK: u32 = 0xff | SEEN_FIN << 16 | (REASM_PENDING | REASM_ESTABLISHED) << 24;
const PEER_WANT: u32 = ESTABLISHED | REASM_ESTABLISHED << 24;

/** The packet being tracked is a usual one for connection `c` (sender `eS`, peer `eP`). */
@inline export function isUsual(c: usize, eS: usize, eP: usize): bool {
  const payload = curPayload, seq = curSeq;
  const once: u32 = (payload > 0 ? ONCE_D : ONCE_A) << 8;
  const hs = hsOf(c), sender = load<u32>(eS);
  // Every part that needs no branch, or-ed together: non-zero when one fails (one branch, not ten).
  const failed = ((curFlags & CONTROLS) ^ L.FLAG_ACK)
    | ((sender & SENDER_MASK) ^ SENDER_WANT)
    | ((load<u32>(eP) & PEER_MASK) ^ PEER_WANT)
    | (seq ^ load<u32>(eS, E_TOP_SEQ)) | (payload >>> 31)
    | <u32>(load<u16>(rec, L.REC_WINDOW) == 0)
    | ((hs & HS_SYN_ACK_ANSWERED) ^ HS_SYN_ACK_ANSWERED) | <u32>((hs & WAITING) == 0)
    | <u32>load<u8>(c, C_FIRST_FIN_SIDE);
  return failed == 0 && ((sender & once) != 0 || !historyIs(c, 0x48))
    && (payload == 0 || (load<u8>(rec, L.REC_PACKET_FLAGS) & L.PKT_PAYLOAD_TRUNCATED) != 0
      || seqLE(seq, load<u32>(eS, E_NEXT_SEQ)));
}

/** A usual packet accepted (isUsual): what the full rule walk would do for it, and only that. */
export function acceptUsual(c: usize, side: u32, eS: usize, eP: usize): void {
  const t = curTime, seq = curSeq, ackNo = curAck, payload = curPayload, r = rec;
  const captured = (load<u8>(r, L.REC_PACKET_FLAGS) & L.PKT_PAYLOAD_TRUNCATED) == 0;
  // The sender's first data segment or pure ACK: its letter (endpoints.ts historyLetter()), first.
  const bit: u32 = payload > 0 ? ONCE_D : ONCE_A, once = <u32>load<u8>(eS, E_ONCE);
  if ((once & bit) == 0) {
    store<u8>(eS, <u8>(once | bit), E_ONCE);
    appendFrom(c, side == flippedOf(c), payload > 0 ? 0x44 : 0x41); // D, A
  }
  if (payload > 0) {
    // The sender's top and, for a whole segment, its next in-order byte (endpoints.ts, gaps.ts).
    const top = seq + payload;
    if (top < seq) bump(eS + E_TOP_WRAPS);
    store<u32>(eS, top, E_TOP_SEQ);
    if (captured && seqGT(top, load<u32>(eS, E_NEXT_SEQ))) store<u32>(eS, top, E_NEXT_SEQ);
  }
  // The ACK covers bytes of the peer's stream never delivered: a gap (gaps.ts acknowledge()).
  const peerNext = load<u32>(eP, E_NEXT_SEQ);
  if ((load<u8>(eP, E_REASM) & REASM_NEXT) != 0 && seqGT(ackNo, peerNext)) {
    gap(c, side ^ 1, eP, ackNo - peerNext, true);
    store<u32>(eP, ackNo, E_NEXT_SEQ);
  }
  store<f64>(eS, load<f64>(eS, E_PKTS) + 1, E_PKTS);
  store<f64>(eS, load<f64>(eS, E_IP_BYTES) + <f64>load<u32>(r, L.REC_IP_LEN), E_IP_BYTES);
  store<f64>(eS, load<f64>(eS, E_PAYLOAD_BYTES) + <f64>payload, E_PAYLOAD_BYTES);
  if (!captured && (load<u32>(c, C_ANOMALY_BITS) & (1 << ANOMALY_SNAPLEN_TRUNCATED)) == 0) {
    noteAnomaly(c, ANOMALY_SNAPLEN_TRUNCATED);
  }
  store<f64>(c, t, C_LAST_TIME);
  store<f64>(c, packetIndex(), C_LAST_PACKET);
  store<f64>(c, t, C_DURATION_END);
  analysePacket(c, side);
  // Both established: past the handshake's inactivity timeout (lifetime.ts updateTimers()).
  if (load<f64>(c, C_INACTIVITY_TIMEOUT) == config.handshakeInactivity) store<f64>(c, config.inactivityTimeout, C_INACTIVITY_TIMEOUT);
}
