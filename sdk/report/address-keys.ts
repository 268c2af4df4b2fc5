// The report's map keys for addresses and server endpoints. Nearly every connection of
// short-connection traffic brings a server, server port or source not seen before, so each one
// costs map insertions (and, past the bound, deletions) under fresh keys: with string keys
// (the address, `${addr}|${port}`) each is a new string to build and hash, and every probe
// compares strings. An IPv4 address in its dotted form is keyed by its 32-bit value instead
// (a small integer), a server endpoint by value * 65536 + port; an IPv6 address by its 16 bytes
// as a short string (ipv6Key: from the store's key words, with no address text made), its
// endpoint by that and the port as one more code unit; anything else by its text (textKey). The mapping is
// one-to-one, so counts, distinct counts and pruning are as with the strings, and hostAddress
// gives the text back.

import { formatAddress } from "../decoder/addresses.js";

/** The 32-bit value of a dotted-quad IPv4 address as formatted (no leading zeros); else -1. */
export function ipv4Value(addr: string): number {
  const n = addr.length;
  if (n < 7 || n > 15) return -1;
  let value = 0, part = 0, digits = 0, parts = 0;
  for (let i = 0; i <= n; i++) {
    const ch = i < n ? addr.charCodeAt(i) : 46; // a final '.' closes the last part
    if (ch === 46) {
      if (digits === 0 || part > 255) return -1;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else if (ch >= 48 && ch <= 57) {
      if (digits === 1 && part === 0) return -1; // a leading zero: not the formatted form
      part = part * 10 + (ch - 48);
      digits++;
    } else return -1;
  }
  return parts === 4 ? value : -1;
}

/**
 * A host's key: an IPv4 address's value as a signed 32-bit integer, an IPv6 address's ipv6Key
 * when the text is the address as formatted (as every record's is; other spellings of it stay
 * text, as they were keyed before, and are not merged with it), else the text (escaped when it
 * could be taken for an IPv6 key: textKey).
 */
export function hostKey(addr: string): number | string {
  const v = ipv4Value(addr);
  if (v >= 0) return v | 0;
  return readIPv6(addr, parsed) && formatAddress(parsed, 0, 6) === addr ? ipv6Key(parsed, 0) : textKey(addr);
}

// readIPv6's output and its groups, reused: hostKey runs for every record's addresses.
const parsed = new Uint8Array(16);
const groups = new Uint16Array(8);

/**
 * The 16 bytes of IPv6 text into `out` in one pass with no allocation (cidr.ts's parseIPv6, with
 * its regular expressions, took ~1.2 µs an address); false when it is none. Only the formatted
 * text need be read right: hostKey keeps the key only when the bytes format back to the text.
 */
function readIPv6(addr: string, out: Uint8Array): boolean {
  const len = addr.length;
  let n = 0, gap = -1, i = 0;
  if (len < 2) return false;
  if (addr.charCodeAt(0) === 58 && addr.charCodeAt(1) === 58) { gap = 0; i = 2; }
  while (i < len) {
    let value = 0, digits = 0;
    const start = i;
    for (; i < len; i++) {
      const h = hexValue(addr.charCodeAt(i));
      if (h < 0) break;
      value = value * 16 + h;
      if (++digits > 4) return false;
    }
    if (i < len && addr.charCodeAt(i) === 46) { // a dotted quad: the last two groups
      const v4 = ipv4Value(addr.slice(start));
      if (v4 < 0 || n > 6) return false;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      i = len;
      break;
    }
    if (digits === 0 || n === 8) return false;
    groups[n++] = value;
    if (i === len) break;
    if (addr.charCodeAt(i) !== 58 || ++i === len) return false; // ':' and something after it
    if (addr.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = n;
      if (++i === len) break;
    }
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  const zeros = gap < 0 ? 0 : 8 - n;
  for (let w = 0, g = 0; w < 8; w++) {
    const group = gap >= 0 && w >= gap && w < gap + zeros ? 0 : groups[g++]!;
    out[2 * w] = group >> 8;
    out[2 * w + 1] = group & 255;
  }
  return true;
}

const hexValue = (c: number) => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1);

// An IPv6 key starts with this code unit, which no address text does. Text keys are the text,
// but for one that starts with it or with the escape itself: that gets the escape in front
// (hostAddress takes it off).
const IPV6_KEY = 0;
const ESCAPE = 1;
function textKey(addr: string): string {
  const first = addr.charCodeAt(0);
  return first === IPV6_KEY || first === ESCAPE ? String.fromCharCode(ESCAPE) + addr : addr;
}

/** The key of the IPv6 address in bytes[at, at + 16): a NUL, then its eight 16-bit groups as code units. */
export function ipv6Key(b: ArrayLike<number>, at: number): string {
  return String.fromCharCode(IPV6_KEY,
    (b[at]! << 8) | b[at + 1]!, (b[at + 2]! << 8) | b[at + 3]!, (b[at + 4]! << 8) | b[at + 5]!, (b[at + 6]! << 8) | b[at + 7]!,
    (b[at + 8]! << 8) | b[at + 9]!, (b[at + 10]! << 8) | b[at + 11]!, (b[at + 12]! << 8) | b[at + 13]!, (b[at + 14]! << 8) | b[at + 15]!);
}

const isIpv6Key = (key: string) => key.length === 9 && key.charCodeAt(0) === IPV6_KEY;

/**
 * A server endpoint's key from its host's key (hostKey): value * 65536 + port for IPv4, the
 * IPv6 key and the port as a tenth code unit, else `${addr}|${port}`.
 */
export function endpointKey(host: number | string, port: number): number | string {
  if (typeof host === "number") return (host >>> 0) * 65536 + port;
  // (A port that is no 16-bit number, from a record made by hand, keeps its text: still one key a port.)
  return isIpv6Key(host) && port === (port & 0xffff) ? host + String.fromCharCode(port) : `${host}|${port}`;
}

/** The address a host key stands for (hostKey's inverse): an IPv4 value's dotted quad, an IPv6 key's address, else the key. */
export function hostAddress(key: number | string): string {
  if (typeof key === "string") {
    if (key.charCodeAt(0) === ESCAPE) return key.slice(1);
    if (!isIpv6Key(key)) return key;
    const bytes = new Uint8Array(16);
    for (let k = 0; k < 8; k++) {
      const group = key.charCodeAt(k + 1);
      bytes[2 * k] = group >> 8;
      bytes[2 * k + 1] = group & 255;
    }
    return formatAddress(bytes, 0, 6);
  }
  const v = key >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}
