// A connection's tunnel chain as the record shows it (record.tunnel.chain): per level, outermost
// first, its type, its outer addresses and ports, and the id that names the tunnel under its
// protocol's own name. Read from the first packet's tunnel record (assembly/layout.ts).

import type { TunnelLevel, TunnelType } from "../decoder/tunnels.js";

export interface RecordTunnelLevel {
  type: TunnelType;
  /** The outer IP addresses as the connection's first packet carried them. */
  src: string;
  dst: string;
  /** The outer UDP ports (0 for IP in IP, GRE, ERSPAN and PPTP). */
  sport: number;
  dport: number;
  /** VXLAN and Geneve: the VNI. */
  vni?: number;
  /** GRE: the key, when present; PPTP: the call id (enhanced GRE's key field). */
  key?: number;
  /** GTP-U: the TEID (each direction has its own). */
  teid?: number;
  /** ERSPAN type II and III: the session id. */
  session?: number;
}

/** The name each tunnel type gives its id (types without one have none). */
export const TUNNEL_ID_NAMES: Partial<Record<TunnelType, "vni" | "key" | "teid" | "session">> = {
  vxlan: "vni", geneve: "vni", gre: "key", pptp: "key", gtpu: "teid", erspan: "session",
};

export function recordChain(levels: readonly TunnelLevel[]): RecordTunnelLevel[] {
  return levels.map((t) => {
    const level: RecordTunnelLevel = { type: t.type, src: t.src, dst: t.dst, sport: t.srcPort, dport: t.dstPort };
    const name = TUNNEL_ID_NAMES[t.type];
    if (name && t.id !== null) level[name] = t.id;
    return level;
  });
}

/**
 * The chain in one line, for csv and parquet: levels joined by " > ", each
 * "type src:sport-dst:dport name=id" (IPv6 addresses in brackets; ports only for UDP tunnels).
 */
export function chainText(chain: readonly RecordTunnelLevel[]): string {
  return chain.map((t) => {
    const end = (addr: string, port: number) => {
      const a = addr.includes(":") ? `[${addr}]` : addr;
      return t.sport || t.dport ? `${a}:${port}` : a;
    };
    const name = TUNNEL_ID_NAMES[t.type];
    const id = name && t[name] !== undefined ? ` ${name}=${t[name]}` : "";
    return `${t.type} ${end(t.src, t.sport)}-${end(t.dst, t.dport)}${id}`;
  }).join(" > ");
}
