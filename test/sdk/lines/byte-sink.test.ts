// ByteSink writes numbers and strings as JSON.stringify does: integers digit by digit, fractions
// of up to 9 decimals from their nanoparts (sdk/lines/byte-sink.ts, decimal()), anything else
// through String(); strings with escapes or past ASCII through JSON.stringify and UTF-8.

import { describe, it, expect } from "vitest";
import { ByteSink, epochDigits, FixedBytes } from "../../../sdk/lines/byte-sink.js";
import { epochString } from "../../../sdk/decoder/timestamp.js";
import { formatAddress } from "../../../sdk/decoder/addresses.js";
import { rng } from "../../helpers/decode.js";

const out = new ByteSink(new ArrayBuffer(8));
const asJson = (write: () => void) => {
  write();
  return Buffer.from(out.takeCopy()).toString("utf8");
};

describe("ByteSink", () => {
  it("writes numbers as JSON.stringify does, on the record's kinds of numbers and at the edges", () => {
    const random = rng(5);
    const values: number[] = [
      0, -0, 1, 9, 10, 2 ** 31 - 1, 2 ** 31, 2 ** 53, -(2 ** 31), -7, NaN, Infinity, -Infinity, 5e-324, 1e21, 1e-7,
      1e-6, 9.99999e-7, 999999.999999999, 1e6, 1e6 - 1e-9, 0.1, 0.2, 0.3, 1 / 3, 123.456, -0.5, -123.000001,
    ];
    for (let i = 0; i < 20000; i++) {
      const r = random();
      values.push(
        Math.round((r * 1e4 - 100) * 1e6) / 1000, // microseconds to the nanosecond, negative too
        Math.round(r * 1e7) / 10, // handshake RTTs
        Math.round(r * 1e14) / 1e9, // durations
        Math.round(r * 2e15) / 1e9, // past 1e6: String()
        Math.round(r * 1e6) / 1e9, // below 1e-6 sometimes: String()
        r * 1e6, -r, r * 1e-5,
      );
    }
    for (const n of values) expect(asJson(() => out.num(n)), String(n)).toBe(JSON.stringify(n));
    expect(asJson(() => out.numOrNull(null))).toBe("null");
    // A key and its value in one call: the key's bytes, then the number as num() writes it.
    const key = new FixedBytes(',"pkts":');
    for (const n of values) expect(asJson(() => out.field(key, n)), String(n)).toBe(`,"pkts":${JSON.stringify(n)}`);
  });

  it("writes the shortest round-trip decimal (String, JSON.stringify) of every kind of number a line holds", () => {
    // num() as JSON.stringify, numText() as String(): the same digits for finite numbers, and
    // both must read back as the number they wrote.
    const random = rng(11);
    const f32 = new Float32Array(1);
    const values: number[] = [-0, 0, NaN, Infinity, -Infinity, 1e-6, 1e6, 2 ** 53 - 1, Number.MIN_VALUE, Number.MAX_VALUE];
    for (let i = 0; i < 50_000; i++) {
      const r = random();
      const us = Math.floor(r * 2 ** 40);
      f32[0] = r * 1e6; // an RTT quantile: a float32 of microseconds, rounded to the nanosecond
      values.push(
        us / 1e6, -us / 1e6, // integers of microseconds as seconds
        Math.floor(r * 1e6) / 1e6, // below one second, to the microsecond
        1.6e9 + Math.floor(r * 1e15) / 1e6, // epoch times to the microsecond: 16 digits
        1.6e9 + Math.floor(r * 1e18) / 1e9, // epoch times to the nanosecond: past what a double holds
        Math.round(f32[0] * 1000) / 1000, f32[0],
        Math.round((r * 1e9) / 7) / 1e3, // means (sums over counts) to the nanosecond
        r * 10 ** Math.floor(r * 40 - 20), // anything, any magnitude
      );
    }
    for (const n of values) {
      const json = asJson(() => out.num(n)), text = asJson(() => out.numText(n));
      if (json !== JSON.stringify(n) || text !== String(n)) expect.fail(`${String(n)}: wrote ${json} and ${text}`);
      if (Number.isFinite(n) && Number(text) !== n) expect.fail(`${text} does not read back as ${String(n)}`);
    }
  });

  it("writes strings and booleans as JSON.stringify does", () => {
    for (const s of ["", "abc", "1:AbC+/=", 'q"uote', "back\\slash", "\n\t\u0000\u001f", "é", "\u2028", "😀", "\ud800", "~\u007f"]) {
      expect(asJson(() => out.str(s)), s).toBe(JSON.stringify(s));
    }
    expect(asJson(() => { out.bool(true); out.bool(false); })).toBe("truefalse");
    expect(asJson(() => out.utf8("a😀é"))).toBe("a😀é");
  });

  it("writes a time's digits as epochString(sec, nsec) does, or to the microsecond, for any time (from the numbers where epochDigits takes it)", () => {
    const random = rng(17);
    const pairs: [number, number][] = [
      [0, 0], [0, 1], [1, 999_999_999], [2 ** 31 - 1, 5], [2 ** 31, 5], [2 ** 40, 123], [-1, 500_000_000], [-2, 0],
      [5, 1e9], [5, -1], [5, 2.5e9], [1.5, 3], [7, 0.5], [NaN, 0], [1_591_780_863, 720_289_000],
    ];
    for (let i = 0; i < 5000; i++) pairs.push([Math.floor(random() * 2 ** 31), Math.floor(random() * 1e9)]);
    let written = 0;
    for (const [sec, nsec] of pairs) {
      const text = epochString(sec, nsec);
      // Every time as epochString writes it: the digits path where epochDigits takes it, the text elsewhere.
      expect(asJson(() => out.epoch(sec, nsec)), `${sec} ${nsec}`).toBe(text);
      expect(asJson(() => out.epoch(sec, nsec, 6)), `${sec} ${nsec}`).toBe(text.slice(0, -3));
      if (epochDigits(sec, nsec)) written++;
    }
    expect(written).toBeGreaterThan(5000);
    for (const [sec, nsec] of [[2 ** 31, 0], [-1, 0], [5, 1e9], [5, -1], [1.5, 3], [7, 0.5], [NaN, 0]]) expect(epochDigits(sec!, nsec!)).toBe(false);
  });

  it("writes an IPv6 address as formatAddress does (RFC 5952: zero runs, mapped IPv4)", () => {
    const random = rng(29);
    const bytes = new Uint8Array(21);
    const cases: number[][] = [
      Array(8).fill(0), [0, 0, 0, 0, 0, 0, 0, 1], [1, 0, 0, 0, 0, 0, 0, 0], [0x2001, 0xdb8, 0, 0, 1, 0, 0, 1],
      [0x2001, 0xdb8, 0, 1, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001], [0, 0, 0, 0, 1, 0xffff, 0x0a00, 1],
      [0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff], [1, 0, 2, 0, 3, 0, 4, 0], [0, 1, 0, 0, 2, 0, 0, 3],
      [0xfe80, 0, 0, 0, 0x1ff, 0xfe23, 0x4567, 0x890a], [0x10, 0x100, 0x1000, 0xf, 0, 0, 0, 0],
    ];
    // Random groups, mostly zero so that runs of every length and place occur.
    for (let i = 0; i < 5000; i++) cases.push(Array.from({ length: 8 }, () => (random() < 0.5 ? 0 : Math.floor(random() * 65536) >> Math.floor(random() * 16))));
    const written = cases.map((groups) => {
      groups.forEach((g, k) => { bytes[5 + 2 * k] = g >> 8; bytes[6 + 2 * k] = g & 255; });
      const want = formatAddress(bytes, 5, 6);
      const text = asJson(() => out.ipv6(bytes, 5));
      expect(text, want).toBe(want);
      return text;
    });
    // Both share the zero-run search: the first cases as RFC 5952 writes them.
    expect(written.slice(0, 12)).toEqual([
      "::", "::1", "1::", "2001:db8::1:0:0:1", "2001:db8:0:1::1", "::ffff:10.0.0.1", "::1:ffff:a00:1",
      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "1:0:2:0:3:0:4:0", "0:1::2:0:0:3", "fe80::1ff:fe23:4567:890a", "10:100:1000:f::",
    ]);
  });

  it("writes an IPv4 address as formatAddress does", () => {
    const random = rng(23);
    const bytes = new Uint8Array(8);
    const cases = [[0, 0, 0, 0], [255, 255, 255, 255], [10, 0, 9, 100], [1, 22, 133, 9]];
    for (let i = 0; i < 2000; i++) cases.push([0, 1, 2, 3].map(() => Math.floor(random() * 256)));
    for (const quad of cases) {
      bytes.set(quad, 3);
      expect(asJson(() => out.ipv4(bytes, 3))).toBe(formatAddress(bytes, 3, 4));
    }
  });
});
