// The Parquet writer's encodings: INT64 and nanosecond timestamps from numbers, exact against
// BigInt arithmetic (before 1970, at 2^53, at the edges of a 32-bit half), and the RLE /
// bit-packed hybrid, read back by a decoder written here from the format's description.

import { describe, it, expect } from "vitest";
import { ParquetBytes } from "../../../cli/format/parquet-bytes.js";

function int64s(b: ParquetBytes): bigint[] {
  const view = new DataView(b.bytes.buffer, 0, b.length);
  return Array.from({ length: b.length / 8 }, (_, k) => view.getBigInt64(k * 8, true));
}

/** Decodes `n` values of the RLE / bit-packed hybrid (Encodings.md). */
function decodeHybrid(bytes: Uint8Array, n: number, bitWidth: number): number[] {
  const out: number[] = [];
  let at = 0;
  const varint = () => { let v = 0, shift = 0, b; do { b = bytes[at++]!; v += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80); return v; };
  while (out.length < n) {
    const header = varint();
    if (header & 1) {
      const count = (header >>> 1) * 8;
      for (let k = 0; k < count; k++) {
        let v = 0;
        for (let bit = 0; bit < bitWidth; bit++) {
          const i = k * bitWidth + bit;
          v |= ((bytes[at + (i >>> 3)]! >>> (i & 7)) & 1) << bit;
        }
        if (out.length < n) out.push(v);
      }
      at += (header >>> 1) * bitWidth;
    } else {
      let v = 0;
      for (let k = 0; k < (bitWidth + 7) >>> 3; k++) v |= bytes[at++]! << (8 * k);
      for (let k = 0; k < header >>> 1; k++) out.push(v);
    }
  }
  expect(at).toBe(bytes.length);
  return out;
}

describe("ParquetBytes", () => {
  it("INT64 from a number: exact up to 2^53, negative too", () => {
    const values = [0, 1, -1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 5 * 2 ** 30, 2 ** 53 - 1, -(2 ** 53) + 1, -(2 ** 32), 123_456_789_012];
    const b = new ParquetBytes(4);
    for (const v of values) b.int64(v);
    expect(int64s(b)).toEqual(values.map(BigInt));
  });

  it("a timestamp from seconds and nanoseconds: sec * 1e9 + nsec exactly", () => {
    const cases: [number, number][] = [
      [0, 0], [0, 1], [-1, 500_000_000], [-2, 0], [-1, 999_999_999], [1_591_780_863, 720_289_123], [1_700_000_000, 123_456_789],
      [4_294, 967_296_000], [65_535, 999_999_999], [65_536, 0], [-65_536, 1], [9_223_372_035, 999_999_999], [-9_223_372_036, 0],
      [9_223_372_036, 854_775_807], [-9_223_372_037, 145_224_192], // the INT64's two ends
    ];
    let x = 7;
    for (let k = 0; k < 2_000; k++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      cases.push([(x % 2) ? x * 2 : -x, (Math.imul(x, 2654435761) >>> 0) % 1_000_000_000]);
    }
    const b = new ParquetBytes(4);
    for (const [sec, nsec] of cases) b.timestamp(sec, nsec);
    expect(int64s(b)).toEqual(cases.map(([sec, nsec]) => BigInt(sec) * 1_000_000_000n + BigInt(nsec)));
  });

  it("the hybrid: long runs, short ones bit-packed, mixed, at widths 1 to 12", () => {
    const patterns: number[][] = [
      Array(8_192).fill(1), Array(7).fill(1), [],
      Array.from({ length: 1_000 }, (_, k) => (k % 3 === 0 ? 1 : 0)),
      [...Array(20).fill(0), 1, 0, 1, ...Array(9).fill(1), 0, 0, 1],
      Array.from({ length: 3_001 }, (_, k) => ((k * 7919) % 11 < 9 ? 0 : 1)),
    ];
    for (const p of patterns) {
      const b = new ParquetBytes(4);
      const written = b.hybrid(Int32Array.from(p), p.length, 1);
      expect(written).toBe(b.length);
      expect(decodeHybrid(b.bytes.subarray(0, b.length), p.length, 1)).toEqual(p);
    }
    for (const width of [2, 3, 5, 8, 12]) {
      const p = Array.from({ length: 2_000 }, (_, k) => (k % 50 < 20 ? 3 : (k * 31) % (2 ** width)));
      const b = new ParquetBytes(4);
      b.hybrid(Int32Array.from(p), p.length, width);
      expect(decodeHybrid(b.bytes.subarray(0, b.length), p.length, width)).toEqual(p);
    }
  });
});
