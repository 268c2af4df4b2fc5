// Zeek's local_orig and local_resp (cli/format/zeek-local.ts, and the WebAssembly line writer's
// masks in assembly/lines/zeek-local.ts): the two agree at both ends of every block of Zeek's
// private address space, one address past each end and on random addresses of both versions,
// and give what Zeek's default gives on addresses of each kind; with a site's own nets, those
// too, in both writers. (The corpus's Zeek baselines
// hold the column itself: test/corpus/zeek-conformance.test.ts.)

import { describe, it, expect } from "vitest";
import { instantiateTracker } from "../../../sdk/connections/tracker-module.js";
import { parseCidr } from "../../../sdk/connections/cidr.js";
import { ZEEK_PRIVATE_ADDRESS_SPACE, zeekLocal, zeekLocalText, LocalNets } from "../../../cli/format/zeek-local.js";
import { WasmLineWriter } from "../../../sdk/lines/wasm-lines.js";
import { rng } from "../../helpers/decode.js";

const wasm = instantiateTracker();
const at = wasm.linesScratchPtr();

function wasmLocal(version: number, bytes: Uint8Array): boolean {
  new Uint8Array(wasm.memory.buffer, at, 16).set(bytes);
  return wasm.zeekLocalAddress(at, version) !== 0;
}

/** The address `delta` (-1, 0 or +1) from the first (`last` false) or last address of a prefix. */
function edge(text: string, last: boolean, delta: number): { version: number; bytes: Uint8Array } {
  const c = parseCidr(text);
  const bytes = new Uint8Array(16);
  bytes.set(new Uint8Array(c.words.buffer));
  const size = c.version === 4 ? 4 : 16;
  for (let bit = c.bits; bit < size * 8; bit++) {
    const k = bit >> 3, m = 0x80 >> (bit & 7);
    if (last) bytes[k]! |= m; else bytes[k]! &= ~m;
  }
  // Add delta to the address as a big-endian number of `size` bytes (wrapping at its ends).
  let carry = delta;
  for (let k = size - 1; k >= 0 && carry !== 0; k--) {
    const v = bytes[k]! + carry;
    bytes[k] = v & 0xff;
    carry = v < 0 ? -1 : v > 0xff ? 1 : 0;
  }
  return { version: c.version, bytes };
}

describe("Zeek's local addresses", () => {
  it("agree between the reference list and the WebAssembly masks at every block's ends and just past them", () => {
    let checked = 0;
    for (const block of ZEEK_PRIVATE_ADDRESS_SPACE) {
      for (const last of [false, true]) {
        for (const delta of [-1, 0, 1]) {
          const { version, bytes } = edge(block, last, delta);
          const want = zeekLocal(version, bytes, 0);
          if (delta === 0) expect(want, `${block} ${last ? "last" : "first"}`).toBe(true);
          expect(wasmLocal(version, bytes), `${block} ${last ? "last" : "first"} ${delta}`).toBe(want);
          checked++;
        }
      }
    }
    expect(checked).toBe(ZEEK_PRIVATE_ADDRESS_SPACE.length * 6);
  });

  it("agree on random addresses of both versions, and on random ones under 2002::/16 and 2001::/16", () => {
    const random = rng(41);
    let locals = 0;
    for (let n = 0; n < 40_000; n++) {
      const version = n % 2 === 0 ? 4 : 6;
      const bytes = new Uint8Array(16);
      for (let k = 0; k < (version === 4 ? 4 : 16); k++) bytes[k] = Math.floor(random() * 256);
      if (version === 6 && n % 4 === 1) { bytes[0] = 0x20; bytes[1] = n % 8 === 1 ? 0x02 : 0x01; }
      const want = zeekLocal(version, bytes, 0);
      if (want) locals++;
      expect(wasmLocal(version, bytes), `${version} ${Array.from(bytes).join(".")}`).toBe(want);
    }
    expect(locals).toBeGreaterThan(1000);
  });

  it("are Zeek's default: private, loopback, link-local, documentation and 6to4 forms of them local; routable addresses not", () => {
    const local = ["10.1.2.3", "172.31.255.255", "192.168.10.138", "127.0.0.1", "169.254.1.1", "100.64.0.1", "0.1.2.3",
      "192.0.2.7", "198.19.255.255", "240.0.0.1", "255.255.255.255", "::", "::1", "fe80::1", "fd00:99::1",
      "2001:db8::5", "2001:0:4137:9e50:8000:f12a:b9c8:2815", "2002:c0a8:101::1", "2002:a00:1::", "64:ff9b:1::1", "100::ffff"];
    const routable = ["8.8.8.8", "141.142.220.235", "172.32.0.1", "192.169.0.1", "100.128.0.1", "198.20.0.1", "239.255.255.255",
      "::2", "2001:4860:0:2001::68", "2002:808:808::1", "2003::1", "64:ff9b::808:808", "100:0:0:1::1", "fec0::1", "2606:4700::1111"];
    for (const a of local) expect(zeekLocalText(a), a).toBe(true);
    for (const a of routable) expect(zeekLocalText(a), a).toBe(false);
  });

  it("take an IPv4-mapped address (::ffff:a.b.c.d) for the IPv4 address it maps, as Zeek, which holds IPv4 addresses so, does", () => {
    const cases: [string, boolean][] = [
      ["::ffff:10.0.0.1", true], ["::ffff:192.168.1.1", true], ["::ffff:127.0.0.1", true], ["::ffff:169.254.1.1", true],
      ["::ffff:255.255.255.255", true], ["::ffff:0.0.0.0", true], ["::ffff:8.8.8.8", false], ["::ffff:172.32.0.1", false],
      // Not mapped: IPv4-compatible (::a.b.c.d) and ::ffff:0:a.b.c.d (IPv4-translated) are IPv6 to Zeek.
      ["::10.0.0.1", false], ["::ffff:0:a00:1", false], ["0:0:0:0:1:ffff:a00:1", false],
    ];
    for (const [text, want] of cases) {
      expect(zeekLocalText(text), text).toBe(want);
      const c = parseCidr(`${text}/128`);
      expect(wasmLocal(6, new Uint8Array(c.words.buffer)), text).toBe(want);
    }
  });

  it("with a site's own nets (localNets): those too, as Zeek's Site::local_nets on 128 bits (IPv4 in its mapped form), the same in both writers", () => {
    const nets = ["203.0.113.128/25", "8.8.8.8", "2606:4700::/32", "::ffff:1.1.0.0/112", "64:ff9b::/96", "0.0.0.0/1"];
    const site = new LocalNets(nets.slice(0, 5));
    const own = instantiateTracker();
    new WasmLineWriter(own, 1, "zeek", nets.slice(0, 5)); // sets the instance's nets
    const ownAt = own.linesScratchPtr();
    const ownLocal = (version: number, bytes: Uint8Array) => {
      new Uint8Array(own.memory.buffer, ownAt, 16).set(bytes);
      return own.zeekLocalAddress(ownAt, version) !== 0;
    };
    const cases: [string, boolean][] = [
      ["203.0.113.200", true], ["203.0.113.127", true], // the second one private anyway (documentation)
      ["8.8.8.8", true], ["8.8.8.9", false], ["::ffff:8.8.8.8", true], ["2606:4700:1::1", true], ["2606:4701::1", false],
      ["1.1.255.255", true], ["1.2.0.0", false], ["::ffff:1.1.3.4", true], ["64:ff9b::808:808", true], ["10.0.0.1", true], ["9.9.9.9", false],
      // An IPv4 net against IPv6 addresses that are not mapped ones: none of them (::808:808 is IPv4-compatible, IPv6 to Zeek).
      ["::808:808", false], ["2002:808:808::1", false], ["::ffff:0:808:808", false],
    ];
    for (const [text, want] of cases) {
      expect(site.hasText(text), text).toBe(want);
      const v6 = text.includes(":"), c = parseCidr(text);
      const bytes = new Uint8Array(c.words.buffer);
      expect(site.has(v6 ? 6 : 4, bytes, 0), text).toBe(want);
      expect(ownLocal(v6 ? 6 : 4, bytes), text).toBe(want);
    }
    // Random addresses against a net of every length, both versions.
    const random = rng(7);
    for (let n = 0; n < 2_000; n++) {
      const version = n % 2 === 0 ? 4 : 6;
      const bits = Math.floor(random() * (version === 4 ? 33 : 129));
      const base = new Uint8Array(16), probe = new Uint8Array(16);
      for (let k = 0; k < (version === 4 ? 4 : 16); k++) { base[k] = Math.floor(random() * 256); probe[k] = base[k]!; }
      // The probe shares the net's first bits (or not, half the time).
      const flip = Math.floor(random() * (version === 4 ? 32 : 128));
      if (n % 4 < 2) probe[flip >> 3]! ^= 0x80 >> (flip & 7);
      const text = version === 4 ? `${base.slice(0, 4).join(".")}/${bits}` : `${hex6(base)}/${bits}`;
      const one = new LocalNets([text]);
      new WasmLineWriter(own, 1, "zeek", [text]);
      expect(ownLocal(version, probe), text).toBe(one.has(version, probe, 0));
    }
    // The default again: an instance set without nets forgets them.
    new WasmLineWriter(own, 1, "zeek");
    expect(ownLocal(4, new Uint8Array([8, 8, 8, 8, ...new Uint8Array(12)]))).toBe(false);
    expect(wasmLocal(4, new Uint8Array([8, 8, 8, 8, ...new Uint8Array(12)]))).toBe(false);
    expect(new LocalNets([nets[5]!]).hasText("100.1.1.1")).toBe(true);
    // IPv6 nets against IPv4 addresses, as Zeek's 128-bit subnets: ::/0 holds every address, 2000::/3 no IPv4 one.
    for (const [net, address, want] of [["::/0", "9.9.9.9", true], ["::ffff:0:0/96", "9.9.9.9", true], ["2000::/3", "9.9.9.9", false], ["0.0.0.0/0", "2606:4700::1", false]] as const) {
      expect(new LocalNets([net]).hasText(address), `${net} ${address}`).toBe(want);
      new WasmLineWriter(own, 1, "zeek", [net]);
      const c = parseCidr(address);
      expect(ownLocal(c.version, new Uint8Array(c.words.buffer)), `${net} ${address}`).toBe(want);
    }
  });
});

function hex6(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let k = 0; k < 16; k += 2) groups.push(((bytes[k]! << 8) | bytes[k + 1]!).toString(16));
  return groups.join(":");
}
