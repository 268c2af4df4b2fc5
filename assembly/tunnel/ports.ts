// Which UDP ports carry which tunnel: a 64 Ki-entry table of TUNNEL_* bytes. The defaults are
// Zeek's (VXLAN 4789, Geneve 6081, GTP-U 2152 and GTP-C 2123 — only G-PDUs are decapsulated —,
// Teredo 3544, AYIYA 5072) plus MPLS in UDP (RFC 7510, 6635); users add ports (setTunnelPort).

import {
  TUNNEL_VXLAN, TUNNEL_GENEVE, TUNNEL_GTPU, TUNNEL_TEREDO, TUNNEL_AYIYA, TUNNEL_MPLS_UDP,
  TUNNEL_TYPE_COUNT,
} from "../layout";
import { PORT_TABLE_PTR } from "../memory";

let customised = true; // the table differs from the defaults (or was never written)

export function resetTunnelPorts(): void {
  if (!customised) return;
  memory.fill(PORT_TABLE_PTR, 0, 65536);
  setTunnelPort(4789, TUNNEL_VXLAN);
  setTunnelPort(6081, TUNNEL_GENEVE);
  setTunnelPort(2152, TUNNEL_GTPU);
  setTunnelPort(2123, TUNNEL_GTPU);
  setTunnelPort(3544, TUNNEL_TEREDO);
  setTunnelPort(5072, TUNNEL_AYIYA);
  setTunnelPort(6635, TUNNEL_MPLS_UDP);
  customised = false;
}

/** Takes UDP `port` as a tunnel of `type` (0 takes it back); out-of-range values are ignored. */
export function setTunnelPort(port: u32, type: u32): void {
  if (port > 0xffff || type > <u32>TUNNEL_TYPE_COUNT) return;
  store<u8>(PORT_TABLE_PTR + <usize>port, <u8>type);
  customised = true;
}

@inline export function tunnelOfPort(port: u32): u32 { return <u32>load<u8>(PORT_TABLE_PTR + <usize>port); }
