// Content gaps (history G/g): bytes of a stream that its peer acknowledged but that were never
// delivered. Reported only while both endpoints are "clean", as Zeek does: the reference
// tracker's tracker-gaps.ts.

import * as L from "../layout";
import {
  E_NEXT_SEQ, E_PENDING_START, E_PENDING_END, E_LAST_FIN_POS, E_REASM, E_GAPS, ESTABLISHED, CLOSED,
  SEEN_FIN, REASM_NEXT, REASM_PENDING, REASM_ESTABLISHED,
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
  // Deliver this segment's payload when it was captured whole and is in order.
  const captured = (load<u8>(rec, L.REC_PACKET_FLAGS) & L.PKT_PAYLOAD_TRUNCATED) == 0;
  if (payload > 0 && captured && (flags & L.FLAG_RST) == 0) {
    const end = dataStart + payload;
    const next = load<u32>(e, E_NEXT_SEQ);
    if (seqLE(dataStart, next)) {
      if (seqGT(end, next)) store<u32>(e, end, E_NEXT_SEQ);
    } else if ((load<u8>(e, E_REASM) & REASM_PENDING) == 0) {
      store<u32>(e, dataStart, E_PENDING_START);
      store<u32>(e, end, E_PENDING_END);
      store<u8>(e, <u8>(load<u8>(e, E_REASM) | REASM_PENDING), E_REASM);
    } else {
      // One block is kept: the hull of everything above the hole.
      if (seqGT(load<u32>(e, E_PENDING_START), dataStart)) store<u32>(e, dataStart, E_PENDING_START);
      if (seqGT(end, load<u32>(e, E_PENDING_END))) store<u32>(e, end, E_PENDING_END);
    }
    mergePending(e);
  }
  passFin(e);
  // The peer's stream: does this ACK cover bytes never delivered?
  if ((flags & L.FLAG_ACK) != 0 && (flags & L.FLAG_RST) == 0 && (load<u8>(p, E_REASM) & REASM_NEXT) != 0
    && seqGT(ackNo, load<u32>(p, E_NEXT_SEQ))) {
    if (clean(e) && clean(p)) logLetter(c, side ^ 1, bump(p + E_GAPS), 0x47); // G
    store<u32>(p, ackNo, E_NEXT_SEQ);
    mergePending(p);
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

function mergePending(e: usize): void {
  const next = load<u32>(e, E_NEXT_SEQ);
  if ((load<u8>(e, E_REASM) & REASM_PENDING) == 0 || seqGT(load<u32>(e, E_PENDING_START), next)) return;
  if (seqGT(load<u32>(e, E_PENDING_END), next)) store<u32>(e, load<u32>(e, E_PENDING_END), E_NEXT_SEQ);
  store<u8>(e, <u8>(load<u8>(e, E_REASM) & ~REASM_PENDING), E_REASM);
  passFin(e);
}
