// The address forms the filter reads, and the one the decoder prints for IPv4-mapped IPv6.

import { describe, it, expect } from "vitest";
import { parseHost, parseNet, netContains } from "../../../sdk/filter/address-values.js";
import { formatAddress } from "../../../sdk/decoder/packet-batch.js";

describe("filter address values", () => {
  it("reads hosts and endpoints in every printed form, canonical as records print them", () => {
    expect(parseHost("10.0.0.1")).toEqual({ addrs: ["10.0.0.1", "::ffff:10.0.0.1"], version: 4, port: null });
    expect(parseHost("10.0.0.1:443")).toEqual({ addrs: ["10.0.0.1", "::ffff:10.0.0.1"], version: 4, port: 443 });
    expect(parseHost("[2001:DB8:0::1]")).toEqual({ addrs: ["2001:db8::1"], version: 6, port: null });
    expect(parseHost("[2001:db8::1]:80")).toEqual({ addrs: ["2001:db8::1"], version: 6, port: 80 });
    expect(parseHost("::ffff:192.0.2.1")).toEqual({ addrs: ["::ffff:192.0.2.1", "192.0.2.1"], version: 6, port: null });
    expect(parseHost("::ffff:c000:201")).toEqual({ addrs: ["::ffff:192.0.2.1", "192.0.2.1"], version: 6, port: null });
    expect(parseHost("64:ff9b::192.0.2.1")).toEqual({ addrs: ["64:ff9b::c000:201"], version: 6, port: null });
    expect(parseHost("10.0.0.0/8")).toBe('is a prefix: use "net"');
    expect(parseHost("::ffff:1.2.3")).toBe("is not an IP address");
  });

  it("reads prefixes, masks and tcpdump's abbreviated networks", () => {
    const net = (t: string, m?: string) => { const n = parseNet(t, m); return typeof n === "string" ? n : `${n.version}/${n.bits}`; };
    expect(net("10.0.0.0/8")).toBe("4/8");
    expect(net("10.1")).toBe("4/16");
    expect(net("10.1.2")).toBe("4/24");
    expect(net("10.0.0.0", "255.255.240.0")).toBe("4/20");
    expect(net("0.0.0.0", "0.0.0.0")).toBe("4/0");
    expect(net("10.0.0.0", "0.0.0.0")).toBe("has bits set past its /0 prefix (the network is 0.0.0.0/0)");
    expect(net("10.0.0.0", "255.255.255.255")).toBe("4/32");
    expect(net("2001:db8::/32")).toBe("6/32");
    expect(net("10.0.0.0/8", "255.0.0.0")).toBe("is not a network prefix");
    // Bits set past the prefix, as tcpdump refuses them: most likely a typing slip.
    expect(net("10.0.0.1/8")).toBe("has bits set past its /8 prefix (the network is 10.0.0.0/8)");
    expect(net("10.1.2.3", "255.255.0.0")).toBe("has bits set past its /16 prefix (the network is 10.1.0.0/16)");
    expect(net("10.0.0.129/25")).toBe("has bits set past its /25 prefix (the network is 10.0.0.128/25)");
    expect(net("10.0.0.128/25")).toBe("4/25");
    expect(net("2001:db8::1/32")).toBe("has bits set past its /32 prefix (the network is 2001:db8::/32)");
    expect(net("1.2.3.4/32")).toBe("4/32");
    const n = parseNet("2001:db8::/32");
    if (typeof n === "string") throw new Error(n);
    expect(netContains(n, "2001:db8:1::5")).toBe(true);
    expect(netContains(n, "2001:db9::5")).toBe(false);
    expect(netContains(n, "10.0.0.1")).toBe(false);
  });

  it("an IPv4 prefix holds the mapped forms of its addresses, a mapped prefix the IPv4 ones, as host matches both", () => {
    const net = (t: string) => { const n = parseNet(t); if (typeof n === "string") throw new Error(n); return n; };
    expect(netContains(net("10.0.0.0/8"), "::ffff:10.9.8.7")).toBe(true);
    expect(netContains(net("10.0.0.0/8"), "::ffff:11.0.0.1")).toBe(false);
    expect(netContains(net("10.0.0.0/8"), "2001:db8::a00:1")).toBe(false); // not mapped
    expect(netContains(net("::ffff:10.0.0.0/104"), "10.1.2.3")).toBe(true);
    expect(netContains(net("::ffff:10.0.0.0/104"), "11.1.2.3")).toBe(false);
    expect(netContains(net("::/0"), "10.1.2.3")).toBe(false); // not within ::ffff:0:0/96
    expect(netContains(net("::ffff:0:0/96"), "192.0.2.1")).toBe(true);
  });

  it("prints IPv4-mapped IPv6 addresses with the dotted quad (RFC 5952, 5), others as before", () => {
    const bytes = (hex: string) => Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
    expect(formatAddress(bytes("00000000000000000000ffff0a000001"), 0, 6)).toBe("::ffff:10.0.0.1");
    expect(formatAddress(bytes("0000000000000000ffff00000a000001"), 0, 6)).toBe("::ffff:0:a00:1");
    expect(formatAddress(bytes("20010db8000000000000000000000001"), 0, 6)).toBe("2001:db8::1");
  });
});
