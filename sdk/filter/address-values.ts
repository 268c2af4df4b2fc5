// The address forms a filter accepts, in every way the tool and its neighbours print them:
// "10.0.0.1", "2001:db8::1", "[2001:db8::1]" (as the summary prints IPv6 endpoints),
// "10.0.0.1:80" and "[2001:db8::1]:80" (an endpoint: address and port on the same side),
// "::ffff:10.0.0.1" (IPv4-mapped), and prefixes: "10.0.0.0/8", "10.0.0.0 mask 255.0.0.0",
// "10.1" (tcpdump's abbreviated network, 10.1.0.0/16), "2001:db8::/32".

import { parseIPv4, parseIPv6 } from "../connections/cidr.js";
import { formatAddress } from "../decoder/packet-batch.js";

export interface HostValue {
  /** The address as records print it; an IPv4 address and its IPv4-mapped IPv6 form both. */
  addrs: string[];
  version: 4 | 6;
  /** Set by the endpoint forms ("10.0.0.1:80", "[2001:db8::1]:80"). */
  port: number | null;
}

export interface NetValue {
  version: 4 | 6;
  /** 16 bytes, the prefix's bits first. */
  bytes: Uint8Array;
  bits: number;
}

const isMapped = (b: Uint8Array) => b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;

/** A host or endpoint, or a reason why not. */
export function parseHost(text: string): HostValue | string {
  let addr = text, portText: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  const v4Endpoint = /^(\d+\.\d+\.\d+\.\d+):(.*)$/.exec(text);
  if (bracketed) [, addr, portText] = bracketed as unknown as [string, string, string | undefined];
  else if (v4Endpoint) [, addr, portText] = v4Endpoint as unknown as [string, string, string];
  let port: number | null = null;
  if (portText !== undefined) {
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) return `"${portText}" is not a port number`;
    port = Number(portText);
  }
  if (addr.includes("/")) return "is a prefix: use \"net\"";
  if (addr.includes(":")) {
    const b = parseIPv6(addr);
    if (!b) return "is not an IP address";
    const canonical = formatAddress(b, 0, 6);
    return { addrs: isMapped(b) ? [canonical, formatAddress(b, 12, 4)] : [canonical], version: 6, port };
  }
  const b = parseIPv4(addr);
  if (!b) return /^[a-z]/i.test(addr) ? "is not an IP address (host names are not looked up)" : "is not an IP address";
  const canonical = formatAddress(b, 0, 4);
  return { addrs: [canonical, `::ffff:${canonical}`], version: 4, port };
}

/** A prefix ("10.0.0.0/8", "10.1", "2001:db8::/32"), with an optional dotted mask; or why not. */
export function parseNet(text: string, mask?: string): NetValue | string {
  const [rawAddr, bitsText, extra] = text.split("/");
  if (extra !== undefined || (bitsText !== undefined && mask !== undefined)) return "is not a network prefix";
  const addr = /^\[.*\]$/.test(rawAddr!) ? rawAddr!.slice(1, -1) : rawAddr!;
  let bytes: Uint8Array | null, version: 4 | 6, bits: number;
  if (addr.includes(":")) {
    bytes = parseIPv6(addr);
    version = 6;
    bits = 128;
  } else {
    // tcpdump's abbreviated networks: "10" is 10.0.0.0/8, "10.1" 10.1.0.0/16, "10.1.2" /24.
    const octets = addr.split(".");
    const short = octets.length < 4 && octets.every((o) => /^\d{1,3}$/.test(o));
    bytes = parseIPv4(short ? [...octets, ...Array(4 - octets.length).fill("0")].join(".") : addr);
    version = 4;
    bits = short ? 8 * octets.length : 32;
  }
  if (!bytes) return "is not a network prefix";
  if (bitsText !== undefined) {
    if (!/^\d+$/.test(bitsText) || Number(bitsText) > (version === 4 ? 32 : 128)) return `has a prefix length out of range ("/${bitsText}")`;
    bits = Number(bitsText);
  } else if (mask !== undefined) {
    const m = version === 4 ? parseIPv4(mask) : null;
    const maskBits = m ? contiguousBits(m.subarray(0, 4)) : -1;
    if (maskBits < 0) return `has a mask that is not a contiguous IPv4 netmask ("${mask}")`;
    bits = maskBits;
  }
  // As tcpdump: an address with bits set past the prefix is most likely a typing slip.
  const network = bytes.map((byte, i) => (i < bits >> 3 ? byte : i === bits >> 3 ? byte & ~(0xff >> (bits & 7)) : 0));
  if (network.some((byte, i) => byte !== bytes![i])) return `has bits set past its /${bits} prefix (the network is ${formatAddress(network, 0, version)}/${bits})`;
  return { version, bytes, bits };
}

function contiguousBits(mask: Uint8Array): number {
  const m = ((mask[0]! << 24) | (mask[1]! << 16) | (mask[2]! << 8) | mask[3]!) >>> 0;
  const bits = Math.clz32(~m);
  return (bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0) === m ? bits : -1;
}

/**
 * Whether a record's address (as printed) lies in the prefix. As `host` does, an IPv4 prefix
 * takes the IPv4-mapped form of its addresses too (10.0.0.0/8 holds ::ffff:10.0.0.1), and a
 * prefix inside ::ffff:0:0/96 the IPv4 addresses it maps; ::/0 holds no IPv4 address.
 */
export function netContains(net: NetValue, addr: string): boolean {
  const v6 = addr.includes(":");
  const bytes = v6 ? parseIPv6(addr) : parseIPv4(addr);
  if (!bytes) return false;
  if (v6 === (net.version === 6)) return prefixHolds(net.bytes, net.bits, bytes);
  if (v6) return isMapped(bytes) && prefixHolds(net.bytes, net.bits, bytes.subarray(12)); // an IPv4 prefix, a mapped address
  return net.bits >= 96 && isMapped(net.bytes) && prefixHolds(net.bytes.subarray(12), net.bits - 96, bytes); // IPv4 in a mapped prefix
}

// Whether the first `bits` bits of `addr` are the prefix's.
function prefixHolds(prefix: Uint8Array, bits: number, addr: Uint8Array): boolean {
  for (let k = 0; bits > 0; k++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((addr[k]! & mask) !== (prefix[k]! & mask)) return false;
  }
  return true;
}
