import { describe, expect, it } from "vitest";
import { canonicalOrder } from "../../../sdk/connections/canonical-order.js";
import { byEndThenKey } from "../../../sdk/connections/track.js";

/** The order the general sort gives: what canonicalOrder must match. */
function expected(at: number[], id: number[]): number[] {
  return at.map((a, k) => ({ at: a, key: id[k]!, k })).sort(byEndThenKey).map((e) => e.k);
}

function check(at: number[], id: number[], order: Int32Array<ArrayBuffer> = new Int32Array(4)): Int32Array<ArrayBuffer> {
  const got = canonicalOrder(Float64Array.from(at), Float64Array.from(id), at.length, order);
  expect(Array.from(got.subarray(0, at.length))).toEqual(expected(at, id));
  return got;
}

/** A small deterministic generator, so that a failure repeats. */
function random(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
}

describe("canonicalOrder", () => {
  it("keeps an ordered batch as it is and orders ties by id", () => {
    check([1, 2, 2, 2, 3], [5, 9, 7, 8, 1]);
    check([], []);
    check([4], [4]);
  });

  it("orders a nearly ordered batch (a few late ends) like the general sort", () => {
    const next = random(7);
    const at: number[] = [], id: number[] = [];
    for (let k = 0; k < 2000; k++) {
      at.push(k < 5 || next() > 0.05 ? Math.floor(k / 3) : Math.floor(next() * 700));
      id.push(Math.floor(next() * 1e6));
    }
    check(at, id);
  });

  it("falls back to the general sort for a reversed or shuffled batch and still orders it", () => {
    const n = 3000, next = random(11);
    check(Array.from({ length: n }, (_, k) => n - k), Array.from({ length: n }, (_, k) => k));
    check(Array.from({ length: n }, () => Math.floor(next() * 50)), Array.from({ length: n }, (_, k) => (k * 7919) % n));
  });

  it("grows a too short order array and reuses one long enough", () => {
    const grown = check([3, 1, 2, 0, 5, 4], [0, 1, 2, 3, 4, 5], new Int32Array(2));
    expect(grown.length).toBeGreaterThanOrEqual(6);
    expect(check([2, 1], [0, 1], grown)).toBe(grown);
  });
});
