// Teardown evidence: who closed first, and whether the second FIN rode on the ACK of the
// first: the reference tracker's tracker-teardown.ts.

import * as L from "../layout";
import {
  C_FIRST_FIN_SIDE, C_CLOSE_FLAGS, C_FIRST_RST_SIDE, C_FIRST_CLOSE_SIDE, C_FIRST_FIN_END, E_FINS, CLOSED,
  RESET, CLOSE_PEER_ACKED_FIN, CLOSE_SECOND_FIN_ACKS_FIRST, CLOSE_SECOND_FIN, CLOSE_FIN_BEFORE_RST,
  ANOMALY_DATA_AFTER_FIN, ANOMALY_FIN_RETRANSMIT,
} from "../connection-layout";
import { stateOf, seqGT } from "./connection";
import { noteAnomaly } from "./history";
import { curSeq, curAck, curFlags, curPayload } from "./context";

export function noteClose(c: usize, side: u32, eS: usize): void {
  const flags = curFlags, seq = curSeq, ackNo = curAck, payload = curPayload;
  const closer = <u8>(side + 1);
  if ((flags & (L.FLAG_RST | L.FLAG_FIN)) != 0 && load<u8>(c, C_FIRST_CLOSE_SIDE) == 0) store<u8>(c, closer, C_FIRST_CLOSE_SIDE);
  if ((flags & L.FLAG_RST) != 0 && load<u8>(c, C_FIRST_RST_SIDE) == 0) {
    store<u8>(c, closer, C_FIRST_RST_SIDE);
    if (load<u8>(c, C_FIRST_FIN_SIDE) != 0) store<u8>(c, load<u8>(c, C_CLOSE_FLAGS) | CLOSE_FIN_BEFORE_RST, C_CLOSE_FLAGS);
  }
  const first = load<u8>(c, C_FIRST_FIN_SIDE);
  const closeFlags = <u32>load<u8>(c, C_CLOSE_FLAGS);
  if (first != 0 && first != closer && (flags & L.FLAG_ACK) != 0 && (closeFlags & CLOSE_SECOND_FIN) == 0) {
    const acksFin = seqGT(ackNo, load<u32>(c, C_FIRST_FIN_END) - 1);
    if ((flags & L.FLAG_FIN) != 0) {
      store<u8>(c, <u8>(closeFlags | CLOSE_SECOND_FIN | (acksFin ? CLOSE_SECOND_FIN_ACKS_FIRST : 0)), C_CLOSE_FLAGS);
    } else if (acksFin) {
      store<u8>(c, <u8>(closeFlags | CLOSE_PEER_ACKED_FIN), C_CLOSE_FLAGS);
    }
  }
  if ((flags & L.FLAG_FIN) != 0) {
    const state = stateOf(eS);
    if (first == 0) {
      store<u8>(c, closer, C_FIRST_FIN_SIDE);
      store<u32>(c, seq + payload + 1 + ((flags & L.FLAG_SYN) != 0 ? 1 : 0), C_FIRST_FIN_END);
    } else if (first == closer && state != CLOSED && state != RESET) {
      store<u32>(c, seq + payload + 1, C_FIRST_FIN_END);
    } else if (first == closer && load<u32>(eS, E_FINS) > 0 && (<u32>load<u8>(c, C_CLOSE_FLAGS) & CLOSE_SECOND_FIN) == 0) {
      noteAnomaly(c, ANOMALY_FIN_RETRANSMIT);
    }
  } else if (payload > 0 && stateOf(eS) == CLOSED) {
    noteAnomaly(c, ANOMALY_DATA_AFTER_FIN);
  }
}
