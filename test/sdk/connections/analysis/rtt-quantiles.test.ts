// The P-square estimator's cell placement without branches (rtt-quantiles.ts, and the same in
// assembly/tracker/analysis/quantiles.ts) is the chain of tests it replaced, bit for bit: the
// chain is kept here as the reference, with the rest of the update unchanged, and both run over
// sample streams with ties, zeros, infinities and NaN, and from arbitrary (unsorted) states.

import { describe, it, expect } from "vitest";
import { addQuantileSample } from "../../../../sdk/connections/analysis/rtt-quantiles.js";

// The update as written before round 22: the sample's cell found by a chain of tests.
function chainUpdate(h: Float32Array, pos: Int32Array, n: number, x: number, perMille: number): void {
  if (n <= 5) {
    let k = n - 1;
    while (k > 0 && h[k - 1]! > x) { h[k] = h[k - 1]!; k--; }
    h[k] = x;
    if (n === 5) { pos[0] = 2; pos[1] = 3; pos[2] = 4; }
    return;
  }
  const p = perMille / 1000;
  let q0 = h[0]!, q1 = h[1]!, q2 = h[2]!, q3 = h[3]!, q4 = h[4]!;
  let n1 = pos[0]!, n2 = pos[1]!, n3 = pos[2]!;
  const n0 = 1, n4 = n;
  if (x < q0) { q0 = x; n1++; n2++; n3++; }
  else if (x < q1) { n1++; n2++; n3++; }
  else if (x < q2) { n2++; n3++; }
  else if (x < q3) { n3++; }
  else if (!(x < q4)) { q4 = x; }
  const m = n - 1;
  let d = 1 + (m * p) / 2 - n1;
  if ((d >= 1 && n2 - n1 > 1) || (d <= -1 && n0 - n1 < -1)) {
    const s = d >= 0 ? 1 : -1;
    const c = q1 + (s / (n2 - n0)) * ((n1 - n0 + s) * (q2 - q1) / (n2 - n1) + (n2 - n1 - s) * (q1 - q0) / (n1 - n0));
    q1 = q0 < c && c < q2 ? c : s > 0 ? q1 + (q2 - q1) / (n2 - n1) : q1 + (q0 - q1) / (n0 - n1);
    n1 += s;
  }
  d = 1 + m * p - n2;
  if ((d >= 1 && n3 - n2 > 1) || (d <= -1 && n1 - n2 < -1)) {
    const s = d >= 0 ? 1 : -1;
    const c = q2 + (s / (n3 - n1)) * ((n2 - n1 + s) * (q3 - q2) / (n3 - n2) + (n3 - n2 - s) * (q2 - q1) / (n2 - n1));
    q2 = q1 < c && c < q3 ? c : s > 0 ? q2 + (q3 - q2) / (n3 - n2) : q2 + (q1 - q2) / (n1 - n2);
    n2 += s;
  }
  d = 1 + (m * (1 + p)) / 2 - n3;
  if ((d >= 1 && n4 - n3 > 1) || (d <= -1 && n2 - n3 < -1)) {
    const s = d >= 0 ? 1 : -1;
    const c = q3 + (s / (n4 - n2)) * ((n3 - n2 + s) * (q4 - q3) / (n4 - n3) + (n4 - n3 - s) * (q3 - q2) / (n3 - n2));
    q3 = q2 < c && c < q4 ? c : s > 0 ? q3 + (q4 - q3) / (n4 - n3) : q3 + (q2 - q3) / (n2 - n3);
    n3 += s;
  }
  h[0] = q0; h[1] = q1; h[2] = q2; h[3] = q3; h[4] = q4;
  pos[0] = n1; pos[1] = n2; pos[2] = n3;
}

// A small seeded generator (xorshift32), so that a failure repeats.
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

const bits = (h: Float32Array) => Array.from(new Uint32Array(h.buffer, h.byteOffset, h.length));

/** Runs one sample through both and expects the same heights (bit for bit) and positions. */
function step(h: Float32Array, pos: Int32Array, ref: Float32Array, refPos: Int32Array, n: number, x: number, perMille: number): void {
  addQuantileSample(h, 0, pos, 0, n, Float64Array.of(x), 0, perMille);
  chainUpdate(ref, refPos, n, x, perMille);
  expect(bits(h)).toEqual(bits(ref));
  expect(Array.from(pos)).toEqual(Array.from(refPos));
}

const streams: [string, (r: () => number, i: number) => number][] = [
  ["uniform", (r) => r() * 1000],
  ["long tail", (r) => -Math.log(1 - r()) * 250],
  ["ties", (r) => Math.round(r() * 4) * 10],
  ["rising", (_r, i) => i * 3.5],
  ["falling", (_r, i) => 10000 - i * 3.5],
  ["zeros, infinities and NaN", (r) => [0, Infinity, -Infinity, NaN, r() * 100][Math.floor(r() * 5)]!],
];

describe("P-square cell placement without branches", () => {
  for (const perMille of [500, 950]) {
    for (const [name, sample] of streams) {
      it(`matches the chain of tests, ${name}, per mille ${perMille}`, () => {
        const r = random(perMille * 31 + name.length);
        const h = new Float32Array(5), pos = new Int32Array(3), ref = new Float32Array(5), refPos = new Int32Array(3);
        for (let n = 1; n <= 3000; n++) step(h, pos, ref, refPos, n, sample(r, n), perMille);
      });
    }
  }

  it("matches it from arbitrary states: unsorted heights, any positions", () => {
    const r = random(7);
    const values = [0, 1, 2, 2, 5, -3, Infinity, -Infinity, NaN, 0.5, 1e6];
    for (let k = 0; k < 20000; k++) {
      const h = Float32Array.from({ length: 5 }, () => values[Math.floor(r() * values.length)]!);
      const pos = Int32Array.from({ length: 3 }, () => Math.floor(r() * 12) - 2);
      const ref = h.slice(), refPos = pos.slice();
      const n = 6 + Math.floor(r() * 40);
      step(h, pos, ref, refPos, n, values[Math.floor(r() * values.length)]!, r() < 0.5 ? 500 : 950);
    }
  });
});
