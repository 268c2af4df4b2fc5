// The usual packet's fast path: an in-order data segment or a pure ACK of an established
// connection (most packets of a capture), or of one first seen mid-stream (both endpoints
// PARTIAL). One test proves that the full rule walk of accept() would only do this packet's
// bookkeeping (counters, the stream's top and next bytes, a gap its ACK reveals, times, the
// analysis, the inactivity timeout); then only that is done. The reference tracker's
// tracker-usual.ts takes the same path on the same test.
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
//
// Mid-stream (both endpoints PARTIAL, ~4.5 % of the packets of the 96-byte short mix), tested
// only when the established test fails; in place of the state and handshake parts:
// - both endpoints PARTIAL: an ACK or data moves neither (updateStates() leaves PARTIAL only on
//   a SYN, FIN or RST), so the connection stays mid-stream and never becomes ESTABLISHED; the
//   duration still grows; the inactivity timeout leaves the handshake's as for ESTABLISHED
//   (PARTIAL is not a handshake state); REASM_ESTABLISHED is never set (it follows ESTABLISHED),
//   so neither stream is "clean": an ACK past the peer's next byte moves that byte, no gap is
//   reported (gaps.ts acknowledge() with report false, the peer holding no blocks and no FIN);
// - the handshake's evidence closed as for ESTABLISHED (answered and past its third packet: a
//   SYN and SYN/ACK cut by the snaplen are evidence, yet leave both endpoints INACTIVE, then
//   PARTIAL from the third packet on; ~2.8 % of that mix's packets), or never opened: no SYN/ACK
//   answered, so noteHandshake()'s rules for the handshake's end do nothing, and the sender never
//   having sent a SYN (E_SYNS 0, cut SYNs counted) rules out its "ack-without-syn-ack" count
//   (an anomaly counted on every such ACK).
// The other parts hold as above: flags, letter, top, window, no FIN, no blocks, next byte.

import * as L from "../layout";
import {
  C_LAST_TIME, C_DURATION_END, C_LAST_PACKET, C_ANOMALY_BITS, C_INACTIVITY_TIMEOUT, C_FIRST_FIN_SIDE,
  E_ONCE, E_PKTS, E_IP_BYTES, E_PAYLOAD_BYTES, E_REASM, E_TOP_SEQ, E_TOP_WRAPS, E_NEXT_SEQ, E_SYNS,
  PARTIAL, ESTABLISHED, ONCE_A, ONCE_D, SEEN_FIN, SEEN_TOP, SEEN_ISN, SEEN_START, REASM_NEXT, REASM_PENDING,
  REASM_ESTABLISHED, HS_SYN_ACK_ANSWERED, HS_ACK_SEEN, HS_RST_BEFORE_ACK, HS_PEER_ACKED_DATA, HS_SYN_ACKED_UNSEEN,
  ANOMALY_SNAPLEN_TRUNCATED,
} from "../connection-layout";
import { hsOf, bump, seqLE, seqGT, flippedOf, stateOf } from "./connection";
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
// Mid-stream: both PARTIAL, REASM_ESTABLISHED left out (never set on a PARTIAL endpoint).
const MID_SENDER_MASK: u32 = 0xff | (SENDER_SEEN | SEEN_FIN) << 16 | (REASM_NEXT | REASM_PENDING) << 24;
const MID_SENDER_WANT: u32 = PARTIAL | SENDER_SEEN << 16 | REASM_NEXT << 24;
const MID_PEER_MASK: u32 = 0xff | SEEN_FIN << 16 | REASM_PENDING << 24;
const MID_PEER_WANT: u32 = PARTIAL;

/** The packet being tracked is a usual one for connection `c` (sender `eS`, peer `eP`). */
@inline export function isUsual(c: usize, eS: usize, eP: usize): bool {
  const payload = curPayload, seq = curSeq;
  const hs = hsOf(c), sender = load<u32>(eS), peer = load<u32>(eP);
  // Every part that needs no branch, or-ed together: non-zero when one fails (one branch, not
  // ten). The parts that do not depend on the endpoints' states first, kept for the mid-stream test.
  const packet = ((curFlags & CONTROLS) ^ L.FLAG_ACK)
    | (seq ^ load<u32>(eS, E_TOP_SEQ)) | (payload >>> 31)
    | <u32>(load<u16>(rec, L.REC_WINDOW) == 0)
    | <u32>load<u8>(c, C_FIRST_FIN_SIDE);
  const failed = packet
    | ((sender & SENDER_MASK) ^ SENDER_WANT)
    | ((peer & PEER_MASK) ^ PEER_WANT)
    | ((hs & HS_SYN_ACK_ANSWERED) ^ HS_SYN_ACK_ANSWERED) | <u32>((hs & WAITING) == 0);
  if (failed != 0) return packet == 0 && isMidStream(c, eS, eP, sender, peer, hs);
  return inOrder(c, eS, sender, payload, seq);
}

// The mid-stream test's own parts (the packet's were met): both PARTIAL, and the handshake past
// its third packet, or else no SYN/ACK answered, no SYN from the sender and a SYN from the peer
// acknowledged already (the counts are on the endpoints' cold lines: read only then). Off the
// established packets' path.
function isMidStream(c: usize, eS: usize, eP: usize, sender: u32, peer: u32, hs: u32): bool {
  if ((((sender & MID_SENDER_MASK) ^ MID_SENDER_WANT) | ((peer & MID_PEER_MASK) ^ MID_PEER_WANT)) != 0) return false;
  const handshakeOpen = (hs & HS_SYN_ACK_ANSWERED) != 0 ? (hs & WAITING) == 0
    : load<u32>(eS, E_SYNS) != 0 || (load<u32>(eP, E_SYNS) != 0 && (hs & HS_SYN_ACKED_UNSEEN) == 0);
  return !handshakeOpen && inOrder(c, eS, sender, curPayload, curSeq);
}

// The parts with a branch of their own: the letter (no flip) and the segment not above the next byte.
@inline function inOrder(c: usize, eS: usize, sender: u32, payload: u32, seq: u32): bool {
  const once: u32 = (payload > 0 ? ONCE_D : ONCE_A) << 8;
  return ((sender & once) != 0 || !historyIs(c, 0x48))
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
  // Reported only when both streams are "clean": established (mid-stream, it is not).
  if ((load<u8>(eP, E_REASM) & REASM_NEXT) != 0 && seqGT(ackNo, peerNext)) {
    if (stateOf(eP) == ESTABLISHED) gap(c, side ^ 1, eP, ackNo - peerNext, true);
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
  // Both established or PARTIAL: past the handshake's inactivity timeout (lifetime.ts updateTimers()).
  if (load<f64>(c, C_INACTIVITY_TIMEOUT) == config.handshakeInactivity) store<f64>(c, config.inactivityTimeout, C_INACTIVITY_TIMEOUT);
}
