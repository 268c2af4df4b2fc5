// Splits IP packets into fragments, as a router or the sending stack would (or, given odd
// pieces, as an attacker would): IPv4 by its fragment fields, IPv6 with a Fragment header after
// the unfragmentable part.

import { concat, u16, u32, ipv4, type Bytes } from "./packets.js";

export interface Piece {
  /** Byte offset in the payload (a multiple of 8 for well-formed fragments). */
  offset: number;
  length: number;
  /** More fragments follow (default: unless the piece reaches the payload's end). */
  more?: boolean;
  /** Bytes to send instead of the payload's own (an overlap attack). */
  bytes?: Bytes;
}

/** Cuts [0, total) at the given sizes (the last piece takes the rest). */
export function pieces(total: number, sizes: number[]): Piece[] {
  const out: Piece[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= total) break;
    const length = Math.min(size, total - at);
    out.push({ offset: at, length });
    at += length;
  }
  if (at < total) out.push({ offset: at, length: total - at });
  return out;
}

/** IPv4 fragments of `packet` (an IPv4 packet with a 20-byte header). */
export function fragmentV4(packet: Bytes, cuts: Piece[], id = 0x1234): Bytes[] {
  const payload = packet.subarray(20);
  const src = [...packet.subarray(12, 16)].join("."), dst = [...packet.subarray(16, 20)].join(".");
  return cuts.map((p) => ipv4({
    src, dst, id, protocol: packet[9], ttl: packet[8], fragmentOffset: p.offset,
    moreFragments: p.more ?? p.offset + p.length < payload.length,
  }, p.bytes ?? payload.subarray(p.offset, p.offset + p.length)));
}

/**
 * IPv6 fragments of `packet` (fixed header and `unfragmentable` bytes of extension headers
 * before the payload, whose next-header byte sits at `nextHeaderAt`).
 */
export function fragmentV6(packet: Bytes, cuts: Piece[], id = 0x12345678, unfragmentable = 0, nextHeaderAt = 6): Bytes[] {
  const headEnd = 40 + unfragmentable;
  const payload = packet.subarray(headEnd);
  const next = packet[nextHeaderAt]!;
  return cuts.map((p) => {
    const head = packet.slice(0, headEnd);
    head[nextHeaderAt] = 44;
    const body = p.bytes ?? payload.subarray(p.offset, p.offset + p.length);
    const more = p.more ?? p.offset + p.length < payload.length;
    const fragmentHeader = concat(new Uint8Array([next, 0]), u16(p.offset | (more ? 1 : 0)), u32(id));
    const out = concat(head, fragmentHeader, body);
    new DataView(out.buffer).setUint16(4, unfragmentable + 8 + body.length);
    return out;
  });
}
