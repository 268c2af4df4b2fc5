// IP reassembly: fragments in order, reversed, interleaved, overlapping, duplicated, never
// completed, timed out, past the datagram and byte caps, oversize, contradictory, cut by the
// snaplen, inside tunnels, and a SYN split across fragments as the trackers count it.

import { describe, it, expect } from "vitest";
import * as L from "../../../assembly/layout.js";
import { writePcap, type Frame } from "../../helpers/capture-writer.js";
import { decodeAll } from "../../helpers/decode.js";
import { scanWithBothTrackers } from "../../helpers/both-trackers.js";
import { ethernet, tcpIp, ipv6, concat, F, type Bytes } from "../../helpers/packets.js";
import { fragmentV4, fragmentV6, pieces } from "../../helpers/fragments.js";
import { outerIp, gre } from "../../helpers/tunnels.js";
import type { DecodeCaptureOptions, TcpPacketRecord } from "../../../sdk/index.js";

const segment = (payload: number, o: { v6?: boolean; sport?: number; flags?: number } = {}) =>
  tcpIp({ flags: F.ACK | F.PSH, payload, sport: 40000, ...o });
const frames = (packets: Bytes[], sec = 1700000000, step = 0.001): Frame[] =>
  packets.map((p, k) => ({ data: ethernet(p), sec: sec + Math.floor(k * step), nsec: Math.round(((k * step) % 1) * 1e9) }));
const decode = (packets: Bytes[], options: DecodeCaptureOptions = {}) =>
  decodeAll(writePcap(frames(packets)), { verifyChecksums: true, ...options });
const good = (r: TcpPacketRecord) => (r.packetFlags & L.PKT_CHECKSUM_GOOD) !== 0;

// The frame-kind counts add up to the packets: each frame is counted once.
function kindsAddUp(s: Awaited<ReturnType<typeof decodeAll>>["summary"]["stats"]): void {
  expect(s.tcp + s.tcpUnreadable + s.udp + s.icmp + s.otherIp + s.nonIp + s.fragments + s.unsupportedLink
    + s.tunnelled + s.ipUnreadable + s.linkInvalid).toBe(s.packets);
}

describe("IPv4 reassembly", () => {
  const packet = segment(3000);
  const cuts = pieces(packet.length - 20, [1480, 1480]);

  it("in order: one packet, in the frame that completes it, with the datagram's true sizes", async () => {
    const { records, summary } = await decode(fragmentV4(packet, cuts));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ packetIndex: 2, payloadLen: 3000, ipLen: packet.length, fragments: 3, fragmentOverlap: false });
    expect(records[0]!.packetFlags & L.PKT_REASSEMBLED).toBeTruthy();
    expect(good(records[0]!)).toBe(true);
    expect(summary.stats).toMatchObject({ packets: 3, tcp: 1, fragments: 2 });
    expect(summary.stats.reassembly).toMatchObject({ reassembled: 1, overlaps: 0, duplicates: 0, unfinished: 0 });
    kindsAddUp(summary.stats);
  });

  it("reversed and shuffled: the same packet", async () => {
    const [a, b, c] = fragmentV4(packet, cuts);
    for (const order of [[c!, b!, a!], [b!, a!, c!], [c!, a!, b!]]) {
      const { records } = await decode(order);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ payloadLen: 3000, fragments: 3 });
      expect(good(records[0]!)).toBe(true);
    }
  });

  it("interleaved datagrams of several flows and identifications stay apart", async () => {
    const other = segment(2000, { sport: 41000 });
    const a = fragmentV4(packet, cuts, 1), b = fragmentV4(other, pieces(other.length - 20, [1000, 1000]), 3);
    const c = fragmentV4(packet, cuts, 2);
    const { records } = await decode([a[0]!, b[0]!, c[2]!, a[1]!, c[0]!, b[1]!, b[2]!, a[2]!, c[1]!]);
    expect(records.map((r) => [r.srcPort, r.payloadLen, good(r)])).toEqual([[41000, 2000, true], [40000, 3000, true], [40000, 3000, true]]);
  });

  it("overlaps: the bytes seen first are kept, whichever they are, and counted", async () => {
    const garbage = new Uint8Array(1480).fill(0xee);
    const honest = fragmentV4(packet, cuts);
    const forged = fragmentV4(packet, [{ offset: 1000, length: 1480, more: true, bytes: garbage }])[0]!;
    const first = await decode([honest[0]!, honest[1]!, forged, honest[2]!]);
    expect(good(first.records[0]!)).toBe(true); // the honest bytes came first
    expect(first.records[0]).toMatchObject({ fragments: 4, fragmentOverlap: true });
    expect(first.summary.stats.reassembly.overlaps).toBe(1);
    const later = await decode([forged, honest[0]!, honest[1]!, honest[2]!]);
    expect(later.records[0]!.packetFlags & L.PKT_CHECKSUM_BAD).toBeTruthy(); // the forged bytes came first
    expect(later.summary.stats.reassembly.overlaps).toBe(2); // both honest fragments overlap them
  });

  it("duplicates are counted, not delivered twice; one after completion opens a datagram that never ends", async () => {
    const f = fragmentV4(packet, cuts);
    const { records, summary } = await decode([f[0]!, f[0]!, f[1]!, f[2]!, f[1]!]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ fragments: 4, fragmentOverlap: true });
    expect(summary.stats.reassembly).toMatchObject({ reassembled: 1, duplicates: 1, unfinished: 1 });
    kindsAddUp(summary.stats);
  });

  it("a datagram never completed gives no packet and is counted at the end", async () => {
    const f = fragmentV4(packet, cuts);
    const { records, summary } = await decode([f[0]!, f[2]!]);
    expect(records).toHaveLength(0);
    expect(summary.stats).toMatchObject({ fragments: 2, tcp: 0 });
    expect(summary.stats.reassembly).toMatchObject({ reassembled: 0, unfinished: 1 });
  });

  it("times out after 60 s of capture time (fragmentTimeout), and a late fragment starts anew", async () => {
    const f = fragmentV4(packet, cuts);
    const late = [{ data: ethernet(f[0]!), sec: 1000 }, { data: ethernet(f[1]!), sec: 1061 }, { data: ethernet(f[2]!), sec: 1061 }];
    const timedOut = await decodeAll(writePcap(late));
    expect(timedOut.records).toHaveLength(0);
    expect(timedOut.summary.stats.reassembly).toMatchObject({ timedOut: 1, unfinished: 1 });
    const longer = await decodeAll(writePcap(late), { fragmentTimeout: 120 });
    expect(longer.records).toHaveLength(1);
    // At the end of the input, what waited past the timeout counts as timed out.
    const stale = await decodeAll(writePcap([{ data: ethernet(f[0]!), sec: 1000 }, { data: ethernet(segment(10)), sec: 1100 }]));
    expect(stale.summary.stats.reassembly).toMatchObject({ timedOut: 1, unfinished: 0 });
  });

  it("past 1024 datagrams the oldest is dropped (evicted), so its rest no longer completes it", async () => {
    const open: Bytes[] = [];
    for (let id = 0; id < 1100; id++) open.push(fragmentV4(packet, cuts, id)[0]!);
    const rest = (id: number) => fragmentV4(packet, cuts, id).slice(1);
    const { records, summary } = await decode([...open, ...rest(0), ...rest(1099)]);
    expect(records).toHaveLength(1); // datagram 1099 completes; datagram 0 was evicted
    expect(summary.stats.reassembly.evicted).toBe(1100 - 1024 + 1); // and 0's rest opens one more, evicting another
    expect(summary.stats.reassembly.unfinished).toBe(1024 - 1);
    kindsAddUp(summary.stats);
  });

  it("past 4 MiB held the oldest datagrams are dropped to make room (the byte cap)", async () => {
    const big = segment(65000);
    const bigCuts = pieces(big.length - 20, Array(44).fill(1480));
    const open: Bytes[] = [];
    for (let id = 0; id < 80; id++) open.push(...fragmentV4(big, bigCuts, id).slice(0, -1)); // all but the last
    const { records, summary } = await decode([...open, fragmentV4(big, bigCuts, 79).at(-1)!]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ payloadLen: 65000, fragments: 44 });
    expect(summary.stats.reassembly.evicted).toBeGreaterThanOrEqual(80 - 64);
    expect(summary.stats.reassembly.evicted + summary.stats.reassembly.unfinished).toBe(79);
  });

  it("Ping of Death: fragments past 65 535 bytes drop the datagram at once (oversize), nothing is kept", async () => {
    const huge = [
      ...fragmentV4(packet, [{ offset: 0, length: 1480, more: true }]),
      ...fragmentV4(packet, [{ offset: 65528, length: 1480, more: false, bytes: new Uint8Array(1480) }]),
      ...fragmentV4(packet, [{ offset: 1480, length: 1480, more: true }]),
    ];
    const { records, summary } = await decode(huge);
    expect(records).toHaveLength(0);
    expect(summary.stats.reassembly).toMatchObject({ oversize: 1, unfinished: 0 });
    expect(summary.stats.fragments).toBe(3);
  });

  it("contradictions drop the datagram: two different ends, data past the end", async () => {
    const f = fragmentV4(packet, cuts);
    const otherEnd = fragmentV4(packet, [{ offset: 1480, length: 800, more: false }])[0]!;
    const a = await decode([f[2]!, otherEnd, f[0]!, f[1]!]);
    const pastEnd = fragmentV4(packet, [{ offset: 4000, length: 8, more: true, bytes: new Uint8Array(8) }])[0]!;
    const b = await decode([f[2]!, pastEnd, f[0]!, f[1]!]);
    for (const { records, summary } of [a, b]) {
      expect(records).toHaveLength(0);
      expect(summary.stats.reassembly.invalid).toBe(1);
    }
  });

  it("snaplen-cut fragments: reassembled as far as captured, true lengths kept, flagged", async () => {
    const f = fragmentV4(packet, cuts);
    const cut = ethernet(f[1]!);
    const { records, summary } = await decodeAll(writePcap([
      { data: ethernet(f[0]!) }, { data: cut.subarray(0, 200), origLen: cut.length }, { data: ethernet(f[2]!) },
    ]), { verifyChecksums: true });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ payloadLen: 3000, ipLen: packet.length });
    expect(records[0]!.packetFlags & L.PKT_SNAPLEN_TRUNCATED).toBeTruthy();
    expect(records[0]!.packetFlags & L.PKT_PAYLOAD_TRUNCATED).toBeTruthy();
    expect(records[0]!.packetFlags & L.PKT_CHECKSUM_UNVERIFIABLE).toBeTruthy();
    expect(summary.stats.reassembly.cut).toBe(1);
  });

  it("fragments of the same inner datagram in two tunnels are two datagrams", async () => {
    const p1 = segment(2000, { sport: 1 }), p2 = segment(2000, { sport: 2 }); // same addresses and id
    const inTunnel = (key: number, p: Bytes) => fragmentV4(p, pieces(p.length - 20, [1000, 1000]), 7)
      .map((f) => outerIp({ src: "192.0.2.1", dst: "192.0.2.2" }, 47, gre(0x0800, f, { key })));
    const a = inTunnel(1, p1), b = inTunnel(2, p2);
    const { records } = await decode([a[0]!, b[0]!, a[1]!, b[1]!, b[2]!, a[2]!]);
    expect(records.map((r) => [r.srcPort, good(r), r.tunnel[0]!.id])).toEqual([[2, true, 2], [1, true, 1]]);
  });

  it("fragments of a tunnel packet are reassembled before it is decapsulated", async () => {
    const outer = outerIp({ src: "192.0.2.1", dst: "192.0.2.2" }, 47, gre(0x0800, segment(2500), { key: 5 }));
    const { records } = await decode(fragmentV4(outer, pieces(outer.length - 20, [1200, 1200]), 9).reverse());
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ payloadLen: 2500, fragments: 3 });
    expect(records[0]!.tunnel[0]).toMatchObject({ type: "gre", id: 5 });
  });
});

describe("IPv6 reassembly", () => {
  it("in order and reversed, with an extension header before the fragment header", async () => {
    const packet = ipv6({ extensions: [{ type: 0, body: new Uint8Array(6) }] }, segment(3000, { v6: true }).subarray(40));
    const cuts = pieces(packet.length - 48, [1448, 1448]);
    for (const order of [(x: Bytes[]) => x, (x: Bytes[]) => [...x].reverse()]) {
      const { records, summary } = await decode(order(fragmentV6(packet, cuts, 99, 8, 40)));
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ ipVersion: 6, payloadLen: 3000, ipLen: packet.length, fragments: 3 });
      expect(good(records[0]!)).toBe(true);
      kindsAddUp(summary.stats);
    }
  });

  it("an atomic fragment (offset 0, no more) is a whole packet", async () => {
    const packet = segment(100, { v6: true });
    const { records, summary } = await decode(fragmentV6(packet, [{ offset: 0, length: packet.length - 40, more: false }]));
    expect(records).toHaveLength(1);
    expect(records[0]!.fragments).toBe(0);
    expect(summary.stats.reassembly.reassembled).toBe(0);
  });
});

describe("a SYN split across fragments", () => {
  it("is one packet for both trackers, with the datagram's IP bytes (as Zeek counts)", async () => {
    const syn = tcpIp({ flags: F.SYN, sport: 12345, dport: 80, options: [{ kind: "mss", value: 1460 }, { kind: "sackPermitted" }, { kind: "timestamps", value: 1, echo: 0 }, { kind: "nop" }, { kind: "wscale", shift: 7 }] });
    const synAck = tcpIp({ flags: F.SYN | F.ACK, sport: 80, dport: 12345, seq: 5000, ack: 1001, src: "10.0.0.2", dst: "10.0.0.1" });
    const ack = tcpIp({ flags: F.ACK, sport: 12345, dport: 80, seq: 1001, ack: 5001 });
    const parts = fragmentV4(syn, [{ offset: 0, length: 16 }, { offset: 16, length: syn.length - 36 }]);
    const { connections } = await scanWithBothTrackers(writePcap(frames([...parts, synAck, ack])), { verifyChecksums: true });
    expect(connections).toHaveLength(1);
    expect(connections[0]).toMatchObject({
      connState: "S1", history: "ShA", handshake: { outcome: "complete", synPacket: 2 }, // the frame that completes the datagram
      orig: { pkts: 2, ipBytes: syn.length + ack.length, flags: { syn: 1 } },
    });
    expect(connections[0]!.handshake.options.orig).toMatchObject({ mss: 1460, windowScale: 7, sackPermitted: true });
  });
});

describe("fragment fuzzing", () => {
  // Fragment soup over a few keys: random offsets, lengths, flags, identifications and bytes,
  // with and without tunnels, at random snaplens. Nothing may throw, every frame is counted
  // once, and what completes is one packet.
  it("survives random fragments and keeps its counts consistent", async () => {
    let seed = 12345;
    const random = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
    for (let round = 0; round < 20; round++) {
      const list: Frame[] = [];
      const base = segment(4000);
      for (let k = 0; k < 400; k++) {
        const offset = Math.floor(random() * 70000) & ~7;
        const length = 1 + Math.floor(random() * (random() < 0.5 ? 64 : 3000));
        const more = random() < 0.7;
        const bytes = new Uint8Array(length).map(() => Math.floor(random() * 256));
        let ip = fragmentV4(base, [{ offset: Math.min(offset, 65528), length, more, bytes }], Math.floor(random() * 4))[0]!;
        if (random() < 0.2) ip = outerIp({ src: "192.0.2.1", dst: "192.0.2.2" }, 4, ip);
        if (random() < 0.1) ip = concat(ip.subarray(0, 20), ip.subarray(20).reverse());
        const data = ethernet(ip);
        const cap = random() < 0.2 ? Math.floor(random() * data.length) : data.length;
        list.push({ data: data.subarray(0, cap), origLen: data.length, sec: 1000 + k * Math.floor(random() * 3) });
      }
      const { summary } = await decodeAll(writePcap(list), { verifyChecksums: random() < 0.5 });
      expect(summary.error).toBeNull();
      expect(summary.stats.packets).toBe(list.length);
      kindsAddUp(summary.stats);
      const r = summary.stats.reassembly;
      expect(r.reassembled + r.oversize + r.invalid + r.timedOut + r.evicted + r.unfinished).toBeLessThanOrEqual(list.length);
    }
  });
});
