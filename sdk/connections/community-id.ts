// Community ID v1 (corelight/community-id-spec): a flow id that other tools (Zeek, Suricata,
// Wireshark) compute alike: "1:" + base64(SHA-1(seed, ordered addresses, protocol, ports)).

import { createHash } from "node:crypto";

const TCP = 6;

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** `src`/`dst` are 4 or 16 address bytes. */
export function communityId(src: Uint8Array, srcPort: number, dst: Uint8Array, dstPort: number, seed = 0): string {
  const c = compare(src, dst);
  const swap = c > 0 || (c === 0 && srcPort > dstPort);
  const [a, ap, b, bp] = swap ? [dst, dstPort, src, srcPort] : [src, srcPort, dst, dstPort];
  const buf = new Uint8Array(2 + a.length * 2 + 2 + 4);
  const v = new DataView(buf.buffer);
  v.setUint16(0, seed);
  buf.set(a, 2);
  buf.set(b, 2 + a.length);
  let o = 2 + a.length * 2;
  buf[o++] = TCP;
  buf[o++] = 0;
  v.setUint16(o, ap);
  v.setUint16(o + 2, bp);
  return "1:" + createHash("sha1").update(buf).digest("base64");
}
