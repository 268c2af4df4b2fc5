// A tunnelled connection's tunnel as the record shows it (sdk/connections/record-values.ts
// recordTunnel, tunnel-chain.ts recordChain and chainText): the level types, the chain
// identities as 8 hex digits, and the first packet's levels (outer addresses, ports, the id
// under its type's name), for the ndjson object and the csv cells.

import * as C from "../connection-layout";
import * as L from "../layout";
import { byte, uint32, raw, Fixed } from "./sink";
import { ipv4, ipv6 } from "./address";
import { chainBlock } from "./record-blocks";

// sdk/decoder/tunnels.ts TUNNEL_TYPES; 0 and unknown types read as "ip" (recordTunnel's `?? "ip"`)
const NAMES = ["ip", "ip", "gre", "erspan", "pptp", "vxlan", "geneve", "gtpu", "teredo", "ayiya", "mpls-udp"];
const TYPES = new StaticArray<Fixed>(NAMES.length), QUOTED_TYPES = new StaticArray<Fixed>(NAMES.length);
for (let i = 0; i < NAMES.length; i++) { TYPES[i] = new Fixed(NAMES[i]); QUOTED_TYPES[i] = new Fixed('"' + NAMES[i] + '"'); }

// tunnel-chain.ts TUNNEL_ID_NAMES, by type: the key of a level's id ("" for none)
const ID_NAMES = ["", "", "key", "session", "key", "vni", "vni", "teid", "", "", ""];
const ID_KEYS = new StaticArray<Fixed>(NAMES.length), ID_CELLS = new StaticArray<Fixed>(NAMES.length);
for (let i = 0; i < NAMES.length; i++) { ID_KEYS[i] = new Fixed(',"' + ID_NAMES[i] + '":'); ID_CELLS[i] = new Fixed(" " + ID_NAMES[i] + "="); }

@inline function typeIndex(t: u32): i32 { return t < <u32>NAMES.length ? <i32>t : 0; }

/** The type of level k of the first packet's chain (the record's `types`). */
export function levelType(c: usize, k: i32): i32 {
  return typeIndex((<u32>load<u16>(c + C.C_TUNNEL_TYPES) >> (<u32>k * 4)) & 15);
}

export function typeName(t: i32, quoted: bool): void { raw(quoted ? QUOTED_TYPES[t] : TYPES[t]); }

/** An identity as record-values.ts's hex8: 8 lowercase hex digits. */
export function hex8(v: u32): void {
  for (let shift = 28; shift >= 0; shift -= 4) {
    const d = (v >> <u32>shift) & 15;
    byte(d < 10 ? 0x30 + d : 0x57 + d);
  }
}

export function depth(c: usize): i32 { return <i32>load<u8>(c + C.C_TUNNEL_DEPTH); }
export function parentCount(c: usize): i32 { return <i32>load<u8>(c + C.C_TUNNEL_PARENT_COUNT); }
export function parent(c: usize, k: i32): u32 { return load<u32>(c + C.C_TUNNEL_PARENTS + (<usize>k << 2)); }

/** The levels of the first packet's chain (readTunnelLevels: at most MAX_TUNNEL_DEPTH), 0 without one. */
export function chainLevels(c: usize): i32 {
  const block = chainBlock(c);
  if (block == 0) return 0;
  const n = <i32>(load<u32>(block) / <u32>L.TUNNEL_LEVEL_SIZE);
  return n < L.MAX_TUNNEL_DEPTH ? n : L.MAX_TUNNEL_DEPTH;
}

/** Level k's bytes (layout.ts, "Tunnel chain"). */
export function level(c: usize, k: i32): usize { return chainBlock(c) + 8 + <usize>k * L.TUNNEL_LEVEL_SIZE; }

export function levelAddress(b: usize, at: usize): void {
  if (load<u8>(b + L.TUN_IP_VERSION) == 4) ipv4(b + at); else ipv6(b + at);
}

const K_TYPE = new Fixed('{"type":'), K_SRC = new Fixed(',"src":"'), K_DST = new Fixed('","dst":"'),
  K_SPORT = new Fixed('","sport":'), K_DPORT = new Fixed(',"dport":');

/** Level k as the ndjson object recordChain makes: type, addresses, ports, then its id by its type's name. */
export function levelObject(b: usize): void {
  const t = typeIndex(load<u8>(b + L.TUN_TYPE));
  raw(K_TYPE); raw(QUOTED_TYPES[t]);
  raw(K_SRC); levelAddress(b, L.TUN_SRC_ADDR);
  raw(K_DST); levelAddress(b, L.TUN_DST_ADDR);
  raw(K_SPORT); uint32(load<u16>(b + L.TUN_SRC_PORT));
  raw(K_DPORT); uint32(load<u16>(b + L.TUN_DST_PORT));
  if (ID_NAMES[t].length != 0 && (load<u8>(b + L.TUN_FLAGS) & L.TUNF_ID) != 0) { raw(ID_KEYS[t]); uint32(load<u32>(b + L.TUN_ID)); }
  byte(0x7d);
}

function end(b: usize, v6: bool, at: usize, port: u32, ports: bool): void {
  if (v6) byte(0x5b);
  levelAddress(b, at);
  if (v6) byte(0x5d);
  if (ports) { byte(0x3a); uint32(port); }
}

/** Level k as chainText writes it: "type src:sport-dst:dport name=id" (IPv6 in brackets; ports only for UDP tunnels). */
export function levelText(b: usize): void {
  const t = typeIndex(load<u8>(b + L.TUN_TYPE));
  const v6 = load<u8>(b + L.TUN_IP_VERSION) != 4;
  const sport = <u32>load<u16>(b + L.TUN_SRC_PORT), dport = <u32>load<u16>(b + L.TUN_DST_PORT);
  const ports = sport != 0 || dport != 0;
  raw(TYPES[t]); byte(0x20);
  end(b, v6, L.TUN_SRC_ADDR, sport, ports);
  byte(0x2d);
  end(b, v6, L.TUN_DST_ADDR, dport, ports);
  if (ID_NAMES[t].length != 0 && (load<u8>(b + L.TUN_FLAGS) & L.TUNF_ID) != 0) { raw(ID_CELLS[t]); uint32(load<u32>(b + L.TUN_ID)); }
}
