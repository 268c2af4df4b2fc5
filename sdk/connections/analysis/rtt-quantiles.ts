// Bounded running quantiles of a side's ack-RTT samples: the P-square estimator (Jain and
// Chlamtac, 1985), five markers per quantile, no sample kept once there are more than five.
// Marker heights are stored as f32 (the arithmetic is f64), and the operations are written in
// the same order as the WebAssembly engine's (assembly/tracker/analysis/quantiles.ts), so that
// both give bit-identical estimates. Up to five samples the quantile is exact (nearest rank).
//
// Arguments are small integers only — the sample is read from a Float64Array — so that V8
// never boxes a double on the way in (hot-path rule, docs/ARCHITECTURE.md).

/**
 * Adds the sample io[at] to the estimator whose five heights start at h[hAt] and whose three
 * inner positions start at pos[pAt]; `n` is the sample count including this one and
 * `perMille` the quantile (500 for the median).
 */
export function addQuantileSample(
  h: Float32Array, hAt: number, pos: Int32Array, pAt: number, n: number, io: Float64Array, at: number, perMille: number,
): void {
  const x = io[at]!;
  if (n <= 5) {
    // The first five samples, kept sorted.
    let k = n - 1;
    while (k > 0 && h[hAt + k - 1]! > x) {
      h[hAt + k] = h[hAt + k - 1]!;
      k--;
    }
    h[hAt + k] = x;
    if (n === 5) {
      pos[pAt] = 2;
      pos[pAt + 1] = 3;
      pos[pAt + 2] = 4;
    }
    return;
  }
  const p = perMille / 1000;
  let q0 = h[hAt]!, q1 = h[hAt + 1]!, q2 = h[hAt + 2]!, q3 = h[hAt + 3]!, q4 = h[hAt + 4]!;
  let n1 = pos[pAt]!, n2 = pos[pAt + 1]!, n3 = pos[pAt + 2]!;
  const n0 = 1, n4 = n;
  // The cell the sample falls in, without a branch (as the WebAssembly engine): the markers
  // above it move up one position; the same as the chain of tests `x < q0`, else `x < q1`, ...
  // else `!(x < q4)` for any heights, NaN included.
  const below0 = x < q0, below1 = below0 || x < q1, below2 = below1 || x < q2, below3 = below2 || x < q3;
  n1 += +below1; n2 += +below2; n3 += +below3;
  q0 = below0 ? x : q0;
  q4 = below3 || x < q4 ? q4 : x;
  const m = n - 1;
  // Each inner marker that is a position or more away from where it should be moves one step,
  // to the piecewise-parabolic prediction, or linearly when that would leave its neighbours.
  // (Written out three times rather than called: a double passed to a call may be boxed.)
  // Marker 1.
  let d = 1 + (m * p) / 2 - n1;
  if ((d >= 1 && n2 - n1 > 1) || (d <= -1 && n0 - n1 < -1)) {
    const s = d >= 0 ? 1 : -1;
    const c = q1 + (s / (n2 - n0)) * ((n1 - n0 + s) * (q2 - q1) / (n2 - n1) + (n2 - n1 - s) * (q1 - q0) / (n1 - n0));
    q1 = q0 < c && c < q2 ? c : s > 0 ? q1 + (q2 - q1) / (n2 - n1) : q1 + (q0 - q1) / (n0 - n1);
    n1 += s;
  }
  // Marker 2: the estimate.
  d = 1 + m * p - n2;
  if ((d >= 1 && n3 - n2 > 1) || (d <= -1 && n1 - n2 < -1)) {
    const s = d >= 0 ? 1 : -1;
    const c = q2 + (s / (n3 - n1)) * ((n2 - n1 + s) * (q3 - q2) / (n3 - n2) + (n3 - n2 - s) * (q2 - q1) / (n2 - n1));
    q2 = q1 < c && c < q3 ? c : s > 0 ? q2 + (q3 - q2) / (n3 - n2) : q2 + (q1 - q2) / (n1 - n2);
    n2 += s;
  }
  // Marker 3.
  d = 1 + (m * (1 + p)) / 2 - n3;
  if ((d >= 1 && n4 - n3 > 1) || (d <= -1 && n2 - n3 < -1)) {
    const s = d >= 0 ? 1 : -1;
    const c = q3 + (s / (n4 - n2)) * ((n3 - n2 + s) * (q4 - q3) / (n4 - n3) + (n4 - n3 - s) * (q3 - q2) / (n3 - n2));
    q3 = q2 < c && c < q4 ? c : s > 0 ? q3 + (q4 - q3) / (n4 - n3) : q3 + (q2 - q3) / (n2 - n3);
    n3 += s;
  }
  h[hAt] = q0; h[hAt + 1] = q1; h[hAt + 2] = q2; h[hAt + 3] = q3; h[hAt + 4] = q4;
  pos[pAt] = n1; pos[pAt + 1] = n2; pos[pAt + 2] = n3;
}

/** The estimate after `n` samples (n >= 1): exact nearest rank up to five, else the middle marker. */
export function quantileValue(h: Float32Array, hAt: number, n: number, perMille: number): number {
  if (n > 5) return h[hAt + 2]!;
  const rank = Math.ceil((n * perMille) / 1000);
  return h[hAt + (rank < 1 ? 0 : rank - 1)]!;
}
