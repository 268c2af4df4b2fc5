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
@inline function h(i: i32): u32 { return load<u32>(H + (<usize>i << 2)); }

function block(at: usize): void {
  for (let i = 0; i < 16; i++) store<u32>(W + (<usize>i << 2), bswap<u32>(load<u32>(at + (<usize>i << 2))));
  for (let i = 16; i < 64; i++) {
    const a = w(i - 15), b = w(i - 2);
    const s0 = rotr<u32>(a, 7) ^ rotr<u32>(a, 18) ^ (a >>> 3), s1 = rotr<u32>(b, 17) ^ rotr<u32>(b, 19) ^ (b >>> 10);
    store<u32>(W + (<usize>i << 2), w(i - 16) + s0 + w(i - 7) + s1);
  }
  let a = h(0), b = h(1), c = h(2), d = h(3), e = h(4), f = h(5), g = h(6), hh = h(7);
  for (let i = 0; i < 64; i++) {
    const t1 = hh + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + ((e & f) ^ (~e & g)) + load<u32>(K + (<usize>i << 2)) + w(i);
    const t2 = (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  store<u32>(H, h(0) + a); store<u32>(H + 4, h(1) + b); store<u32>(H + 8, h(2) + c); store<u32>(H + 12, h(3) + d);
  store<u32>(H + 16, h(4) + e); store<u32>(H + 20, h(5) + f); store<u32>(H + 24, h(6) + g); store<u32>(H + 28, h(7) + hh);
}

/** The digest of MESSAGE's first `length` bytes (length <= MESSAGE_MAX) into DIGEST. */
export function sha256(length: i32): void {
  const m = MESSAGE, blocks = length + 9 <= 64 ? 1 : 2, end = blocks * 64;
  store<u8>(m + <usize>length, 0x80);
  for (let i = length + 1; i < end - 8; i++) store<u8>(m + <usize>i, 0);
  store<u64>(m + <usize>(end - 8), bswap<u64>(<u64>length * 8));
  store<u32>(H, 0x6a09e667); store<u32>(H + 4, 0xbb67ae85); store<u32>(H + 8, 0x3c6ef372); store<u32>(H + 12, 0xa54ff53a);
  store<u32>(H + 16, 0x510e527f); store<u32>(H + 20, 0x9b05688c); store<u32>(H + 24, 0x1f83d9ab); store<u32>(H + 28, 0x5be0cd19);
  block(m);
  if (blocks == 2) block(m + 64);
  for (let i = 0; i < 8; i++) store<u32>(DIGEST + (<usize>i << 2), bswap<u32>(h(i)));
}
