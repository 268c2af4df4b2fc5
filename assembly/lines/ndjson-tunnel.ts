// The ndjson line's tunnel object (sdk/lines/ndjson-bytes.ts tunnel and chain), for a connection
// whose record lists tunnel parents: level types, the first chain's identity, the parents, the
// changes counted, and the first packet's levels when the tracker kept them.

import * as C from "../connection-layout";
import { byte, uint32, raw, Fixed } from "./sink";
import { levelType, typeName, hex8, depth, parentCount, parent, chainLevels, level, levelObject } from "./tunnel-text";

const K_TUNNEL = new Fixed(',"tunnel":{"types":['), K_IDENTITY = new Fixed('],"identity":"'), K_PARENTS = new Fixed('","parents":['),
  K_CHANGES = new Fixed('],"changes":'), K_CHAIN = new Fixed(',"chain":[');

export function tunnel(c: usize): void {
  raw(K_TUNNEL);
  for (let k = 0, n = depth(c); k < n; k++) { if (k) byte(0x2c); typeName(levelType(c, k), true); }
  raw(K_IDENTITY); hex8(load<u32>(c + C.C_TUNNEL_FIRST));
  raw(K_PARENTS);
  for (let k = 0, n = parentCount(c); k < n; k++) { if (k) byte(0x2c); byte(0x22); hex8(parent(c, k)); byte(0x22); }
  raw(K_CHANGES); uint32(load<u8>(c + C.C_TUNNEL_CHANGES));
  const levels = chainLevels(c);
  if (levels != 0 || load<u32>(c + C.C_TUNNEL_CHAIN) != 0) {
    raw(K_CHAIN);
    for (let k = 0; k < levels; k++) { if (k) byte(0x2c); levelObject(level(c, k)); }
    byte(0x5d);
  }
  byte(0x7d);
}
