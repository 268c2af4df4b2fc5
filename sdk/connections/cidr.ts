// CIDR prefixes ("192.168.0.0/16", "2001:db8::/32") matched against addresses stored as
// 32-bit words in network byte order (as the decoder's records hold them).

export interface Cidr {
  version: 4 | 6;
  /** The prefix as 4 words, each read little-endian from the network-order bytes. */
  words: Uint32Array;
  bits: number;
}

export function parseIPv6(text: string): Uint8Array | null {
  // A trailing dotted quad ("::ffff:192.0.2.1", RFC 4291 2.2) stands for the last two groups.
  const quad = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const v4 = parseIPv4(quad[2]!);
    if (!v4) return null;
    text = `${quad[1]}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const parts = text.split("::");
  if (parts.length > 2) return null;
  const head = parts[0] ? parts[0].split(":") : [];
  const tail = parts.length === 2 && parts[1] ? parts[1].split(":") : [];
  const fill = 8 - head.length - tail.length;
  if (parts.length === 1 ? fill !== 0 : fill < 0) return null;
  const groups = [...head, ...Array(parts.length === 2 ? fill : 0).fill("0"), ...tail];
  const bytes = new Uint8Array(16);
  for (let k = 0; k < 8; k++) {
    if (!/^[0-9a-f]{1,4}$/i.test(groups[k]!)) return null;
    const v = parseInt(groups[k]!, 16);
    bytes[2 * k] = v >> 8;
    bytes[2 * k + 1] = v & 255;
  }
  return bytes;
}

export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  const bytes = new Uint8Array(16);
  parts.forEach((p, k) => { bytes[k] = Number(p); });
  return bytes;
}

/** Parses "addr/bits" (or a bare address); throws with the offending text. */
export function parseCidr(text: string): Cidr {
  const [addr, bitsText] = text.trim().split("/") as [string, string | undefined];
  const v6 = addr.includes(":");
  const bytes = v6 ? parseIPv6(addr) : parseIPv4(addr);
  const max = v6 ? 128 : 32;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (!bytes || !Number.isInteger(bits) || bits < 0 || bits > max) throw new Error(`not an address or CIDR prefix: "${text}"`);
  return { version: v6 ? 6 : 4, words: new Uint32Array(bytes.buffer), bits };
}

/** Whether the address in words[at..at+4) (of the given IP version) lies in the prefix. */
export function cidrContains(c: Cidr, version: number, words: Uint32Array, at: number): boolean {
  return c.version === version
    && prefixMatches(new Uint8Array(c.words.buffer), c.bits, new Uint8Array(words.buffer, words.byteOffset + at * 4, 16), 0);
}

/** Whether the address at bytes[at..] begins with the first `bits` bits of `prefix` (network order). */
export function prefixMatches(prefix: Uint8Array, bits: number, bytes: Uint8Array, at: number): boolean {
  for (let k = 0; bits > 0; k++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[at + k]! & mask) !== (prefix[k]! & mask)) return false;
  }
  return true;
}
