// The TCP analysis engine's unacknowledged segments (assembly/tracker/analysis/engine.ts): each
// side's ring of where its segments end and when they were sent, listed as they are sent and
// matched against the peer's ACKs for ack-RTT samples, as the TypeScript engine does
// (sdk/connections/analysis/tcp-analysis.ts). The ring is inline in the side's state until it
// holds RING_INLINE entries, then in a block borrowed from the pool (ring-pool.ts).

import {
  RING_INLINE, RING_BLOCK, SB_RING_UNSORTED, RING_SORTED_SPAN, S_NEXT_SEQ, S_BITS, S_RING_COUNT, S_RING_START,
  S_RING_BLOCK, S_UNACKED, A_RING, RING_STRIDE, RING_ENTRY, RE_END, RE_TIME, A_RTT, RTT_STRIDE, R_SAMPLES, R_MIN,
  R_MAX, R_SUM, A_QUANTILES, QUANTILES_STRIDE,
} from "../../analysis-layout";
import { addQuantileSamples } from "./quantiles";
import { promoteRing, demoteRing, blockEntries } from "./ring-pool";

@inline function ringAt(a: usize, side: i32): usize { return a + A_RING + <usize>side * RING_STRIDE; }
@inline function entry(e: usize, k: i32): usize { return e + <usize>k * RING_ENTRY; }
@inline function seqLT(x: u32, y: u32): bool { return <i32>(x - y) < 0; }
@inline function seqGT(x: u32, y: u32): bool { return <i32>(x - y) > 0; }

// Lists a segment ending at `next` in the side's ring (or drops it when the ring is full).
// Inlined by hand: once promoteRing grew (the pool shared out by flow group), Binaryen stopped
// inlining it, and the call cost the tracker ~19 instructions a packet (bench:instructions).
@inline export function listSegment(a: usize, f: usize, side: i32, next: u32, t: f64): void {
  const count = <i32>load<u8>(f, S_RING_COUNT);
  let blk = <i32>load<u16>(f, S_RING_BLOCK) - 1;
  if (blk < 0 && count == RING_INLINE && promoteRing(f, ringAt(a, side))) blk = <i32>load<u16>(f, S_RING_BLOCK) - 1;
  const cap = blk < 0 ? RING_INLINE : RING_BLOCK;
  if (count >= cap) return;
  const e = blk < 0 ? ringAt(a, side) : blockEntries(blk);
  let start = <i32>load<u8>(f, S_RING_START);
  if (start + count == cap) { // at the end: the entries move back to the front
    memory.copy(e, entry(e, start), <usize>count * RING_ENTRY);
    start = 0;
    store<u8>(f, 0, S_RING_START);
  }
  const at = entry(e, start + count);
  if (count > 0 && (seqLT(next, load<u32>(at - RING_ENTRY, RE_END)) || next - load<u32>(entry(e, start), RE_END) >= <u32>RING_SORTED_SPAN)) {
    store<u8>(f, load<u8>(f, S_BITS) | <u8>SB_RING_UNSORTED, S_BITS);
  }
  store<u32>(at, next, RE_END);
  store<f64>(at, t, RE_TIME);
  store<u8>(f, <u8>(count + 1), S_RING_COUNT);
}

// The peer's unacknowledged segments this ACK covers leave the ring; an exact match of a
// segment's end gives an RTT sample from its oldest transmission. `r` holds some.
export function acknowledge(a: usize, r: usize, side: i32, ack: u32, t: f64): void {
  const n = <i32>load<u8>(r, S_RING_COUNT);
  const blk = <i32>load<u16>(r, S_RING_BLOCK) - 1;
  const start = <i32>load<u8>(r, S_RING_START);
  const e = entry(blk < 0 ? ringAt(a, side) : blockEntries(blk), start);
  let kept = 0, matched = false, sample: f64 = 0;
  const sorted = (load<u8>(r, S_BITS) & SB_RING_UNSORTED) == 0, newest = load<u32>(entry(e, n - 1), RE_END);
  if (sorted && !seqGT(newest, ack) && !seqGT(load<u32>(e, RE_END), ack)) {
    // In order, and both the oldest and the newest covered: all are (their ends lie within
    // 2^30 of the oldest's, in order), so all leave, and those ending at the ACK are the newest
    // ones: the sample is from the first of them, found from the newest back.
    if (ack == newest) {
      let k = n - 1;
      while (k > 0 && load<u32>(entry(e, k - 1), RE_END) == ack) k--;
      sample = t - load<f64>(entry(e, k), RE_TIME);
      matched = true;
    }
  } else if (sorted && seqGT(newest, ack)) {
    // In order, and the newest is beyond the ACK: the covered entries are a prefix.
    let k = 0;
    for (; k < n; k++) {
      const end = load<u32>(entry(e, k), RE_END);
      if (seqGT(end, ack)) break;
      if (ack == end && !matched) {
        sample = t - load<f64>(entry(e, k), RE_TIME);
        matched = true;
      }
    }
    kept = n - k;
    store<u8>(r, <u8>(start + k), S_RING_START);
  } else {
    for (let k = 0; k < n; k++) {
      const end = load<u32>(entry(e, k), RE_END);
      if (ack == end) {
        if (!matched) sample = t - load<f64>(entry(e, k), RE_TIME);
        matched = true;
      } else if (seqGT(end, ack)) {
        store<u32>(entry(e, kept), end, RE_END);
        store<f64>(entry(e, kept), load<f64>(entry(e, k), RE_TIME), RE_TIME);
        kept++;
      }
    }
  }
  if (kept == 0) {
    store<u8>(r, 0, S_RING_START);
    store<u8>(r, load<u8>(r, S_BITS) & ~(<u8>SB_RING_UNSORTED), S_BITS);
  }
  store<u8>(r, <u8>kept, S_RING_COUNT);
  if (blk >= 0 && kept <= RING_INLINE) demoteRing(r, ringAt(a, side));
  const removed = <u32>(n - kept);
  let unacked = <u32>load<u16>(r, S_UNACKED);
  unacked = unacked > removed ? unacked - removed : 0;
  if (unacked > <u32>kept && !seqLT(ack, load<u32>(r, S_NEXT_SEQ))) unacked = <u32>kept;
  store<u16>(r, <u16>unacked, S_UNACKED);
  if (matched && sample != 0) rttSample(a, side, sample);
}

function rttSample(a: usize, side: i32, d: f64): void {
  const s = a + A_RTT + <usize>side * RTT_STRIDE, q = a + A_QUANTILES + <usize>side * QUANTILES_STRIDE;
  const n = load<u32>(s, R_SAMPLES) + 1;
  store<u32>(s, n, R_SAMPLES);
  if (n == 1 || d < load<f64>(s, R_MIN)) store<f64>(s, d, R_MIN);
  if (n == 1 || d > load<f64>(s, R_MAX)) store<f64>(s, d, R_MAX);
  store<f64>(s, load<f64>(s, R_SUM) + d, R_SUM);
  addQuantileSamples(q, n, d * 1e6);
}
