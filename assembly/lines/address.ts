// IP addresses as ByteSink.address (sdk/lines/byte-sink.ts) and formatAddress write them:
// IPv4 dotted decimal; IPv6 per RFC 5952 (lowercase hex without leading zeros, the first longest
// run of two or more zero groups as "::", an IPv4-mapped address as ::ffff: and its dotted quad).

import { out, startAt, byte, uint32 } from "./sink";

const GROUPS: usize = memory.data(32, 4); // the eight 16-bit groups, as u32s

export function ipv4(p: usize): void {
  uint32(load<u8>(p)); byte(0x2e);
  uint32(load<u8>(p + 1)); byte(0x2e);
  uint32(load<u8>(p + 2)); byte(0x2e);
  uint32(load<u8>(p + 3));
}

@inline function group(k: i32): u32 { return load<u32>(GROUPS + (<usize>k << 2)); }
@inline function hexDigit(d: u32): void { byte(d < 10 ? 0x30 + d : 0x57 + d); }

export function ipv6(p: usize): void {
  for (let k = 0; k < 8; k++) {
    store<u32>(GROUPS + (<usize>k << 2), (<u32>load<u8>(p + 2 * k) << 8) | load<u8>(p + 2 * k + 1));
  }
  if (group(5) == 0xffff && (group(0) | group(1) | group(2) | group(3) | group(4)) == 0) {
    byte(0x3a); byte(0x3a); byte(0x66); byte(0x66); byte(0x66); byte(0x66); byte(0x3a); // "::ffff:"
    ipv4(p + 12);
    return;
  }
  // zeroRun (sdk/decoder/addresses.ts): the first longest run of two or more zero groups
  let best = -1, bestLen = 0;
  for (let k = 0; k < 8;) {
    if (group(k) != 0) { k++; continue; }
    let e = k;
    while (e < 8 && group(e) == 0) e++;
    if (e - k > bestLen && e - k >= 2) { best = k; bestLen = e - k; }
    k = e;
  }
  for (let k = 0; k < 8; k++) {
    if (k == best) { byte(0x3a); byte(0x3a); k += bestLen - 1; continue; }
    if (k > 0 && k != best + bestLen) byte(0x3a);
    const g = group(k);
    if (g >= 0x1000) hexDigit(g >> 12);
    if (g >= 0x100) hexDigit((g >> 8) & 15);
    if (g >= 0x10) hexDigit((g >> 4) & 15);
    hexDigit(g & 15);
  }
}

/** The address of IP `version` (4 or 6) at `p`, written at `at`; its length. */
export function addressAt(p: usize, version: u32, at: usize): u32 {
  startAt(at);
  if (version == 4) ipv4(p); else ipv6(p);
  return <u32>(out - at);
}
