// SHA-256 (FIPS 180-4) of a message of at most 119 bytes (two 64-byte blocks): the Zeek uid's
// input (cli/format/zeek-log.ts: a Community ID, the time and the id, ~60 bytes; a tunnel's
// "tunnel|" and 8 hex digits) always fits.

export const MESSAGE: usize = memory.data(128, 8); // the message, then its padding
export const DIGEST: usize = memory.data(32, 4);
export const MESSAGE_MAX: i32 = 119;
const W: usize = memory.data(256, 4);
const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const H: usize = memory.data(32, 4);

@inline function w(i: i32): u32 { return load<u32>(W + (<usize>i << 2)); }
@inline function k(i: i32): u32 { return load<u32>(K + (<usize>i << 2)); }
@inline function h(i: i32): u32 { return load<u32>(H + (<usize>i << 2)); }

function block(at: usize): void {
  let t: u32;
  for (let i = 0; i < 16; i++) store<u32>(W + (<usize>i << 2), bswap<u32>(load<u32>(at + (<usize>i << 2))));
  for (let i = 16; i < 64; i++) {
    const a = w(i - 15), b = w(i - 2);
    const s0 = rotr<u32>(a, 7) ^ rotr<u32>(a, 18) ^ (a >>> 3), s1 = rotr<u32>(b, 17) ^ rotr<u32>(b, 19) ^ (b >>> 10);
    store<u32>(W + (<usize>i << 2), w(i - 16) + s0 + w(i - 7) + s1);
  }
  let a = h(0), b = h(1), c = h(2), d = h(3), e = h(4), f = h(5), g = h(6), hh = h(7);
  // Eight rounds a step, each with the roles of the eight words turned one place: the words stay
  // where they are instead of moving down one each round (round j of a step: its "a" is the word
  // eight minus j places on, its new "a" goes where its "h" was, its new "e" where its "d" was).
  for (let i = 0; i < 64; i += 8) {
    t = hh + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + (g ^ (e & (f ^ g))) + k(i) + w(i);
    d += t; hh = t + (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) | (c & (a | b)));
    t = g + (rotr<u32>(d, 6) ^ rotr<u32>(d, 11) ^ rotr<u32>(d, 25)) + (f ^ (d & (e ^ f))) + k(i + 1) + w(i + 1);
    c += t; g = t + (rotr<u32>(hh, 2) ^ rotr<u32>(hh, 13) ^ rotr<u32>(hh, 22)) + ((hh & a) | (b & (hh | a)));
    t = f + (rotr<u32>(c, 6) ^ rotr<u32>(c, 11) ^ rotr<u32>(c, 25)) + (e ^ (c & (d ^ e))) + k(i + 2) + w(i + 2);
    b += t; f = t + (rotr<u32>(g, 2) ^ rotr<u32>(g, 13) ^ rotr<u32>(g, 22)) + ((g & hh) | (a & (g | hh)));
    t = e + (rotr<u32>(b, 6) ^ rotr<u32>(b, 11) ^ rotr<u32>(b, 25)) + (d ^ (b & (c ^ d))) + k(i + 3) + w(i + 3);
    a += t; e = t + (rotr<u32>(f, 2) ^ rotr<u32>(f, 13) ^ rotr<u32>(f, 22)) + ((f & g) | (hh & (f | g)));
    t = d + (rotr<u32>(a, 6) ^ rotr<u32>(a, 11) ^ rotr<u32>(a, 25)) + (c ^ (a & (b ^ c))) + k(i + 4) + w(i + 4);
    hh += t; d = t + (rotr<u32>(e, 2) ^ rotr<u32>(e, 13) ^ rotr<u32>(e, 22)) + ((e & f) | (g & (e | f)));
    t = c + (rotr<u32>(hh, 6) ^ rotr<u32>(hh, 11) ^ rotr<u32>(hh, 25)) + (b ^ (hh & (a ^ b))) + k(i + 5) + w(i + 5);
    g += t; c = t + (rotr<u32>(d, 2) ^ rotr<u32>(d, 13) ^ rotr<u32>(d, 22)) + ((d & e) | (f & (d | e)));
    t = b + (rotr<u32>(g, 6) ^ rotr<u32>(g, 11) ^ rotr<u32>(g, 25)) + (a ^ (g & (hh ^ a))) + k(i + 6) + w(i + 6);
    f += t; b = t + (rotr<u32>(c, 2) ^ rotr<u32>(c, 13) ^ rotr<u32>(c, 22)) + ((c & d) | (e & (c | d)));
    t = a + (rotr<u32>(f, 6) ^ rotr<u32>(f, 11) ^ rotr<u32>(f, 25)) + (hh ^ (f & (g ^ hh))) + k(i + 7) + w(i + 7);
    e += t; a = t + (rotr<u32>(b, 2) ^ rotr<u32>(b, 13) ^ rotr<u32>(b, 22)) + ((b & c) | (d & (b | c)));
  }
  store<u32>(H, h(0) + a); store<u32>(H + 4, h(1) + b); store<u32>(H + 8, h(2) + c); store<u32>(H + 12, h(3) + d);
  store<u32>(H + 16, h(4) + e); store<u32>(H + 20, h(5) + f); store<u32>(H + 24, h(6) + g); store<u32>(H + 28, h(7) + hh);
}

/** The digest of MESSAGE's first `length` bytes (length <= MESSAGE_MAX) into DIGEST. */
export function sha256(length: i32): void {
  const m = MESSAGE, blocks = length + 9 <= 64 ? 1 : 2, end = blocks * 64;
  // The padding: 0x80 after the message in its last word, the rest of that word and the words
  // up to the length zeros (length + 9 <= end: the 0x80's word ends before the length's).
  const wAt = m + <usize>(length & ~7), keep = <u64>(length & 7) << 3;
  const kept = keep == 0 ? 0 : load<u64>(wAt) & (<u64>-1 >> (64 - keep));
  store<u64>(wAt, kept | (<u64>0x80 << keep));
  for (let z = wAt + 8; z < m + <usize>(end - 8); z += 8) store<u64>(z, 0);
  store<u64>(m + <usize>(end - 8), bswap<u64>(<u64>length * 8));
  store<u32>(H, 0x6a09e667); store<u32>(H + 4, 0xbb67ae85); store<u32>(H + 8, 0x3c6ef372); store<u32>(H + 12, 0xa54ff53a);
  store<u32>(H + 16, 0x510e527f); store<u32>(H + 20, 0x9b05688c); store<u32>(H + 24, 0x1f83d9ab); store<u32>(H + 28, 0x5be0cd19);
  block(m);
  if (blocks == 2) block(m + 64);
  for (let i = 0; i < 8; i++) store<u32>(DIGEST + (<usize>i << 2), bswap<u32>(h(i)));
}
