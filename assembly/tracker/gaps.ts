// Content gaps (history G/g, missed_bytes): bytes of a stream that its peer acknowledged but
// that were never delivered, as Zeek's reassembler finds them: the reference tracker's
// tracker-gaps.ts, rule for rule. A stream's out-of-order blocks live in the connection's
// extension block (EXT_BLOCKS per side), allocated when the first one is held.

import * as L from "../layout";
import {
  C_EXTENSION, E_NEXT_SEQ, E_BLOCKS, E_LAST_FIN_POS, E_REASM, E_GAPS, E_MISSED_BYTES, ESTABLISHED, CLOSED,
  SEEN_FIN, REASM_NEXT, REASM_PENDING, REASM_ESTABLISHED, REASM_INEXACT, EXT_BLOCKS, EXT_SIDE_STRIDE, EXT_SIZE,
} from "../connection-layout";
import { stateOf, seenOf, bump, seqLE, seqGT } from "./connection";
import { logLetter } from "./history";
import { rec, curSeq, curAck, curFlags, curPayload } from "./context";

export function reassemble(c: usize, side: u32, e: usize, p: usize): void {
  const flags = curFlags, ackNo = curAck, payload = curPayload;
  const dataStart = curSeq + ((flags & L.FLAG_SYN) != 0 ? 1 : 0);
  if ((load<u8>(e, E_REASM) & REASM_NEXT) == 0) {
    if ((flags & L.FLAG_RST) != 0) return;
    store<u32>(e, dataStart, E_NEXT_SEQ);
    store<u8>(e, <u8>(load<u8>(e, E_REASM) | REASM_NEXT), E_REASM);
  }
  // Deliver this segment's payload when it was captured whole: in order, or held above a hole.
  const captured = (load<u8>(rec, L.REC_PACKET_FLAGS) & L.PKT_PAYLOAD_TRUNCATED) == 0;
  if (payload > 0 && captured && (flags & L.FLAG_RST) == 0) {
    const end = dataStart + payload;
    const next = load<u32>(e, E_NEXT_SEQ);
    if (seqLE(dataStart, next)) {
      if (seqGT(end, next)) store<u32>(e, end, E_NEXT_SEQ);
      if ((load<u8>(e, E_REASM) & REASM_PENDING) != 0) deliverBlocks(c, side, e);
    } else {
      addBlock(c, side, e, dataStart, end);
    }
  }
  passFin(e);
  // The peer's stream: does this ACK cover bytes never delivered?
  if ((flags & L.FLAG_ACK) != 0 && (flags & L.FLAG_RST) == 0 && (load<u8>(p, E_REASM) & REASM_NEXT) != 0
    && seqGT(ackNo, load<u32>(p, E_NEXT_SEQ))) {
    acknowledge(c, side ^ 1, p, ackNo, clean(e) && clean(p));
  }
}

@inline function clean(e: usize): bool {
  const state = stateOf(e);
  return (load<u8>(e, E_REASM) & REASM_ESTABLISHED) != 0 && (state == ESTABLISHED || state == CLOSED);
}

// The FIN takes one sequence number: step over it once the stream has reached it.
function passFin(e: usize): void {
  if ((seenOf(e) & SEEN_FIN) != 0 && load<u32>(e, E_LAST_FIN_POS) == load<u32>(e, E_NEXT_SEQ)) {
    store<u32>(e, load<u32>(e, E_NEXT_SEQ) + 1, E_NEXT_SEQ);
  }
}

// The held blocks that start below `limit`, in order (the extension block's line is read only
// when there are some: on a capture cut by its snaplen every ACK comes here).
function deliverBelow(c: usize, side: u32, e: usize, limit: u32, report: bool): void {
  const blocks = blocksOf(c, side);
  while (load<u8>(e, E_BLOCKS) > 0 && seqGT(limit, load<u32>(blocks))) {
    const next = load<u32>(e, E_NEXT_SEQ);
    if (seqGT(load<u32>(blocks), next)) gap(c, side, e, load<u32>(blocks) - next, report);
    if (seqGT(load<u32>(blocks, 4), next)) store<u32>(e, load<u32>(blocks, 4), E_NEXT_SEQ);
    removeFirstBlock(e, blocks);
  }
}

@inline function blocksOf(c: usize, side: u32): usize {
  return <usize>load<u32>(c, C_EXTENSION) + <usize>side * EXT_SIDE_STRIDE;
}

// Stream e acknowledged up to `ack`, past its next in-order byte: the blocks below the ACK are
// delivered, every hole before them and before the ACK is a gap; a gap ends at the FIN.
function acknowledge(c: usize, side: u32, e: usize, ack: u32, report: bool): void {
  const finPos = load<u32>(e, E_LAST_FIN_POS);
  const limit = (seenOf(e) & SEEN_FIN) != 0 && seqGT(ack, finPos) ? finPos : ack;
  if (load<u8>(e, E_BLOCKS) > 0) deliverBelow(c, side, e, limit, report);
  const next = load<u32>(e, E_NEXT_SEQ);
  if (seqGT(limit, next)) {
    gap(c, side, e, limit - next, report);
    store<u32>(e, limit, E_NEXT_SEQ);
  }
  if (seqGT(ack, load<u32>(e, E_NEXT_SEQ))) store<u32>(e, ack, E_NEXT_SEQ);
  if ((load<u8>(e, E_REASM) & REASM_PENDING) != 0) deliverBlocks(c, side, e);
  passFin(e);
}

export function gap(c: usize, side: u32, e: usize, bytes: u32, report: bool): void {
  if (!report) return;
  store<f64>(e, load<f64>(e, E_MISSED_BYTES) + <f64>bytes, E_MISSED_BYTES);
  logLetter(c, side, bump(e + E_GAPS), 0x47); // G
}

// The blocks that the next in-order byte has reached are delivered.
function deliverBlocks(c: usize, side: u32, e: usize): void {
  const blocks = blocksOf(c, side);
  while (load<u8>(e, E_BLOCKS) > 0 && seqLE(load<u32>(blocks), load<u32>(e, E_NEXT_SEQ))) {
    if (seqGT(load<u32>(blocks, 4), load<u32>(e, E_NEXT_SEQ))) store<u32>(e, load<u32>(blocks, 4), E_NEXT_SEQ);
    removeFirstBlock(e, blocks);
  }
  passFin(e);
}

function removeFirstBlock(e: usize, blocks: usize): void {
  const n = <u32>load<u8>(e, E_BLOCKS) - 1;
  store<u8>(e, <u8>n, E_BLOCKS);
  for (let q: u32 = 0; q < n; q++) store<u64>(blocks + (<usize>q << 3), load<u64>(blocks + (<usize>(q + 1) << 3)));
  if (n == 0) store<u8>(e, <u8>(load<u8>(e, E_REASM) & ~REASM_PENDING), E_REASM);
}

@inline function startAt(blocks: usize, q: u32): u32 { return load<u32>(blocks + (<usize>q << 3)); }
@inline function endAt(blocks: usize, q: u32): u32 { return load<u32>(blocks + (<usize>q << 3), 4); }
@inline function setStart(blocks: usize, q: u32, v: u32): void { store<u32>(blocks + (<usize>q << 3), v); }
@inline function setEnd(blocks: usize, q: u32, v: u32): void { store<u32>(blocks + (<usize>q << 3), v, 4); }

// Moves blocks [from, n) to start at `to`.
function moveBlocks(blocks: usize, to: u32, from: u32, n: u32): void {
  if (to < from) {
    for (let q = from; q < n; q++) store<u64>(blocks + (<usize>(q - from + to) << 3), load<u64>(blocks + (<usize>q << 3)));
  } else {
    for (let q = n; q > from; q--) store<u64>(blocks + (<usize>(q - 1 - from + to) << 3), load<u64>(blocks + (<usize>(q - 1) << 3)));
  }
}

// Holds [start, end) above the next in-order byte, merged with the blocks it overlaps or
// touches; when all EXT_BLOCKS are taken, the two neighbours with the smallest hole between
// them are joined and the missed bytes are no longer exact.
function addBlock(c: usize, side: u32, e: usize, start: u32, end: u32): void {
  if (load<u32>(c, C_EXTENSION) == 0) {
    const ext = heap.alloc(EXT_SIZE);
    memory.fill(ext, 0, EXT_SIZE);
    store<u32>(c, <u32>ext, C_EXTENSION);
  }
  const blocks = blocksOf(c, side);
  let n = <u32>load<u8>(e, E_BLOCKS);
  let j: u32 = 0;
  while (j < n && seqGT(start, endAt(blocks, j))) j++;
  if (j < n && seqLE(startAt(blocks, j), end)) {
    if (seqGT(startAt(blocks, j), start)) setStart(blocks, j, start);
    if (seqGT(end, endAt(blocks, j))) setEnd(blocks, j, end);
    let m = j + 1;
    while (m < n && seqLE(startAt(blocks, m), endAt(blocks, j))) {
      if (seqGT(endAt(blocks, m), endAt(blocks, j))) setEnd(blocks, j, endAt(blocks, m));
      m++;
    }
    moveBlocks(blocks, j + 1, m, n);
    store<u8>(e, <u8>(n - (m - j - 1)), E_BLOCKS);
    store<u8>(e, <u8>(load<u8>(e, E_REASM) | REASM_PENDING), E_REASM);
    return;
  }
  if (n == <u32>EXT_BLOCKS) {
    let best: i32 = -1;
    let bestHole: f64 = 0;
    for (let q: u32 = 0; q + 1 < n; q++) {
      const hole = <f64>(startAt(blocks, q + 1) - endAt(blocks, q));
      if (best < 0 || hole < bestHole) { best = <i32>q; bestHole = hole; }
    }
    const before: f64 = j > 0 ? <f64>(start - endAt(blocks, j - 1)) : Infinity;
    const after: f64 = j < n ? <f64>(startAt(blocks, j) - end) : Infinity;
    store<u8>(e, <u8>(load<u8>(e, E_REASM) | REASM_INEXACT), E_REASM);
    if (before <= bestHole && before <= after) { setEnd(blocks, j - 1, end); return; }
    if (after <= bestHole) { setStart(blocks, j, start); return; }
    const b = <u32>best;
    setEnd(blocks, b, endAt(blocks, b + 1));
    moveBlocks(blocks, b + 1, b + 2, n);
    n--;
    if (j > b) j--;
  }
  moveBlocks(blocks, j + 1, j, n);
  setStart(blocks, j, start);
  setEnd(blocks, j, end);
  store<u8>(e, <u8>(n + 1), E_BLOCKS);
  store<u8>(e, <u8>(load<u8>(e, E_REASM) | REASM_PENDING), E_REASM);
}
