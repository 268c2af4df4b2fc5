// Field access for one connection record (connection-layout.ts): `c` is the record's address,
// `e` an endpoint's (c + C_ENDPOINTS + side * ENDPOINT_STRIDE). Also the state and sequence
// comparisons every rule uses.

import {
  C_ANALYSIS, C_GENERATION, C_HANDSHAKE_ACK_TIME, C_ENDPOINTS, ENDPOINT_STRIDE, E_WINDOW_SCALE,
  E_TFO_COOKIE_LEN, E_STATE, E_SEEN, C_HANDSHAKE_FLAGS, C_FLIPPED, INACTIVE, SYN_SENT, SYN_ACK_SENT,
  CLOSED, RESET,
} from "../connection-layout";

// Every field back to 0 but the generation, then the fields whose "none" is not 0. The TCP
// analysis block (C_ANALYSIS on) is left to create(), which resets it (analysis-hooks.ts).
export function initConnection(c: usize): void {
  const generation = load<u32>(c, C_GENERATION);
  memory.fill(c, 0, C_ANALYSIS);
  store<u32>(c, generation, C_GENERATION);
  store<f64>(c, -1, C_HANDSHAKE_ACK_TIME);
  for (let side = 0; side < 2; side++) {
    const e = endpointAt(c, side);
    store<u8>(e, 0xff, E_WINDOW_SCALE);
    store<i16>(e, -1, E_TFO_COOKIE_LEN);
  }
}

@inline export function endpointAt(c: usize, side: i32): usize {
  return c + C_ENDPOINTS + <usize>side * ENDPOINT_STRIDE;
}

@inline export function isClosed(state: u32): bool { return state == CLOSED || state == RESET; }
@inline export function inHandshake(state: u32): bool { return state == INACTIVE || state == SYN_SENT || state == SYN_ACK_SENT; }
@inline export function seqLE(a: u32, b: u32): bool { return <i32>(a - b) <= 0; }
@inline export function seqGT(a: u32, b: u32): bool { return <i32>(a - b) > 0; }
@inline export function stateOf(e: usize): u32 { return <u32>load<u8>(e, E_STATE); }
@inline export function setState(e: usize, state: u32): void { store<u8>(e, <u8>state, E_STATE); }
@inline export function seenOf(e: usize): u32 { return <u32>load<u8>(e, E_SEEN); }
@inline export function addSeen(e: usize, bits: u32): void { store<u8>(e, <u8>(load<u8>(e, E_SEEN) | bits), E_SEEN); }
@inline export function hsOf(c: usize): u32 { return <u32>load<u16>(c, C_HANDSHAKE_FLAGS); }
@inline export function addHs(c: usize, bits: u32): void { store<u16>(c, <u16>(load<u16>(c, C_HANDSHAKE_FLAGS) | bits), C_HANDSHAKE_FLAGS); }
@inline export function bump(at: usize): u32 { const n = load<u32>(at) + 1; store<u32>(at, n); return n; }
@inline export function flippedOf(c: usize): u32 { return <u32>load<u8>(c, C_FLIPPED); }
