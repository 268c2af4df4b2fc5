// Generates realistic benchmark captures: thousands of interleaved TCP connections with
// kernel-like headers (timestamps on every segment, MSS/SACK/window-scale on SYNs), IPv4 and
// IPv6, some VLAN-tagged, bulk transfers and short request/response exchanges, and the usual
// ways connections end: FIN from either side, RST, refused and unanswered SYNs, still open.
// Output is a little-endian microsecond pcap, at full snaplen or cut to a given snaplen; with
// `vxlan`, every frame is wrapped in VXLAN (outer Ethernet, IPv4, UDP 4789, VNI per connection)
// between a few VTEPs, as traffic mirrored by AWS or Azure arrives. Two mixes of traffic
// (bench/traffic-scripts.ts): "bulk", long transfers dominating, and "short", client/server
// traffic of many short connections, a fifth of them failed, reset or seen from mid-stream.
//
// The generator writes packets straight into a reusable output buffer; it never holds the
// capture in memory, so it can produce captures of any size.

import { openSync, writeSync, closeSync } from "node:fs";
import { FLAG, MSS, MIXES, type ConnectionKind, type Mix, type Step } from "./traffic-scripts.js";

export type { ConnectionKind, Mix } from "./traffic-scripts.js";

export interface GenerateOptions {
  /** Approximate size of the capture in bytes. */
  bytes: number;
  /** Bytes kept of each packet (0 = all). */
  snaplen?: number;
  /** Connections open at the same time. */
  concurrency?: number;
  seed?: number;
  /** Wrap every frame in VXLAN (50 bytes more per packet). */
  vxlan?: boolean;
  /**
   * The traffic (bench/traffic-scripts.ts): "bulk" (default), long transfers dominating, or
   * "short", many short request/response connections, a fifth of them failed. The short mix
   * finishes every connection it starts: it stops starting new ones once those open would fill
   * `bytes`, so its counts below are exactly what the capture holds.
   */
  mix?: Mix;
  /**
   * Told of each connection as its first packet is written (for tests that check a capture),
   * with its script's kind: in the bulk mix, the capture's end may cut it before that plays out.
   */
  onConnection?: (connection: GeneratedConnection) => void;
}

/** One connection of a generated capture; addresses as IPv4 numbers (IPv6: fd00::/96 + that). */
export interface GeneratedConnection {
  kind: ConnectionKind;
  v6: boolean;
  /** 802.1Q VLAN id, 0 when untagged. */
  vlan: number;
  clientIp: number;
  clientPort: number;
  serverIp: number;
  serverPort: number;
}

export interface GenerateResult {
  path: string;
  bytes: number;
  packets: number;
  /** Connections with at least one packet in the capture. */
  connections: number;
  /**
   * Those connections by what the capture holds of them: by their script's kind, but a
   * connection the capture's end cut part-way (bulk only) counts as "open" whatever its script.
   */
  kinds: Record<ConnectionKind, number>;
  /** Of kinds.open, the connections cut part-way by the capture's end (the rest are scripted open). */
  cutAtEnd: number;
  ipv6: number;
  vlanTagged: number;
}


/** Deterministic pseudo-random numbers (mulberry32), so generated captures and tests reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Conn {
  id: number;
  v6: boolean;
  vlan: number; // 0: untagged
  clientIp: number;
  serverIp: number;
  clientPort: number;
  serverPort: number;
  clientSeq: number;
  serverSeq: number;
  kind: ConnectionKind;
  steps: Step[];
  next: number;
  /** Bytes its packets not yet written will take in the file. */
  remaining: number;
  vni: number;
  vtepPort: number;
}

const SERVER_PORTS = [443, 443, 443, 80, 80, 22, 8080, 25, 3306, 53];

const VXLAN_OVERHEAD = 14 + 20 + 8 + 8;

// Outer Ethernet, IPv4 (VTEP to VTEP, by connection), UDP (entropy source port, 4789), VXLAN.
function writeVxlan(view: DataView, p: number, inner: number, c: Conn, fromClient: boolean): void {
  const clientVtep = (192 << 24) | (168 << 16) | (1 + (c.clientIp & 7));
  const serverVtep = (192 << 24) | (168 << 16) | (1 << 8) | (1 + (c.serverIp & 7));
  view.setUint8(p, 0x02); view.setUint8(p + 5, 0xaa); view.setUint8(p + 6, 0x02); view.setUint8(p + 11, 0xbb);
  view.setUint16(p + 12, 0x0800);
  const ip = p + 14;
  view.setUint8(ip, 0x45);
  view.setUint16(ip + 2, 20 + 8 + 8 + inner);
  view.setUint16(ip + 6, 0x4000);
  view.setUint8(ip + 8, 64); view.setUint8(ip + 9, 17);
  view.setUint32(ip + 12, fromClient ? clientVtep : serverVtep);
  view.setUint32(ip + 16, fromClient ? serverVtep : clientVtep);
  const udp = ip + 20;
  view.setUint16(udp, c.vtepPort);
  view.setUint16(udp + 2, 4789);
  view.setUint16(udp + 4, 8 + 8 + inner);
  view.setUint8(udp + 8, 0x08);
  view.setUint32(udp + 12, c.vni << 8);
}

export function generateCapture(path: string, options: GenerateOptions): GenerateResult {
  const random = rng(options.seed ?? 42);
  const snaplen = options.snaplen ?? 0;
  const concurrency = options.concurrency ?? 2000;
  const mix = options.mix ?? "bulk";
  const profile = MIXES[mix];
  const outer = options.vxlan ? VXLAN_OVERHEAD : 0;
  const fd = openSync(path, "w");
  const out = new Uint8Array(4 << 20);
  const view = new DataView(out.buffer);
  let pos = 0, total = 0, packets = 0, created = 0;
  // Of the connections with a packet in the capture:
  let connections = 0, ipv6 = 0, vlanTagged = 0;
  const kinds: Record<ConnectionKind, number> = { closed: 0, refused: 0, unanswered: 0, reset: 0, midstream: 0, open: 0 };
  let pending = 0; // bytes the open connections' remaining packets will take
  let tsUs = 1_700_000_000 * 1e6;

  const flush = () => { writeSync(fd, out, 0, pos); total += pos; pos = 0; };

  // Global header.
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, snaplen || 262144, true);
  view.setUint32(20, 1, true);
  pos = 24;

  const newConn = (): Conn => {
    const v6 = random() < profile.v6;
    const c: Conn = {
      id: created++, v6,
      vlan: random() < profile.vlan ? 1 + Math.floor(random() * 4000) : 0,
      clientIp: (10 << 24) | Math.floor(random() * 0xffffff),
      serverIp: (172 << 24) | (16 << 16) | Math.floor(random() * 0xffff),
      clientPort: 1024 + Math.floor(random() * 64000),
      serverPort: SERVER_PORTS[Math.floor(random() * SERVER_PORTS.length)]!,
      clientSeq: Math.floor(random() * 2 ** 32), serverSeq: Math.floor(random() * 2 ** 32),
      kind: "open", steps: [], next: 0, remaining: 0,
      // Not drawn from `random`, so that the same seed gives the same traffic with and without VXLAN.
      vni: 5000 + (created % 16), vtepPort: 49152 + (Math.imul(created, 0x9e3779b1) >>> 18),
    };
    const script = profile.script(random);
    c.kind = script.kind;
    c.steps = script.steps;
    for (const step of c.steps) c.remaining += recordBytes(c, step);
    pending += c.remaining;
    return c;
  };
  // Bytes a packet takes on the wire, and in the file (record header and what the snaplen keeps).
  const wireBytes = (c: Conn, [, flags, payload]: Step) =>
    outer + 14 + (c.vlan ? 4 : 0) + (c.v6 ? 40 : 20) + (flags & FLAG.SYN ? 40 : 32) + payload;
  const recordBytes = (c: Conn, step: Step) => { const w = wireBytes(c, step); return 16 + (snaplen && w > snaplen ? snaplen : w); };
  // The short mix starts a connection only while those open will not overfill the capture.
  const roomFor = () => mix === "bulk" || total + pos + pending < options.bytes;
  const active: Conn[] = [];
  while (active.length < concurrency && roomFor()) active.push(newConn());

  const writeAddr = (o: number, v4: number, v6: boolean) => {
    if (v6) {
      view.setUint32(o, 0xfd000000, false); view.setUint32(o + 4, 0, false);
      view.setUint32(o + 8, 0, false); view.setUint32(o + 12, v4, false);
    } else view.setUint32(o, v4, false);
  };

  while (mix === "bulk" ? total + pos < options.bytes : active.length > 0) {
    const k = Math.floor(random() * active.length);
    const c = active[k]!;
    if (c.next === 0) {
      connections++; kinds[c.kind]++;
      if (c.v6) ipv6++;
      if (c.vlan) vlanTagged++;
      options.onConnection?.({
        kind: c.kind, v6: c.v6, vlan: c.vlan,
        clientIp: c.clientIp >>> 0, clientPort: c.clientPort, serverIp: c.serverIp >>> 0, serverPort: c.serverPort,
      });
    }
    const step = c.steps[c.next++]!;
    const [fromClient, flags, payload] = step;
    const syn = (flags & FLAG.SYN) !== 0;
    const tcpHeader = syn ? 40 : 32; // SYN: MSS, SACK-perm, TS, NOP, WS; others: NOP NOP TS
    const ipHeader = c.v6 ? 40 : 20;
    const wire = wireBytes(c, step);
    const cap = snaplen && wire > snaplen ? snaplen : wire;
    c.remaining -= 16 + cap;
    pending -= 16 + cap;
    if (pos + 16 + wire > out.length) flush();
    tsUs += 1 + Math.floor(random() * 20);
    view.setUint32(pos, Math.floor(tsUs / 1e6), true);
    view.setUint32(pos + 4, tsUs % 1e6, true);
    view.setUint32(pos + 8, cap, true);
    view.setUint32(pos + 12, wire, true);
    out.fill(0, pos + 16, pos + 16 + wire);
    if (options.vxlan) writeVxlan(view, pos + 16, wire - VXLAN_OVERHEAD, c, fromClient);
    const p = pos + 16 + outer;
    // Ethernet (+ 802.1Q)
    out[p] = 0x02; out[p + 5] = fromClient ? 2 : 1; out[p + 6] = 0x02; out[p + 11] = fromClient ? 1 : 2;
    let q = p + 12;
    if (c.vlan) { view.setUint16(q, 0x8100); view.setUint16(q + 2, c.vlan); q += 4; }
    view.setUint16(q, c.v6 ? 0x86dd : 0x0800); q += 2;
    const src = fromClient ? c.clientIp : c.serverIp, dst = fromClient ? c.serverIp : c.clientIp;
    if (c.v6) {
      view.setUint32(q, 0x60000000);
      view.setUint16(q + 4, tcpHeader + payload);
      out[q + 6] = 6; out[q + 7] = 64;
      writeAddr(q + 8, src, true); writeAddr(q + 24, dst, true);
    } else {
      out[q] = 0x45;
      view.setUint16(q + 2, ipHeader + tcpHeader + payload);
      view.setUint16(q + 6, 0x4000);
      out[q + 8] = 64; out[q + 9] = 6;
      writeAddr(q + 12, src, false); writeAddr(q + 16, dst, false);
    }
    q += ipHeader;
    view.setUint16(q, fromClient ? c.clientPort : c.serverPort);
    view.setUint16(q + 2, fromClient ? c.serverPort : c.clientPort);
    view.setUint32(q + 4, fromClient ? c.clientSeq : c.serverSeq);
    view.setUint32(q + 8, flags & FLAG.ACK ? (fromClient ? c.serverSeq : c.clientSeq) : 0);
    view.setUint16(q + 12, ((tcpHeader / 4) << 12) | flags);
    view.setUint16(q + 14, 502);
    let o = q + 20;
    if (syn) { out[o] = 2; out[o + 1] = 4; view.setUint16(o + 2, MSS + 12); out[o + 4] = 4; out[o + 5] = 2; o += 6; }
    else { out[o] = 1; out[o + 1] = 1; o += 2; }
    out[o] = 8; out[o + 1] = 10; view.setUint32(o + 2, tsUs / 1000 >>> 0); view.setUint32(o + 6, (tsUs / 1000 - 7) >>> 0); o += 10;
    if (syn) { out[o] = 1; out[o + 1] = 3; out[o + 2] = 3; out[o + 3] = 7; }
    // A SYN retransmission reuses the ISN: the sequence number moves once the SYN is answered.
    const retransmitsSyn = syn && !(flags & FLAG.ACK) && c.steps[c.next]?.[1] === FLAG.SYN;
    const advance = retransmitsSyn ? 0 : payload + (syn || flags & FLAG.FIN ? 1 : 0);
    if (fromClient) c.clientSeq = (c.clientSeq + advance) >>> 0; else c.serverSeq = (c.serverSeq + advance) >>> 0;
    pos += 16 + cap;
    packets++;
    if (c.next === c.steps.length) {
      if (roomFor()) active[k] = newConn();
      else { active[k] = active[active.length - 1]!; active.pop(); }
    }
  }
  flush();
  closeSync(fd);
  // The bulk mix stops at the byte budget with up to `concurrency` connections part-way through:
  // the capture holds them open, whatever their script would have played out.
  let cutAtEnd = 0;
  for (const c of active) {
    if (c.next === 0 || c.next === c.steps.length) continue;
    cutAtEnd++;
    kinds[c.kind]--;
    kinds.open++;
  }
  return { path, bytes: total, packets, connections, kinds, cutAtEnd, ipv6, vlanTagged };
}
