// The Community ID v1 of a TCP flow as sdk/connections/community-id.ts computes it (node's
// SHA-1 there): "1:" + base64(SHA-1(seed, the lesser endpoint's address and port first, 6, 0)).

import { out, startAt, byte } from "./sink";
import { MESSAGE, DIGEST, sha1 } from "./sha1";

const TCP: u8 = 6;

@inline function base64Char(v: u32): void {
  byte(v < 26 ? 0x41 + v : v < 52 ? 0x61 + v - 26 : v < 62 ? 0x30 + v - 52 : v == 62 ? 0x2b : 0x2f);
}

function compare(a: usize, b: usize, length: i32): i32 {
  for (let i = 0; i < length; i++) {
    const x = <i32>load<u8>(a + <usize>i) - <i32>load<u8>(b + <usize>i);
    if (x != 0) return x;
  }
  return 0;
}

/** The 20-byte digest in base64: 28 characters, the last one padding. */
function base64Digest(): void {
  for (let i = 0; i < 21; i += 3) {
    const b1: u32 = i + 1 < 20 ? load<u8>(DIGEST + <usize>i + 1) : 0;
    const b2: u32 = i + 2 < 20 ? load<u8>(DIGEST + <usize>i + 2) : 0;
    const v = (<u32>load<u8>(DIGEST + <usize>i) << 16) | (b1 << 8) | b2;
    base64Char(v >> 18); base64Char((v >> 12) & 63); base64Char((v >> 6) & 63);
    if (i + 2 < 20) base64Char(v & 63); else byte(0x3d);
  }
}

/** Writes "1:" and the flow's id: addresses of `length` bytes (4 or 16) at srcAt and dstAt. */
export function communityId(length: i32, srcAt: usize, srcPort: u32, dstAt: usize, dstPort: u32, seed: u32): void {
  const c = compare(srcAt, dstAt, length);
  const swap = c > 0 || (c == 0 && srcPort > dstPort);
  const aAt = swap ? dstAt : srcAt, bAt = swap ? srcAt : dstAt;
  const ap = swap ? dstPort : srcPort, bp = swap ? srcPort : dstPort;
  const m = MESSAGE;
  store<u8>(m, <u8>(seed >> 8)); store<u8>(m + 1, <u8>seed);
  memory.copy(m + 2, aAt, <usize>length);
  memory.copy(m + 2 + <usize>length, bAt, <usize>length);
  const o = m + 2 + <usize>length * 2;
  store<u8>(o, TCP); store<u8>(o + 1, 0);
  store<u8>(o + 2, <u8>(ap >> 8)); store<u8>(o + 3, <u8>ap);
  store<u8>(o + 4, <u8>(bp >> 8)); store<u8>(o + 5, <u8>bp);
  sha1(2 + length * 2 + 6);
  byte(0x31); byte(0x3a);
  base64Digest();
}

/** The export's form: the id written at `at`; its length (30). */
export function communityIdAt(length: i32, srcAt: usize, srcPort: u32, dstAt: usize, dstPort: u32, seed: u32, at: usize): u32 {
  startAt(at);
  communityId(length, srcAt, srcPort, dstAt, dstPort, seed);
  return <u32>(out - at);
}
