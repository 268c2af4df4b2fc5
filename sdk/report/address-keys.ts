// The report's map keys for addresses and server endpoints. Nearly every connection of
// short-connection traffic brings a server, server port or source not seen before, so each one
// costs map insertions (and, past the bound, deletions) under fresh keys: with string keys
// (the address, `${addr}|${port}`) each is a new string to build and hash, and every probe
// compares strings. An IPv4 address in its dotted form is keyed by its 32-bit value instead
// (a small integer), a server endpoint by value * 65536 + port; other addresses by the string.
// The mapping is one-to-one, so counts, distinct counts and pruning are as with the strings.

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

/** A host's key: an IPv4 address's value as a signed 32-bit integer, else the address. */
export function hostKey(addr: string): number | string {
  const v = ipv4Value(addr);
  return v >= 0 ? v | 0 : addr;
}

/** A server endpoint's key from its host's key (hostKey): value * 65536 + port for IPv4, else `${addr}|${port}`. */
export function endpointKey(host: number | string, port: number): number | string {
  return typeof host === "number" ? (host >>> 0) * 65536 + port : `${host}|${port}`;
}

/** The address a host key stands for (hostKey's inverse): an IPv4 value's dotted quad, else the key. */
export function hostAddress(key: number | string): string {
  if (typeof key === "string") return key;
  const v = key >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}
