// Field access for one connection record (connection-layout.ts): `c` is the record's address,
// `e` an endpoint's (c + C_ENDPOINTS + side * ENDPOINT_STRIDE).

import {
  CONN_SIZE, C_GENERATION, C_HANDSHAKE_ACK_TIME, C_ENDPOINTS, ENDPOINT_STRIDE, E_WINDOW_SCALE,
  E_TFO_COOKIE_LEN,
} from "../connection-layout";

// Every field back to 0 but the generation, then the fields whose "none" is not 0.
export function initConnection(c: usize): void {
  const generation = load<u32>(c, C_GENERATION);
  memory.fill(c, 0, CONN_SIZE);
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
