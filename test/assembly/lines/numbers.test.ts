// The wasm number writer (assembly/lines/numbers.ts) against ByteSink.num, the JavaScript it must
// equal: on every number of the corpus's records, on the edges (ties, negatives, >= 1e6, >= 2^31,
// >= 2^53, NaN, the infinities, -0) and on random values. Where it writes, the text is ByteSink's
// (String(n) for finite n); where it cannot be sure, it writes nothing and says so.

import { describe, it, expect } from "vitest";
import { corpusRecords, jsNumber, numbersIn, wasmNumber } from "../../helpers/wasm-lines.js";
import { rng } from "../../helpers/decode.js";

/** Values the wasm declined, and any it wrote otherwise than ByteSink.num. */
function compare(values: number[]): { declined: number; wrong: string[] } {
  let declined = 0;
  const wrong: string[] = [];
  for (const n of values) {
    const text = wasmNumber(n);
    if (text === null) declined++;
    else if (text !== jsNumber(n) || (Number.isFinite(n) && text !== String(n))) wrong.push(`${String(n)} -> ${text}`);
  }
  return { declined, wrong };
}

describe("the wasm number writer", () => {
  it("writes every number of the corpus's records as ByteSink.num does, declining few", async (ctx) => {
    const values = (await corpusRecords()).flatMap((c) => numbersIn(c));
    if (values.length === 0) return ctx.skip();
    const { declined, wrong } = compare(values);
    expect(wrong).toEqual([]);
    expect(declined).toBeLessThan(values.length / 100);
  }, 300_000);

  it("writes integers below 2^53 in magnitude as their digits, and declines from 2^53", () => {
    const ints = [0, 1, 9, 10, 99, 100, 101, 1e6, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 4294967295, 1e15, 2 ** 53 - 1,
      // each digit count, written two digits a step, and around the nine-digit splits of large ones
      ...Array.from({ length: 16 }, (_, k) => [10 ** k - 1, 10 ** k, 10 ** k + 7]).flat(), 4294967296 + 999999999, 1e9 * 1e6 + 5];
    for (const n of ints) {
      expect(wasmNumber(n)).toBe(String(n));
      expect(wasmNumber(-n)).toBe(String(-n));
    }
    expect(wasmNumber(-0)).toBe("0");
    // Not whole, below 10: not the one-digit way.
    for (const n of [0.5, 9.25, 1e-6, 9.999999999]) expect([String(n), null]).toContain(wasmNumber(n));
    for (const n of [2 ** 53, 2 ** 53 + 2, 2 ** 60, 1e21, 1.5e300, -(2 ** 53)]) expect(wasmNumber(n)).toBeNull();
  });

  it("writes NaN and the infinities as null, as JSON does", () => {
    for (const n of [NaN, Infinity, -Infinity]) expect(wasmNumber(n)).toBe(jsNumber(n));
    expect(wasmNumber(NaN)).toBe("null");
  });

  it("writes fractions of up to nine decimals from 1e-6 to 1e6, and declines outside", () => {
    const written = [0.491119, 0.5, 1.5, 2.5, -2.5, 0.0000015, 1e-6, -1e-6, 999999.999999999, 123.456, -0.001, 0.1, 0.2];
    for (const n of written) expect(wasmNumber(n)).toBe(String(n));
    // String() writes exponents below 1e-6; past 1e6 and past nine decimals the nanoparts do not hold
    for (const n of [1e-7, 5e-7, -1e-7, 1000000.5, 1e6 + 0.25, 0.1 + 0.2, 1 / 3, Math.PI, -1472003999360380.8]) {
      expect(wasmNumber(n)).toBeNull();
    }
  });

  it("matches at ties of the rounding (k + 0.5 nanoparts) and at whole-second carries", () => {
    const values: number[] = [];
    for (let k = 1; k < 2000; k++) {
      values.push((k + 0.5) / 1e9, -(k + 0.5) / 1e9, k / 1e9, 1 - k / 1e9, 1 + k / 1e9, 999999 + k / 1e9, k / 10, k / 1e3 + 0.0005);
    }
    expect(compare(values).wrong).toEqual([]);
  });

  it("matches on random values: K/10^d, integers, negatives and any double's bits", () => {
    const random = rng(16);
    const values: number[] = [];
    const bits = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 200_000; i++) {
      const d = [1, 3, 6, 9][i % 4]!;
      const k = Math.floor(random() * 10 ** (random() * 17));
      const v = k / 10 ** d;
      values.push(random() < 0.2 ? -v : v);
      values.push(Math.floor(random() * 2 ** 54) * (random() < 0.5 ? -1 : 1));
      bits.setUint32(0, Math.floor(random() * 2 ** 32));
      bits.setUint32(4, Math.floor(random() * 2 ** 32));
      values.push(bits.getFloat64(0));
    }
    const { declined, wrong } = compare(values);
    expect(wrong).toEqual([]);
    expect(declined).toBeLessThan(values.length); // some are written, not all declined
    expect(declined).toBeGreaterThan(0);
  });
});
