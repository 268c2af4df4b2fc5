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

// Two base64 characters a lookup: PAIRS64[v] for a 12-bit v is its two characters, little-endian.
const PAIRS64: usize = memory.data(8192, 2);
for (let v: u32 = 0; v < 4096; v++) {
  store<u16>(PAIRS64 + (<usize>v << 1), <u16>(<u32>load<u8>(ALPHABET + <usize>(v >> 6)) | <u32>load<u8>(ALPHABET + <usize>(v & 63)) << 8));
}

@inline function base64Pair(v: u32): u32 { return <u32>load<u16>(PAIRS64 + (<usize>(v & 0xfff) << 1)); }

/** The 20-byte digest in base64: 28 characters, the last one padding. */
function base64Digest(): void {
  // Six groups of three bytes (four characters each, two lookups), then the last two bytes
  // (three characters and "=").
  const o = out;
  for (let i: usize = 0; i < 18; i += 3) {
    const v = (<u32>load<u8>(DIGEST + i) << 16) | (<u32>load<u8>(DIGEST + i + 1) << 8) | <u32>load<u8>(DIGEST + i + 2);
    store<u32>(o + (i / 3 << 2), base64Pair(v >> 12) | base64Pair(v) << 16);
  }
  const v = (<u32>load<u8>(DIGEST + 18) << 16) | (<u32>load<u8>(DIGEST + 19) << 8);
  store<u32>(o + 24, base64Pair(v >> 12) | <u32>load<u8>(ALPHABET + <usize>((v >> 6) & 63)) << 16 | 0x3d000000);
  startAt(o + 28);
}

/** Writes "1:" and the flow's id: addresses of `length` bytes (4 or 16) at srcAt and dstAt. */
export function communityId(length: i32, srcAt: usize, srcPort: u32, dstAt: usize, dstPort: u32, seed: u32): void {
  // The lesser endpoint first: addresses compared as big-endian words, then ports.
  let c: i32;
  if (length == 4) {
    const x = bswap<u32>(load<u32>(srcAt)), y = bswap<u32>(load<u32>(dstAt));
    c = x > y ? 1 : x < y ? -1 : 0;
  } else {
    let x = bswap<u64>(load<u64>(srcAt)), y = bswap<u64>(load<u64>(dstAt));
    if (x == y) { x = bswap<u64>(load<u64>(srcAt, 8)); y = bswap<u64>(load<u64>(dstAt, 8)); }
    c = x > y ? 1 : x < y ? -1 : 0;
  }
  const swap = c > 0 || (c == 0 && srcPort > dstPort);
  const aAt = swap ? dstAt : srcAt, bAt = swap ? srcAt : dstAt;
  const ap = swap ? dstPort : srcPort, bp = swap ? srcPort : dstPort;
  const m = MESSAGE;
  store<u16>(m, bswap<u16>(<u16>seed));
  let o: usize;
  if (length == 4) {
    store<u32>(m + 2, load<u32>(aAt)); store<u32>(m + 6, load<u32>(bAt));
    o = m + 10;
  } else {
    store<u64>(m + 2, load<u64>(aAt)); store<u64>(m + 10, load<u64>(aAt, 8));
    store<u64>(m + 18, load<u64>(bAt)); store<u64>(m + 26, load<u64>(bAt, 8));
    o = m + 34;
  }
  // TCP, 0, then the two ports big-endian
  store<u16>(o, TCP); store<u32>(o + 2, bswap<u32>(ap << 16 | (bp & 0xffff)));
  sha1(2 + length * 2 + 6);
  store<u16>(out, 0x3a31); startAt(out + 2); // "1:"
  base64Digest();
}

/** The export's form: the id written at `at`; its length (30). */
export function communityIdAt(length: i32, srcAt: usize, srcPort: u32, dstAt: usize, dstPort: u32, seed: u32, at: usize): u32 {
  startAt(at);
  communityId(length, srcAt, srcPort, dstAt, dstPort, seed);
  return <u32>(out - at);
}
