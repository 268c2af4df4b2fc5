import { describe, it, expect } from "vitest";
import { tcpIp, ethernet, sll, sll2, nullLink, ppp, concat, u16, u32 } from "../../helpers/packets.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { decodeAll } from "../../helpers/decode.js";

async function viaLink(linkType: number, frames: Uint8Array[]) {
  return decodeAll(writePcap(frames.map((data) => ({ data })), { linkType }));
}

const v4 = tcpIp({ sport: 4444 });
const v6 = tcpIp({ v6: true, sport: 6666 });

describe("link types", () => {
  const cases: [string, number, Uint8Array[]][] = [
    ["Linux cooked SLL", 113, [sll(v4), sll(v6)]],
    ["Linux cooked SLL2", 276, [sll2(v4), sll2(v6)]],
    ["BSD NULL, little-endian family", 0, [nullLink(v4), nullLink(v6, false, 30)]],
    ["BSD NULL, big-endian family (and Linux's AF_INET6 10)", 0, [nullLink(v4, true), nullLink(v6, true, 10)]],
    ["OpenBSD LOOP", 108, [nullLink(v4, true), nullLink(v6, true, 24)]],
    ["raw IP (101)", 101, [v4, v6]],
    ["raw IP (BSD 12)", 12, [v4, v6]],
    ["raw IP (OpenBSD 14)", 14, [v4, v6]],
    ["PPP with and without address/control", 9, [ppp(v4), ppp(v6, false)]],
    ["PPP with a compressed (1-byte) protocol field", 9, [concat(new Uint8Array([0xff, 0x03, 0x21]), v4), concat(new Uint8Array([0x57]), v6)]],
    // Captures of link type PPP whose frames are Cisco HDLC (address 0x0f unicast, 0x8f broadcast).
    ["PPP link type holding Cisco HDLC frames", 9, [concat(new Uint8Array([0x0f, 0]), u16(0x0800), v4), concat(new Uint8Array([0x8f, 0]), u16(0x86dd), v6)]],
    ["Cisco HDLC", 104, [concat(new Uint8Array([0x0f, 0]), u16(0x0800), v4), concat(new Uint8Array([0x0f, 0]), u16(0x86dd), v6)]],
    ["IP over InfiniBand", 242, [concat(new Uint8Array(40), u16(0x0800), u16(0), v4), concat(new Uint8Array(40), u16(0x86dd), u16(0), v6)]],
  ];
  for (const [name, linkType, frames] of cases) {
    it(name, async () => {
      const { records, summary } = await viaLink(linkType, frames);
      expect(records.map((r) => [r.ipVersion, r.srcPort, r.linkType])).toEqual([[4, 4444, linkType], [6, 6666, linkType]]);
      expect(summary.interfaces[0]!.linkType).toBe(linkType);
    });
  }

  it("IPv4-only (228) and IPv6-only (229) raw links", async () => {
    expect((await viaLink(228, [v4])).records).toHaveLength(1);
    expect((await viaLink(229, [v6])).records).toHaveLength(1);
  });

  it("NFLOG finds the packet in its payload TLV", async () => {
    const tlv = (type: number, value: Uint8Array) => {
      const len = 4 + value.length;
      const h = new Uint8Array(4);
      new DataView(h.buffer).setUint16(0, len, true);
      new DataView(h.buffer).setUint16(2, type, true);
      const pad = new Uint8Array((4 - (len % 4)) % 4);
      return concat(h, value, pad);
    };
    const frame = concat(new Uint8Array([2, 0]), u16(7), tlv(1, new Uint8Array([8, 0, 1, 0])), tlv(9, v4));
    expect((await viaLink(239, [frame])).records).toHaveLength(1);
  });

  it("802.11 data frames, bare and behind radiotap and PPI", async () => {
    const snap = concat(new Uint8Array([0xaa, 0xaa, 3, 0, 0, 0]), u16(0x0800), v4);
    const data = concat(new Uint8Array([0x08, 0x01]), new Uint8Array(22), snap);
    const qos = concat(new Uint8Array([0x88, 0x02]), new Uint8Array(22), new Uint8Array(2), snap);
    const radiotap = concat(new Uint8Array([0, 0, 8, 0]), u32(0), data);
    const ppi = concat(new Uint8Array([0, 0, 8, 0, 105, 0, 0, 0]), qos);
    const prot = concat(new Uint8Array([0x08, 0x41]), new Uint8Array(22), snap);
    expect((await viaLink(105, [data, qos, prot])).records).toHaveLength(2);
    expect((await viaLink(127, [radiotap])).records).toHaveLength(1);
    expect((await viaLink(192, [ppi])).records).toHaveLength(1);
  });

  it("FDDI with LLC/SNAP, and Linux ARCNET in both IP framings", async () => {
    const fddi = concat(new Uint8Array(13), new Uint8Array([0xaa, 0xaa, 3, 0, 0, 0]), u16(0x0800), v4);
    expect((await viaLink(10, [fddi])).records).toHaveLength(1);
    const rfc1051 = concat(new Uint8Array([1, 2, 0, 0, 240]), v4);
    const rfc1201 = concat(new Uint8Array([1, 2, 0, 0, 212, 0, 0, 0]), v4);
    expect((await viaLink(129, [rfc1051, rfc1201])).records).toHaveLength(2);
  });

  it("counts packets on an unsupported link type and warns once with the type", async () => {
    const { records, summary } = await viaLink(147, [ethernet(v4), ethernet(v4)]);
    expect(records).toHaveLength(0);
    expect(summary.stats.unsupportedLink).toBe(2);
    // Once per interface that declares it, not per packet: the message says what the count counts.
    expect(summary.warnings).toEqual([expect.objectContaining({
      code: "capture.unsupported_link_type", count: 1,
      message: "unsupported link type 147 (counted once per interface declaring it): its packets are counted, not decoded",
    })]);
  });
});
