// A site's own local nets (the scan's `localNets`, Zeek's Site::local_nets): what the zeek
// format's local_orig and local_resp count as local beside the private address space, as Zeek
// does by default (Site::private_address_space_is_local). Zeek keeps every subnet on 128 bits,
// an IPv4 one as its IPv4-mapped form (::ffff:a.b.c.d/96+n), and matches an IPv4 address in
// that form too: so do these, in the JavaScript writers (cli/format/zeek-local.ts) and in the
// WebAssembly one (assembly/lines/zeek-local.ts, given them by WasmLineWriter).

import { parseCidr, prefixMatches } from "../connections/cidr.js";

/** At most this many (the WebAssembly writer's room). */
export const MAX_LOCAL_NETS = 256;

/** A net on 128 bits: its 16 bytes in network order and its prefix length. */
export interface SiteNet { bytes: Uint8Array; bits: number }

/** The nets of `texts` ("203.0.113.0/24", "2001:db8::/32", a bare address), in Zeek's 128-bit form. */
export function siteNets(texts: readonly string[] | undefined): SiteNet[] {
  return (texts ?? []).map((text) => {
    const cidr = parseCidr(text);
    const given = new Uint8Array(cidr.words.buffer);
    if (cidr.version === 6) return { bytes: given, bits: cidr.bits };
    return { bytes: mapped(given, 0), bits: 96 + cidr.bits };
  });
}

/** The IPv4 address at bytes[at..at+4) as ::ffff:a.b.c.d, in `out` (its first 10 bytes zero). */
export function mapped(bytes: Uint8Array, at: number, out = new Uint8Array(16)): Uint8Array {
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(bytes.subarray(at, at + 4), 12);
  return out;
}

/** Whether the address (`version` 4 or 6; 16 bytes at `at`, IPv4 in the first 4) lies in one of `nets`. */
export function inSiteNets(nets: readonly SiteNet[], version: number, bytes: Uint8Array, at: number): boolean {
  if (nets.length === 0) return false;
  let address = bytes, from = at;
  if (version === 4) { address = mapped(bytes, at, MAPPED); from = 0; }
  return nets.some((n) => prefixMatches(n.bytes, n.bits, address, from));
}

// An IPv4 address's mapped form, written over for each one matched (a zeek row matches two).
const MAPPED = new Uint8Array(16);

/** The four big-endian words of a net's address, as the WebAssembly writer takes them. */
export function netWords(net: SiteNet): [number, number, number, number] {
  const view = new DataView(net.bytes.buffer, net.bytes.byteOffset, 16);
  return [view.getUint32(0), view.getUint32(4), view.getUint32(8), view.getUint32(12)];
}
