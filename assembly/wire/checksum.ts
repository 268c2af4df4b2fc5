// Internet checksum (RFC 1071): one's-complement sum of 16-bit big-endian words.

// Adds the bytes [p, p+len) to a running 32-bit sum (not yet folded).
export function sumBytes(p: usize, len: u32, sum: u64): u64 {
  let i: u32 = 0;
  // 4 bytes at a time; the sum of big-endian halves is bswapped at the end by folding.
  while (i + 4 <= len) {
    const w = bswap<u32>(load<u32>(p + i));
    sum += <u64>(w >> 16) + <u64>(w & 0xffff);
    i += 4;
  }
  if (i + 2 <= len) { sum += <u64>bswap<u16>(load<u16>(p + i)); i += 2; }
  if (i < len) sum += <u64>load<u8>(p + i) << 8;
  return sum;
}

export function fold(sum: u64): u32 {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return <u32>sum;
}

// True when the words of [p, p+len) plus `pseudo` sum to 0xffff (a correct checksum).
export function checksumOk(p: usize, len: u32, pseudo: u64): bool {
  return fold(sumBytes(p, len, pseudo)) == 0xffff;
}
