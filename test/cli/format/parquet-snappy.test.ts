// Our snappy compressor's blocks decompress (by hyparquet's reader) to exactly what went in:
// random bytes, long runs, repeats near and far (each copy form), empty and tiny inputs, and
// many calls in a row on one compressor (its hash table is kept across calls).

import { describe, it, expect } from "vitest";
import { snappyUncompress } from "hyparquet";
import { SnappyCompressor } from "../../../cli/format/parquet-snappy.js";

function roundTrip(snappy: SnappyCompressor, input: Uint8Array, from = 0, to = input.length): Uint8Array {
  const compressed = snappy.compress(input, from, to).slice();
  const out = new Uint8Array(to - from);
  snappyUncompress(compressed, out);
  return compressed;
}

function random(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed;
  for (let k = 0; k < n; k++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; b[k] = x >>> 24; }
  return b;
}

describe("SnappyCompressor", () => {
  const snappy = new SnappyCompressor();
  const check = (input: Uint8Array, from = 0, to = input.length) => {
    const compressed = snappy.compress(input, from, to).slice();
    const out = new Uint8Array(to - from);
    snappyUncompress(compressed, out);
    expect(out).toEqual(input.subarray(from, to));
    return compressed.length;
  };

  it("random bytes, empty and tiny inputs: what went in (barely larger)", () => {
    for (const n of [0, 1, 3, 4, 5, 59, 60, 61, 255, 256, 257, 65_535, 65_536, 70_000]) {
      const size = check(random(n, n + 1));
      expect(size).toBeLessThanOrEqual(n + 6 + (n >>> 5));
    }
  });

  it("runs and repeats: copies near (one-byte offsets) and far (two-byte), long and short", () => {
    expect(check(new Uint8Array(100_000))).toBeLessThan(5_000);
    const words = new Uint8Array(80_000);
    const view = new DataView(words.buffer);
    for (let k = 0; k < 10_000; k++) view.setFloat64(k * 8, k % 7 === 0 ? k : 0.25 * (k % 13), true);
    expect(check(words)).toBeLessThan(words.length / 2);
    // A random block repeated 40 000 bytes later: one far copy of 64-byte pieces.
    const block = random(30_000, 9), far = new Uint8Array(70_000);
    far.set(block, 0); far.set(block, 40_000);
    expect(check(far)).toBeLessThan(32_000);
    for (let len = 4; len < 140; len++) {
      const b = random(300, len);
      b.copyWithin(200, 100, 100 + len); // a repeat of len bytes at offset 100
      check(b);
    }
  });

  it("a part of a buffer, and many calls on one compressor", () => {
    const b = random(10_000, 3);
    b.fill(7, 4_000, 6_000);
    check(b, 3_000, 7_000);
    for (let k = 0; k < 300; k++) check(random(1 + (k * 37) % 5_000, k), 0);
    expect(roundTrip(snappy, new Uint8Array(10)).length).toBeLessThan(10);
  });
});
