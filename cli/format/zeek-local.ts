// Zeek's local_orig and local_resp as Zeek fills them: an address is local when it lies in
// Site::local_nets, which by default (Site::private_address_space_is_local) holds
// Site::private_address_space: the blocks of IANA's IPv4 and IPv6 special-purpose address
// registries that are not globally routable, and each IPv4 block's 6to4 form under 2002::/16;
// and the site's own nets, the scan's localNets (--local-nets), beside them (sdk/lines/site-nets.ts).
// The WebAssembly line writer matches the same (assembly/lines/zeek-local.ts);
// test/cli/format/zeek-local.test.ts holds the two together.

import { parseCidr, parseIPv4, parseIPv6, prefixMatches } from "../../sdk/connections/cidr.js";
import { inSiteNets, siteNets, type SiteNet } from "../../sdk/lines/site-nets.js";

/** Zeek's default Site::private_address_space. */
export const ZEEK_PRIVATE_ADDRESS_SPACE: readonly string[] = [
  "0.0.0.0/8", "2002::/24", // "this network"
  "10.0.0.0/8", "2002:a00::/24", // private use
  "100.64.0.0/10", "2002:6440::/26", // shared address space (carrier-grade NAT)
  "127.0.0.0/8", "2002:7f00::/24", // loopback
  "169.254.0.0/16", "2002:a9fe::/32", // link local
  "172.16.0.0/12", "2002:ac10::/28", // private use
  "192.0.0.0/24", "2002:c000::/40", // IETF protocol assignments
  "192.0.2.0/24", "2002:c000:200::/40", // documentation
  "192.168.0.0/16", "2002:c0a8::/32", // private use
  "198.18.0.0/15", "2002:c612::/31", // benchmarking
  "198.51.100.0/24", "2002:c633:6400::/40", // documentation
  "203.0.113.0/24", "2002:cb00:7100::/40", // documentation
  "240.0.0.0/4", "2002:f000::/20", // reserved
  "255.255.255.255/32", "2002:ffff:ffff::/48", // limited broadcast
  "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:2::/48", "2001:db8::/32",
  "fc00::/7", "fe80::/10",
];

// Each block's version, length and bytes, made once.
const PREFIXES = ZEEK_PRIVATE_ADDRESS_SPACE.map(parseCidr).map((c) => ({ version: c.version, bits: c.bits, bytes: new Uint8Array(c.words.buffer) }));

/** Whether Zeek counts the address (`version` 4 or 6, 16 bytes at `at`, IPv4 in the first 4) as local. */
export function zeekLocal(version: number, bytes: Uint8Array, at: number): boolean {
  // Zeek holds every IPv4 address as its IPv4-mapped form (::ffff:a.b.c.d) and takes such an
  // IPv6 address for that IPv4 one: ::ffff:10.0.0.1 lies in 10.0.0.0/8.
  if (version === 6 && isIpv4Mapped(bytes, at)) return zeekLocal(4, bytes, at + 12);
  return PREFIXES.some((p) => p.version === version && prefixMatches(p.bytes, p.bits, bytes, at));
}

function isIpv4Mapped(bytes: Uint8Array, at: number): boolean {
  for (let k = 0; k < 10; k++) if (bytes[at + k] !== 0) return false;
  return bytes[at + 10] === 0xff && bytes[at + 11] === 0xff;
}

/** The same for an address as text ("192.168.1.1", "fe80::1"). */
export function zeekLocalText(address: string): boolean {
  const a = parsedAddress(address);
  return a !== null && zeekLocal(a.version, a.bytes, 0);
}

/** An address as text: its IP version and 16 bytes (IPv4 in the first 4), or null. */
function parsedAddress(address: string): { version: 4 | 6; bytes: Uint8Array } | null {
  const v6 = address.includes(":");
  const bytes = v6 ? parseIPv6(address) : parseIPv4(address);
  return bytes === null ? null : { version: v6 ? 6 : 4, bytes };
}

/** Zeek's local nets: the private address space and a site's own (none: Zeek's default). */
export class LocalNets {
  private readonly site: SiteNet[];

  constructor(localNets?: readonly string[]) {
    this.site = siteNets(localNets);
  }

  /** Whether the address (`version` 4 or 6, 16 bytes at `at`, IPv4 in the first 4) is local. */
  has(version: number, bytes: Uint8Array, at: number): boolean {
    return zeekLocal(version, bytes, at) || inSiteNets(this.site, version, bytes, at);
  }

  /** The same for an address as text. */
  hasText(address: string): boolean {
    const a = parsedAddress(address);
    return a !== null && this.has(a.version, a.bytes, 0);
  }
}

/** Zeek's default: the private address space alone. */
export const DEFAULT_LOCAL_NETS = new LocalNets();

/** The cell Zeek writes: "T" or "F". */
export const zeekBool = (local: boolean): string => (local ? "T" : "F");
