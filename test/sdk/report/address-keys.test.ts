import { describe, it, expect } from "vitest";
import { endpointKey, hostAddress, hostKey, ipv4Value, ipv6Key } from "../../../sdk/report/address-keys.js";
import { rng } from "../../helpers/decode.js";
import { parseIPv6 } from "../../../sdk/connections/cidr.js";
import { formatAddress } from "../../../sdk/decoder/addresses.js";

describe("address keys", () => {
  it("reads dotted-quad IPv4 addresses as formatted, and nothing else", () => {
    expect(ipv4Value("0.0.0.0")).toBe(0);
    expect(ipv4Value("10.0.0.2")).toBe(0x0a000002);
    expect(ipv4Value("255.255.255.255")).toBe(0xffffffff);
    for (const other of ["", "1.2.3", "1.2.3.4.5", "1.2.3.256", "01.2.3.4", "1.2.3.04", "1..2.3", "1.2.3.", "::1", "fd00::ab8:8838", "::ffff:1.2.3.4", "a.b.c.d", "1.2.3.4 "]) {
      expect(ipv4Value(other), other).toBe(-1);
    }
  });

  it("gives distinct addresses and endpoints distinct keys", () => {
    const random = rng(16);
    const hosts = new Map<number | string, string>(), endpoints = new Map<number | string, string>();
    for (let k = 0; k < 20_000; k++) {
      const addr = random() < 0.8
        ? Array.from({ length: 4 }, () => Math.floor(random() * 256)).join(".")
        : `fd00::${Math.floor(random() * 65536).toString(16)}`;
      const port = Math.floor(random() * 65536);
      expect(hostAddress(hostKey(addr))).toBe(addr);
      const host = hosts.get(hostKey(addr));
      expect(host === undefined || host === addr).toBe(true);
      hosts.set(hostKey(addr), addr);
      const endpoint = endpoints.get(endpointKey(hostKey(addr), port));
      expect(endpoint === undefined || endpoint === `${addr}|${port}`).toBe(true);
      endpoints.set(endpointKey(hostKey(addr), port), `${addr}|${port}`);
    }
    expect(endpointKey(hostKey("10.0.0.1"), 65535)).not.toBe(endpointKey(hostKey("10.0.0.2"), 0));
    expect(hostKey("128.0.0.0")).not.toBe(hostKey("0.0.0.0"));
    for (const addr of ["0.0.0.0", "128.0.0.0", "255.255.255.255", "192.168.1.10", "::ffff:10.0.0.1"]) expect(hostAddress(hostKey(addr))).toBe(addr);
    expect(typeof hostKey("10.0.0.1")).toBe("number");
    // An IPv6 address as formatted is keyed by its bytes (ipv6Key: what the store's key words
    // give without any text); its endpoints by that and the port.
    expect(hostKey("fd00::1")).toBe(ipv6Key(Uint8Array.of(0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), 0));
    expect(endpointKey(hostKey("fd00::1"), 80)).not.toBe(endpointKey(hostKey("fd00::1"), 81));
    expect(endpointKey(hostKey("::"), 0xd800)).not.toBe(hostKey("::"));
    // Another spelling of an IPv6 address (from a record made by hand) stays its own text key,
    // as keys were text before: not merged with the address as formatted.
    expect(hostKey("2001:DB8::1")).toBe("2001:DB8::1");
    expect(hostKey("2001:DB8::1")).not.toBe(hostKey("2001:db8::1"));
    // A port that is no 16-bit number is still a key of its own.
    expect(endpointKey(hostKey("2001:db8::2"), 65616)).not.toBe(endpointKey(hostKey("2001:db8::2"), 80));
    // Text that could be taken for an IPv6 key is escaped, and given back as it was.
    const odd = "\u0000abcdefgh";
    expect(hostKey(odd)).not.toBe(odd);
    expect(hostAddress(hostKey(odd))).toBe(odd);
    expect(hostAddress(hostKey("\u0001x"))).toBe("\u0001x");
    // Text that is no address keeps its text.
    expect(hostKey("not an address")).toBe("not an address");
    expect(endpointKey(hostKey("not an address"), 80)).toBe("not an address|80");
    expect(hostAddress("not an address")).toBe("not an address");
  });

  it("keys IPv6 text by the bytes cidr.ts's parser reads from it, exactly when the text is the address as formatted", () => {
    const random = rng(52);
    const texts = ["::", "::1", "1::", "::ffff:10.0.0.1", "::ffff:a00:1", "1:2:3:4:5:6:7:8", "1:0:0:4:5:6:7:8", "1::4:5:6:7:8",
      ":::", "1:::2", "1:2", ":", "1:", ":1", "::1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "12345::", "g::", "FD00::1", "fd00:0::1", "::ffff:256.0.0.1"];
    for (let k = 0; k < 5000; k++) {
      const bytes = Uint8Array.from({ length: 16 }, () => (random() < 0.5 ? 0 : Math.floor(random() * 256)));
      if (k % 20 === 0) { bytes.fill(0, 0, 10); bytes[10] = 255; bytes[11] = 255; }
      const text = formatAddress(bytes, 0, 6);
      texts.push(text, text.toUpperCase(), text.replace("::", ":0::"), text.slice(0, -1));
    }
    for (const text of texts) {
      const bytes = parseIPv6(text);
      const want = bytes && formatAddress(bytes, 0, 6) === text ? ipv6Key(bytes, 0) : text;
      expect(hostKey(text), text).toBe(want);
    }
  });
});
