// Addresses and endpoints as text.

/** "addr:port", with the IPv6 address in brackets: "[2001:db8::1]:443". */
export function formatEndpoint(addr: string, port: number): string {
  return addr.includes(":") ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** Formats a 4- or 16-byte address stored at `offset` of `bytes` (RFC 5952 for IPv6). */
export function formatAddress(bytes: Uint8Array, offset: number, version: number): string {
  if (version === 4) {
    return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
  }
  const words: number[] = [];
  for (let k = 0; k < 16; k += 2) words.push((bytes[offset + k]! << 8) | bytes[offset + k + 1]!);
  // IPv4-mapped addresses end in the dotted quad, as RFC 5952 (5) and Wireshark print them.
  if (isIpv4Mapped(words)) {
    return `::ffff:${formatAddress(bytes, offset + 12, 4)}`;
  }
  const run = zeroRun(words);
  const bestStart = run < 0 ? -1 : run >> 4, bestLen = run < 0 ? 0 : run & 15;
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(":");
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

/** Whether an IPv6 address's eight groups are an IPv4-mapped address (::ffff:a.b.c.d). */
export function isIpv4Mapped(w: ArrayLike<number>): boolean {
  return w[5] === 0xffff && w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0;
}

/**
 * The run of zero groups of an IPv6 address's eight that RFC 5952 writes as "::": the longest of
 * two or more (the first on ties), as start * 16 + length; -1 for none.
 */
export function zeroRun(words: ArrayLike<number>): number {
  let bestStart = -1, bestLen = 0;
  for (let k = 0; k < 8;) {
    if (words[k] !== 0) { k++; continue; }
    let e = k;
    while (e < 8 && words[e] === 0) e++;
    if (e - k > bestLen && e - k >= 2) { bestStart = k; bestLen = e - k; }
    k = e;
  }
  return bestStart < 0 ? -1 : bestStart * 16 + bestLen;
}
