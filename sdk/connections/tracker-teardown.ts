// Teardown evidence: who closed first, and whether the second FIN rode on the ACK of the first.

import * as L from "../../assembly/layout.js";
import { CLOSED, RESET } from "./endpoint-state.js";
import { CLOSE_PEER_ACKED_FIN, CLOSE_SECOND_FIN_ACKS_FIRST, CLOSE_SECOND_FIN, CLOSE_FIN_BEFORE_RST } from "./connection-store.js";
import { noteAnomaly } from "./anomalies.js";
import { CUR_ACK, CUR_SEQ, seqGT, type TrackerContext } from "./tracker-context.js";

export function noteClose(k: TrackerContext, slot: number, sender: number): void {
  const s = k.store;
  const flags = k.flags, seq = k.cur[CUR_SEQ]!, ackNo = k.cur[CUR_ACK]!, payload = k.payload;
  const side = (sender & 1) + 1;
  if (flags & (L.FLAG_RST | L.FLAG_FIN) && s.firstCloseSide[slot] === 0) s.firstCloseSide[slot] = side;
  if (flags & L.FLAG_RST && s.firstRstSide[slot] === 0) {
    s.firstRstSide[slot] = side;
    if (s.firstFinSide[slot] !== 0) s.closeFlags[slot]! |= CLOSE_FIN_BEFORE_RST;
  }
  const first = s.firstFinSide[slot]!;
  if (first !== 0 && first !== side && flags & L.FLAG_ACK && !(s.closeFlags[slot]! & CLOSE_SECOND_FIN)) {
    const acksFin = seqGT(ackNo, (s.firstFinEnd[slot]! - 1) >>> 0);
    if (flags & L.FLAG_FIN) {
      s.closeFlags[slot]! |= CLOSE_SECOND_FIN | (acksFin ? CLOSE_SECOND_FIN_ACKS_FIRST : 0);
    } else if (acksFin) {
      s.closeFlags[slot]! |= CLOSE_PEER_ACKED_FIN;
    }
  }
  if (flags & L.FLAG_FIN) {
    if (first === 0) {
      s.firstFinSide[slot] = side;
      s.firstFinEnd[slot] = (seq + payload + 1 + (flags & L.FLAG_SYN ? 1 : 0)) >>> 0;
    } else if (first === side && s.state[sender] !== CLOSED && s.state[sender] !== RESET) {
      s.firstFinEnd[slot] = (seq + payload + 1) >>> 0;
    } else if (first === side && s.fins[sender]! > 0 && !(s.closeFlags[slot]! & CLOSE_SECOND_FIN)) {
      noteAnomaly(s, slot, "fin-retransmit");
    }
  } else if (payload > 0 && (s.state[sender] === CLOSED)) {
    noteAnomaly(s, slot, "data-after-fin");
  }
}
