// The Community ID v1 of a TCP flow as sdk/connections/community-id.ts computes it (node's
// SHA-1 there): "1:" + base64(SHA-1(seed, the lesser endpoint's address and port first, 6, 0)).

import { out, startAt, byte } from "./sink";
import { MESSAGE, DIGEST, sha1 } from "./sha1";

const TCP: u8 = 6;

// The base64 alphabet, a character a byte.
const ALPHABET: usize = memory.data<u8>([
  0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50,
  0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66,
  0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76,
  0x77, 0x78, 0x79, 0x7a, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x2b, 0x2f,
]);

@inline function base64Char(v: u32): void {
  byte(<u32>load<u8>(ALPHABET + <usize>(v & 63)));
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
  // Six groups of three bytes, then the last two (three characters and "=").
  for (let i: usize = 0; i < 18; i += 3) {
    const v = (<u32>load<u8>(DIGEST + i) << 16) | (<u32>load<u8>(DIGEST + i + 1) << 8) | <u32>load<u8>(DIGEST + i + 2);
    base64Char(v >> 18); base64Char(v >> 12); base64Char(v >> 6); base64Char(v);
  }
  const v = (<u32>load<u8>(DIGEST + 18) << 16) | (<u32>load<u8>(DIGEST + 19) << 8);
  base64Char(v >> 18); base64Char(v >> 12); base64Char(v >> 6);
  byte(0x3d);
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
