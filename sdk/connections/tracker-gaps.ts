// Content gaps (history G/g, missed_bytes): bytes of a stream that its peer acknowledged but
// that were never delivered — lost, or cut by the snaplen — as Zeek's reassembler finds them.
// Each stream keeps its next in-order byte and the out-of-order blocks above holes (up to
// EXT_BLOCKS, in the connection's extension); an ACK past the next byte delivers the blocks
// below it and reports each hole before them, then the rest up to the ACK, as one gap each.
// Gaps are counted (and their bytes summed) only while both endpoints are "clean"
// (ESTABLISHED, or closed after being ESTABLISHED), as Zeek does.

import * as L from "../../assembly/layout.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import { ESTABLISHED, CLOSED } from "./endpoint-state.js";
import {
  SEEN_FIN, REASM_NEXT, REASM_PENDING, REASM_ESTABLISHED, REASM_INEXACT, EXT_BLOCKS,
} from "./connection-store.js";
import { CUR_ACK, CUR_SEQ, seqLE, seqGT, type TrackerContext } from "./tracker-context.js";

export function reassemble(k: TrackerContext, b: PacketBatch, i: number, slot: number, sender: number): void {
  const s = k.store;
  const flags = k.flags, ackNo = k.cur[CUR_ACK]!, payload = k.payload;
  const dataStart = (k.cur[CUR_SEQ]! + (flags & L.FLAG_SYN ? 1 : 0)) >>> 0;
  const e = sender;
  if (!(s.reasm[e]! & REASM_NEXT)) {
    if (flags & L.FLAG_RST) return;
    s.nextSeq[e] = dataStart;
    s.reasm[e]! |= REASM_NEXT;
  }
  // Deliver this segment's payload when it was captured whole: in order, or held above a hole.
  const captured = !(b.u8[i * L.RECORD_SIZE + L.REC_PACKET_FLAGS]! & L.PKT_PAYLOAD_TRUNCATED);
  if (payload > 0 && captured && !(flags & L.FLAG_RST)) {
    const end = (dataStart + payload) >>> 0;
    if (seqLE(dataStart, s.nextSeq[e]!)) {
      if (seqGT(end, s.nextSeq[e]!)) s.nextSeq[e] = end;
      if (s.reasm[e]! & REASM_PENDING) deliverBlocks(k, slot, e);
    } else {
      addBlock(k, slot, e, dataStart, end);
    }
  }
  passFin(k, e);
  // The peer's stream: does this ACK cover bytes never delivered?
  const p = e ^ 1;
  if (flags & L.FLAG_ACK && !(flags & L.FLAG_RST) && s.reasm[p]! & REASM_NEXT && seqGT(ackNo, s.nextSeq[p]!)) {
    acknowledge(k, slot, p, ackNo, clean(k, e) && clean(k, p));
  }
}

function clean(k: TrackerContext, e: number): boolean {
  const s = k.store;
  return (s.reasm[e]! & REASM_ESTABLISHED) !== 0 && (s.state[e] === ESTABLISHED || s.state[e] === CLOSED);
}

// The FIN takes one sequence number: step over it once the stream has reached it.
function passFin(k: TrackerContext, e: number): void {
  const s = k.store;
  if (s.seen[e]! & SEEN_FIN && s.lastFinPos[e] === s.nextSeq[e]) s.nextSeq[e] = (s.nextSeq[e]! + 1) >>> 0;
}

// Stream e acknowledged up to `ack`, past its next in-order byte: the blocks below the ACK are
// delivered, every hole before them and before the ACK is a gap. The FIN's own sequence
// number is not data: a gap ends at the FIN.
function acknowledge(k: TrackerContext, slot: number, e: number, ack: number, report: boolean): void {
  const s = k.store;
  const limit = s.seen[e]! & SEEN_FIN && seqGT(ack, s.lastFinPos[e]!) ? s.lastFinPos[e]! : ack;
  const blocks = s.blocks[slot];
  const at = (e & 1) * EXT_BLOCKS * 2;
  while (s.blockCount[e]! > 0 && seqGT(limit, blocks![at]!)) {
    if (seqGT(blocks![at]!, s.nextSeq[e]!)) gap(k, slot, e, (blocks![at]! - s.nextSeq[e]!) >>> 0, report);
    if (seqGT(blocks![at + 1]!, s.nextSeq[e]!)) s.nextSeq[e] = blocks![at + 1]!;
    removeFirstBlock(k, slot, e);
  }
  if (seqGT(limit, s.nextSeq[e]!)) {
    gap(k, slot, e, (limit - s.nextSeq[e]!) >>> 0, report);
    s.nextSeq[e] = limit;
  }
  if (seqGT(ack, s.nextSeq[e]!)) s.nextSeq[e] = ack;
  if (s.reasm[e]! & REASM_PENDING) deliverBlocks(k, slot, e);
  passFin(k, e);
}

export function gap(k: TrackerContext, slot: number, e: number, bytes: number, report: boolean): void {
  if (!report) return;
  const s = k.store;
  s.gaps[e]!++;
  s.missedBytes[e]! += bytes;
  k.logLetter(slot, e, s.gaps[e]!, "G");
}

// The blocks that the next in-order byte has reached are delivered.
function deliverBlocks(k: TrackerContext, slot: number, e: number): void {
  const s = k.store;
  const blocks = s.blocks[slot]!;
  const at = (e & 1) * EXT_BLOCKS * 2;
  while (s.blockCount[e]! > 0 && seqLE(blocks[at]!, s.nextSeq[e]!)) {
    if (seqGT(blocks[at + 1]!, s.nextSeq[e]!)) s.nextSeq[e] = blocks[at + 1]!;
    removeFirstBlock(k, slot, e);
  }
  passFin(k, e);
}

function removeFirstBlock(k: TrackerContext, slot: number, e: number): void {
  const s = k.store;
  const blocks = s.blocks[slot]!;
  const at = (e & 1) * EXT_BLOCKS * 2;
  const n = --s.blockCount[e]!;
  blocks.copyWithin(at, at + 2, at + 2 + n * 2);
  if (n === 0) s.reasm[e]! &= ~REASM_PENDING;
}

// Holds [start, end) above the next in-order byte, merged with the blocks it overlaps or
// touches. With EXT_BLOCKS blocks held and a new hole, the two blocks with the smallest hole
// between them are joined (that hole counts as filled): the missed bytes are no longer exact.
function addBlock(k: TrackerContext, slot: number, e: number, start: number, end: number): void {
  const s = k.store;
  const blocks = (s.blocks[slot] ??= new Uint32Array(EXT_BLOCKS * 4));
  const at = (e & 1) * EXT_BLOCKS * 2;
  let n = s.blockCount[e]!;
  // The first block that does not lie wholly before the new one.
  let j = 0;
  while (j < n && seqGT(start, blocks[at + j * 2 + 1]!)) j++;
  if (j < n && seqLE(blocks[at + j * 2]!, end)) {
    // Overlaps or touches block j (and maybe those after it): widen j, absorb the others.
    if (seqGT(blocks[at + j * 2]!, start)) blocks[at + j * 2] = start;
    if (seqGT(end, blocks[at + j * 2 + 1]!)) blocks[at + j * 2 + 1] = end;
    let m = j + 1;
    while (m < n && seqLE(blocks[at + m * 2]!, blocks[at + j * 2 + 1]!)) {
      if (seqGT(blocks[at + m * 2 + 1]!, blocks[at + j * 2 + 1]!)) blocks[at + j * 2 + 1] = blocks[at + m * 2 + 1]!;
      m++;
    }
    blocks.copyWithin(at + (j + 1) * 2, at + m * 2, at + n * 2);
    s.blockCount[e] = n - (m - j - 1);
    s.reasm[e]! |= REASM_PENDING;
    return;
  }
  if (n === EXT_BLOCKS) {
    // Full: join the two neighbours (the new block among them) with the smallest hole between.
    let best = -1, bestHole = 0;
    for (let q = 0; q + 1 < n; q++) {
      const hole = (blocks[at + (q + 1) * 2]! - blocks[at + q * 2 + 1]!) >>> 0;
      if (best < 0 || hole < bestHole) { best = q; bestHole = hole; }
    }
    const before = j > 0 ? (start - blocks[at + (j - 1) * 2 + 1]!) >>> 0 : Infinity;
    const after = j < n ? (blocks[at + j * 2]! - end) >>> 0 : Infinity;
    s.reasm[e]! |= REASM_INEXACT;
    if (before <= bestHole && before <= after) { blocks[at + (j - 1) * 2 + 1] = end; return; }
    if (after <= bestHole) { blocks[at + j * 2] = start; return; }
    blocks[at + best * 2 + 1] = blocks[at + (best + 1) * 2 + 1]!;
    blocks.copyWithin(at + (best + 1) * 2, at + (best + 2) * 2, at + n * 2);
    n--;
    if (j > best) j--;
  }
  blocks.copyWithin(at + (j + 1) * 2, at + j * 2, at + n * 2);
  blocks[at + j * 2] = start;
  blocks[at + j * 2 + 1] = end;
  s.blockCount[e] = n + 1;
  s.reasm[e]! |= REASM_PENDING;
}
