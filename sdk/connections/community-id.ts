// Community ID v1 (corelight/community-id-spec): a flow id that other tools (Zeek, Suricata,
// Wireshark) compute alike: "1:" + base64(SHA-1(seed, ordered addresses, protocol, ports)).

import { digest } from "../builtins.js";

const TCP = 6;
// The hashed input, built in place: one buffer per address length (4 or 16 bytes), reused.
const INPUT_V4 = new Uint8Array(2 + 4 * 2 + 2 + 4);
const INPUT_V6 = new Uint8Array(2 + 16 * 2 + 2 + 4);

function compare(bytes: Uint8Array, a: number, b: number, length: number): number {
  for (let i = 0; i < length; i++) if (bytes[a + i] !== bytes[b + i]) return bytes[a + i]! - bytes[b + i]!;
  return 0;
}

/**
 * The Community ID of a TCP flow whose addresses (`length` bytes each: 4 or 16) lie in `bytes`
 * at `srcAt` and `dstAt`.
 */
export function communityId(
  bytes: Uint8Array, length: 4 | 16, srcAt: number, srcPort: number, dstAt: number, dstPort: number, seed = 0,
): string {
  const c = compare(bytes, srcAt, dstAt, length);
  const swap = c > 0 || (c === 0 && srcPort > dstPort);
  const aAt = swap ? dstAt : srcAt, bAt = swap ? srcAt : dstAt;
  const ap = swap ? dstPort : srcPort, bp = swap ? srcPort : dstPort;
  const input = length === 4 ? INPUT_V4 : INPUT_V6;
  input[0] = seed >> 8;
  input[1] = seed & 255;
  for (let i = 0; i < length; i++) {
    input[2 + i] = bytes[aAt + i]!;
    input[2 + length + i] = bytes[bAt + i]!;
  }
  let o = 2 + length * 2;
  input[o++] = TCP;
  input[o++] = 0;
  input[o++] = ap >> 8;
  input[o++] = ap & 255;
  input[o++] = bp >> 8;
  input[o] = bp & 255;
  return "1:" + digest("sha1", input, "base64");
}
