// tshark 4.0 decodes Teredo only on UDP port 3544 (its heuristic dissector is off by default);
// Zeek, and so this decoder, also recognises it on other ports by its payload (Zeek's protocol
// detection). What is carried that way is compared with Zeek's baseline (zeek-conformance,
// Teredo.pcap), not with tshark: the tshark tests leave these packets and connections out.

import type { TcpPacketRecord } from "../../sdk/index.js";
import { decodeAll } from "../helpers/decode.js";

export function teredoElsewhere(r: TcpPacketRecord): boolean {
  return r.tunnel.some((t) => t.type === "teredo" && t.srcPort !== 3544 && t.dstPort !== 3544);
}

const endpoint = (addr: string, port: number) => (addr.includes(":") ? `[${addr}]:${port}` : `${addr}:${port}`);

/** "a|b" endpoint pairs (sorted) of the capture's packets that only Zeek's Teredo detection finds. */
export async function teredoElsewherePairs(path: string): Promise<Set<string>> {
  const { records } = await decodeAll(path);
  return new Set(records.filter(teredoElsewhere).map((r) => [endpoint(r.src, r.srcPort), endpoint(r.dst, r.dstPort)].sort().join("|")));
}
