// Symmetric, seeded flow hash over (addresses, ports).
//
// The two endpoints are put in a canonical order (the lower (address, port) first) so that
// A->B and B->A hash alike, then the words are mixed with the 32-bit murmur3 round.
// Canonical ordering, rather than adding two endpoint hashes, keeps A->A flows from all
// colliding. The hash only chooses a bucket: flow tables must compare the full key.
// It is not stable across versions of this project and is not an interchange id (use the
// Community ID for that).

@inline export function mixWord(h: u32, k: u32): u32 {
  k *= 0xcc9e2d51;
  k = rotl<u32>(k, 15);
  k *= 0x1b873593;
  h ^= k;
  h = rotl<u32>(h, 13);
  return h * 5 + 0xe6546b64;
}

@inline export function finish(h: u32): u32 {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

// a and b point at 16-byte address fields (network order; IPv4 in the first 4 bytes, the rest
// zero). Returns -1, 0 or 1 comparing (a, portA) with (b, portB) as unsigned big-endian.
function compareEndpoints(a: usize, portA: u32, b: usize, portB: u32): i32 {
  for (let i: usize = 0; i < 16; i += 4) {
    const x = bswap<u32>(load<u32>(a + i));
    const y = bswap<u32>(load<u32>(b + i));
    if (x != y) return x < y ? -1 : 1;
  }
  if (portA == portB) return 0;
  return portA < portB ? -1 : 1;
}

// An IPv4 flow mixes one word per address (three rounds in all, not nine: the rounds form one
// dependency chain, and were a quarter of the decoder's time on small packets). The length in
// the final step keeps the two kinds apart. Its endpoints are ordered without a branch: which
// side is lower is a coin toss per packet, and a mispredicted branch cost more than the mixing.
@inline export function flowHash(seed: u32, src: usize, srcPort: u32, dst: usize, dstPort: u32, ipv4: bool): u32 {
  if (ipv4) {
    const srcWord = load<u32>(src), dstWord = load<u32>(dst);
    const a = bswap<u32>(srcWord), b = bswap<u32>(dstWord);
    const swap = a > b || (a == b && srcPort > dstPort);
    const loWord = select<u32>(dstWord, srcWord, swap), hiWord = select<u32>(srcWord, dstWord, swap);
    const loPort = select<u32>(dstPort, srcPort, swap), hiPort = select<u32>(srcPort, dstPort, swap);
    let h = mixWord(seed, loWord);
    h = mixWord(h, hiWord);
    h = mixWord(h, (loPort << 16) | hiPort);
    return finish(h ^ 12);
  }
  return flowHash6(seed, src, srcPort, dst, dstPort);
}

function flowHash6(seed: u32, src: usize, srcPort: u32, dst: usize, dstPort: u32): u32 {
  let lo = src, hi = dst, loPort = srcPort, hiPort = dstPort;
  if (compareEndpoints(src, srcPort, dst, dstPort) > 0) {
    lo = dst; hi = src; loPort = dstPort; hiPort = srcPort;
  }
  let h = seed;
  h = mixWord(h, load<u32>(lo));
  h = mixWord(h, load<u32>(lo, 4));
  h = mixWord(h, load<u32>(lo, 8));
  h = mixWord(h, load<u32>(lo, 12));
  h = mixWord(h, load<u32>(hi));
  h = mixWord(h, load<u32>(hi, 4));
  h = mixWord(h, load<u32>(hi, 8));
  h = mixWord(h, load<u32>(hi, 12));
  h = mixWord(h, (loPort << 16) | hiPort);
  return finish(h ^ 36);
}
