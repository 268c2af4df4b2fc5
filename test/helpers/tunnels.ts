// Wraps packets in tunnels, byte for byte as each protocol's RFC (or vendor note) lays them out:
// VXLAN, Geneve, GTP-U, Teredo, AYIYA, GRE (key, sequence, checksum; any payload), ERSPAN I/II/III,
// PPTP, IP in IP, MPLS in UDP. Each function returns the outer IP packet (or the tunnel payload
// for the UDP ones, see `udpTunnel`); `ethernet()` from packets.ts makes the frame.

import { concat, u16, u32, checksum, ipv4, ipv6, parseAddress, type Bytes } from "./packets.js";

export interface OuterEnds {
  src: string;
  dst: string;
}

/** An outer IP packet (v4 or v6 by the addresses) of `protocol` carrying `payload`. */
export function outerIp(ends: OuterEnds, protocol: number, payload: Bytes): Bytes {
  return ends.src.includes(":")
    ? ipv6({ src: ends.src, dst: ends.dst, protocol }, payload)
    : ipv4({ src: ends.src, dst: ends.dst, protocol }, payload);
}

/** UDP (with a correct checksum, 0 when `zeroChecksum`) in an outer IP packet. */
export function udpTunnel(ends: OuterEnds, srcPort: number, dstPort: number, payload: Bytes, zeroChecksum = false): Bytes {
  const len = 8 + payload.length;
  const header = concat(u16(srcPort), u16(dstPort), u16(len), u16(0));
  if (!zeroChecksum) {
    const src = parseAddress(ends.src), dst = parseAddress(ends.dst);
    const pseudo = src.length === 4 ? concat(src, dst, new Uint8Array([0, 17]), u16(len)) : concat(src, dst, u32(len), u32(17));
    const sum = checksum(concat(pseudo, header, payload)) || 0xffff;
    header[6] = sum >>> 8; header[7] = sum & 255;
  }
  return outerIp(ends, 17, concat(header, payload));
}

const uint24 = (v: number) => new Uint8Array([(v >>> 16) & 255, (v >>> 8) & 255, v & 255]);

/** VXLAN header (I flag, VNI) before an Ethernet frame. */
export function vxlan(vni: number, frame: Bytes): Bytes {
  return concat(new Uint8Array([0x08, 0, 0, 0]), uint24(vni), new Uint8Array([0]), frame);
}

/** Geneve header with `options` (a multiple of 4 bytes) and a protocol type. */
export function geneve(vni: number, protocol: number, payload: Bytes, options: Bytes = new Uint8Array(0)): Bytes {
  return concat(new Uint8Array([options.length / 4, 0]), u16(protocol), uint24(vni), new Uint8Array([0]), options, payload);
}

/** GTP-U G-PDU; with `extensions`, the E flag, sequence fields and extension headers (each given by its content, padded). */
export function gtpu(teid: number, ip: Bytes, extensions: { type: number; content: Bytes }[] = []): Bytes {
  let optional: Bytes = new Uint8Array(0);
  if (extensions.length) {
    const parts: Bytes[] = [u16(0x1234), new Uint8Array([0, extensions[0]!.type])];
    extensions.forEach((e, k) => {
      const units = Math.ceil((e.content.length + 2) / 4);
      const body = new Uint8Array(units * 4);
      body[0] = units;
      body.set(e.content, 1);
      body[units * 4 - 1] = k + 1 < extensions.length ? extensions[k + 1]!.type : 0;
      parts.push(body);
    });
    optional = concat(...parts);
  }
  const flags = extensions.length ? 0x34 : 0x30;
  return concat(new Uint8Array([flags, 0xff]), u16(optional.length + ip.length), u32(teid), optional, ip);
}

/** Teredo: an IPv6 packet, optionally behind authentication and origin indications. */
export function teredo(ip6: Bytes, o: { auth?: boolean; origin?: { port: number; addr: string } } = {}): Bytes {
  const parts: Bytes[] = [];
  if (o.auth) parts.push(concat(new Uint8Array([0, 1, 2, 3]), new Uint8Array([0xaa, 0xbb]), new Uint8Array([1, 2, 3]), new Uint8Array(8).fill(7), new Uint8Array([0])));
  if (o.origin) {
    const a = parseAddress(o.origin.addr).map((b) => b ^ 0xff);
    parts.push(concat(new Uint8Array([0, 0]), u16(o.origin.port ^ 0xffff), a));
  }
  return concat(...parts, ip6);
}

/** AYIYA forward: 8-byte header, a 16-byte identity (IPv6 address), a 20-byte SHA-1 signature. */
export function ayiya(ip: Bytes): Bytes {
  const next = ip[0]! >> 4 === 6 ? 41 : 4;
  return concat(new Uint8Array([0x42, 0x52, 0x11, next]), u32(0x5f000000), new Uint8Array(16).fill(1), new Uint8Array(20).fill(2), ip);
}

export interface GreOptions {
  key?: number;
  sequence?: number;
  checksum?: boolean;
}

/** A GRE (version 0) header and payload. */
export function gre(protocol: number, payload: Bytes, o: GreOptions = {}): Bytes {
  const flags = (o.checksum ? 0x8000 : 0) | (o.key !== undefined ? 0x2000 : 0) | (o.sequence !== undefined ? 0x1000 : 0);
  const parts: Bytes[] = [u16(flags), u16(protocol)];
  if (o.checksum) parts.push(new Uint8Array(4));
  if (o.key !== undefined) parts.push(u32(o.key));
  if (o.sequence !== undefined) parts.push(u32(o.sequence));
  const packet = concat(...parts, payload);
  if (o.checksum) { const sum = checksum(packet); packet[4] = sum >>> 8; packet[5] = sum & 255; }
  return packet;
}

/** ERSPAN type 1 (no header), 2 (8 bytes) or 3 (12 bytes, with the platform subheader) in GRE. */
export function erspan(type: 1 | 2 | 3, session: number, frame: Bytes): Bytes {
  if (type === 1) return gre(0x88be, frame);
  if (type === 2) {
    const header = concat(u16((1 << 12) | 10), u16(session & 0x3ff), u32(0));
    return gre(0x88be, concat(header, frame), { sequence: 1 });
  }
  const header = concat(u16((2 << 12) | 10), u16(session & 0x3ff), u32(0x12345678), u16(0), u16(1)); // O flag
  return gre(0x22eb, concat(header, new Uint8Array(8), frame), { sequence: 1 });
}

/** PPTP: enhanced GRE (version 1) with payload length, call id, sequence number, then PPP. */
export function pptp(callId: number, ip: Bytes, compressed = false): Bytes {
  const proto = ip[0]! >> 4 === 6 ? 0x57 : 0x21;
  const ppp = compressed ? concat(new Uint8Array([proto]), ip) : concat(new Uint8Array([0xff, 0x03, 0, proto]), ip);
  return concat(u16(0x3001), u16(0x880b), u16(ppp.length), u16(callId), u32(1), ppp);
}

/** An MPLS label stack (bottom-of-stack on the last). */
export function mpls(labels: number[], payload: Bytes): Bytes {
  return concat(...labels.map((l, i) => u32((l << 12) | (i === labels.length - 1 ? 0x100 : 0) | 64)), payload);
}

/**
 * An 802.11 QoS data frame carrying an A-MSDU of these MSDUs (IP packets, each behind LLC/SNAP
 * in a subframe: destination, source, length; padded to 4 bytes but the last), as Aruba's GRE
 * (protocol 0x8200 on) delivers it.
 */
export function amsdu(ips: Bytes[]): Bytes {
  const header = concat(new Uint8Array([0x88, 0x02, 0, 0]), new Uint8Array(18).fill(2), new Uint8Array(2), new Uint8Array([0x80, 0]));
  const subframes = ips.map((ip, k) => {
    const msdu = concat(new Uint8Array([0xaa, 0xaa, 3, 0, 0, 0]), u16(ip[0]! >> 4 === 6 ? 0x86dd : 0x0800), ip);
    const sub = concat(new Uint8Array(12).fill(k + 1), u16(msdu.length), msdu);
    return k === ips.length - 1 ? sub : concat(sub, new Uint8Array((4 - (sub.length & 3)) & 3));
  });
  return concat(header, ...subframes);
}
