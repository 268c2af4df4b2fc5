// Per-endpoint TCP states as Zeek tracks them (shared/notes/zeek-conn-semantics.md, section 3).
// Each endpoint's state is driven by the packets it sends.

export const INACTIVE = 0; //     nothing seen from this endpoint yet
export const SYN_SENT = 1; //     sent a pure SYN
export const SYN_ACK_SENT = 2; // sent a SYN/ACK as originator (the SYN was not seen)
export const PARTIAL = 3; //      first seen mid-stream
export const ESTABLISHED = 4; //  handshake completed (on the SYN/ACK), or recovered mid-stream
export const CLOSED = 5; //       sent a FIN
export const RESET = 6; //        sent a RST

export type EndpointState = number;

/** INACTIVE or PARTIAL: the endpoint took no part in a handshake. */
export function isInactiveIsh(s: EndpointState): boolean {
  return s === INACTIVE || s === PARTIAL;
}

/** Still in the handshake: INACTIVE, SYN_SENT or SYN_ACK_SENT. */
export function inHandshake(s: EndpointState): boolean {
  return s === INACTIVE || s === SYN_SENT || s === SYN_ACK_SENT;
}
