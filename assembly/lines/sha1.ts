// SHA-1 (FIPS 180-4) of a message of at most 55 bytes: one 64-byte block, which a Community ID's
// input (2 + 2 * 16 + 2 + 4 = 40 bytes at most) always fits.
//
// Written for the line writers' per-connection cost (a Community ID on every line): the 80
// rounds as four loops, one per round function, so that no round tests which one it is, five
// rounds a step (below); the schedule made first, in a loop of its own (computed in the rounds,
// it left V8 too few registers); the padding's zeros stored eight bytes at a time.

export const MESSAGE: usize = memory.data(64, 8); // the message, then its padding
export const DIGEST: usize = memory.data(20, 4);
const W: usize = memory.data(320, 8); // the message schedule, 80 words

@inline function w(i: u32): u32 { return load<u32>(W + (<usize>i << 2)); }
// The round functions of rounds 0-19 (x chooses between y and z) and 40-59 (the majority).
@inline function choose(x: u32, y: u32, z: u32): u32 { return z ^ (x & (y ^ z)); }
@inline function majority(x: u32, y: u32, z: u32): u32 { return (x & y) | (z & (x | y)); }

/** The digest of MESSAGE's first `length` bytes (length <= 55) into DIGEST. */
export function sha1(length: i32): void {
  const m = MESSAGE;
  // The padding: 0x80, zeros, the length in bits (big-endian) in the last eight bytes.
  const at = m + <usize>length;
  store<u8>(at, 0x80);
  for (let z = (at + 8) & ~7; z < m + 56; z += 8) store<u64>(z, 0); // whole words past the 0x80's
  for (let z = at + 1; z < ((at + 8) & ~7) && z < m + 56; z++) store<u8>(z, 0); // the rest of its word
  store<u64>(m + 56, bswap<u64>(<u64>length * 8));
  for (let i: usize = 0; i < 64; i += 4) store<u32>(W + i, bswap<u32>(load<u32>(m + i)));
  // Two words a step, as one u64 (words i and i + 1 need words up to i - 2 only), each half
  // turned left one bit.
  for (let i: usize = 16 << 2; i < 80 << 2; i += 8) {
    const x = load<u64>(W + i - 12) ^ load<u64>(W + i - 32) ^ load<u64>(W + i - 56) ^ load<u64>(W + i - 64);
    store<u64>(W + i, ((x << 1) & 0xfffffffefffffffe) | ((x >> 31) & 0x0000000100000001));
  }

  let a: u32 = 0x67452301, b: u32 = 0xefcdab89, c: u32 = 0x98badcfe, d: u32 = 0x10325476, e: u32 = 0xc3d2e1f0;
  // Five rounds a step, each with the roles of the five words turned one place: the words stay
  // where they are instead of moving down one each round.
  for (let i: u32 = 0; i < 20; i += 5) {
    e += rotl<u32>(a, 5) + choose(b, c, d) + 0x5a827999 + w(i); b = rotl<u32>(b, 30);
    d += rotl<u32>(e, 5) + choose(a, b, c) + 0x5a827999 + w(i + 1); a = rotl<u32>(a, 30);
    c += rotl<u32>(d, 5) + choose(e, a, b) + 0x5a827999 + w(i + 2); e = rotl<u32>(e, 30);
    b += rotl<u32>(c, 5) + choose(d, e, a) + 0x5a827999 + w(i + 3); d = rotl<u32>(d, 30);
    a += rotl<u32>(b, 5) + choose(c, d, e) + 0x5a827999 + w(i + 4); c = rotl<u32>(c, 30);
  }
  for (let i: u32 = 20; i < 40; i += 5) {
    e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0x6ed9eba1 + w(i); b = rotl<u32>(b, 30);
    d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0x6ed9eba1 + w(i + 1); a = rotl<u32>(a, 30);
    c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0x6ed9eba1 + w(i + 2); e = rotl<u32>(e, 30);
    b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0x6ed9eba1 + w(i + 3); d = rotl<u32>(d, 30);
    a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0x6ed9eba1 + w(i + 4); c = rotl<u32>(c, 30);
  }
  for (let i: u32 = 40; i < 60; i += 5) {
    e += rotl<u32>(a, 5) + majority(b, c, d) + 0x8f1bbcdc + w(i); b = rotl<u32>(b, 30);
    d += rotl<u32>(e, 5) + majority(a, b, c) + 0x8f1bbcdc + w(i + 1); a = rotl<u32>(a, 30);
    c += rotl<u32>(d, 5) + majority(e, a, b) + 0x8f1bbcdc + w(i + 2); e = rotl<u32>(e, 30);
    b += rotl<u32>(c, 5) + majority(d, e, a) + 0x8f1bbcdc + w(i + 3); d = rotl<u32>(d, 30);
    a += rotl<u32>(b, 5) + majority(c, d, e) + 0x8f1bbcdc + w(i + 4); c = rotl<u32>(c, 30);
  }
  for (let i: u32 = 60; i < 80; i += 5) {
    e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0xca62c1d6 + w(i); b = rotl<u32>(b, 30);
    d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0xca62c1d6 + w(i + 1); a = rotl<u32>(a, 30);
    c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0xca62c1d6 + w(i + 2); e = rotl<u32>(e, 30);
    b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0xca62c1d6 + w(i + 3); d = rotl<u32>(d, 30);
    a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0xca62c1d6 + w(i + 4); c = rotl<u32>(c, 30);
  }
  store<u32>(DIGEST, bswap<u32>(a + 0x67452301));
  store<u32>(DIGEST + 4, bswap<u32>(b + 0xefcdab89));
  store<u32>(DIGEST + 8, bswap<u32>(c + 0x98badcfe));
  store<u32>(DIGEST + 12, bswap<u32>(d + 0x10325476));
  store<u32>(DIGEST + 16, bswap<u32>(e + 0xc3d2e1f0));
}
