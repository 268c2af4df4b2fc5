import { describe, it, expect } from "vitest";
import * as L from "../../../assembly/layout.js";
import { tcpIp, tcpSegment, ipv4, ethernet, parseAddress, F } from "../../helpers/packets.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { decodeAll } from "../../helpers/decode.js";

const decodeFrames = (frames: Uint8Array[], verifyChecksums = false) =>
  decodeAll(writePcap(frames.map((data) => ({ data }))), { verifyChecksums });

describe("IPv4", () => {
  it("reads addresses, TTL and TOS, and skips options by the header length", async () => {
    const options = new Uint8Array([0x94, 0x04, 0, 0, 1, 1, 1, 0]); // router alert, NOPs, EOL
    const { records } = await decodeFrames([ethernet(tcpIp({ src: "198.51.100.7", dst: "203.0.113.250", ip4: { ttl: 3, tos: 0x03, options }, sport: 5, dport: 6 }))], true);
    expect(records[0]).toMatchObject({ ipVersion: 4, src: "198.51.100.7", dst: "203.0.113.250", ttl: 3, ipTos: 3, srcPort: 5, dstPort: 6 });
    expect(records[0]!.packetFlags & L.PKT_CHECKSUM_GOOD).toBeTruthy();
  });

  it("reassembles fragments into one packet in the frame that completes them (more in reassembly/)", async () => {
    const seg = tcpSegment({ flags: F.ACK | F.PSH, payload: 64 }, parseAddress("10.0.0.1"), parseAddress("10.0.0.2"));
    const first = ipv4({ moreFragments: true }, seg.subarray(0, 40));
    const second = ipv4({ fragmentOffset: 40 }, seg.subarray(40));
    const { records, summary } = await decodeFrames([ethernet(first), ethernet(second)], true);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ packetIndex: 1, payloadLen: 64, ipLen: 20 + 20 + 64, fragments: 2 });
    expect(records[0]!.packetFlags & L.PKT_REASSEMBLED).toBeTruthy();
    expect(records[0]!.packetFlags & L.PKT_CHECKSUM_GOOD).toBeTruthy();
    expect(summary.stats).toMatchObject({ fragments: 1, tcp: 1, packets: 2 });
    expect(summary.stats.reassembly.reassembled).toBe(1);
  });

  it("takes the captured size when the total length is 0 (TSO / BIG TCP)", async () => {
    const { records } = await decodeFrames([ethernet(tcpIp({ flags: F.ACK, payload: 70000 - 40, ip4: { totalLength: 0 } }))]);
    expect(records[0]!.payloadLen).toBe(70000 - 40);
    expect(records[0]!.packetFlags & L.PKT_IP_LEN_FROM_CAPTURE).toBeTruthy();
  });

  it("counts impossible or cut headers as unreadable IP, and other protocols by category", async () => {
    const bad = ethernet(tcpIp({}));
    bad[14] = 0x43; // IHL 3
    const cut = ethernet(tcpIp({})).subarray(0, 14 + 12);
    const udp = ethernet(ipv4({ protocol: 17 }, new Uint8Array([0, 53, 0, 53, 0, 8, 0, 0])));
    const vxlan = ethernet(ipv4({ protocol: 17 }, new Uint8Array([0, 99, 0x12, 0xb5, 0, 8, 0, 0])));
    const icmp = ethernet(ipv4({ protocol: 1 }, new Uint8Array(8)));
    const gre = ethernet(ipv4({ protocol: 47 }, new Uint8Array(8)));
    const sctp = ethernet(ipv4({ protocol: 132 }, new Uint8Array(8)));
    const { records, summary } = await decodeFrames([bad, cut, udp, vxlan, icmp, gre, sctp]);
    expect(records).toHaveLength(0);
    // A UDP packet to the VXLAN port without a VXLAN header stays UDP; GRE with an unknown
    // payload type is tunnelled, not decoded.
    expect(summary.stats).toMatchObject({ ipUnreadable: 2, udp: 2, tunnelled: 1, icmp: 1, otherIp: 1, packets: 7 });
    expect(summary.stats.tunnels.unsupported).toBe(1);
  });
});
