// Wireshark's TCP analysis (tshark 4.0, default preferences) in WebAssembly: rule for rule the
// TypeScript reference engine (sdk/connections/analysis/tcp-analysis.ts, which comments each
// rule; docs/tcp-analysis.md restates them), over one connection's state block of
// ANALYSIS_SIZE bytes at address `a` (assembly/analysis-layout.ts). Nothing allocates per
// packet. Call analysisReset(a) for a new connection, analysisPacket for each of its packets,
// read the results from the block when it ends and then analysisRelease(a) (pool blocks).

import {
  V_RETRANSMISSION, V_FAST_RETRANSMISSION, V_SPURIOUS_RETRANSMISSION, V_OUT_OF_ORDER, V_DUP_ACK,
  V_LOST_SEGMENT, V_ACKED_UNSEEN, V_ZERO_WINDOW, V_ZERO_WINDOW_PROBE, V_ZERO_WINDOW_PROBE_ACK,
  V_WINDOW_FULL, V_WINDOW_UPDATE, V_KEEP_ALIVE, V_KEEP_ALIVE_ACK, V_ANY_RETRANSMISSION, COUNTS,
  RING_INLINE, RING_BLOCK, MAX_UNACKED, WSCALE_UNKNOWN, WSCALE_NONE, SB_BASE_SET, SB_RING_UNSORTED, RING_SORTED_SPAN, S_RING_START,
  HS_NONE, HS_SYN, HS_SYN_ACK, HS_DONE, ANALYSIS_SIZE, A_FIRST_RTT, A_MRU_SYN, A_LAST_TIME, A_MAX_GAP,
  A_HANDSHAKE_TIME, A_SYN_SIDE, A_HS_STAGE, A_SIDES, SIDE_STRIDE, S_NEXT_SEQ, S_MAX_SEQ_TO_BE_ACKED,
  S_LAST_ACK, S_WINDOW, S_BASE_SEQ, S_DUP_ACK_NUM, S_UNACKED, S_LAST_FLAGS, S_WIN_SCALE, S_BITS,
  S_NEXT_SEQ_TIME, S_LAST_ACK_TIME, S_LAST_TIME, S_FIRST_PAYLOAD_TIME, S_RING_NEXT, S_RING_COUNT,
  S_RING_BLOCK, S_RING_TIME, S_COUNTS, S_RTT_SAMPLES, S_RTT_MIN, S_RTT_MAX, S_RTT_SUM,
  S_RETRANSMITTED_BYTES, S_MAX_GAP, S_QUANTILES, QUANTILE_STRIDE,
} from "../../analysis-layout";
import { addQuantileSample } from "./quantiles";
import { releaseRing, promoteRing, demoteRing, blockEnds, blockTimes } from "./ring-pool";

const FIN: u32 = 0x01, SYN: u32 = 0x02, RST: u32 = 0x04, ACK: u32 = 0x10;

@inline function sideAt(a: usize, side: i32): usize { return a + A_SIDES + <usize>side * SIDE_STRIDE; }
@inline function seqLT(x: u32, y: u32): bool { return <i32>(x - y) < 0; }
@inline function seqLE(x: u32, y: u32): bool { return <i32>(x - y) <= 0; }
@inline function seqGT(x: u32, y: u32): bool { return <i32>(x - y) > 0; }
// Unsigned 64-bit nanosecond comparison, as Wireshark's: a negative difference is huge.
@inline function ltUnsigned(x: f64, y: f64): bool { return x >= 0 ? y < 0 || x < y : y < 0 && x < y; }

/** Gives back the pool blocks of the connection at `a` (at its end, before its memory is reused). */
export function analysisRelease(a: usize): void {
  releaseRing(sideAt(a, 0));
  releaseRing(sideAt(a, 1));
}

/** A new connection at `a`: every field to its initial value. */
export function analysisReset(a: usize): void {
  analysisRelease(a);
  memory.fill(a, 0, ANALYSIS_SIZE);
  store<f64>(a, NaN, A_MRU_SYN);
  store<f64>(a, NaN, A_LAST_TIME);
  store<f64>(a, -1, A_MAX_GAP);
  store<f64>(a, NaN, A_HANDSHAKE_TIME);
  for (let side = 0; side < 2; side++) {
    const s = sideAt(a, side);
    store<u32>(s, 0xffffffff, S_WINDOW);
    store<i8>(s, <i8>WSCALE_UNKNOWN, S_WIN_SCALE);
    store<f64>(s, NaN, S_LAST_TIME);
    store<f64>(s, NaN, S_FIRST_PAYLOAD_TIME);
    store<f64>(s, -1, S_MAX_GAP);
  }
}

/** Would tshark start a new stream with this pure SYN (another sequence number than the side's first)? */
export function analysisStartsNewStream(a: usize, side: i32, flags: u32, seq: u32): bool {
  const f = sideAt(a, side);
  return (flags & (SYN | ACK)) == SYN && (load<u8>(f, S_BITS) & SB_BASE_SET) != 0 && seq != load<u32>(f, S_BASE_SEQ);
}

/**
 * One packet of the connection at `a`, sent by `side`: TCP flags, raw window, window-scale
 * shift (-1: no option), payload length, time in seconds. Returns its verdicts (V_* bits).
 */
export function analysisPacket(a: usize, side: i32, seq: u32, ack: u32, flags: u32, window: u32, wscale: i32, payload: u32, t: f64): u32 {
  const f = sideAt(a, side), r = sideAt(a, side ^ 1);

  // Before the analysis proper: a SYN again with the same sequence number rewinds the next
  // expected one; a SYN/ACK with another one moves the base.
  const baseSet = (load<u8>(f, S_BITS) & SB_BASE_SET) != 0;
  if (baseSet && (flags & SYN) != 0 && seq != load<u32>(f, S_BASE_SEQ)) {
    if (flags & ACK) store<u32>(f, seq, S_BASE_SEQ);
  } else if (baseSet && (flags & (SYN | ACK)) == SYN) {
    store<u32>(f, load<u32>(f, S_MAX_SEQ_TO_BE_ACKED), S_NEXT_SEQ);
  }
  if (!baseSet) {
    store<u32>(f, flags & SYN ? seq : seq - 1, S_BASE_SEQ);
    store<u8>(f, load<u8>(f, S_BITS) | <u8>SB_BASE_SET, S_BITS);
  }
  if ((load<u8>(r, S_BITS) & SB_BASE_SET) == 0 && (flags & ACK) != 0) {
    store<u32>(r, ack - 1, S_BASE_SEQ);
    store<u8>(r, load<u8>(r, S_BITS) | <u8>SB_BASE_SET, S_BITS);
  }

  let v: u32 = 0;
  const nxt = load<u32>(f, S_NEXT_SEQ);
  const plain = (flags & (SYN | FIN | RST)) == 0;
  if (payload == 1 && seq == nxt && load<u32>(r, S_WINDOW) == 0) {
    v = V_ZERO_WINDOW_PROBE;
  } else {
    if (window == 0 && plain) v |= V_ZERO_WINDOW;
    if (nxt != 0 && seqGT(seq, nxt) && (flags & RST) == 0) v |= V_LOST_SEGMENT;
    if (payload <= 1 && seq == nxt - 1 && plain) v |= V_KEEP_ALIVE;
    const repeats = payload == 0 && seq == nxt && ack == load<u32>(f, S_LAST_ACK) && plain;
    const fwdWindow = load<u32>(f, S_WINDOW);
    if (repeats && window != 0 && window != fwdWindow) v |= V_WINDOW_UPDATE;
    const scale = <i32>load<i8>(r, S_WIN_SCALE);
    if (payload > 0 && scale != WSCALE_UNKNOWN && plain) {
      const shift = scale == WSCALE_NONE ? 0 : scale;
      if (seq + payload == load<u32>(r, S_LAST_ACK) + (load<u32>(r, S_WINDOW) << shift)) v |= V_WINDOW_FULL;
    }
    const peerFlags = <u32>load<u16>(r, S_LAST_FLAGS);
    if (repeats && window != 0 && window == fwdWindow && (peerFlags & V_KEEP_ALIVE) != 0) {
      v |= V_KEEP_ALIVE_ACK;
    } else if (repeats && window == 0 && fwdWindow == 0 && (peerFlags & V_ZERO_WINDOW_PROBE) != 0) {
      v |= V_ZERO_WINDOW_PROBE_ACK;
    } else if (repeats && window != 0 && window == fwdWindow) {
      const dup = load<i32>(f, S_DUP_ACK_NUM);
      store<i32>(f, dup == -1 ? 1 : dup + 1, S_DUP_ACK_NUM);
      v |= V_DUP_ACK;
    }
  }
  if (ack != load<u32>(f, S_LAST_ACK)) store<i32>(f, 0, S_DUP_ACK_NUM);

  // An acknowledgement beyond the data seen from the peer.
  const peerEnd = load<u32>(r, S_MAX_SEQ_TO_BE_ACKED);
  if (peerEnd != 0 && seqGT(ack, peerEnd) && (flags & ACK) != 0) {
    const peerNext = load<u32>(r, S_NEXT_SEQ);
    if (peerEnd < peerNext) {
      store<u32>(r, peerNext, S_MAX_SEQ_TO_BE_ACKED);
      v |= V_ACKED_UNSEEN;
    } else {
      if (load<i32>(r, S_DUP_ACK_NUM) == 0) v |= V_ACKED_UNSEEN;
      store<i32>(r, -1, S_DUP_ACK_NUM);
    }
  }

  // Which kind of retransmission.
  const consumes = payload > 0 || (flags & (SYN | FIN)) != 0;
  if (consumes && (v & V_KEEP_ALIVE) == 0) {
    let notAdvanced = nxt != 0 && seqLT(seq, nxt);
    if (payload > 1 && nxt - 1 == seq) notAdvanced = false;
    const peerAck = load<u32>(r, S_LAST_ACK);
    const firstRtt = load<f64>(a, A_FIRST_RTT);
    const thresh: f64 = firstRtt != 0 ? firstRtt : 0.003;
    if (payload > 0 && peerAck != 0 && seqLE(seq + payload, peerAck)) {
      v |= V_SPURIOUS_RETRANSMISSION;
    } else if (notAdvanced && load<i32>(r, S_DUP_ACK_NUM) >= 2 && peerAck == seq && ltUnsigned(t - load<f64>(r, S_LAST_ACK_TIME), 0.02)) {
      v |= V_FAST_RETRANSMISSION;
    } else if (notAdvanced && ltUnsigned(t - load<f64>(f, S_NEXT_SEQ_TIME), thresh)
      && nxt != seq + payload + ((flags & (SYN | FIN)) != 0 ? 1 : 0)) {
      v |= V_OUT_OF_ORDER;
    } else if (notAdvanced) {
      v |= V_RETRANSMISSION;
    }
  }

  // The segment joins the unacknowledged ones; the highest next sequence number moves on.
  let next = seq + payload;
  if (consumes && load<u32>(f, S_UNACKED) < <u32>MAX_UNACKED) {
    if (flags & (SYN | FIN)) next += 1;
    store<u32>(f, load<u32>(f, S_UNACKED) + 1, S_UNACKED);
    const count = <i32>load<u16>(f, S_RING_COUNT);
    let blk = load<i32>(f, S_RING_BLOCK) - 1;
    if (blk < 0 && count == RING_INLINE && promoteRing(f)) blk = load<i32>(f, S_RING_BLOCK) - 1;
    const cap = blk < 0 ? RING_INLINE : RING_BLOCK;
    if (count < cap) {
      const ends = blk < 0 ? f + S_RING_NEXT : blockEnds(blk), times = blk < 0 ? f + S_RING_TIME : blockTimes(blk);
      let start = <i32>load<u16>(f, S_RING_START);
      if (start + count == cap) { // at the end: the entries move back to the front
        memory.copy(ends, ends + (<usize>start << 2), <usize>count << 2);
        memory.copy(times, times + (<usize>start << 3), <usize>count << 3);
        start = 0;
        store<u16>(f, 0, S_RING_START);
      }
      if (count > 0 && (seqLT(next, load<u32>(ends + (<usize>(start + count - 1) << 2))) || next - load<u32>(ends + (<usize>start << 2)) >= <u32>RING_SORTED_SPAN)) {
        store<u8>(f, load<u8>(f, S_BITS) | <u8>SB_RING_UNSORTED, S_BITS);
      }
      store<u32>(ends + (<usize>(start + count) << 2), next);
      store<f64>(times + (<usize>(start + count) << 3), t);
      store<u16>(f, <u16>(count + 1), S_RING_COUNT);
    }
  }
  if ((v & V_ZERO_WINDOW_PROBE) == 0) {
    if (seqGT(next, load<u32>(f, S_NEXT_SEQ)) || load<u32>(f, S_NEXT_SEQ) == 0) {
      store<u32>(f, next, S_NEXT_SEQ);
      store<f64>(f, t, S_NEXT_SEQ_TIME);
    }
    const end = load<u32>(f, S_MAX_SEQ_TO_BE_ACKED);
    if (seq == end || end == 0) store<u32>(f, load<u32>(f, S_NEXT_SEQ), S_MAX_SEQ_TO_BE_ACKED);
  }
  store<u32>(f, window, S_WINDOW);
  store<u32>(f, ack, S_LAST_ACK);
  store<f64>(f, t, S_LAST_ACK_TIME);
  store<u16>(f, <u16>v, S_LAST_FLAGS);

  acknowledge(r, ack, t);
  afterAnalysis(a, f, r, flags, wscale, t);
  count(a, f, side, flags, payload, v, t);
  return v;
}

// The peer's unacknowledged segments this ACK covers leave the ring; an exact match of a
// segment's end gives an RTT sample from its oldest transmission.
function acknowledge(r: usize, ack: u32, t: f64): void {
  const n = <i32>load<u16>(r, S_RING_COUNT);
  if (n == 0) return;
  const blk = load<i32>(r, S_RING_BLOCK) - 1;
  const start = <i32>load<u16>(r, S_RING_START);
  const ends = (blk < 0 ? r + S_RING_NEXT : blockEnds(blk)) + (<usize>start << 2);
  const times = (blk < 0 ? r + S_RING_TIME : blockTimes(blk)) + (<usize>start << 3);
  let kept = 0, matched = false, sample: f64 = 0;
  if ((load<u8>(r, S_BITS) & SB_RING_UNSORTED) == 0 && seqGT(load<u32>(ends + (<usize>(n - 1) << 2)), ack)) {
    // In order, and the newest is beyond the ACK: the covered entries are a prefix.
    let k = 0;
    for (; k < n; k++) {
      const end = load<u32>(ends + (<usize>k << 2));
      if (seqGT(end, ack)) break;
      if (ack == end && !matched) {
        sample = t - load<f64>(times + (<usize>k << 3));
        matched = true;
      }
    }
    kept = n - k;
    store<u16>(r, <u16>(start + k), S_RING_START);
  } else {
    for (let k = 0; k < n; k++) {
      const end = load<u32>(ends + (<usize>k << 2));
      if (ack == end) {
        if (!matched) sample = t - load<f64>(times + (<usize>k << 3));
        matched = true;
      } else if (seqGT(end, ack)) {
        store<u32>(ends + (<usize>kept << 2), end);
        store<f64>(times + (<usize>kept << 3), load<f64>(times + (<usize>k << 3)));
        kept++;
      }
    }
  }
  if (kept == 0) {
    store<u16>(r, 0, S_RING_START);
    store<u8>(r, load<u8>(r, S_BITS) & ~(<u8>SB_RING_UNSORTED), S_BITS);
  }
  store<u16>(r, <u16>kept, S_RING_COUNT);
  if (blk >= 0 && kept <= RING_INLINE) demoteRing(r);
  const removed = <u32>(n - kept);
  const unacked = load<u32>(r, S_UNACKED);
  store<u32>(r, unacked > removed ? unacked - removed : 0, S_UNACKED);
  if (load<u32>(r, S_UNACKED) > <u32>kept && !seqLT(ack, load<u32>(r, S_NEXT_SEQ))) store<u32>(r, <u32>kept, S_UNACKED);
  if (matched && sample != 0) rttSample(r, sample);
}

function rttSample(s: usize, d: f64): void {
  const n = load<u32>(s, S_RTT_SAMPLES) + 1;
  store<u32>(s, n, S_RTT_SAMPLES);
  if (n == 1 || d < load<f64>(s, S_RTT_MIN)) store<f64>(s, d, S_RTT_MIN);
  if (n == 1 || d > load<f64>(s, S_RTT_MAX)) store<f64>(s, d, S_RTT_MAX);
  store<f64>(s, load<f64>(s, S_RTT_SUM) + d, S_RTT_SUM);
  const us = d * 1e6;
  addQuantileSample(s + S_QUANTILES, n, us, 500);
  addQuantileSample(s + S_QUANTILES + QUANTILE_STRIDE, n, us, 950);
}

// What tshark's dissector updates after the analysis: the handshake RTT, window scales.
function afterAnalysis(a: usize, f: usize, r: usize, flags: u32, wscale: i32, t: f64): void {
  if ((flags & (SYN | ACK)) == SYN) store<f64>(a, t, A_MRU_SYN);
  if ((flags & (SYN | ACK)) == ACK) {
    const syn = load<f64>(a, A_MRU_SYN);
    if (syn == syn && load<f64>(a, A_FIRST_RTT) == 0) store<f64>(a, t - syn, A_FIRST_RTT);
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

// Counts, retransmitted bytes, gaps, the handshake and first-payload times.
function count(a: usize, f: usize, side: i32, flags: u32, payload: u32, v: u32, t: f64): void {
  if (v != 0) {
    const c = f + S_COUNTS;
    if (v & V_ANY_RETRANSMISSION) {
      store<u32>(c, load<u32>(c) + 1);
      store<f64>(f, load<f64>(f, S_RETRANSMITTED_BYTES) + <f64>payload, S_RETRANSMITTED_BYTES);
    }
    for (let bit = 1; bit < COUNTS; bit++) {
      if (v & (1 << bit)) store<u32>(c + (<usize>bit << 2), load<u32>(c + (<usize>bit << 2)) + 1);
    }
  }
  const last = load<f64>(a, A_LAST_TIME);
  if (last == last) {
    const gap = t > last ? t - last : 0;
    if (gap > load<f64>(a, A_MAX_GAP)) store<f64>(a, gap, A_MAX_GAP);
  }
  store<f64>(a, t, A_LAST_TIME);
  const sideLast = load<f64>(f, S_LAST_TIME);
  if (sideLast == sideLast) {
    const gap = t > sideLast ? t - sideLast : 0;
    if (gap > load<f64>(f, S_MAX_GAP)) store<f64>(f, gap, S_MAX_GAP);
  }
  store<f64>(f, t, S_LAST_TIME);

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
  const fp = load<f64>(f, S_FIRST_PAYLOAD_TIME);
  if (payload > 0 && fp != fp && (flags & RST) == 0 && (v & V_KEEP_ALIVE) == 0) store<f64>(f, t, S_FIRST_PAYLOAD_TIME);
}
