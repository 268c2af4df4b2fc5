// Wireshark's TCP analysis (tshark 4.0, default preferences) in WebAssembly: rule for rule the
// TypeScript reference engine (sdk/connections/analysis/tcp-analysis.ts, which comments each
// rule; docs/tcp-analysis.md restates them), over one connection's state block of
// ANALYSIS_SIZE bytes at address `a` (assembly/analysis-layout.ts). Nothing allocates per
// packet. Call analysisReset(a) for a new connection, analysisPacket for each of its packets,
// read the results from the block when it ends and then analysisRelease(a) (pool blocks).
//
// An ordinary packet reads and writes only the block's two hot lines and a ring line: what
// SYNs, a side's first packets, retransmissions, verdicts and the handshake need is behind
// tests of hot bits and lives in the functions below anyPacket, on colder lines. The usual
// packet (in order, no verdict possible: see analysisPacket) does not even run the rules.

import {
  V_RETRANSMISSION, V_FAST_RETRANSMISSION, V_SPURIOUS_RETRANSMISSION, V_OUT_OF_ORDER, V_DUP_ACK,
  V_ACKED_UNSEEN, V_LOST_SEGMENT, V_ZERO_WINDOW, V_ZERO_WINDOW_PROBE, V_ZERO_WINDOW_PROBE_ACK,
  V_WINDOW_FULL, V_WINDOW_UPDATE, V_KEEP_ALIVE, V_KEEP_ALIVE_ACK, V_ANY_RETRANSMISSION, COUNTS,
  MAX_UNACKED, WSCALE_UNKNOWN, WSCALE_NONE, SB_BASE_SET, SB_FIRST_PAYLOAD,
  AB_RTT_PENDING, AB_LAST_SIDE, HS_NONE, HS_SYN, HS_SYN_ACK, HS_DONE, ANALYSIS_SIZE, SIDE_STRIDE,
  S_NEXT_SEQ, S_MAX_SEQ_TO_BE_ACKED, S_LAST_ACK, S_WINDOW, S_DUP_ACK_NUM, S_LAST_FLAGS, S_WIN_SCALE, S_BITS,
  S_RING_COUNT, S_UNACKED, A_HS_STAGE, A_SYN_SIDE, A_BITS, S_NEXT_SEQ_TIME, S_LAST_TIME, S_MAX_GAP, A_MAX_GAP,
  A_FIRST_PAYLOAD_TIME, A_BASE_SEQ, A_FIRST_RTT, A_COUNTS, COUNTS_STRIDE, C_RETRANSMITTED_BYTES, A_MRU_SYN, A_HANDSHAKE_TIME,
} from "../../analysis-layout";
import { releaseRing } from "./ring-pool";
import { listSegment, acknowledge } from "./segments";

const FIN: u32 = 0x01, SYN: u32 = 0x02, RST: u32 = 0x04, ACK: u32 = 0x10;

@inline function seqLT(x: u32, y: u32): bool { return <i32>(x - y) < 0; }
@inline function seqLE(x: u32, y: u32): bool { return <i32>(x - y) <= 0; }
@inline function seqGT(x: u32, y: u32): bool { return <i32>(x - y) > 0; }
// Unsigned 64-bit nanosecond comparison, as Wireshark's: a negative difference is huge. Both
// are rounded to whole nanoseconds first: a difference of two times in seconds lands either side
// of a bound it equals (0.012 - 0.009 is 0.002999999999999999).
@inline function ltUnsigned(xSeconds: f64, ySeconds: f64): bool {
  const x = nearest(xSeconds * 1e9), y = nearest(ySeconds * 1e9);
  return x >= 0 ? y < 0 || x < y : y < 0 && x < y;
}

/** Gives back the pool blocks of the connection at `a` (at its end, before its memory is reused). */
export function analysisRelease(a: usize): void {
  releaseRing(a);
  releaseRing(a + SIDE_STRIDE);
}

/** A new connection at `a`: every field to its initial value. */
export function analysisReset(a: usize): void {
  analysisRelease(a);
  memory.fill(a, 0, ANALYSIS_SIZE);
  store<f64>(a, NaN, A_MRU_SYN);
  store<f64>(a, -1, A_MAX_GAP);
  store<f64>(a, NaN, A_HANDSHAKE_TIME);
  for (let side = 0; side < 2; side++) {
    const s = a + <usize>side * SIDE_STRIDE;
    store<u32>(s, 0xffffffff, S_WINDOW);
    store<i8>(s, <i8>WSCALE_UNKNOWN, S_WIN_SCALE);
    store<f64>(s, NaN, S_LAST_TIME);
    store<f64>(s, -1, S_MAX_GAP);
    store<f64>(a + (<usize>side << 3), NaN, A_FIRST_PAYLOAD_TIME);
  }
}

/** Would tshark start a new stream with this pure SYN (another sequence number than the side's first)? */
export function analysisStartsNewStream(a: usize, side: i32, flags: u32, seq: u32): bool {
  return (flags & (SYN | ACK)) == SYN && (load<u8>(a + <usize>side * SIDE_STRIDE, S_BITS) & SB_BASE_SET) != 0
    && seq != load<u32>(a + (<usize>side << 2), A_BASE_SEQ);
}

/**
 * One packet of the connection at `a`, sent by `side`: TCP flags, raw window, window-scale
 * shift (-1: no option), payload length, time in seconds. Returns its verdicts (V_* bits).
 *
 * Most packets (85-88 % of those of generated short and bulk exchanges) are usual ones: neither
 * SYN, FIN nor RST, at this side's next expected sequence number, with a non-zero window and
 * no window-scale option, both bases set, the handshake RTT not pending, the handshake not
 * waiting for its last ACK; a pure ACK acknowledging something new, or a segment that is not a probe, not all acknowledged already and not ending at the edge
 * of the peer's window; and not acknowledging beyond the peer's contiguous end. No rule gives
 * such a packet a verdict, and only its bookkeeping is left: that is done here, on the hot
 * lines' fields (and, for a side's first payload, its time on a cold line), and every other
 * packet goes through all the rules (anyPacket). The
 * TypeScript engine takes the same shortcut on the same test.
 */
export function analysisPacket(a: usize, side: i32, seq: u32, ack: u32, flags: u32, window: u32, wscale: i32, payload: u32, t: f64): u32 {
  const f = a + <usize>side * SIDE_STRIDE, r = a + <usize>(side ^ 1) * SIDE_STRIDE;
  const nxt = load<u32>(f, S_NEXT_SEQ);
  // Each test without a branch, or-ed together: non-zero when one fails (one branch, not eight).
  const failed = (seq ^ nxt) | <u32>(nxt == 0) | <u32>(window == 0) | <u32>(wscale >= 0) | (flags & (SYN | FIN | RST))
    | ((<u32>load<u8>(f, S_BITS) & <u32>load<u8>(r, S_BITS) & SB_BASE_SET) ^ SB_BASE_SET)
    | (<u32>load<u8>(a, A_BITS) & AB_RTT_PENDING) | <u32>(load<u8>(a, A_HS_STAGE) == HS_SYN_ACK);
  if (failed != 0) return anyPacket(a, f, r, side, seq, ack, flags, window, wscale, payload, t);
  const fwdAck = load<u32>(f, S_LAST_ACK), peerEnd = load<u32>(r, S_MAX_SEQ_TO_BE_ACKED);
  let unusual = <u32>(peerEnd != 0) & <u32>seqGT(ack, peerEnd) & <u32>((flags & ACK) != 0);
  if (payload == 0) {
    unusual |= <u32>(ack == fwdAck);
  } else {
    const peerAck = load<u32>(r, S_LAST_ACK), peerWindow = load<u32>(r, S_WINDOW);
    const scale = <i32>load<i8>(r, S_WIN_SCALE);
    unusual |= (<u32>(payload == 1) & <u32>(peerWindow == 0))
      | (<u32>(peerAck != 0) & <u32>seqLE(seq + payload, peerAck))
      | (<u32>(scale != WSCALE_UNKNOWN) & <u32>(seq + payload == peerAck + (peerWindow << (scale == WSCALE_NONE ? 0 : scale))));
  }
  if (unusual != 0) return anyPacket(a, f, r, side, seq, ack, flags, window, wscale, payload, t);

  if (ack != fwdAck) store<i32>(f, 0, S_DUP_ACK_NUM);
  if (payload > 0) {
    const unacked = <u32>load<u16>(f, S_UNACKED);
    if (unacked < <u32>MAX_UNACKED) {
      store<u16>(f, <u16>(unacked + 1), S_UNACKED);
      listSegment(a, f, side, seq + payload, t);
    }
    // The side's first payload byte (no keep-alive nor RST here): as the rules' last step.
    const bits = load<u8>(f, S_BITS);
    if ((bits & SB_FIRST_PAYLOAD) == 0) {
      store<u8>(f, bits | <u8>SB_FIRST_PAYLOAD, S_BITS);
      store<f64>(a + (<usize>side << 3), t, A_FIRST_PAYLOAD_TIME);
    }
  }
  remember(f, seq, seq + payload, nxt, window, ack, 0, t);
  if (load<u8>(r, S_RING_COUNT) != 0) acknowledge(a, r, side ^ 1, ack, t);
  gaps(a, f, side, t);
  return 0;
}

// Any packet: all the rules, in tshark's order (docs/tcp-analysis.md).
function anyPacket(a: usize, f: usize, r: usize, side: i32, seq: u32, ack: u32, flags: u32, window: u32, wscale: i32, payload: u32, t: f64): u32 {
  // Before the analysis proper: base sequence numbers, and SYNs again (rare: behind one test).
  if ((flags & SYN) != 0 || (load<u8>(f, S_BITS) & load<u8>(r, S_BITS) & SB_BASE_SET) == 0) bases(a, f, r, side, seq, ack, flags);

  let v: u32 = 0;
  const nxt = load<u32>(f, S_NEXT_SEQ);
  const plain = (flags & (SYN | FIN | RST)) == 0;
  const fwdAck = load<u32>(f, S_LAST_ACK), fwdWindow = load<u32>(f, S_WINDOW);
  const peerAck = load<u32>(r, S_LAST_ACK), peerWindow = load<u32>(r, S_WINDOW);
  if (payload == 1 && seq == nxt && peerWindow == 0) {
    v = V_ZERO_WINDOW_PROBE;
  } else {
    if (window == 0 && plain) v |= V_ZERO_WINDOW;
    if (nxt != 0 && seqGT(seq, nxt) && (flags & RST) == 0) v |= V_LOST_SEGMENT;
    if (payload <= 1 && seq == nxt - 1 && plain) v |= V_KEEP_ALIVE;
    const repeats = payload == 0 && seq == nxt && ack == fwdAck && plain;
    const scale = <i32>load<i8>(r, S_WIN_SCALE);
    if (payload > 0 && scale != WSCALE_UNKNOWN && plain) {
      const shift = scale == WSCALE_NONE ? 0 : scale;
      if (seq + payload == peerAck + (peerWindow << shift)) v |= V_WINDOW_FULL;
    }
    if (repeats) v |= repeatedAck(f, r, window, fwdWindow);
  }
  if (ack != fwdAck) store<i32>(f, 0, S_DUP_ACK_NUM);

  // An acknowledgement beyond the data seen from the peer.
  const peerEnd = load<u32>(r, S_MAX_SEQ_TO_BE_ACKED);
  if (peerEnd != 0 && seqGT(ack, peerEnd) && (flags & ACK) != 0) v |= ackedUnseen(r, peerEnd);

  // Which kind of retransmission.
  const consumes = payload > 0 || (flags & (SYN | FIN)) != 0;
  if (consumes && (v & V_KEEP_ALIVE) == 0) {
    let notAdvanced = nxt != 0 && seqLT(seq, nxt);
    if (payload > 1 && nxt - 1 == seq) notAdvanced = false;
    if (payload > 0 && peerAck != 0 && seqLE(seq + payload, peerAck)) {
      v |= V_SPURIOUS_RETRANSMISSION;
    } else if (notAdvanced) {
      v |= retransmissionKind(a, f, r, seq, flags, payload, nxt, peerAck, t);
    }
  }

  // The segment joins the unacknowledged ones; the highest next sequence number moves on.
  let next = seq + payload;
  if (consumes) {
    const unacked = <u32>load<u16>(f, S_UNACKED);
    if (unacked < <u32>MAX_UNACKED) {
      if (flags & (SYN | FIN)) next += 1;
      store<u16>(f, <u16>(unacked + 1), S_UNACKED);
      listSegment(a, f, side, next, t);
    }
  }
  remember(f, seq, next, nxt, window, ack, v, t);

  if (load<u8>(r, S_RING_COUNT) != 0) acknowledge(a, r, side ^ 1, ack, t);
  if ((flags & SYN) != 0 || wscale >= 0 || (load<u8>(a, A_BITS) & AB_RTT_PENDING) != 0) afterAnalysis(a, f, r, flags, wscale, t);
  if (v != 0) count(a, side, payload, v);
  gaps(a, f, side, t);

  if (load<u8>(a, A_HS_STAGE) != HS_DONE) handshakeStage(a, side, flags, t);
  if (payload > 0 && (load<u8>(f, S_BITS) & SB_FIRST_PAYLOAD) == 0 && (flags & RST) == 0 && (v & V_KEEP_ALIVE) == 0) {
    store<u8>(f, load<u8>(f, S_BITS) | <u8>SB_FIRST_PAYLOAD, S_BITS);
    store<f64>(a + (<usize>side << 3), t, A_FIRST_PAYLOAD_TIME);
  }
  return v;
}

// After the verdicts: the highest next sequence number moves on to `next` (not for a probe)
// and the contiguous end follows when the packet starts there; the window, the ACK and the
// verdicts are the side's latest.
@inline function remember(f: usize, seq: u32, next: u32, nxt: u32, window: u32, ack: u32, v: u32, t: f64): void {
  if ((v & V_ZERO_WINDOW_PROBE) == 0) {
    let top = nxt;
    if (seqGT(next, nxt) || nxt == 0) {
      top = next;
      store<u32>(f, next, S_NEXT_SEQ);
      store<f64>(f, t, S_NEXT_SEQ_TIME);
    }
    const end = load<u32>(f, S_MAX_SEQ_TO_BE_ACKED);
    if (seq == end || end == 0) store<u32>(f, top, S_MAX_SEQ_TO_BE_ACKED);
  }
  store<u32>(f, window, S_WINDOW);
  store<u32>(f, ack, S_LAST_ACK);
  store<u16>(f, <u16>v, S_LAST_FLAGS);
}

// Gaps. The connection's latest packet is its latest sender's (AB_LAST_SIDE); a side's
// S_LAST_TIME is also the time of its latest ACK, for the fast retransmission.
@inline function gaps(a: usize, f: usize, side: i32, t: f64): void {
  const bits = load<u8>(a, A_BITS);
  const last = load<f64>(a + ((bits & AB_LAST_SIDE) != 0 ? <usize>SIDE_STRIDE : 0), S_LAST_TIME);
  if (last == last) {
    const gap = t > last ? t - last : 0;
    if (gap > load<f64>(a, A_MAX_GAP)) store<f64>(a, gap, A_MAX_GAP);
  }
  store<u8>(a, side != 0 ? bits | <u8>AB_LAST_SIDE : bits & ~(<u8>AB_LAST_SIDE), A_BITS);
  const sideLast = load<f64>(f, S_LAST_TIME);
  if (sideLast == sideLast) {
    const gap = t > sideLast ? t - sideLast : 0;
    if (gap > load<f64>(f, S_MAX_GAP)) store<f64>(f, gap, S_MAX_GAP);
  }
  store<f64>(f, t, S_LAST_TIME);
}

// A SYN again with the same sequence number rewinds the next expected one; a SYN/ACK with
// another one moves the base; a side's first packet, or the peer's first ACK, sets the base.
function bases(a: usize, f: usize, r: usize, side: i32, seq: u32, ack: u32, flags: u32): void {
  const base = a + A_BASE_SEQ + (<usize>side << 2), peerBase = a + A_BASE_SEQ + (<usize>(side ^ 1) << 2);
  const baseSet = (load<u8>(f, S_BITS) & SB_BASE_SET) != 0;
  if (baseSet && (flags & SYN) != 0 && seq != load<u32>(base)) {
    if (flags & ACK) store<u32>(base, seq);
  } else if (baseSet && (flags & (SYN | ACK)) == SYN) {
    store<u32>(f, load<u32>(f, S_MAX_SEQ_TO_BE_ACKED), S_NEXT_SEQ);
  }
  if (!baseSet) {
    store<u32>(base, flags & SYN ? seq : seq - 1);
    store<u8>(f, load<u8>(f, S_BITS) | <u8>SB_BASE_SET, S_BITS);
  }
  if ((load<u8>(r, S_BITS) & SB_BASE_SET) == 0 && (flags & ACK) != 0) {
    store<u32>(peerBase, ack - 1);
    store<u8>(r, load<u8>(r, S_BITS) | <u8>SB_BASE_SET, S_BITS);
  }
}

// A packet with no payload, the next expected sequence number and the side's last ACK:
// a window update, a keep-alive ACK, a zero-window-probe ACK or a duplicate ACK.
function repeatedAck(f: usize, r: usize, window: u32, fwdWindow: u32): u32 {
  let v: u32 = 0;
  if (window != 0 && window != fwdWindow) v |= V_WINDOW_UPDATE;
  const peerFlags = <u32>load<u16>(r, S_LAST_FLAGS);
  if (window != 0 && window == fwdWindow && (peerFlags & V_KEEP_ALIVE) != 0) {
    v |= V_KEEP_ALIVE_ACK;
  } else if (window == 0 && fwdWindow == 0 && (peerFlags & V_ZERO_WINDOW_PROBE) != 0) {
    v |= V_ZERO_WINDOW_PROBE_ACK;
  } else if (window != 0 && window == fwdWindow) {
    const dup = load<i32>(f, S_DUP_ACK_NUM);
    store<i32>(f, dup == -1 ? 1 : dup + 1, S_DUP_ACK_NUM);
    v |= V_DUP_ACK;
  }
  return v;
}

// The ACK is beyond the peer's contiguous end: once per hole. The ends compare modulo 2^32, as
// tshark's (a plain < misjudges a stream whose sequence numbers wrapped between them).
function ackedUnseen(r: usize, peerEnd: u32): u32 {
  const peerNext = load<u32>(r, S_NEXT_SEQ);
  if (<i32>(peerEnd - peerNext) < 0) {
    store<u32>(r, peerNext, S_MAX_SEQ_TO_BE_ACKED);
    return V_ACKED_UNSEEN;
  }
  const unseen = load<i32>(r, S_DUP_ACK_NUM) == 0 ? V_ACKED_UNSEEN : 0;
  store<i32>(r, -1, S_DUP_ACK_NUM);
  return unseen;
}

// A segment that does not advance the sequence and is not spurious: fast, out of order or plain.
// The peer's duplicate-ACK counter is read unsigned, as tshark keeps it: its -1 (set by an ACK of
// unseen data) counts as at least 2.
function retransmissionKind(a: usize, f: usize, r: usize, seq: u32, flags: u32, payload: u32, nxt: u32, peerAck: u32, t: f64): u32 {
  if (load<u32>(r, S_DUP_ACK_NUM) >= 2 && peerAck == seq && ltUnsigned(t - load<f64>(r, S_LAST_TIME), 0.02)) return V_FAST_RETRANSMISSION;
  const firstRtt = load<f64>(a, A_FIRST_RTT);
  const thresh: f64 = firstRtt != 0 ? firstRtt : 0.003;
  if (ltUnsigned(t - load<f64>(f, S_NEXT_SEQ_TIME), thresh) && nxt != seq + payload + ((flags & (SYN | FIN)) != 0 ? 1 : 0)) return V_OUT_OF_ORDER;
  return V_RETRANSMISSION;
}

// What tshark's dissector updates after the analysis: the handshake RTT, window scales.
// Called for SYNs, window-scale options, and while a pure SYN waits for the RTT (AB_RTT_PENDING).
function afterAnalysis(a: usize, f: usize, r: usize, flags: u32, wscale: i32, t: f64): void {
  const kind = flags & (SYN | ACK);
  if (kind == SYN) {
    store<f64>(a, t, A_MRU_SYN);
    setRttPending(a, load<f64>(a, A_FIRST_RTT) == 0);
  } else if (kind == ACK && (load<u8>(a, A_BITS) & AB_RTT_PENDING) != 0) {
    const rtt = t - load<f64>(a, A_MRU_SYN);
    store<f64>(a, rtt, A_FIRST_RTT);
    setRttPending(a, rtt == 0);
  }
  if (wscale >= 0) store<i8>(f, <i8>(wscale > 14 ? 14 : wscale), S_WIN_SCALE);
  if (flags & SYN) {
    if (<i32>load<i8>(f, S_WIN_SCALE) == WSCALE_UNKNOWN) {
      store<i8>(f, <i8>WSCALE_NONE, S_WIN_SCALE);
      store<i8>(r, <i8>WSCALE_NONE, S_WIN_SCALE);
    } else if ((flags & ACK) != 0 && <i32>load<i8>(r, S_WIN_SCALE) == WSCALE_NONE) {
      store<i8>(f, <i8>WSCALE_NONE, S_WIN_SCALE);
    }
  }
}

@inline function setRttPending(a: usize, pending: bool): void {
  const bits = load<u8>(a, A_BITS);
  store<u8>(a, pending ? bits | <u8>AB_RTT_PENDING : bits & ~(<u8>AB_RTT_PENDING), A_BITS);
}

// Verdict counts and retransmitted bytes.
function count(a: usize, side: i32, payload: u32, v: u32): void {
  const c = a + A_COUNTS + <usize>side * COUNTS_STRIDE;
  if (v & V_ANY_RETRANSMISSION) {
    store<u32>(c, load<u32>(c) + 1);
    store<f64>(c, load<f64>(c, C_RETRANSMITTED_BYTES) + <f64>payload, C_RETRANSMITTED_BYTES);
  }
  for (let bit = 1; bit < COUNTS; bit++) {
    if (v & (1 << bit)) store<u32>(c + (<usize>bit << 2), load<u32>(c + (<usize>bit << 2)) + 1);
  }
}

// The handshake's progress, for the time to the first payload byte.
function handshakeStage(a: usize, side: i32, flags: u32, t: f64): void {
  const stage = load<u8>(a, A_HS_STAGE), kind = flags & (SYN | ACK);
  if (stage == HS_NONE && kind == SYN) {
    store<u8>(a, <u8>side, A_SYN_SIDE);
    store<u8>(a, HS_SYN, A_HS_STAGE);
  } else if (stage == HS_SYN && kind == (SYN | ACK) && side != <i32>load<u8>(a, A_SYN_SIDE)) {
    store<u8>(a, HS_SYN_ACK, A_HS_STAGE);
  } else if (stage == HS_SYN_ACK && kind == ACK && side == <i32>load<u8>(a, A_SYN_SIDE)) {
    store<u8>(a, HS_DONE, A_HS_STAGE);
    store<f64>(a, t, A_HANDSHAKE_TIME);
  }
}
