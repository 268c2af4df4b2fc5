// Per-endpoint TCP states as Zeek tracks them (shared/notes/zeek-conn-semantics.md, section 3).
// Each endpoint's state is driven by the packets it sends.

export {
  INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET,
} from "../../assembly/connection-layout.js";
import { INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL } from "../../assembly/connection-layout.js";

export type EndpointState = number;

/** INACTIVE or PARTIAL: the endpoint took no part in a handshake. */
export function isInactiveIsh(s: EndpointState): boolean {
  return s === INACTIVE || s === PARTIAL;
}

/** Still in the handshake: INACTIVE, SYN_SENT or SYN_ACK_SENT. */
export function inHandshake(s: EndpointState): boolean {
  return s === INACTIVE || s === SYN_SENT || s === SYN_ACK_SENT;
}
