// SHA-1 (FIPS 180-4) of a message of at most 55 bytes: one 64-byte block, which a Community ID's
// input (2 + 2 * 16 + 2 + 4 = 40 bytes at most) always fits.

export const MESSAGE: usize = memory.data(64, 8); // the message, then its padding
export const DIGEST: usize = memory.data(20, 4);
const W: usize = memory.data(320, 4);

@inline function w(i: i32): u32 { return load<u32>(W + (<usize>i << 2)); }

/** The digest of MESSAGE's first `length` bytes (length <= 55) into DIGEST. */
export function sha1(length: i32): void {
  const m = MESSAGE;
  store<u8>(m + <usize>length, 0x80);
  for (let i = length + 1; i < 56; i++) store<u8>(m + <usize>i, 0);
  const bits = <u64>length * 8;
  store<u64>(m + 56, bswap<u64>(bits));
  for (let i = 0; i < 16; i++) store<u32>(W + (<usize>i << 2), bswap<u32>(load<u32>(m + (<usize>i << 2))));
  for (let i = 16; i < 80; i++) store<u32>(W + (<usize>i << 2), rotl<u32>(w(i - 3) ^ w(i - 8) ^ w(i - 14) ^ w(i - 16), 1));
  let a: u32 = 0x67452301, b: u32 = 0xefcdab89, c: u32 = 0x98badcfe, d: u32 = 0x10325476, e: u32 = 0xc3d2e1f0;
  for (let i = 0; i < 80; i++) {
    let f: u32, k: u32;
    if (i < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
    else if (i < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
    else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc; }
    else { f = b ^ c ^ d; k = 0xca62c1d6; }
    const t = rotl<u32>(a, 5) + f + e + k + w(i);
    e = d; d = c; c = rotl<u32>(b, 30); b = a; a = t;
  }
  store<u32>(DIGEST, bswap<u32>(a + 0x67452301));
  store<u32>(DIGEST + 4, bswap<u32>(b + 0xefcdab89));
  store<u32>(DIGEST + 8, bswap<u32>(c + 0x98badcfe));
  store<u32>(DIGEST + 12, bswap<u32>(d + 0x10325476));
  store<u32>(DIGEST + 16, bswap<u32>(e + 0xc3d2e1f0));
}
