// Tunnels as the SDK shows them: type names, the tunnel-ports option, and a packet's tunnel
// record (assembly/layout.ts, "Tunnel chain") read into plain objects.

import * as L from "../../assembly/layout.js";
import { formatAddress } from "./addresses.js";

export type TunnelType =
  | "ip" | "gre" | "erspan" | "pptp" | "vxlan" | "geneve" | "gtpu" | "teredo" | "ayiya" | "mpls-udp";

/** Names indexed by TUNNEL_* value (index 0: no tunnel). */
export const TUNNEL_TYPES: readonly (TunnelType | null)[] = [
  null, "ip", "gre", "erspan", "pptp", "vxlan", "geneve", "gtpu", "teredo", "ayiya", "mpls-udp",
];

/** The tunnels that ride on UDP, and so can be given more ports. */
export const UDP_TUNNEL_TYPES = ["vxlan", "geneve", "gtpu", "teredo", "ayiya", "mpls-udp"] as const;
export type UdpTunnelType = (typeof UDP_TUNNEL_TYPES)[number];

/** UDP ports the decoder takes as tunnels by default (Zeek's, plus MPLS in UDP). */
export const DEFAULT_TUNNEL_PORTS: Readonly<Record<UdpTunnelType, readonly number[]>> = {
  vxlan: [4789], geneve: [6081], gtpu: [2152, 2123], teredo: [3544], ayiya: [5072], "mpls-udp": [6635],
};

/** Extra UDP ports per tunnel type, added to the defaults. */
export type TunnelPorts = Partial<Record<UdpTunnelType, readonly number[]>>;

/** One level of the chain of tunnels that carried a packet, outermost first. */
export interface TunnelLevel {
  type: TunnelType;
  /** The outer IP header (and UDP ports, 0 for IP and GRE tunnels) of this level. */
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  /** VNI (VXLAN, Geneve), GRE key, GTP-U TEID, ERSPAN session id or PPTP call id; null when none. */
  id: number | null;
  /** ERSPAN type (1, 2, 3), GRE version, GTP version; 0 otherwise. */
  version: number;
  /** The outermost VLAN id of the frame around this level, null when untagged. */
  vlan: number | null;
  /** TUNF_* bits: payload kind (Ethernet, MPLS), GRE sequence / checksum present, Teredo indications. */
  flags: number;
}

export function tunnelTypeCode(name: string): number {
  const code = TUNNEL_TYPES.indexOf(name as TunnelType);
  return code > 0 ? code : 0;
}

/**
 * Parses "vxlan=4790,geneve=6082+6083" (the command's --tunnel-ports): throws an Error naming
 * the first bad item.
 */
export function parseTunnelPorts(text: string): TunnelPorts {
  const out: Partial<Record<UdpTunnelType, number[]>> = {};
  for (const item of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z-]+)=(\d+(?:\+\d+)*)$/.exec(item);
    if (!m) throw new Error(`"${item}" is not TYPE=PORT (e.g. vxlan=4790)`);
    const type = m[1] as UdpTunnelType;
    if (!UDP_TUNNEL_TYPES.includes(type)) throw new Error(`"${m[1]}" is not one of ${UDP_TUNNEL_TYPES.join(", ")}`);
    for (const p of m[2]!.split("+").map(Number)) {
      if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`port ${p} is not 1-65535`);
      (out[type] ??= []).push(p);
    }
  }
  return out;
}

/**
 * Checks a TunnelPorts option: a TypeError for a value of the wrong kind (not an object of
 * lists of numbers), a RangeError for an unknown type or a port out of range, each naming it.
 */
export function checkTunnelPorts(ports: unknown): asserts ports is TunnelPorts {
  if (ports === null || typeof ports !== "object" || Array.isArray(ports)) {
    throw new TypeError(`tunnelPorts must be an object of port lists by tunnel type, such as { vxlan: [4790] }, not ${kindOf(ports)}`);
  }
  for (const [type, list] of Object.entries(ports)) {
    if (!UDP_TUNNEL_TYPES.includes(type as UdpTunnelType)) throw new RangeError(`tunnelPorts: "${type}" is not one of ${UDP_TUNNEL_TYPES.join(", ")}`);
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new TypeError(`tunnelPorts.${type} must be an array of ports, not ${kindOf(list)}`);
    for (const p of list as unknown[]) {
      if (typeof p !== "number") throw new TypeError(`tunnelPorts.${type}: port ${kindOf(p)} is not a number`);
      if (!Number.isInteger(p) || p < 1 || p > 65535) throw new RangeError(`tunnelPorts.${type}: port ${p} is not 1-65535`);
    }
  }
}

const kindOf = (v: unknown) => (typeof v === "string" ? `"${v}"` : Array.isArray(v) ? "an array" : v === null ? "null" : typeof v === "object" ? "an object" : String(v));

/** The `depth` levels of the tunnel record at byte `at` of `bytes`. */
export function readTunnelLevels(bytes: Uint8Array, at: number, depth: number): TunnelLevel[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const levels: TunnelLevel[] = [];
  for (let k = 0; k < depth && k < L.MAX_TUNNEL_DEPTH; k++) {
    const b = at + k * L.TUNNEL_LEVEL_SIZE;
    const version = bytes[b + L.TUN_IP_VERSION]!;
    const flags = bytes[b + L.TUN_FLAGS]!;
    const vlan = view.getUint16(b + L.TUN_VLAN, true);
    levels.push({
      type: TUNNEL_TYPES[bytes[b + L.TUN_TYPE]!] ?? "ip",
      src: formatAddress(bytes, b + L.TUN_SRC_ADDR, version),
      dst: formatAddress(bytes, b + L.TUN_DST_ADDR, version),
      srcPort: view.getUint16(b + L.TUN_SRC_PORT, true),
      dstPort: view.getUint16(b + L.TUN_DST_PORT, true),
      id: flags & L.TUNF_ID ? view.getUint32(b + L.TUN_ID, true) : null,
      version: bytes[b + L.TUN_VERSION]!,
      vlan: vlan === L.NO_VLAN ? null : vlan,
      flags,
    });
  }
  return levels;
}
