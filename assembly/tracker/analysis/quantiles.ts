// P-square running quantiles of a side's ack-RTT samples, as the TypeScript engine computes
// them (sdk/connections/analysis/rtt-quantiles.ts, which explains the method): the same
// operations in the same order, f64 arithmetic over f32 marker heights, so both engines give
// bit-identical estimates. An estimator is QUANTILE_STRIDE bytes (Q_HEIGHTS then Q_POSITIONS);
// a side's two (p50, p95) lie next to each other.

import { Q_HEIGHTS, Q_POSITIONS, QUANTILE_STRIDE } from "../../analysis-layout";

@inline function h(q: usize, i: i32): f64 { return <f64>load<f32>(q + Q_HEIGHTS + (<usize>i << 2)); }
@inline function setH(q: usize, i: i32, v: f64): void { store<f32>(q + Q_HEIGHTS + (<usize>i << 2), <f32>v); }

/**
 * A side's ack-RTT sample `x` into both of its estimators: the median's at `q`, the 95th
 * percentile's at `q + QUANTILE_STRIDE`; `n` is the sample count including x. One call for the
 * two, each with its quantile a constant, and the first five samples inserted once: until then
 * both estimators hold the same sorted samples (the same inserts from the same zeroed block).
 */
export function addQuantileSamples(q: usize, n: u32, x: f64): void {
  if (n <= 5) {
    const q95 = q + QUANTILE_STRIDE;
    let k = <i32>n - 1;
    while (k > 0 && h(q, k - 1) > x) {
      const below = load<f32>(q + Q_HEIGHTS + (<usize>(k - 1) << 2));
      store<f32>(q + Q_HEIGHTS + (<usize>k << 2), below);
      store<f32>(q95 + Q_HEIGHTS + (<usize>k << 2), below);
      k--;
    }
    setH(q, k, x);
    setH(q95, k, x);
    if (n == 5) {
      store<i32>(q + Q_POSITIONS, 2);
      store<i32>(q + Q_POSITIONS + 4, 3);
      store<i32>(q + Q_POSITIONS + 8, 4);
      store<i32>(q95 + Q_POSITIONS, 2);
      store<i32>(q95 + Q_POSITIONS + 4, 3);
      store<i32>(q95 + Q_POSITIONS + 8, 4);
    }
    return;
  }
  update(q, n, x, 0.5);
  update(q + QUANTILE_STRIDE, n, x, 0.95);
}

// One estimator past its first five samples: the P-square step for quantile `p` (a constant at
// each call, the same double as perMille / 1000 in the TypeScript engine).
@inline function update(q: usize, n: u32, x: f64, p: f64): void {
  let q0 = h(q, 0), q1 = h(q, 1), q2 = h(q, 2), q3 = h(q, 3), q4 = h(q, 4);
  let n1 = load<i32>(q + Q_POSITIONS), n2 = load<i32>(q + Q_POSITIONS + 4), n3 = load<i32>(q + Q_POSITIONS + 8);
  const n0: i32 = 1, n4 = <i32>n;
  // The cell the sample falls in, without a branch (where a sample falls is a coin toss for the
  // predictor): the markers above it move up one position; the same as the chain of tests
  // `x < q0`, else `x < q1`, ... else `!(x < q4)` for any heights, NaN included.
  const below0 = x < q0, below1 = below0 | (x < q1), below2 = below1 | (x < q2), below3 = below2 | (x < q3);
  n1 += <i32>below1; n2 += <i32>below2; n3 += <i32>below3;
  q0 = select<f64>(x, q0, below0);
  q4 = select<f64>(q4, x, below3 | (x < q4));
  const m = <f64>(n - 1);
  // Marker 1.
  let d: f64 = 1 + (m * p) / 2 - <f64>n1;
  if ((d >= 1 && n2 - n1 > 1) || (d <= -1 && n0 - n1 < -1)) {
    const s: i32 = d >= 0 ? 1 : -1;
    const c = q1 + (<f64>s / <f64>(n2 - n0)) * (<f64>(n1 - n0 + s) * (q2 - q1) / <f64>(n2 - n1) + <f64>(n2 - n1 - s) * (q1 - q0) / <f64>(n1 - n0));
    q1 = q0 < c && c < q2 ? c : s > 0 ? q1 + (q2 - q1) / <f64>(n2 - n1) : q1 + (q0 - q1) / <f64>(n0 - n1);
    n1 += s;
  }
  // Marker 2: the estimate.
  d = 1 + m * p - <f64>n2;
  if ((d >= 1 && n3 - n2 > 1) || (d <= -1 && n1 - n2 < -1)) {
    const s: i32 = d >= 0 ? 1 : -1;
    const c = q2 + (<f64>s / <f64>(n3 - n1)) * (<f64>(n2 - n1 + s) * (q3 - q2) / <f64>(n3 - n2) + <f64>(n3 - n2 - s) * (q2 - q1) / <f64>(n2 - n1));
    q2 = q1 < c && c < q3 ? c : s > 0 ? q2 + (q3 - q2) / <f64>(n3 - n2) : q2 + (q1 - q2) / <f64>(n1 - n2);
    n2 += s;
  }
  // Marker 3.
  d = 1 + (m * (1 + p)) / 2 - <f64>n3;
  if ((d >= 1 && n4 - n3 > 1) || (d <= -1 && n2 - n3 < -1)) {
    const s: i32 = d >= 0 ? 1 : -1;
    const c = q3 + (<f64>s / <f64>(n4 - n2)) * (<f64>(n3 - n2 + s) * (q4 - q3) / <f64>(n4 - n3) + <f64>(n4 - n3 - s) * (q3 - q2) / <f64>(n3 - n2));
    q3 = q2 < c && c < q4 ? c : s > 0 ? q3 + (q4 - q3) / <f64>(n4 - n3) : q3 + (q2 - q3) / <f64>(n2 - n3);
    n3 += s;
  }
  setH(q, 0, q0); setH(q, 1, q1); setH(q, 2, q2); setH(q, 3, q3); setH(q, 4, q4);
  store<i32>(q + Q_POSITIONS, n1);
  store<i32>(q + Q_POSITIONS + 4, n2);
  store<i32>(q + Q_POSITIONS + 8, n3);
}
