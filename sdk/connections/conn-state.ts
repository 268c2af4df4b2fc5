// Zeek's conn_state, a pure function of the final endpoint states, the history and the payload
// sizes (zeek-conn-semantics.md, section 4). Evaluated once, when a connection is removed.

import { INACTIVE, SYN_SENT, SYN_ACK_SENT, CLOSED, RESET, ESTABLISHED, isInactiveIsh, type EndpointState } from "./endpoint-state.js";

export type ConnState =
  | "S0" | "S1" | "SF" | "REJ" | "S2" | "S3" | "RSTO" | "RSTR" | "RSTOS0" | "RSTRH" | "SH" | "SHR" | "OTH";

/** One-line meaning of each state, for reports. */
export const CONN_STATE_DESCRIPTIONS: Record<ConnState, string> = {
  S0: "connection attempt seen, no reply",
  S1: "established, not terminated",
  SF: "normal establishment and termination",
  REJ: "connection attempt rejected",
  S2: "established, originator sent FIN, no reply seen from the responder",
  S3: "established, responder sent FIN, no reply seen from the originator",
  RSTO: "established, originator aborted (sent RST)",
  RSTR: "responder sent RST",
  RSTOS0: "originator sent SYN then RST, no SYN/ACK from the responder",
  RSTRH: "responder sent SYN/ACK then RST, no SYN from the (purported) originator",
  SH: "originator sent SYN then FIN, no SYN/ACK from the responder (half open)",
  SHR: "responder sent SYN/ACK then FIN, no SYN from the originator",
  OTH: "no SYN seen, just midstream traffic",
};

// An upper-case S first (after an optional flip mark), then no originator H/A/F/G/I/Q before
// the originator's first R.
const RSTOS0_HISTORY = /^\^?S[^HAFGIQ]*R/;

export function connState(o: EndpointState, r: EndpointState, history: string, origSize: number, respSize: number): ConnState {
  if (r === RESET) {
    if (o === SYN_SENT || o === SYN_ACK_SENT || (o === RESET && origSize === 0 && respSize === 0)) return "REJ";
    if (isInactiveIsh(o)) return "RSTRH";
    return "RSTR";
  }
  if (o === RESET) {
    if (isInactiveIsh(r)) return RSTOS0_HISTORY.test(history) ? "RSTOS0" : "OTH";
    return "RSTO";
  }
  if (o === CLOSED && r === CLOSED) return "SF";
  if (o === CLOSED) return isInactiveIsh(r) ? "SH" : "S2";
  if (r === CLOSED) return isInactiveIsh(o) ? "SHR" : "S3";
  if (o === SYN_SENT && r === INACTIVE) return "S0";
  if (o === ESTABLISHED && r === ESTABLISHED) return "S1";
  return "OTH";
}
