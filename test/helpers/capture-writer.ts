// Writes exact pcap and pcapng files from frame descriptions: every byte order, both pcap
// timestamp resolutions, pcapng sections, interfaces with if_tsresol / if_tsoffset, Enhanced,
// Simple and obsolete Packet Blocks, and unknown blocks to be skipped.

import { concat, type Bytes } from "./packets.js";

export interface Frame {
  data: Bytes;
  /** Seconds since the epoch; fractional part kept to the nanosecond. */
  sec?: number;
  nsec?: number;
  /** Original length when the frame is snaplen-truncated (default data.length). */
  origLen?: number;
}

class Writer {
  private parts: Bytes[] = [];
  constructor(private readonly little: boolean) {}
  u8(v: number) { this.parts.push(new Uint8Array([v])); return this; }
  u16(v: number) { const b = new Uint8Array(2); new DataView(b.buffer).setUint16(0, v, this.little); this.parts.push(b); return this; }
  u32(v: number) { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v >>> 0, this.little); this.parts.push(b); return this; }
  u64(v: bigint) { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, v, this.little); this.parts.push(b); return this; }
  bytes(b: Bytes) { this.parts.push(b); return this; }
  pad4() { const n = this.length % 4; if (n) this.parts.push(new Uint8Array(4 - n)); return this; }
  get length() { return this.parts.reduce((n, p) => n + p.length, 0); }
  // Joined without spreading the parts into arguments: a capture of a million packets has millions.
  done(): Bytes {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) { out.set(p, at); at += p.length; }
    return out;
  }
}

export interface PcapOptions {
  bigEndian?: boolean;
  nanosecond?: boolean;
  linkType?: number;
  snaplen?: number;
  versionMajor?: number;
  versionMinor?: number;
  /** Raw link-type field (overrides linkType, for FCS / reserved-bit tests). */
  linkField?: number;
  /**
   * The modified format of Kuznetsov's patched tcpdump (magic a1b2cd34, microseconds): each
   * record header carries an interface index, protocol and packet type, 8 bytes more.
   */
  modified?: boolean;
}

export function writePcap(frames: Frame[], o: PcapOptions = {}): Bytes {
  const w = new Writer(!o.bigEndian);
  w.u32(o.modified ? 0xa1b2cd34 : o.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4).u16(o.versionMajor ?? 2).u16(o.versionMinor ?? 4)
    .u32(0).u32(0).u32(o.snaplen ?? 262144).u32(o.linkField ?? o.linkType ?? 1);
  for (const [k, f] of frames.entries()) {
    const frac = o.nanosecond && !o.modified ? f.nsec ?? 0 : Math.floor((f.nsec ?? 0) / 1000);
    w.u32(f.sec ?? 1700000000).u32(frac).u32(f.data.length).u32(f.origLen ?? f.data.length);
    // ifindex, protocol (ETH_P_IP, as the kernel gives it: big-endian), packet type, pad
    if (o.modified) w.u32(2 + (k % 3)).u8(0x08).u8(0x00).u8(k % 5).u8(0);
    w.bytes(f.data);
  }
  return w.done();
}

export interface InterfaceSpec {
  linkType?: number;
  snaplen?: number;
  /** Raw if_tsresol byte: n = 10^-n seconds, 0x80|n = 2^-n seconds. */
  tsresol?: number;
  /** if_tsoffset in seconds. */
  tsoffset?: number;
  /** Text options, by option code (if_name 2, if_description 3, if_os 12, if_hardware 15, comment 1). */
  text?: [number, string][];
  /** if_filter as a libpcap filter string. */
  filter?: string;
  /** if_fcslen, the raw byte. */
  fcslen?: number;
}

export type Block =
  | { type: "epb"; iface?: number; frame: Frame }
  | { type: "spb"; frame: Frame }
  | { type: "pb"; iface?: number; frame: Frame }
  | { type: "idb"; iface: InterfaceSpec }
  | { type: "unknown"; blockType: number; body: Bytes };

export interface SectionSpec {
  bigEndian?: boolean;
  versionMajor?: number;
  versionMinor?: number;
  /** Text options, by option code (shb_hardware 2, shb_os 3, shb_userappl 4, comment 1). */
  text?: [number, string][];
  interfaces?: InterfaceSpec[];
  blocks: Block[];
}

function block(little: boolean, type: number, body: Bytes): Bytes {
  const len = 12 + body.length;
  return new Writer(little).u32(type).u32(len).bytes(body).u32(len).done();
}

function ticks(f: Frame, iface: InterfaceSpec): bigint {
  const r = iface.tsresol ?? 6;
  const sec = BigInt(f.sec ?? 1700000000) - BigInt(iface.tsoffset ?? 0);
  const nsec = BigInt(f.nsec ?? 0);
  if (r & 0x80) {
    const units = 1n << BigInt(r & 0x7f);
    return sec * units + (nsec * units) / 1_000_000_000n;
  }
  const units = 10n ** BigInt(r);
  return sec * units + (nsec * units) / 1_000_000_000n;
}

function textOptions(w: Writer, text: [number, string][]): void {
  for (const [code, value] of text) {
    const bytes = new TextEncoder().encode(value);
    w.u16(code).u16(bytes.length).bytes(bytes).pad4();
  }
}

function interfaceBlock(little: boolean, i: InterfaceSpec): Bytes {
  const w = new Writer(little).u16(i.linkType ?? 1).u16(0).u32(i.snaplen ?? 262144);
  if (i.tsresol !== undefined) w.u16(9).u16(1).u8(i.tsresol).pad4();
  if (i.tsoffset !== undefined) w.u16(14).u16(8).u64(BigInt(i.tsoffset));
  if (i.fcslen !== undefined) w.u16(13).u16(1).u8(i.fcslen).pad4();
  textOptions(w, i.text ?? []);
  if (i.filter !== undefined) {
    const bytes = new TextEncoder().encode(i.filter);
    w.u16(11).u16(bytes.length + 1).u8(0).bytes(bytes).pad4();
  }
  if (i.tsresol !== undefined || i.tsoffset !== undefined || i.fcslen !== undefined || i.text?.length || i.filter !== undefined) w.u16(0).u16(0);
  return block(little, 1, w.done());
}

export function writePcapng(sections: SectionSpec[]): Bytes {
  const out: Bytes[] = [];
  for (const s of sections) {
    const little = !s.bigEndian;
    const shb = new Writer(little).u32(0x1a2b3c4d).u16(s.versionMajor ?? 1).u16(s.versionMinor ?? 0)
      .u64(0xffffffffffffffffn);
    if (s.text?.length) { textOptions(shb, s.text); shb.u16(0).u16(0); }
    out.push(block(little, 0x0a0d0d0a, shb.done()));
    const ifaces = [...(s.interfaces ?? [{}])];
    for (const i of ifaces) out.push(interfaceBlock(little, i));
    for (const b of s.blocks) {
      if (b.type === "idb") { ifaces.push(b.iface); out.push(interfaceBlock(little, b.iface)); continue; }
      if (b.type === "unknown") { out.push(block(little, b.blockType, new Writer(little).bytes(b.body).pad4().done())); continue; }
      const f = b.frame;
      const orig = f.origLen ?? f.data.length;
      if (b.type === "spb") {
        out.push(block(little, 3, new Writer(little).u32(orig).bytes(f.data).pad4().done()));
        continue;
      }
      const iface = b.iface ?? 0;
      const t = ticks(f, ifaces[iface] ?? {});
      const hi = Number(t >> 32n), lo = Number(t & 0xffffffffn);
      const w = new Writer(little);
      if (b.type === "epb") w.u32(iface);
      else w.u16(iface).u16(0);
      w.u32(hi).u32(lo).u32(f.data.length).u32(orig).bytes(f.data).pad4();
      out.push(block(little, b.type === "epb" ? 6 : 2, w.done()));
    }
  }
  return concat(...out);
}
