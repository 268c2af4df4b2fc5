// What a datagram has received: a sorted list of disjoint payload ranges, and their bytes in
// pool chunks. A fragment adds only the bytes no earlier fragment brought: first-seen data wins,
// whatever a later fragment claims (an overlap never rewrites what is held). Whether a fragment
// overlapped, and whether its overlapping bytes were the same, is reported to the caller.

import { chunkAddress, takeChunk, poolHasRoom, NO_CHUNK, FRAG_CHUNK_SIZE, FRAG_CHUNK_SHIFT } from "./pool";
import { D_SPANS, D_SPAN_LIST, D_CHUNKS, D_CUT, MAX_SPANS, slotAddress } from "./datagrams";

// Outcomes of addBytes.
export const ADDED = 0; //       only new bytes
export const DUPLICATE = 1; //   nothing new, and the bytes equal those held
export const OVERLAP = 2; //     some bytes were held already (with other values, or partly)
export const NO_ROOM = 3; //     the pool has no free chunk (the caller makes room and retries)
export const TOO_SPLIT = 4; //   the datagram would have more than MAX_SPANS disjoint ranges

@inline function spanStart(d: usize, i: u32): u32 { return load<u32>(d + D_SPAN_LIST + (<usize>i << 3)); }
@inline function spanEnd(d: usize, i: u32): u32 { return load<u32>(d + D_SPAN_LIST + (<usize>i << 3), 4); }

/** True when the datagram holds exactly [0, end). */
export function coversAll(slot: u32, end: u32): bool {
  const d = slotAddress(slot);
  return load<u8>(d, D_SPANS) == 1 && spanStart(d, 0) == 0 && spanEnd(d, 0) == end;
}

/** The end of the last range held (0 when none). */
export function highestByte(slot: u32): u32 {
  const d = slotAddress(slot);
  const n = <u32>load<u8>(d, D_SPANS);
  return n == 0 ? 0 : spanEnd(d, n - 1);
}

// Chunks for the payload bytes [from, to) that lack one. False when the pool runs dry (the
// chunks taken so far stay with the datagram).
function ensureChunks(d: usize, from: u32, to: u32): bool {
  for (let c = from >> FRAG_CHUNK_SHIFT; c <= (to - 1) >> FRAG_CHUNK_SHIFT; c++) {
    const at = d + D_CHUNKS + (<usize>c << 1);
    if (<u32>load<u16>(at) != NO_CHUNK) continue;
    if (!poolHasRoom()) return false;
    store<u16>(at, <u16>takeChunk());
  }
  return true;
}

// Copies n bytes from src to payload offset `at` (chunks present), or compares them: returns
// false at the first difference.
function moveBytes(d: usize, at: u32, src: usize, n: u32, compare: bool): bool {
  while (n > 0) {
    const within = at & (FRAG_CHUNK_SIZE - 1);
    const take = n < FRAG_CHUNK_SIZE - within ? n : FRAG_CHUNK_SIZE - within;
    const chunk = <u32>load<u16>(d + D_CHUNKS + (<usize>(at >> FRAG_CHUNK_SHIFT) << 1));
    const held = chunkAddress(chunk) + within;
    if (compare) {
      if (chunk != NO_CHUNK) for (let k: u32 = 0; k < take; k++) if (load<u8>(held + k) != load<u8>(src + k)) return false;
    } else {
      memory.copy(held, src, take);
    }
    at += take;
    src += take;
    n -= take;
  }
  return true;
}

/**
 * Adds the fragment payload [a, b) whose bytes start at `data`, of which the first `captured`
 * were captured (the rest were cut by the snaplen). Returns ADDED, DUPLICATE or OVERLAP when
 * the datagram took it, NO_ROOM or TOO_SPLIT (nothing changed) when it did not.
 */
export function addBytes(slot: u32, a: u32, b: u32, data: usize, captured: u32): i32 {
  const d = slotAddress(slot);
  const n = <u32>load<u8>(d, D_SPANS);
  // The ranges [first, last) that touch or overlap [a, b) merge with it into one.
  let first: u32 = 0;
  while (first < n && spanEnd(d, first) < a) first++;
  let last = first;
  while (last < n && spanStart(d, last) <= b) last++;
  if (n - (last - first) + 1 > MAX_SPANS) return TOO_SPLIT;

  const capEnd = a + captured;
  const heldCut = load<u32>(d, D_CUT);
  // Room first: every new byte that was captured needs its chunk.
  let cursor = a;
  for (let i = first; i <= last; i++) {
    const gapEnd = i < last ? (spanStart(d, i) < b ? spanStart(d, i) : b) : b;
    const lo = cursor, hi = gapEnd < capEnd ? gapEnd : capEnd;
    if (lo < hi && !ensureChunks(d, lo, hi)) return NO_ROOM;
    if (i < last) cursor = spanEnd(d, i) > cursor ? spanEnd(d, i) : cursor;
  }

  let overlapped = false, same = true, added = false;
  let cut = heldCut;
  cursor = a;
  for (let i = first; i <= last; i++) {
    const s = i < last ? spanStart(d, i) : b;
    const gapEnd = s < b ? s : b;
    if (cursor < gapEnd) {
      // New bytes [cursor, gapEnd): the captured ones copied, the first uncaptured one noted.
      added = true;
      const hi = gapEnd < capEnd ? gapEnd : capEnd;
      if (cursor < hi) moveBytes(d, cursor, data + (cursor - a), hi - cursor, false);
      if (hi < gapEnd) { const at = cursor > capEnd ? cursor : capEnd; if (at < cut) cut = at; }
    }
    if (i < last) {
      const e = spanEnd(d, i);
      const ovLo = s > a ? s : a, ovHi = e < b ? e : b;
      if (ovLo < ovHi) {
        overlapped = true;
        // Only bytes captured on both sides can be compared.
        let cmpHi = ovHi < capEnd ? ovHi : capEnd;
        if (heldCut < cmpHi) cmpHi = heldCut;
        if (ovLo < cmpHi && !moveBytes(d, ovLo, data + (ovLo - a), cmpHi - ovLo, true)) same = false;
      }
      if (e > cursor) cursor = e;
    }
  }
  store<u32>(d, cut, D_CUT);

  // Replace the ranges [first, last) by their union with [a, b).
  let lo = a, hi = b;
  if (first < last) {
    if (spanStart(d, first) < lo) lo = spanStart(d, first);
    if (spanEnd(d, last - 1) > hi) hi = spanEnd(d, last - 1);
  }
  const removed = last - first;
  const list = d + D_SPAN_LIST;
  if (removed != 1) memory.copy(list + (<usize>(first + 1) << 3), list + (<usize>last << 3), <usize>(n - last) << 3);
  store<u32>(list + (<usize>first << 3), lo);
  store<u32>(list + (<usize>first << 3), hi, 4);
  store<u8>(d, <u8>(n - removed + 1), D_SPANS);

  if (!overlapped) return ADDED;
  return !added && same ? DUPLICATE : OVERLAP;
}
