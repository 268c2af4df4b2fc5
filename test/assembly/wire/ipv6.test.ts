import { describe, it, expect } from "vitest";
import * as L from "../../../assembly/layout.js";
import { tcpIp, tcpSegment, ipv6, ethernet, parseAddress, concat, u16, u32, F } from "../../helpers/packets.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { decodeAll } from "../../helpers/decode.js";

const decodeFrames = (frames: Uint8Array[], verifyChecksums = false) =>
  decodeAll(writePcap(frames.map((data) => ({ data }))), { verifyChecksums });

const padOptions = new Uint8Array([1, 4, 0, 0, 0, 0]); // PadN filling a 6-byte options body

describe("IPv6", () => {
  it("reads addresses, hop limit and traffic class", async () => {
    const { records } = await decodeFrames([ethernet(tcpIp({ v6: true, src: "2001:db8:0:1::10", dst: "fe80::abcd:1", ip6: { hopLimit: 9, trafficClass: 0x02 } }))], true);
    expect(records[0]).toMatchObject({ ipVersion: 6, src: "2001:db8:0:1::10", dst: "fe80::abcd:1", ttl: 9, ipTos: 2 });
    expect(records[0]!.packetFlags & L.PKT_CHECKSUM_GOOD).toBeTruthy();
  });

  it("walks hop-by-hop, routing, destination options, atomic fragment and AH headers", async () => {
    const routing = concat(new Uint8Array([4, 0]), new Uint8Array(4)); // type 4, segments left 0
    const ah = new Uint8Array(10 + 12); // SPI, sequence, 12-byte ICV
    const { records } = await decodeFrames([ethernet(tcpIp({
      v6: true, payload: 10, flags: F.ACK,
      ip6: { extensions: [{ type: 0, body: padOptions }, { type: 43, body: routing }, { type: 60, body: padOptions }, { type: 44 }, { type: 51, body: ah }] },
    }))], true);
    expect(records).toHaveLength(1);
    expect(records[0]!.payloadLen).toBe(10);
    expect(records[0]!.packetFlags & L.PKT_CHECKSUM_GOOD).toBeTruthy();
  });

  it("reassembles fragments (more in reassembly/)", async () => {
    const seg = tcpSegment({ flags: F.ACK, payload: 100 }, parseAddress("2001:db8::1"), parseAddress("2001:db8::2"));
    const first = ipv6({ extensions: [{ type: 44, body: concat(u16(1), u32(7)) }] }, seg.subarray(0, 48));
    const later = ipv6({ extensions: [{ type: 44, body: concat(u16(48), u32(7)) }] }, seg.subarray(48));
    const { records, summary } = await decodeFrames([ethernet(first), ethernet(later)]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ packetIndex: 1, payloadLen: 100, ipLen: 40 + 20 + 100, fragments: 2 });
    expect(records[0]!.packetFlags & L.PKT_REASSEMBLED).toBeTruthy();
    expect(summary.stats.fragments).toBe(1);
  });

  it("reads a jumbo payload length from the hop-by-hop header", async () => {
    const payload = 70000;
    const jumboLen = payload + 20 + 8;
    const seg = tcpSegment({ flags: F.ACK, payload }, parseAddress("2001:db8::1"), parseAddress("2001:db8::2"));
    const hbh = concat(new Uint8Array([0xc2, 4]), u32(jumboLen));
    const { records } = await decodeFrames([ethernet(ipv6({ extensions: [{ type: 0, body: hbh }], payloadLength: 0 }, seg))]);
    expect(records[0]!.payloadLen).toBe(payload);
    expect(records[0]!.ipLen).toBe(40 + jumboLen);
  });

  it("verifies checksums against the routing header's final destination and the home address", async () => {
    const finalDst = "2001:db8::99";
    const seg = tcpSegment({}, parseAddress("2001:db8::1"), parseAddress(finalDst));
    const routing0 = concat(new Uint8Array([0, 1]), new Uint8Array(4), parseAddress(finalDst));
    const viaRouting = ethernet(ipv6({ src: "2001:db8::1", dst: "2001:db8::50", extensions: [{ type: 43, body: routing0 }] }, seg));
    const home = "2001:db8::77";
    const segHome = tcpSegment({}, parseAddress(home), parseAddress("2001:db8::2"));
    const hoa = concat(new Uint8Array([1, 2, 0, 0, 0xc9, 16]), parseAddress(home)); // PadN(4) + Home Address
    const viaHome = ethernet(ipv6({ src: "2001:db8::1", extensions: [{ type: 60, body: hoa }] }, segHome));
    const { records } = await decodeFrames([viaRouting, viaHome], true);
    expect(records.map((r) => r.packetFlags & L.PKT_CHECKSUM_GOOD)).toEqual([L.PKT_CHECKSUM_GOOD, L.PKT_CHECKSUM_GOOD]);
  });

  it("counts a chain cut by the capture as unreadable", async () => {
    const frame = ethernet(tcpIp({ v6: true, ip6: { extensions: [{ type: 0, body: padOptions }] } }));
    const { records, summary } = await decodeFrames([frame.subarray(0, 14 + 40 + 4)]);
    expect(records).toHaveLength(0);
    expect(summary.stats.ipUnreadable).toBe(1);
  });
});
