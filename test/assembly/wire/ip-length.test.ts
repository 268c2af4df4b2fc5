// An IP header whose total length reaches past the frame on the wire (assembly/wire/ip-length.ts):
// Zeek drops the packet (weird truncated_IP_len) before reassembly and before any connection
// sees it; so does the decoder, and counts it. A frame the snaplen cut is judged by its original
// length, so the bench's 96-byte captures keep their reading: true lengths, payload flagged cut.

import { describe, it, expect } from "vitest";
import * as L from "../../../assembly/layout.js";
import { tcpIp, tcpSegment, ipv4, ethernet, parseAddress, F, type Bytes } from "../../helpers/packets.js";
import { writePcap, type Frame } from "../../helpers/capture-writer.js";
import { decodeAll } from "../../helpers/decode.js";
import { scanWithBothTrackers } from "../../helpers/both-trackers.js";
import { udpTunnel, outerIp, vxlan } from "../../helpers/tunnels.js";

const PAYLOAD = 100;
const MISSING = 40; // bytes the IP header counts that the frame never carried

/** An Ethernet frame whose TCP segment lost its last MISSING bytes, its IP header unchanged. */
function shortFrame(v6: boolean, spec: Parameters<typeof tcpIp>[0] = {}): Bytes {
  const whole = ethernet(tcpIp({ v6, flags: F.ACK | F.PSH, payload: PAYLOAD, ...spec }));
  return whole.slice(0, whole.length - MISSING);
}

const decodeFrames = (frames: Frame[]) => decodeAll(writePcap(frames));

describe("an IP length past the frame on the wire", () => {
  for (const v6 of [false, true]) {
    const name = v6 ? "IPv6" : "IPv4";

    it(`${name}: a frame not cut by the snaplen is dropped and counted, the packets around it read`, async () => {
      const good = ethernet(tcpIp({ v6, flags: F.ACK, payload: 10 }));
      const short = shortFrame(v6);
      const { records, summary } = await decodeFrames([{ data: good }, { data: short }, { data: good }]);
      expect(records.map((r) => r.packetIndex)).toEqual([0, 2]);
      expect(summary.stats).toMatchObject({ packets: 3, tcp: 2, ipLenPastWire: 1, ipUnreadable: 1, truncated: 0 });
    });

    it(`${name}: the same frame cut by the snaplen keeps its true lengths, payload flagged cut`, async () => {
      const whole = ethernet(tcpIp({ v6, flags: F.ACK | F.PSH, payload: PAYLOAD }));
      const { records, summary } = await decodeFrames([{ data: whole.slice(0, whole.length - MISSING), origLen: whole.length }]);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ payloadLen: PAYLOAD, ipLen: (v6 ? 40 : 20) + 20 + PAYLOAD, origLen: whole.length });
      expect(records[0]!.packetFlags & L.PKT_SNAPLEN_TRUNCATED).toBeTruthy();
      expect(summary.stats).toMatchObject({ ipLenPastWire: 0, truncated: 1, tcp: 1 });
    });

    it(`${name}: a frame the snaplen cut whose IP length is past even its original length is dropped`, async () => {
      // Zeek compares the IP length with the wire length whether or not the capture was cut.
      const short = shortFrame(v6);
      const { records, summary } = await decodeFrames([{ data: short.slice(0, 60), origLen: short.length }]);
      expect(records).toHaveLength(0);
      expect(summary.stats).toMatchObject({ ipLenPastWire: 1, truncated: 1, tcp: 0 });
    });
  }

  it("a frame longer than its IP packet (Ethernet padding) is read", async () => {
    const padded = ethernet(tcpIp({ flags: F.ACK }));
    const { records, summary } = await decodeFrames([{ data: new Uint8Array([...padded, 0, 0, 0, 0, 0, 0]) }]);
    expect(records).toHaveLength(1);
    expect(summary.stats.ipLenPastWire).toBe(0);
  });

  it("gives no connection a byte of it: both trackers see the handshake and the whole segments only", async () => {
    const c = { sport: 40000, dport: 80 };
    const s = { sport: 80, dport: 40000, src: "10.0.0.2", dst: "10.0.0.1" };
    const frames = [
      ethernet(tcpIp({ ...c, flags: F.SYN, seq: 100 })),
      ethernet(tcpIp({ ...s, flags: F.SYN | F.ACK, seq: 500, ack: 101 })),
      ethernet(tcpIp({ ...c, flags: F.ACK, seq: 101, ack: 501 })),
      ethernet(tcpIp({ ...c, flags: F.ACK | F.PSH, seq: 101, ack: 501, payload: 10 })),
      shortFrame(false, { ...c, seq: 111, ack: 501 }),
    ].map((data, k) => ({ data, sec: 1700000000 + k }));
    const { connections, captures } = await scanWithBothTrackers(writePcap(frames));
    expect(connections).toHaveLength(1);
    expect(connections[0]!.orig).toMatchObject({ pkts: 3, bytes: 10, missedBytes: 0 });
    expect(captures[0]!.stats.ipLenPastWire).toBe(1);
  });

  it("a fragment whose IP length is past the wire is dropped before reassembly", async () => {
    const seg = tcpSegment({ flags: F.ACK | F.PSH, payload: 64 }, parseAddress("10.0.0.1"), parseAddress("10.0.0.2"));
    const first = ethernet(ipv4({ moreFragments: true }, seg.subarray(0, 40)));
    const second = ethernet(ipv4({ fragmentOffset: 40 }, seg.subarray(40)));
    const { records, summary } = await decodeFrames([{ data: first }, { data: second.slice(0, second.length - 8) }]);
    expect(records).toHaveLength(0);
    expect(summary.stats).toMatchObject({ fragments: 1, ipLenPastWire: 1 });
    expect(summary.stats.reassembly).toMatchObject({ reassembled: 0, unfinished: 1 });
  });

  it("inside a tunnel the inner IP length is held to the frame's wire end, as Zeek's inner packets are", async () => {
    // The outer headers are whole and right; the inner TCP segment lost its last bytes.
    const inner = shortFrame(false).subarray(14);
    const ends = { src: "192.0.2.1", dst: "192.0.2.2" };
    const ipInIp = ethernet(outerIp(ends, 4, inner));
    const inVxlan = ethernet(udpTunnel(ends, 50000, 4789, vxlan(7, ethernet(inner))));
    const wholeInner = ethernet(tcpIp({ flags: F.ACK, payload: 10 })).subarray(14);
    const fine = ethernet(outerIp(ends, 4, wholeInner));
    const { records, summary } = await decodeFrames([{ data: ipInIp }, { data: inVxlan }, { data: fine }]);
    expect(records.map((r) => r.packetIndex)).toEqual([2]);
    expect(summary.stats).toMatchObject({ packets: 3, tcp: 1, ipLenPastWire: 2, ipUnreadable: 2 });
  });

  it("inside a tunnel of a frame the snaplen cut, an inner packet that fits the original length is read", async () => {
    const inner = ethernet(tcpIp({ flags: F.ACK | F.PSH, payload: PAYLOAD })).subarray(14);
    const frame = ethernet(udpTunnel({ src: "192.0.2.1", dst: "192.0.2.2" }, 50000, 4789, vxlan(7, ethernet(inner))));
    const { records, summary } = await decodeFrames([{ data: frame.slice(0, 146), origLen: frame.length }]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ payloadLen: PAYLOAD });
    expect(records[0]!.tunnel.map((t) => t.type)).toEqual(["vxlan"]);
    expect(summary.stats.ipLenPastWire).toBe(0);
  });
});
