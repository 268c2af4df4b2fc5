// Sizes. Counts past 32 bits: one connection moves 10 GiB (the sequence space wraps twice and a
// half), written by the capture writer at a 96-byte snaplen, each segment 64 KiB long (as TSO
// captures show them). Its byte count is exact, and so are its missed bytes: every segment was
// cut by the snaplen, so every byte acknowledged was missed. IP bytes: a TSO packet whose IPv4
// length field is 0 counts the IP length it was captured with (Zeek counts 0: see
// test/corpus/zeek-exclusions.json).

import { describe, it, expect } from "vitest";
import { writePcap, type Frame } from "../../helpers/capture-writer.js";
import { scanWithBothTrackers } from "../../helpers/both-trackers.js";
import { F, ethernet, ipv4, tcpSegment, parseAddress } from "../../helpers/packets.js";
import { Conversation } from "../../helpers/conversation.js";

const { SYN, ACK, FIN, PSH } = F;
const SNAPLEN = 96;
const SEGMENT = 65495; // the largest IPv4 TCP payload without options
const TOTAL = 10 * 2 ** 30;
const CLIENT = "10.1.0.1", SERVER = "10.1.0.2";

// A packet with `payload` bytes that the capture holds only the first SNAPLEN bytes of.
function packet(fromClient: boolean, flags: number, seq: number, ack: number, payload: number, usec: number): Frame {
  const src = fromClient ? CLIENT : SERVER, dst = fromClient ? SERVER : CLIENT;
  const tcp = tcpSegment({ sport: fromClient ? 50000 : 80, dport: fromClient ? 80 : 50000, seq, ack, flags }, parseAddress(src), parseAddress(dst));
  const data = ethernet(ipv4({ src, dst, totalLength: 20 + tcp.length + payload }, tcp));
  const sec = 1_700_000_000 + Math.floor(usec / 1e6);
  return { data: data.subarray(0, SNAPLEN), origLen: data.length + payload, sec, nsec: (usec % 1e6) * 1000 };
}

describe("counts past 32 bits", () => {
  it("a 10 GiB transfer in one connection: bytes and missed bytes exact, in both trackers", async () => {
    const clientIsn = 1000, serverIsn = 0xfff00000; // the server's stream wraps early
    const frames: Frame[] = [];
    let usec = 0;
    frames.push(packet(true, SYN, clientIsn, 0, 0, usec += 10));
    frames.push(packet(false, SYN | ACK, serverIsn, clientIsn + 1, 0, usec += 10));
    frames.push(packet(true, ACK, clientIsn + 1, (serverIsn + 1) >>> 0, 0, usec += 10));
    let sent = 0, segments = 0;
    while (sent < TOTAL) {
      const len = Math.min(SEGMENT, TOTAL - sent);
      frames.push(packet(false, ACK | PSH, (serverIsn + 1 + sent) >>> 0, clientIsn + 1, len, usec += 5));
      sent += len;
      if (++segments % 32 === 0 || sent === TOTAL) frames.push(packet(true, ACK, clientIsn + 1, (serverIsn + 1 + sent) >>> 0, 0, usec += 5));
    }
    frames.push(packet(false, FIN | ACK, (serverIsn + 1 + TOTAL) >>> 0, clientIsn + 1, 0, usec += 10));
    frames.push(packet(true, FIN | ACK, clientIsn + 1, (serverIsn + 2 + TOTAL) >>> 0, 0, usec += 10));
    frames.push(packet(false, ACK, (serverIsn + 2 + TOTAL) >>> 0, clientIsn + 2, 0, usec += 10));

    const { connections } = await scanWithBothTrackers(writePcap(frames, { snaplen: SNAPLEN }));
    expect(connections).toHaveLength(1);
    const c = connections[0]!;
    expect(c.connState).toBe("SF");
    expect(c.resp.bytes).toBe(TOTAL);
    expect(c.resp.missedBytes).toBe(TOTAL);
    expect(c.orig).toMatchObject({ bytes: 0, missedBytes: 0 });
    expect(c.resp.pkts).toBe(segments + 3); // and the SYN/ACK, the FIN, the last ACK
    expect(c.resp.ipBytes).toBe(TOTAL + (segments + 3) * 40);
  }, 60_000);
});

describe("IP bytes", () => {
  it("a TSO packet with IPv4 length 0 counts the IP length it was captured with", async () => {
    const c = new Conversation().c(SYN).s(SYN | ACK).c(ACK);
    const tcp = tcpSegment({ sport: 40000, dport: 80, seq: 1001, ack: 5001, flags: ACK | PSH, payload: 3000 }, parseAddress("10.0.0.1"), parseAddress("10.0.0.2"));
    const tso: Frame = { data: ethernet(ipv4({ src: "10.0.0.1", dst: "10.0.0.2", totalLength: 0 }, tcp)), sec: 1_700_000_001 };
    const { connections } = await scanWithBothTrackers(writePcap([...c.frames, tso]));
    expect(connections[0]!.orig).toMatchObject({ pkts: 3, bytes: 3000, ipBytes: 40 + 40 + 3040 });
  });
});
