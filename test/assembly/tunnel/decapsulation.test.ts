// Every tunnel type over real traffic: the frames of examples/sample.pcap (kernel TCP between two
// network namespaces, IPv4 and IPv6) are wrapped by the capture writer in each encapsulation,
// and the decoded inner packets must equal those of the unwrapped capture, field for field, as
// must the connections both trackers make of them. Each case also checks what the record says of
// its tunnel: the chain, the ids, the outer endpoints, and one identity for both directions.

import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { writePcap, type Frame } from "../../helpers/capture-writer.js";
import { readPcapFrames } from "../../helpers/read-pcap.js";
import { decodeAll } from "../../helpers/decode.js";
import { scanWithBothTrackers } from "../../helpers/both-trackers.js";
import { ethernet, type Bytes } from "../../helpers/packets.js";
import {
  udpTunnel, outerIp, vxlan, geneve, gtpu, teredo, ayiya, gre, erspan, pptp, mpls, type OuterEnds,
} from "../../helpers/tunnels.js";
import type { TcpPacketRecord, TunnelLevel } from "../../../sdk/index.js";
import { recordChain, TUNNEL_ID_NAMES } from "../../../sdk/connections/tunnel-chain.js";

const SAMPLE = readPcapFrames(readFileSync(fileURLToPath(new URL("../../../examples/sample.pcap", import.meta.url))));

const V4: [string, string] = ["192.0.2.1", "192.0.2.2"];
const V6: [string, string] = ["2001:db8:ffff::1", "2001:db8:ffff::2"];
const ends = ([a, b]: [string, string], forward: boolean): OuterEnds => (forward ? { src: a, dst: b } : { src: b, dst: a });
const isV6 = (ip: Bytes) => ip[0]! >> 4 === 6;
const ethertype = (ip: Bytes) => (isV6(ip) ? 0x86dd : 0x0800);

// One encapsulation: the outer frame of an inner Ethernet frame and its IP packet, or null to
// leave the packet out (Teredo carries IPv6 only). `forward`: from the connection's client side.
type Wrap = (frame: Bytes, ip: Bytes, forward: boolean) => Bytes | null;

interface Case {
  name: string;
  wrap: Wrap;
  /** The chain every wrapped packet's record must show, outermost first (a forward packet's view). */
  chain: Partial<TunnelLevel>[];
  options?: { tunnelPorts?: Record<string, number[]>; maxTunnelDepth?: number };
}

const CASES: Case[] = [
  { name: "VXLAN", wrap: (f, _ip, fw) => ethernet(udpTunnel(ends(V4, fw), fw ? 50000 : 50001, 4789, vxlan(7, f), true)),
    chain: [{ type: "vxlan", id: 7, src: V4[0], dst: V4[1], srcPort: 50000, dstPort: 4789 }] },
  { name: "VXLAN over IPv6", wrap: (f, _ip, fw) => ethernet(udpTunnel(ends(V6, fw), 50000, 4789, vxlan(0xabcdef, f))),
    chain: [{ type: "vxlan", id: 0xabcdef, src: V6[0], dst: V6[1] }] },
  { name: "VXLAN on a port the user adds", wrap: (f, _ip, fw) => ethernet(udpTunnel(ends(V4, fw), 50000, 4790, vxlan(3, f))),
    chain: [{ type: "vxlan", id: 3, dstPort: 4790 }], options: { tunnelPorts: { vxlan: [4790] } } },
  { name: "Geneve with options, Ethernet", wrap: (f, _ip, fw) => ethernet(udpTunnel(ends(V4, fw), 40000, 6081, geneve(99, 0x6558, f, new Uint8Array(8).fill(3)))),
    chain: [{ type: "geneve", id: 99 }] },
  { name: "Geneve, IP", wrap: (_f, ip, fw) => ethernet(udpTunnel(ends(V4, fw), 40000, 6081, geneve(5, ethertype(ip), ip))),
    chain: [{ type: "geneve", id: 5 }] },
  { name: "GTP-U", wrap: (_f, ip, fw) => ethernet(udpTunnel(ends(V4, fw), 2152, 2152, gtpu(fw ? 0x1111 : 0x2222, ip))),
    chain: [{ type: "gtpu", id: 0x1111, srcPort: 2152, dstPort: 2152 }] },
  { name: "GTP-U with extension headers", wrap: (_f, ip, fw) => ethernet(udpTunnel(ends(V4, fw), 2152, 2152,
      gtpu(fw ? 0x1111 : 0x2222, ip, [{ type: 0x85, content: new Uint8Array([0x10, 0x09]) }, { type: 0x40, content: new Uint8Array(5).fill(1) }]))),
    chain: [{ type: "gtpu", id: 0x1111 }] },
  ...([
    ["Teredo", {}],
    ["Teredo with authentication", { auth: true }],
    ["Teredo with origin indication", { origin: { port: 40000, addr: "198.51.100.9" } }],
    ["Teredo with both", { auth: true, origin: { port: 40000, addr: "198.51.100.9" } }],
  ] as const).map(([name, o]): Case => ({
    name, wrap: (_f, ip, fw) => (isV6(ip) ? ethernet(udpTunnel(ends(V4, fw), fw ? 40001 : 3544, fw ? 3544 : 40001, teredo(ip, o))) : null),
    chain: [{ type: "teredo", dstPort: 3544, id: null }],
  })),
  { name: "Teredo on another port, recognised (origin indication)",
    wrap: (_f, ip, fw) => (isV6(ip) ? ethernet(udpTunnel(ends(V4, fw), fw ? 40001 : 32900, fw ? 32900 : 40001, teredo(ip, { origin: { port: 1, addr: "198.51.100.9" } }))) : null),
    chain: [{ type: "teredo", dstPort: 32900 }] },
  { name: "AYIYA", wrap: (_f, ip, fw) => ethernet(udpTunnel(ends(V4, fw), fw ? 53859 : 5072, fw ? 5072 : 53859, ayiya(ip))),
    chain: [{ type: "ayiya", dstPort: 5072 }] },
  { name: "AYIYA on another port, recognised", wrap: (_f, ip, fw) => ethernet(udpTunnel(ends(V4, fw), fw ? 53859 : 6000, fw ? 6000 : 53859, ayiya(ip))),
    chain: [{ type: "ayiya", dstPort: 6000 }] },
  { name: "GRE with key, sequence and checksum, IP", wrap: (_f, ip, fw) => ethernet(outerIp(ends(V4, fw), 47, gre(ethertype(ip), ip, { key: 42, sequence: 9, checksum: true }))),
    chain: [{ type: "gre", id: 42, srcPort: 0, dstPort: 0, flags: 0x01 | 0x08 | 0x10 }] },
  { name: "GRE over IPv6, no options", wrap: (_f, ip, fw) => ethernet(outerIp(ends(V6, fw), 47, gre(ethertype(ip), ip))),
    chain: [{ type: "gre", id: null, src: V6[0] }] },
  { name: "GRE, transparent Ethernet bridging", wrap: (f, _ip, fw) => ethernet(outerIp(ends(V4, fw), 47, gre(0x6558, f, { key: 0x02000000 }))),
    chain: [{ type: "gre", id: 0x02000000, flags: 0x01 | 0x02 }] },
  { name: "ERSPAN type I", wrap: (f, _ip, fw) => ethernet(outerIp(ends(V4, fw), 47, erspan(1, 0, f))),
    chain: [{ type: "erspan", version: 1, id: null }] },
  { name: "ERSPAN type II", wrap: (f, _ip, fw) => ethernet(outerIp(ends(V4, fw), 47, erspan(2, 300, f))),
    chain: [{ type: "erspan", version: 2, id: 300 }] },
  { name: "ERSPAN type III with its platform subheader", wrap: (f, _ip, fw) => ethernet(outerIp(ends(V4, fw), 47, erspan(3, 1023, f))),
    chain: [{ type: "erspan", version: 3, id: 1023 }] },
  { name: "PPTP", wrap: (_f, ip, fw) => ethernet(outerIp(ends(V4, fw), 47, pptp(fw ? 0x100 : 0x200, ip))),
    chain: [{ type: "pptp", id: 0x100, version: 1 }] },
  { name: "PPTP, PPP fields compressed", wrap: (_f, ip, fw) => ethernet(outerIp(ends(V4, fw), 47, pptp(fw ? 0x100 : 0x200, ip, true))),
    chain: [{ type: "pptp", id: 0x100 }] },
  { name: "IP in IPv4 (4in4, 6in4)", wrap: (_f, ip, fw) => ethernet(outerIp(ends(V4, fw), isV6(ip) ? 41 : 4, ip)),
    chain: [{ type: "ip", src: V4[0], dst: V4[1], id: null }] },
  { name: "IP in IPv6 (4in6, 6in6)", wrap: (_f, ip, fw) => ethernet(outerIp(ends(V6, fw), isV6(ip) ? 41 : 4, ip)),
    chain: [{ type: "ip", src: V6[0], dst: V6[1] }] },
  { name: "MPLS in UDP", wrap: (_f, ip, fw) => ethernet(udpTunnel(ends(V4, fw), 40000, 6635, mpls([100, 200], ip))),
    chain: [{ type: "mpls-udp", flags: 0x04 }] },
  { name: "MPLS in GRE", wrap: (_f, ip, fw) => ethernet(outerIp(ends(V4, fw), 47, gre(0x8847, mpls([300], ip)))),
    chain: [{ type: "gre", flags: 0x04 }] },
  { name: "VXLAN inside GRE (two levels)", wrap: (f, _ip, fw) =>
      ethernet(outerIp(ends(V6, fw), 47, gre(0x6558, ethernet(udpTunnel(ends(V4, fw), 50000, 4789, vxlan(11, f)), { vlans: [[0x8100, 77]] })))),
    chain: [{ type: "gre", src: V6[0] }, { type: "vxlan", id: 11, src: V4[0], vlan: 77 }] },
  { name: "three levels with the depth limit raised", wrap: (_f, ip, fw) =>
      ethernet(outerIp(ends(V4, fw), 4, outerIp(ends(["198.51.100.1", "198.51.100.2"], fw), 4,
        outerIp(ends(["198.51.100.3", "198.51.100.4"], fw), 47, gre(ethertype(ip), ip, { key: 1 }))))),
    chain: [{ type: "ip" }, { type: "ip", src: "198.51.100.1" }, { type: "gre", id: 1, src: "198.51.100.3" }],
    options: { maxTunnelDepth: 3 } },
];

// A level the writer made, in the record's words (record.tunnel.chain).
function asRecordLevel(t: Partial<TunnelLevel>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (t.type !== undefined) out.type = t.type;
  if (t.src !== undefined) out.src = t.src;
  if (t.dst !== undefined) out.dst = t.dst;
  if (t.srcPort !== undefined) out.sport = t.srcPort;
  if (t.dstPort !== undefined) out.dport = t.dstPort;
  const name = t.type && TUNNEL_ID_NAMES[t.type];
  if (name && t.id !== undefined && t.id !== null) out[name] = t.id;
  return out;
}

// The fields that describe the frame and the tunnel, not the inner packet.
function inner(r: TcpPacketRecord): Partial<TcpPacketRecord> {
  const { capLen: _c, origLen: _o, fileOffset: _f, tunnel: _t, tunnelHash: _h, ...rest } = r;
  return rest;
}

function wrapSample(wrap: Wrap): { plain: Frame[]; wrapped: Frame[] } {
  const plain: Frame[] = [], wrapped: Frame[] = [];
  const client = SAMPLE[0]!.data.subarray(26, 30).join("."); // the first SYN's IPv4 source
  for (const f of SAMPLE) {
    const ip = f.data.subarray(14);
    const src = isV6(ip) ? ip.subarray(8, 24).join(".") : ip.subarray(12, 16).join(".");
    const forward = isV6(ip) ? ip[23]! < ip[39]! : src === client;
    const outer = wrap(f.data, ip, forward);
    if (!outer) continue;
    plain.push(f);
    wrapped.push({ ...f, data: outer, origLen: outer.length });
  }
  return { plain, wrapped };
}

describe("decapsulation: the sample's traffic in every tunnel equals the sample's", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const { plain, wrapped } = wrapSample(c.wrap);
      const options = { verifyChecksums: true, ...c.options };
      const want = await decodeAll(writePcap(plain), options);
      const got = await decodeAll(writePcap(wrapped), options);
      expect(got.records.length).toBeGreaterThanOrEqual(10);
      expect(got.records.map(inner)).toStrictEqual(want.records.map(inner));
      for (const r of got.records) expect(r.tunnel.map((t) => t.type)).toStrictEqual(c.chain.map((t) => t.type));

      // The chain as a packet from the client side sees it; one identity both ways.
      const first = got.records[0]!;
      c.chain.forEach((level, k) => expect(first.tunnel[k]).toMatchObject(level));
      expect(new Set(got.records.map((r) => r.tunnelHash)).size).toBe(1);
      expect(first.tunnelHash).not.toBe(0);
      const depth = c.chain.length;
      expect(got.summary.stats.tunnels.byDepth[depth - 1]).toBe(wrapped.length);
      expect(got.summary.stats.tcp).toBe(want.summary.stats.tcp);

      const plainScan = await scanWithBothTrackers(writePcap(plain), options);
      const wrappedScan = await scanWithBothTrackers(writePcap(wrapped), options);
      // The same connections, each saying what carried it: the chain, its identity, no change.
      const identity = first.tunnelHash.toString(16).padStart(8, "0");
      let forwardFirst = 0;
      for (const conn of wrappedScan.connections) {
        const { chain, ...rest } = conn.tunnel!;
        expect(rest).toStrictEqual({ types: c.chain.map((t) => t.type), identity, parents: [identity], changes: 0 });
        // The chain in full is the connection's first packet's, as the capture writer made it.
        const opening = got.records.find((r) => r.packetIndex === conn.id - 1)!;
        expect(chain).toStrictEqual(recordChain(opening.tunnel));
        if (opening.tunnel[0]!.src !== first.tunnel[0]!.src) continue;
        forwardFirst++;
        c.chain.forEach((level, k) => expect(chain![k]).toMatchObject(asRecordLevel(level)));
      }
      expect(forwardFirst).toBeGreaterThan(0);
      expect(wrappedScan.connections.map(({ tunnel: _, ...rest }) => rest)).toStrictEqual(plainScan.connections);
    });
  }
});
