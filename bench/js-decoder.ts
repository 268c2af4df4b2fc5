// The pure-TypeScript baseline of the decoder benchmark: a straightforward decoder doing the
// same work as the WebAssembly one on pcap captures of Ethernet links — record headers,
// 802.1Q tags, VXLAN on UDP 4789 (the tunnel record and identity hash as the WebAssembly
// decoder writes them), IPv4 (options) and IPv6 (extension headers), TCP header and options,
// the symmetric flow hash — writing the same records (assembly/layout.ts) through a DataView,
// with the file offsets and tunnel records beside them. Fragments are not reassembled (the
// benchmark's captures have none): they are skipped, as other tunnels are.
// It reads in the same chunk sizes with the same carry-over of a record cut by a chunk edge.
// test/bench/js-decoder.test.ts checks that its records equal the WebAssembly decoder's.

import { openSync, readSync, closeSync } from "node:fs";
import * as L from "../assembly/layout.js";

const RECORDS_PER_BATCH = 4096;

export interface JsDecodeResult {
  packets: number;
  tcp: number;
  /** Bytes left at the end that make no whole record (a capture cut short or damaged); 0 when read whole. */
  undecoded: number;
  /** Sum of the flow hashes, so the work cannot be optimised away. */
  checksum: number;
}

function imul(a: number, b: number): number { return Math.imul(a, b) >>> 0; }
function rotl(x: number, r: number): number { return ((x << r) | (x >>> (32 - r))) >>> 0; }

function mixWord(h: number, k: number): number {
  k = imul(k, 0xcc9e2d51);
  k = rotl(k, 15);
  k = imul(k, 0x1b873593);
  h = (h ^ k) >>> 0;
  h = rotl(h, 13);
  return (imul(h, 5) + 0xe6546b64) >>> 0;
}

function finish(h: number): number {
  h = (h ^ (h >>> 16)) >>> 0;
  h = imul(h, 0x85ebca6b);
  h = (h ^ (h >>> 13)) >>> 0;
  h = imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const TUNNEL_SEED = 0x7e55e1a5; // as assembly/tunnel/chain.ts

// The symmetric flow hash of assembly/flowhash.ts over 4- or 16-byte addresses at s and d of o.
function flowHash(o: DataView, seed: number, s: number, sport: number, d: number, dport: number, v4: boolean): number {
  const bytes = v4 ? 4 : 16; // IPv4: one word per address
  let cmp = 0;
  for (let i = 0; i < bytes && cmp === 0; i += 4) {
    const x = o.getUint32(s + i), y = o.getUint32(d + i);
    if (x !== y) cmp = x < y ? -1 : 1;
  }
  if (cmp === 0 && sport !== dport) cmp = sport < dport ? -1 : 1;
  const lo = cmp > 0 ? d : s, hi = cmp > 0 ? s : d;
  const loPort = cmp > 0 ? dport : sport, hiPort = cmp > 0 ? sport : dport;
  let h = seed >>> 0;
  for (let i = 0; i < bytes; i += 4) h = mixWord(h, o.getUint32(lo + i, true));
  for (let i = 0; i < bytes; i += 4) h = mixWord(h, o.getUint32(hi + i, true));
  h = mixWord(h, ((loPort << 16) | hiPort) >>> 0);
  return finish((h ^ (bytes === 4 ? 12 : 36)) >>> 0);
}

/** A capture the TypeScript baseline does not read (another container or link type). */
export class JsDecoderRefusal extends Error {}

export class JsDecoder {
  // One buffer as the WebAssembly decoder's slot: the records, then their file offsets and
  // tunnel records, so that a PacketBatch over it (`batch()`) reads all three.
  readonly memory = new ArrayBuffer(RECORDS_PER_BATCH * (L.RECORD_SIZE + L.FILE_OFFSET_SIZE + L.TUNNEL_RECORD_SIZE));
  readonly extras = { fileOffsetsAt: RECORDS_PER_BATCH * L.RECORD_SIZE, tunnelsAt: RECORDS_PER_BATCH * (L.RECORD_SIZE + L.FILE_OFFSET_SIZE) };
  readonly outView = new DataView(this.memory, 0, RECORDS_PER_BATCH * L.RECORD_SIZE);
  readonly outBytes = new Uint8Array(this.memory, 0, RECORDS_PER_BATCH * L.RECORD_SIZE);
  readonly fileOffsets = new Float64Array(this.memory, this.extras.fileOffsetsAt, RECORDS_PER_BATCH);
  readonly tunnels = new Uint8Array(this.memory, this.extras.tunnelsAt, RECORDS_PER_BATCH * L.TUNNEL_RECORD_SIZE);
  private readonly tunnelView = new DataView(this.memory, this.extras.tunnelsAt, RECORDS_PER_BATCH * L.TUNNEL_RECORD_SIZE);
  /** Records in a batch at most. */
  readonly capacity = RECORDS_PER_BATCH;
  count = 0;
  private rec = 0;
  private depth = 0;
  private swapped = false;
  private nano = false;
  private headerRead = false;
  packetIndex = 0;
  stats = { packets: 0, tcp: 0 };

  constructor(private readonly seed = 0, private readonly onBatch: (d: JsDecoder) => void = () => {}) {}

  /** Decodes the records in buf[start, end); returns where it stopped (a cut record). */
  decode(buf: Uint8Array, start: number, end: number, base: number): number {
    const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let pos = start;
    if (!this.headerRead) {
      if (end - start < 24) return start;
      this.headerRead = true;
      const magic = v.getUint32(0, true);
      // Classic pcap of Ethernet frames only (the benchmark's captures): anything else is refused,
      // not read as records of nonsense.
      if (![0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1].includes(magic)) {
        throw new JsDecoderRefusal(`not a classic pcap file (magic 0x${magic.toString(16).padStart(8, "0")}; the TypeScript baseline reads only those)`);
      }
      this.swapped = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
      this.nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
      const linkType = v.getUint32(20, !this.swapped) & 0xffff;
      if (linkType !== 1) throw new JsDecoderRefusal(`link type ${linkType}, not Ethernet (the TypeScript baseline reads only Ethernet)`);
      pos = 24;
    }
    const le = !this.swapped;
    while (pos + 16 <= end) {
      const capLen = v.getUint32(pos + 8, le);
      if (pos + 16 + capLen > end) break;
      const sec = v.getUint32(pos, le);
      const frac = v.getUint32(pos + 4, le);
      const origLen = v.getUint32(pos + 12, le);
      this.packet(v, pos + 16, capLen, origLen, sec, this.nano ? frac : frac * 1000, base + pos);
      pos += 16 + capLen;
    }
    return pos;
  }

  flush(): void {
    if (this.count) this.onBatch(this);
    this.count = 0;
    this.rec = 0;
  }

  private packet(v: DataView, p: number, capLen: number, origLen: number, sec: number, nsec: number, offset: number): void {
    this.stats.packets++;
    const o = this.outView;
    const r = this.rec;
    this.outBytes.fill(0, r, r + L.RECORD_SIZE);
    this.depth = 0;
    this.fileOffsets[this.count] = offset;
    o.setFloat64(r + L.REC_TS_SEC, sec, true);
    o.setUint32(r + L.REC_TS_NSEC, nsec, true);
    o.setFloat64(r + L.REC_PACKET_INDEX, this.packetIndex++, true);
    o.setUint32(r + L.REC_CAP_LEN, capLen, true);
    o.setUint32(r + L.REC_ORIG_LEN, origLen, true);
    o.setUint16(r + L.REC_VLAN, L.NO_VLAN, true);
    o.setUint16(r + L.REC_INNER_VLAN, L.NO_VLAN, true);
    o.setUint16(r + L.REC_LINK_TYPE, 1, true);
    if (capLen < origLen) o.setUint8(r + L.REC_PACKET_FLAGS, L.PKT_SNAPLEN_TRUNCATED);
    this.ethernet(v, p, p + capLen);
  }

  private ethernet(v: DataView, p: number, end: number): void {
    if (end - p < 14) return;
    const o = this.outView, r = this.rec;
    let type = v.getUint16(p + 12);
    let q = p + 14;
    while (type === 0x8100 || type === 0x88a8) {
      if (q + 4 > end) return;
      const vid = v.getUint16(q) & 0xfff;
      if (o.getUint16(r + L.REC_VLAN, true) === L.NO_VLAN) o.setUint16(r + L.REC_VLAN, vid, true);
      else if (o.getUint16(r + L.REC_INNER_VLAN, true) === L.NO_VLAN) o.setUint16(r + L.REC_INNER_VLAN, vid, true);
      type = v.getUint16(q + 2);
      q += 4;
    }
    if (type === 0x0800) this.ipv4(v, q, end);
    else if (type === 0x86dd) this.ipv6(v, q, end);
  }

  private ipv4(v: DataView, p: number, capEnd: number): void {
    if (capEnd - p < 20 || v.getUint8(p) >> 4 !== 4) return;
    const hl = (v.getUint8(p) & 15) * 4;
    let total = v.getUint16(p + 2);
    const proto = v.getUint8(p + 9);
    const frag = v.getUint16(p + 6);
    const o = this.outView, r = this.rec;
    if (total === 0 && (frag & 0x3fff) === 0) { total = capEnd - p; o.setUint8(r + L.REC_PACKET_FLAGS, o.getUint8(r + L.REC_PACKET_FLAGS) | L.PKT_IP_LEN_FROM_CAPTURE); }
    if (hl < 20 || total < hl || hl > capEnd - p) return;
    if (frag & 0x3fff) return; // a fragment: not reassembled here
    if (proto !== 6 && proto !== 17) return;
    o.setUint8(r + L.REC_IP_VERSION, 4);
    o.setUint8(r + L.REC_IP_TOS, v.getUint8(p + 1));
    o.setUint8(r + L.REC_TTL, v.getUint8(p + 8));
    o.setUint32(r + L.REC_IP_LEN, total, true);
    for (let i = 0; i < 4; i++) {
      this.outBytes[r + L.REC_SRC_ADDR + i] = v.getUint8(p + 12 + i);
      this.outBytes[r + L.REC_DST_ADDR + i] = v.getUint8(p + 16 + i);
    }
    if (this.depth) {
      this.outBytes.fill(0, r + L.REC_SRC_ADDR + 4, r + L.REC_SRC_ADDR + 16);
      this.outBytes.fill(0, r + L.REC_DST_ADDR + 4, r + L.REC_DST_ADDR + 16);
    }
    const end = Math.min(p + total, capEnd);
    if (proto === 17) this.udp(v, p + hl, end, total - hl);
    else this.tcp(v, p + hl, end, total - hl);
  }

  // UDP: VXLAN on port 4789 (destination, else source); anything else is not decoded here.
  private udp(v: DataView, p: number, capEnd: number, len: number): void {
    if (len < 8 || p + 8 > capEnd) return;
    const sport = v.getUint16(p), dport = v.getUint16(p + 2);
    if (dport !== 4789 && sport !== 4789) return;
    const q = p + 8;
    if (len - 8 < 8 || q + 8 > capEnd || (v.getUint8(q) & 0x08) === 0 || (v.getUint8(q) & 0x04) !== 0) return;
    const vni = v.getUint32(q + 4) >>> 8;
    if (!this.enterTunnel(L.TUNNEL_VXLAN, L.TUNF_ID | L.TUNF_ETHERNET, vni, sport, dport)) return;
    this.ethernet(v, q + 8, capEnd);
  }

  // assembly/tunnel/chain.ts, for an id that is the same both ways.
  private enterTunnel(type: number, flags: number, id: number, sport: number, dport: number): boolean {
    const level = this.depth;
    if (level >= L.DEFAULT_TUNNEL_DEPTH) return false;
    const o = this.outView, r = this.rec, tv = this.tunnelView;
    const t = this.count * L.TUNNEL_RECORD_SIZE + level * L.TUNNEL_LEVEL_SIZE;
    tv.setUint8(t + L.TUN_TYPE, type);
    tv.setUint8(t + L.TUN_IP_VERSION, o.getUint8(r + L.REC_IP_VERSION));
    tv.setUint8(t + L.TUN_FLAGS, flags);
    tv.setUint8(t + L.TUN_VERSION, 0);
    tv.setUint32(t + L.TUN_ID, id, true);
    tv.setUint16(t + L.TUN_SRC_PORT, sport, true);
    tv.setUint16(t + L.TUN_DST_PORT, dport, true);
    tv.setUint16(t + L.TUN_VLAN, o.getUint16(r + L.REC_VLAN, true), true);
    this.tunnels.set(this.outBytes.subarray(r + L.REC_SRC_ADDR, r + L.REC_SRC_ADDR + 16), t + L.TUN_SRC_ADDR);
    this.tunnels.set(this.outBytes.subarray(r + L.REC_DST_ADDR, r + L.REC_DST_ADDR + 16), t + L.TUN_DST_ADDR);
    const v4 = o.getUint8(r + L.REC_IP_VERSION) === 4;
    // VXLAN's identity takes the tunnel port, not the source port (a hash of the inner flow).
    let h = mixWord(o.getUint32(r + L.REC_TUNNEL_HASH, true), flowHash(o, (this.seed ^ TUNNEL_SEED) >>> 0, r + L.REC_SRC_ADDR, 4789, r + L.REC_DST_ADDR, 4789, v4));
    h = finish(mixWord(mixWord(h, type), id));
    o.setUint32(r + L.REC_TUNNEL_HASH, h !== 0 ? h : 1, true);
    o.setUint16(r + L.REC_TUNNEL_TYPES, o.getUint16(r + L.REC_TUNNEL_TYPES, true) | (type << (level * 4)), true);
    o.setUint8(r + L.REC_TUNNEL_DEPTH, level + 1);
    o.setUint16(r + L.REC_VLAN, L.NO_VLAN, true);
    o.setUint16(r + L.REC_INNER_VLAN, L.NO_VLAN, true);
    o.setUint8(r + L.REC_PACKET_FLAGS, o.getUint8(r + L.REC_PACKET_FLAGS) & ~L.PKT_IP_LEN_FROM_CAPTURE);
    this.depth = level + 1;
    return true;
  }

  private ipv6(v: DataView, p: number, capEnd: number): void {
    if (capEnd - p < 40 || v.getUint8(p) >> 4 !== 6) return;
    const payload = v.getUint16(p + 4);
    let nh = v.getUint8(p + 6);
    let q = p + 40;
    const ipEnd = q + payload;
    for (;;) {
      let len: number;
      if (nh === 0 || nh === 43 || nh === 60) { if (q + 2 > capEnd) return; len = (v.getUint8(q + 1) + 1) * 8; }
      else if (nh === 51) { if (q + 2 > capEnd) return; len = (v.getUint8(q + 1) + 2) * 4; }
      else if (nh === 44) { if (q + 8 > capEnd) return; len = 8; if (v.getUint16(q + 2) & 0xfff9) return; }
      else break;
      if (q + len > ipEnd || q + len > capEnd) return;
      nh = v.getUint8(q);
      q += len;
    }
    if (nh !== 6 || q >= capEnd) return;
    const o = this.outView, r = this.rec;
    o.setUint8(r + L.REC_IP_VERSION, 6);
    o.setUint8(r + L.REC_IP_TOS, (v.getUint32(p) >>> 20) & 0xff);
    o.setUint8(r + L.REC_TTL, v.getUint8(p + 7));
    o.setUint32(r + L.REC_IP_LEN, 40 + payload, true);
    for (let i = 0; i < 16; i++) {
      this.outBytes[r + L.REC_SRC_ADDR + i] = v.getUint8(p + 8 + i);
      this.outBytes[r + L.REC_DST_ADDR + i] = v.getUint8(p + 24 + i);
    }
    this.tcp(v, q, Math.min(ipEnd, capEnd), ipEnd - q);
  }

  private tcp(v: DataView, p: number, capEnd: number, tcpLen: number): void {
    const avail = capEnd - p;
    if (avail < 14 || tcpLen < 14) return;
    const o = this.outView, r = this.rec;
    const sport = v.getUint16(p), dport = v.getUint16(p + 2);
    o.setUint16(r + L.REC_SRC_PORT, sport, true);
    o.setUint16(r + L.REC_DST_PORT, dport, true);
    o.setUint32(r + L.REC_SEQ, v.getUint32(p + 4), true);
    o.setUint32(r + L.REC_ACK, v.getUint32(p + 8), true);
    o.setUint16(r + L.REC_TCP_FLAGS, v.getUint16(p + 12) & 0x1ff, true);
    o.setUint32(r + L.REC_FLOW_HASH, this.hash(sport, dport), true);
    if (avail < tcpLen) o.setUint8(r + L.REC_PACKET_FLAGS, o.getUint8(r + L.REC_PACKET_FLAGS) | L.PKT_PAYLOAD_TRUNCATED);
    this.tcpRest(v, p, capEnd, tcpLen);
    this.commit();
  }

  private tcpRest(v: DataView, p: number, capEnd: number, tcpLen: number): void {
    const avail = capEnd - p;
    const o = this.outView, r = this.rec;
    const hl = (v.getUint8(p + 12) >> 4) * 4;
    if (hl < 20 || hl > tcpLen) { this.stop(r, L.LAYER_TCP, L.STOP_INVALID); return; }
    o.setUint8(r + L.REC_TCP_HEADER_LEN, hl);
    o.setUint32(r + L.REC_PAYLOAD_LEN, tcpLen - hl, true);
    if (avail < 20) {
      if (avail >= 16) o.setUint16(r + L.REC_WINDOW, v.getUint16(p + 14), true);
      this.stop(r, L.LAYER_TCP, L.STOP_TRUNCATED);
      return;
    }
    o.setUint16(r + L.REC_WINDOW, v.getUint16(p + 14), true);
    o.setUint16(r + L.REC_URGENT, v.getUint16(p + 18), true);
    if (hl > 20) this.options(v, r, p + 20, p + hl, capEnd);
  }

  private options(v: DataView, r: number, q: number, optEnd: number, capEnd: number): void {
    const o = this.outView;
    const end = Math.min(optEnd, capEnd);
    let bits = 0;
    while (q < end) {
      const kind = v.getUint8(q);
      if (kind === 0) break;
      if (kind === 1) { q++; continue; }
      if (q + 1 >= end) {
        if (end < optEnd) this.stop(r, L.LAYER_TCP_OPTIONS, L.STOP_TRUNCATED);
        else { bits |= L.OPT_MALFORMED; this.stop(r, L.LAYER_TCP_OPTIONS, L.STOP_INVALID); }
        break;
      }
      const len = v.getUint8(q + 1);
      if (len < 2 || q + len > optEnd) { bits |= L.OPT_MALFORMED; this.stop(r, L.LAYER_TCP_OPTIONS, L.STOP_INVALID); break; }
      if (q + len > end) { this.stop(r, L.LAYER_TCP_OPTIONS, L.STOP_TRUNCATED); break; }
      switch (kind) {
        case 2: if (len === 4) { o.setUint16(r + L.REC_MSS, v.getUint16(q + 2), true); bits |= L.OPT_MSS; } else bits |= L.OPT_MALFORMED; break;
        case 3: if (len === 3) { o.setUint8(r + L.REC_WSCALE, v.getUint8(q + 2)); bits |= L.OPT_WSCALE; } else bits |= L.OPT_MALFORMED; break;
        case 4: bits |= len === 2 ? L.OPT_SACK_PERMITTED : L.OPT_MALFORMED; break;
        case 5: if (len >= 10 && (len - 2) % 8 === 0) { o.setUint8(r + L.REC_SACK_BLOCKS, (len - 2) / 8); bits |= L.OPT_SACK; } else bits |= L.OPT_MALFORMED; break;
        case 8:
          if (len === 10) {
            o.setUint32(r + L.REC_TSVAL, v.getUint32(q + 2), true);
            o.setUint32(r + L.REC_TSECR, v.getUint32(q + 6), true);
            bits |= L.OPT_TIMESTAMPS;
          } else bits |= L.OPT_MALFORMED;
          break;
        case 34: o.setUint8(r + L.REC_TFO_COOKIE_LEN, len - 2); bits |= L.OPT_TFO; break;
        case 254:
          if (len >= 4 && v.getUint16(q + 2) === 0xf989) { o.setUint8(r + L.REC_TFO_COOKIE_LEN, len - 4); bits |= L.OPT_TFO | L.OPT_TFO_EXPERIMENTAL; }
          else bits |= L.OPT_OTHER;
          break;
        case 30: bits |= L.OPT_MPTCP; break;
        default: bits |= L.OPT_OTHER;
      }
      q += len;
    }
    o.setUint16(r + L.REC_OPTIONS, bits, true);
  }

  private stop(r: number, layer: number, reason: number): void {
    this.outView.setUint8(r + L.REC_STOP_LAYER, layer);
    this.outView.setUint8(r + L.REC_STOP_REASON, reason);
  }

  // The record is complete: the next packet goes to the next slot; a full batch is handed over.
  private commit(): void {
    this.stats.tcp++;
    this.count++;
    this.rec += L.RECORD_SIZE;
    if (this.count === RECORDS_PER_BATCH) this.flush();
  }

  private hash(sport: number, dport: number): number {
    const o = this.outView, r = this.rec;
    return flowHash(o, this.seed, r + L.REC_SRC_ADDR, sport, r + L.REC_DST_ADDR, dport, o.getUint8(r + L.REC_IP_VERSION) === 4);
  }
}

/** Decodes a pcap file with the pure-TypeScript decoder, in chunks like the SDK. */
export function jsDecodeFile(path: string, chunkSize = 1 << 20, onBatch?: (d: JsDecoder) => void): JsDecodeResult {
  let checksum = 0;
  const decoder = new JsDecoder(0, (d) => {
    onBatch?.(d);
    for (let i = 0; i < d.count; i++) checksum = (checksum + d.outView.getUint32(i * L.RECORD_SIZE + L.REC_FLOW_HASH, true)) >>> 0;
  });
  const fd = openSync(path, "r");
  const buf = new Uint8Array((16 << 20) + 2 * chunkSize);
  let start = 0, end = 0, base = 0;
  try {
    for (;;) {
      if (start > 0) { buf.copyWithin(0, start, end); base += start; end -= start; start = 0; }
      const n = readSync(fd, buf, end, Math.min(chunkSize, buf.length - end), null);
      if (n === 0) break;
      end += n;
      start = decoder.decode(buf, start, end, base);
    }
  } finally {
    closeSync(fd);
  }
  decoder.flush();
  return { packets: decoder.stats.packets, tcp: decoder.stats.tcp, checksum, undecoded: end - start };
}
