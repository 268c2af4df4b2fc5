// The rules around decapsulation: the depth limit, which UDP packets are tunnels (and which stay
// UDP), the tunnel identity, unsupported GRE, IPComp, and snaplen-cut tunnel packets.

import { describe, it, expect } from "vitest";
import { deflateRawSync } from "node:zlib";
import { writePcap } from "../../helpers/capture-writer.js";
import { decodeAll } from "../../helpers/decode.js";
import { ethernet, tcpIp, ipv4, ipv6, concat, u16, F, type Bytes } from "../../helpers/packets.js";
import { udpTunnel, outerIp, vxlan, geneve, gtpu, teredo, ayiya, gre } from "../../helpers/tunnels.js";
import { parseTunnelPorts, type DecodeCaptureOptions } from "../../../sdk/index.js";

const E = { src: "192.0.2.1", dst: "192.0.2.2" };
const R = { src: "192.0.2.2", dst: "192.0.2.1" };
const inner = (o: { v6?: boolean; sport?: number; flags?: number } = {}) => tcpIp({ flags: F.SYN, sport: 40000, ...o });
const decodeFrames = (frames: Bytes[], options?: DecodeCaptureOptions) =>
  decodeAll(writePcap(frames.map((data) => ({ data }))), options);

describe("depth", () => {
  const threeLevels = ethernet(outerIp(E, 4, outerIp(E, 4, outerIp(E, 4, inner()))));

  it("decapsulates two levels by default (Zeek's Tunnel::max_depth) and counts a third as too deep", async () => {
    const two = ethernet(outerIp(E, 4, outerIp(E, 4, inner())));
    const { records, summary } = await decodeFrames([two, threeLevels]);
    expect(records).toHaveLength(1);
    expect(records[0]!.tunnel.map((t) => t.type)).toEqual(["ip", "ip"]);
    expect(summary.stats).toMatchObject({ tcp: 1, tunnelled: 1, packets: 2 });
    expect(summary.stats.tunnels).toMatchObject({ tooDeep: 1, byDepth: [0, 2, 0], byType: { ip: [2, 2, 0] } });
  });

  it("follows maxTunnelDepth: 3 decodes the third level, 0 decapsulates nothing", async () => {
    expect((await decodeFrames([threeLevels], { maxTunnelDepth: 3 })).records[0]!.tunnel).toHaveLength(3);
    const none = await decodeFrames([ethernet(outerIp(E, 4, inner())), ethernet(udpTunnel(E, 50000, 4789, vxlan(1, ethernet(inner()))))], { maxTunnelDepth: 0 });
    expect(none.records).toHaveLength(0);
    expect(none.summary.stats).toMatchObject({ tunnelled: 2 });
    expect(none.summary.stats.tunnels.tooDeep).toBe(2);
    await expect(decodeFrames([], { maxTunnelDepth: 4 })).rejects.toThrow(/maxTunnelDepth/);
  });
});

describe("UDP tunnels", () => {
  it("take the destination port, else the source port, and user-added ports", async () => {
    const toPort = ethernet(udpTunnel(E, 50000, 4789, vxlan(1, ethernet(inner()))));
    const fromPort = ethernet(udpTunnel(R, 4789, 50000, vxlan(1, ethernet(inner({ flags: F.SYN | F.ACK })))));
    const added = ethernet(udpTunnel(E, 50000, 8472, vxlan(2, ethernet(inner())))); // Linux's old VXLAN port
    const plain = await decodeFrames([toPort, fromPort, added]);
    expect(plain.records.map((r) => r.tunnel[0]?.type)).toEqual(["vxlan", "vxlan"]);
    expect(plain.summary.stats.udp).toBe(1);
    const withPort = await decodeFrames([added], { tunnelPorts: { vxlan: [8472] } });
    expect(withPort.records[0]!.tunnel[0]).toMatchObject({ type: "vxlan", id: 2, dstPort: 8472 });
  });

  it("stay plain UDP when the payload is not the tunnel its port names", async () => {
    const cases: Bytes[] = [
      udpTunnel(E, 50000, 4789, concat(new Uint8Array([0, 0, 0, 0, 0, 0, 1, 0]), ethernet(inner()))), // VXLAN without its I flag
      udpTunnel(E, 50000, 4789, new Uint8Array([8, 0, 0, 0])), // VXLAN header cut short
      udpTunnel(E, 40000, 6081, concat(new Uint8Array([0x40, 0, 0x65, 0x58, 0, 0, 1, 0]), ethernet(inner()))), // Geneve version 1
      udpTunnel(E, 40000, 6081, geneve(1, 0x0806, new Uint8Array(28))), // Geneve carrying ARP
      udpTunnel(E, 2152, 2152, concat(new Uint8Array([0x32, 1]), u16(4), new Uint8Array(8))), // GTP-U echo request
      udpTunnel(E, 2152, 2152, gtpu(1, new Uint8Array([0x20, 1, 2, 3]))), // a G-PDU that is not IP
      udpTunnel(E, 40000, 3544, teredo(concat(inner({ v6: true }), new Uint8Array(4)))), // IPv6 length short of the datagram
      udpTunnel(E, 40000, 5072, concat(new Uint8Array([0x42, 0x52, 0x10, 41]), new Uint8Array(40))), // AYIYA heartbeat
      udpTunnel(E, 40000, 6635, new Uint8Array(2)), // MPLS in UDP without a label
    ];
    const { records, summary } = await decodeFrames(cases.map((ip) => ethernet(ip)));
    expect(records).toHaveLength(0);
    expect(summary.stats.udp).toBe(cases.length);
  });

  it("recognise Teredo and AYIYA on other ports only by their payload (Zeek's detection)", async () => {
    const teredoAddr = tcpIp({ v6: true, src: "2001:0:4137:9e50:8000:f12a:b9c8:2815", dst: "2001:db8::1", flags: F.SYN });
    const notTeredo = inner({ v6: true }); // an IPv6 packet, but no Teredo address and no indication
    const ayiyaWrongLength = concat(ayiya(inner()), new Uint8Array(3));
    const { records, summary } = await decodeFrames([
      ethernet(udpTunnel(E, 40000, 32900, teredo(teredoAddr))),
      ethernet(udpTunnel(E, 40000, 5353, teredo(notTeredo))),
      ethernet(udpTunnel(E, 40000, 6000, ayiya(inner()))),
      ethernet(udpTunnel(E, 40000, 6000, ayiyaWrongLength)),
    ]);
    expect(records.map((r) => r.tunnel[0]!.type)).toEqual(["teredo", "ayiya"]);
    expect(summary.stats.udp).toBe(2);
  });

  it("with checksums verified: a wrong outer UDP checksum is counted and the packet not decapsulated, as Zeek drops it", async () => {
    const broken = (ip: Bytes) => { const b = ip.slice(); b[ip[0]! >> 4 === 6 ? 46 : 26]! ^= 0x55; return b; }; // the UDP checksum
    const good = ethernet(udpTunnel(E, 50000, 4789, vxlan(1, ethernet(inner()))));
    const none = ethernet(udpTunnel(E, 50000, 4789, vxlan(1, ethernet(inner())), true)); // 0: no checksum (IPv4)
    const bad = ethernet(broken(udpTunnel(E, 50000, 4789, vxlan(1, ethernet(inner())))));
    const badV6 = ethernet(broken(udpTunnel({ src: "2001:db8::1", dst: "2001:db8::2" }, 40000, 3544, teredo(inner({ v6: true })))));
    const plainUdp = ethernet(broken(udpTunnel(E, 50000, 53, new Uint8Array(12)))); // not a tunnel: not checked
    const frames = [good, none, bad, badV6, plainUdp];
    const verified = await decodeFrames(frames, { verifyChecksums: true });
    expect(verified.records).toHaveLength(2);
    expect(verified.summary.stats).toMatchObject({ badChecksum: 2, udp: 3, tcp: 2 });
    const unverified = await decodeFrames(frames);
    expect(unverified.records).toHaveLength(4);
    expect(unverified.summary.stats).toMatchObject({ badChecksum: 0, udp: 1 });
  });

  it("parse the command's --tunnel-ports form", () => {
    expect(parseTunnelPorts("vxlan=4790, geneve=6082+6083")).toEqual({ vxlan: [4790], geneve: [6082, 6083] });
    expect(() => parseTunnelPorts("gre=4")).toThrow(/"gre" is not one of vxlan, geneve/);
    expect(() => parseTunnelPorts("vxlan=70000")).toThrow(/port 70000/);
    expect(() => parseTunnelPorts("vxlan")).toThrow(/TYPE=PORT/);
  });
});

describe("tunnel identity", () => {
  it("differs between VNIs, GRE keys and outer addresses, and ignores per-direction ids (TEID)", async () => {
    const frames = [
      ethernet(udpTunnel(E, 50000, 4789, vxlan(1, ethernet(inner())))),
      ethernet(udpTunnel(E, 50001, 4789, vxlan(2, ethernet(inner())))),
      ethernet(outerIp(E, 47, gre(0x0800, inner(), { key: 1 }))),
      ethernet(outerIp(E, 47, gre(0x0800, inner(), { key: 2 }))),
      ethernet(outerIp({ src: "192.0.2.9", dst: "192.0.2.2" }, 47, gre(0x0800, inner(), { key: 1 }))),
      ethernet(udpTunnel(E, 2152, 2152, gtpu(100, inner()))),
      ethernet(udpTunnel(R, 2152, 2152, gtpu(200, inner({ flags: F.SYN | F.ACK })))),
    ];
    const { records } = await decodeFrames(frames);
    const h = records.map((r) => r.tunnelHash);
    expect(new Set(h.slice(0, 5)).size).toBe(5);
    expect(h[5]).toBe(h[6]);
    expect(records[5]!.tunnel[0]!.id).toBe(100);
    expect(records[6]!.tunnel[0]!.id).toBe(200);
  });

  it("is seeded with the flow hash", async () => {
    const frame = ethernet(outerIp(E, 47, gre(0x0800, inner())));
    const a = await decodeFrames([frame], { hashSeed: 1 }), b = await decodeFrames([frame], { hashSeed: 2 });
    expect(a.records[0]!.tunnelHash).not.toBe(b.records[0]!.tunnelHash);
  });
});

describe("GRE not decapsulated", () => {
  it("counts routing, unknown versions, reserved flags and payload types as unsupported", async () => {
    const raw = (flags: number, protocol: number) => ethernet(outerIp(E, 47, concat(u16(flags), u16(protocol), new Uint8Array(24))));
    const { records, summary } = await decodeFrames([
      raw(0x4000, 0x0800), raw(0x0002, 0x0800), raw(0x0008, 0x0800), raw(0, 0x883e), raw(0x0001, 0x0800),
    ]);
    expect(records).toHaveLength(0);
    expect(summary.stats.tunnels.unsupported).toBe(5);
    expect(summary.stats.tunnelled).toBe(5);
  });
});

describe("IPComp", () => {
  const segment = inner({ flags: F.ACK | F.PSH });
  const ipcomp = (next: number, cpi: number, body: Bytes) => concat(new Uint8Array([next, 0]), u16(cpi), body);

  it("inflates DEFLATE payloads in transport and tunnel mode, whatever the CPI", async () => {
    const tcp = segment.subarray(20); // the TCP segment of the IPv4 packet
    const transport = ethernet(ipv4({ protocol: 108 }, ipcomp(6, 2, deflateRawSync(tcp))));
    const tunnel = ethernet(ipv6({ protocol: 108 }, ipcomp(4, 0x635c, deflateRawSync(segment))));
    const stored = ethernet(ipv4({ protocol: 108 }, ipcomp(6, 2, deflateRawSync(tcp, { level: 0 }))));
    const { records, summary } = await decodeFrames([transport, tunnel, stored], { verifyChecksums: true });
    expect(records).toHaveLength(3);
    expect(records[1]!.tunnel.map((t) => t.type)).toEqual(["ip"]);
    for (const r of records) expect(r).toMatchObject({ srcPort: 40000, flags: F.ACK | F.PSH });
    expect(records[0]!.packetFlags & 0x02).toBeTruthy(); // the inflated segment's checksum is right
    expect(summary.stats.tunnels).toMatchObject({ ipcomp: 3, ipcompUnsupported: 0 });
  });

  it("counts other algorithms and invalid streams as not decompressed", async () => {
    const { records, summary } = await decodeFrames([
      ethernet(ipv4({ protocol: 108 }, ipcomp(6, 3, new Uint8Array(30)))), // LZS
      ethernet(ipv4({ protocol: 108 }, ipcomp(6, 2, new Uint8Array([0xff, 0xff, 0xff, 0xff])))), // block type 3
      ethernet(ipv4({ protocol: 108 }, ipcomp(6, 2, deflateRawSync(segment.subarray(20)).subarray(0, 6)))), // cut: length unknown
    ]);
    expect(records).toHaveLength(0);
    expect(summary.stats.tunnels.ipcompUnsupported).toBe(3);
  });
});

describe("snaplen-cut tunnel packets", () => {
  it("decode what was captured and keep the inner packet's true lengths", async () => {
    const packet = ethernet(udpTunnel(E, 50000, 4789, vxlan(1, ethernet(tcpIp({ flags: F.ACK, payload: 1000 })))));
    const cut = packet.subarray(0, 14 + 20 + 8 + 8 + 14 + 20 + 20 + 10);
    const { records } = await decodeAll(writePcap([{ data: cut, origLen: packet.length }]));
    expect(records[0]).toMatchObject({ payloadLen: 1000, ipLen: 1040 });
    expect(records[0]!.packetFlags & 0x80).toBeTruthy(); // payload cut
    expect(records[0]!.packetFlags & 0x20).toBeTruthy(); // snaplen-truncated frame
  });
});
