// Zero-copy view of the decoder's output records (layout: assembly/layout.ts).
//
// A batch is valid until the decoder's next step overwrites the output region; copy what you
// keep (toRecord) or finish with it before asking for the next batch.

import * as L from "../../assembly/layout.js";

export interface TcpPacketRecord {
  packetIndex: number;
  fileOffset: number;
  tsSec: number;
  tsNsec: number;
  interfaceId: number;
  linkType: number;
  capLen: number;
  origLen: number;
  ipVersion: 4 | 6;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  flowHash: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  urgent: number;
  tcpHeaderLen: number;
  payloadLen: number;
  ipLen: number;
  ttl: number;
  ipTos: number;
  vlan: number | null;
  innerVlan: number | null;
  options: number;
  mss: number | null;
  windowScale: number | null;
  sackBlocks: number;
  tsVal: number | null;
  tsEcr: number | null;
  tfoCookieLen: number | null;
  packetFlags: number;
  stopLayer: number;
  stopReason: number;
}

export class PacketBatch {
  /** Number of records in this batch. */
  count = 0;
  /**
   * The latest timestamp of any packet read so far, TCP or not (-1: none yet): what moves the
   * connection trackers' clock past the packets that are not records.
   */
  latestSec = -1;
  latestNsec = 0;
  readonly f64: Float64Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  readonly u16: Uint16Array;
  readonly u8: Uint8Array;

  constructor(memory: ArrayBufferLike, outputPtr: number, capacity: number) {
    const bytes = capacity * L.RECORD_SIZE;
    this.f64 = new Float64Array(memory, outputPtr, bytes / 8);
    this.u32 = new Uint32Array(memory, outputPtr, bytes / 4);
    this.i32 = new Int32Array(memory, outputPtr, bytes / 4);
    this.u16 = new Uint16Array(memory, outputPtr, bytes / 2);
    this.u8 = new Uint8Array(memory, outputPtr, bytes);
  }

  /** A view of output slot `slot` of `slotRecords` records each, the first at `outputAt`. */
  static ofSlot(memory: ArrayBufferLike, outputAt: number, slotRecords: number, slot: number): PacketBatch {
    return new PacketBatch(memory, outputAt + slot * slotRecords * L.RECORD_SIZE, slotRecords);
  }

  // Hot-path accessors: i is the record index within the batch.
  tsSec(i: number): number { return this.f64[i * 16 + L.REC_TS_SEC / 8]!; }
  tsNsec(i: number): number { return this.u32[i * 32 + L.REC_TS_NSEC / 4]!; }
  packetIndex(i: number): number { return this.f64[i * 16 + L.REC_PACKET_INDEX / 8]!; }
  fileOffset(i: number): number { return this.f64[i * 16 + L.REC_FILE_OFFSET / 8]!; }
  flowHash(i: number): number { return this.u32[i * 32 + L.REC_FLOW_HASH / 4]!; }
  seq(i: number): number { return this.u32[i * 32 + L.REC_SEQ / 4]!; }
  ack(i: number): number { return this.u32[i * 32 + L.REC_ACK / 4]!; }
  payloadLen(i: number): number { return this.u32[i * 32 + L.REC_PAYLOAD_LEN / 4]!; }
  ipLen(i: number): number { return this.u32[i * 32 + L.REC_IP_LEN / 4]!; }
  srcPort(i: number): number { return this.u16[i * 64 + L.REC_SRC_PORT / 2]!; }
  dstPort(i: number): number { return this.u16[i * 64 + L.REC_DST_PORT / 2]!; }
  flags(i: number): number { return this.u16[i * 64 + L.REC_TCP_FLAGS / 2]!; }
  window(i: number): number { return this.u16[i * 64 + L.REC_WINDOW / 2]!; }
  options(i: number): number { return this.u16[i * 64 + L.REC_OPTIONS / 2]!; }
  vlan(i: number): number { return this.u16[i * 64 + L.REC_VLAN / 2]!; }
  ipVersion(i: number): number { return this.u8[i * L.RECORD_SIZE + L.REC_IP_VERSION]!; }
  stopLayer(i: number): number { return this.u8[i * L.RECORD_SIZE + L.REC_STOP_LAYER]!; }
  packetFlags(i: number): number { return this.u8[i * L.RECORD_SIZE + L.REC_PACKET_FLAGS]!; }
  /** Byte offset of the 16-byte source / destination address fields in `u8`. */
  srcAddrOffset(i: number): number { return i * L.RECORD_SIZE + L.REC_SRC_ADDR; }
  dstAddrOffset(i: number): number { return i * L.RECORD_SIZE + L.REC_DST_ADDR; }

  srcAddr(i: number): string { return formatAddress(this.u8, this.srcAddrOffset(i), this.ipVersion(i)); }
  dstAddr(i: number): string { return formatAddress(this.u8, this.dstAddrOffset(i), this.ipVersion(i)); }

  /** A plain-object copy of record i (not for the hot path). */
  toRecord(i: number): TcpPacketRecord {
    const b = i * L.RECORD_SIZE;
    const u8 = this.u8;
    const u16 = (off: number) => this.u16[(b + off) / 2]!;
    const u32 = (off: number) => this.u32[(b + off) / 4]!;
    const opts = u16(L.REC_OPTIONS);
    const vlan = u16(L.REC_VLAN);
    const innerVlan = u16(L.REC_INNER_VLAN);
    return {
      packetIndex: this.packetIndex(i),
      fileOffset: this.fileOffset(i),
      tsSec: this.tsSec(i),
      tsNsec: this.tsNsec(i),
      interfaceId: u16(L.REC_INTERFACE),
      linkType: u16(L.REC_LINK_TYPE),
      capLen: u32(L.REC_CAP_LEN),
      origLen: u32(L.REC_ORIG_LEN),
      ipVersion: u8[b + L.REC_IP_VERSION] as 4 | 6,
      src: this.srcAddr(i),
      dst: this.dstAddr(i),
      srcPort: u16(L.REC_SRC_PORT),
      dstPort: u16(L.REC_DST_PORT),
      flowHash: u32(L.REC_FLOW_HASH),
      seq: u32(L.REC_SEQ),
      ack: u32(L.REC_ACK),
      flags: u16(L.REC_TCP_FLAGS),
      window: u16(L.REC_WINDOW),
      urgent: u16(L.REC_URGENT),
      tcpHeaderLen: u8[b + L.REC_TCP_HEADER_LEN]!,
      payloadLen: u32(L.REC_PAYLOAD_LEN),
      ipLen: u32(L.REC_IP_LEN),
      ttl: u8[b + L.REC_TTL]!,
      ipTos: u8[b + L.REC_IP_TOS]!,
      vlan: vlan === L.NO_VLAN ? null : vlan,
      innerVlan: innerVlan === L.NO_VLAN ? null : innerVlan,
      options: opts,
      mss: opts & L.OPT_MSS ? u16(L.REC_MSS) : null,
      windowScale: opts & L.OPT_WSCALE ? u8[b + L.REC_WSCALE]! : null,
      sackBlocks: u8[b + L.REC_SACK_BLOCKS]!,
      tsVal: opts & L.OPT_TIMESTAMPS ? u32(L.REC_TSVAL) : null,
      tsEcr: opts & L.OPT_TIMESTAMPS ? u32(L.REC_TSECR) : null,
      tfoCookieLen: opts & L.OPT_TFO ? u8[b + L.REC_TFO_COOKIE_LEN]! : null,
      packetFlags: u8[b + L.REC_PACKET_FLAGS]!,
      stopLayer: u8[b + L.REC_STOP_LAYER]!,
      stopReason: u8[b + L.REC_STOP_REASON]!,
    };
  }
}

/** "addr:port", with the IPv6 address in brackets: "[2001:db8::1]:443". */
export function formatEndpoint(addr: string, port: number): string {
  return addr.includes(":") ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** Formats a 4- or 16-byte address stored at `offset` of `bytes` (RFC 5952 for IPv6). */
export function formatAddress(bytes: Uint8Array, offset: number, version: number): string {
  if (version === 4) {
    return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
  }
  const words: number[] = [];
  for (let k = 0; k < 16; k += 2) words.push((bytes[offset + k]! << 8) | bytes[offset + k + 1]!);
  // IPv4-mapped addresses end in the dotted quad, as RFC 5952 (5) and Wireshark print them.
  if (words[5] === 0xffff && words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 && words[4] === 0) {
    return `::ffff:${formatAddress(bytes, offset + 12, 4)}`;
  }
  // Longest run of two or more zero words becomes "::" (first such run on ties).
  let bestStart = -1, bestLen = 0;
  for (let k = 0; k < 8;) {
    if (words[k] !== 0) { k++; continue; }
    let e = k;
    while (e < 8 && words[e] === 0) e++;
    if (e - k > bestLen && e - k >= 2) { bestStart = k; bestLen = e - k; }
    k = e;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(":");
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}
