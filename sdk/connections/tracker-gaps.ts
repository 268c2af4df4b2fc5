// Content gaps (history G/g): bytes of a stream that its peer acknowledged but that were never
// delivered — lost, or cut by the snaplen. Reported only while both endpoints are "clean"
// (ESTABLISHED, or closed after being ESTABLISHED), as Zeek does.

import * as L from "../../assembly/layout.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import { ESTABLISHED, CLOSED } from "./endpoint-state.js";
import { SEEN_FIN, REASM_NEXT, REASM_PENDING, REASM_ESTABLISHED } from "./connection-store.js";
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
  // Deliver this segment's payload when it was captured whole and is in order.
  const captured = !(b.u8[i * L.RECORD_SIZE + L.REC_PACKET_FLAGS]! & L.PKT_PAYLOAD_TRUNCATED);
  if (payload > 0 && captured && !(flags & L.FLAG_RST)) {
    const end = (dataStart + payload) >>> 0;
    if (seqLE(dataStart, s.nextSeq[e]!)) {
      if (seqGT(end, s.nextSeq[e]!)) s.nextSeq[e] = end;
    } else if (!(s.reasm[e]! & REASM_PENDING)) {
      s.pendingStart[e] = dataStart;
      s.pendingEnd[e] = end;
      s.reasm[e]! |= REASM_PENDING;
    } else {
      // One block is kept: the hull of everything above the hole (holes inside it are
      // taken as filled later, which undercounts rather than invents gaps).
      if (seqGT(s.pendingStart[e]!, dataStart)) s.pendingStart[e] = dataStart;
      if (seqGT(end, s.pendingEnd[e]!)) s.pendingEnd[e] = end;
    }
    mergePending(k, e);
  }
  passFin(k, e);
  // The peer's stream: does this ACK cover bytes never delivered?
  const p = e ^ 1;
  if (flags & L.FLAG_ACK && !(flags & L.FLAG_RST) && s.reasm[p]! & REASM_NEXT && seqGT(ackNo, s.nextSeq[p]!)) {
    if (clean(k, e) && clean(k, p)) {
      s.gaps[p]!++;
      k.logLetter(slot, p, s.gaps[p]!, "G");
    }
    s.nextSeq[p] = ackNo;
    mergePending(k, p);
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

function mergePending(k: TrackerContext, e: number): void {
  const s = k.store;
  if (!(s.reasm[e]! & REASM_PENDING) || seqGT(s.pendingStart[e]!, s.nextSeq[e]!)) return;
  if (seqGT(s.pendingEnd[e]!, s.nextSeq[e]!)) s.nextSeq[e] = s.pendingEnd[e]!;
  s.reasm[e]! &= ~REASM_PENDING;
  passFin(k, e);
}
