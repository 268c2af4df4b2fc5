// Zero-copy view of the decoder's output records (layout: assembly/layout.ts), with the file
// offsets and tunnel records the decoder keeps beside them when the view has them (views a
// worker makes of copied records have not).
//
// A batch is valid until the decoder's next step overwrites the output region; copy what you
// keep (toRecord) or finish with it before asking for the next batch.

import * as L from "../../assembly/layout.js";
import { formatAddress } from "./addresses.js";
import { readTunnelLevels, TUNNEL_TYPES, type TunnelLevel, type TunnelType } from "./tunnels.js";

export { formatAddress, formatEndpoint } from "./addresses.js";

/** Where the arrays beside a slot's records start: file offsets (f64 each) and tunnel records. */
export interface SlotExtras {
  fileOffsetsAt: number;
  tunnelsAt: number;
}

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
  /** Fragments that arrived for the IP datagram, repeated ones included (0: not fragmented; saturates at 127). */
  fragments: number;
  /** Some fragments overlapped or repeated others (the first-seen bytes were kept). */
  fragmentOverlap: boolean;
  /** The chain of tunnels that carried the packet, outermost first (empty: none). */
  tunnel: TunnelLevel[];
  /** Identity of the tunnel chain (same both ways; 0 when not tunnelled): see assembly/layout.ts. */
  tunnelHash: number;
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
  /** Each record's file offset, when the view has them. */
  readonly fileOffsets: Float64Array | null;
  /** The tunnel records, TUNNEL_RECORD_SIZE bytes per record, when the view has them. */
  readonly tunnels: Uint8Array | null;

  constructor(memory: ArrayBufferLike, outputPtr: number, capacity: number, extras?: SlotExtras) {
    const bytes = capacity * L.RECORD_SIZE;
    this.f64 = new Float64Array(memory, outputPtr, bytes / 8);
    this.u32 = new Uint32Array(memory, outputPtr, bytes / 4);
    this.i32 = new Int32Array(memory, outputPtr, bytes / 4);
    this.u16 = new Uint16Array(memory, outputPtr, bytes / 2);
    this.u8 = new Uint8Array(memory, outputPtr, bytes);
    this.fileOffsets = extras ? new Float64Array(memory, extras.fileOffsetsAt, capacity) : null;
    this.tunnels = extras ? new Uint8Array(memory, extras.tunnelsAt, capacity * L.TUNNEL_RECORD_SIZE) : null;
  }

  /**
   * A view of output slot `slot` of `slotRecords` records each, the first at `outputAt`; with
   * `extras` (the starts of the file-offset and tunnel arrays of slot 0), those of the slot too.
   */
  static ofSlot(memory: ArrayBufferLike, outputAt: number, slotRecords: number, slot: number, extras?: SlotExtras): PacketBatch {
    const slotExtras = extras && {
      fileOffsetsAt: extras.fileOffsetsAt + slot * slotRecords * L.FILE_OFFSET_SIZE,
      tunnelsAt: extras.tunnelsAt + slot * slotRecords * L.TUNNEL_RECORD_SIZE,
    };
    return new PacketBatch(memory, outputAt + slot * slotRecords * L.RECORD_SIZE, slotRecords, slotExtras);
  }

  // Hot-path accessors: i is the record index within the batch.
  tsSec(i: number): number { return this.f64[i * 16 + L.REC_TS_SEC / 8]!; }
  tsNsec(i: number): number { return this.u32[i * 32 + L.REC_TS_NSEC / 4]!; }
  /** The packet's index in its capture (0-based; the frame's: an A-MSDU's subframes share it). */
  packetIndex(i: number): number { return Math.floor(this.f64[i * 16 + L.REC_PACKET_INDEX / 8]!); }
  /** The byte offset of the packet's frame in the input (NaN in a view without file offsets). */
  fileOffset(i: number): number { return this.fileOffsets ? this.fileOffsets[i]! : NaN; }
  tunnelHash(i: number): number { return this.u32[i * 32 + L.REC_TUNNEL_HASH / 4]!; }
  tunnelDepth(i: number): number { return this.u8[i * L.RECORD_SIZE + L.REC_TUNNEL_DEPTH]!; }
  /** TUNNEL_* of each level, 4 bits each, outermost in the low bits. */
  tunnelTypes(i: number): number { return this.u16[i * 64 + L.REC_TUNNEL_TYPES / 2]!; }
  fragments(i: number): number { return this.u8[i * L.RECORD_SIZE + L.REC_FRAGMENTS]!; }
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

  /**
   * The chain of tunnels of record i, outermost first: in full from the tunnel record when the
   * view has it, else only the types (addresses empty, ports 0, no id).
   */
  tunnel(i: number): TunnelLevel[] {
    const depth = this.tunnelDepth(i);
    if (depth === 0) return [];
    if (this.tunnels) return readTunnelLevels(this.tunnels, i * L.TUNNEL_RECORD_SIZE, depth);
    const types = this.tunnelTypes(i);
    const levels: TunnelLevel[] = [];
    for (let k = 0; k < depth; k++) {
      const type: TunnelType = TUNNEL_TYPES[(types >> (4 * k)) & 15] ?? "ip";
      levels.push({ type, src: "", dst: "", srcPort: 0, dstPort: 0, id: null, version: 0, vlan: null, flags: 0 });
    }
    return levels;
  }

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
      fragments: u8[b + L.REC_FRAGMENTS]! & L.FRAGMENTS_COUNT_MASK,
      fragmentOverlap: (u8[b + L.REC_FRAGMENTS]! & L.FRAGMENTS_OVERLAP) !== 0,
      tunnel: this.tunnel(i),
      tunnelHash: u32(L.REC_TUNNEL_HASH),
    };
  }
}
