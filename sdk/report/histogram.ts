// A log-bucketed histogram of values (microseconds): constant memory whatever the number of
// samples, percentiles within 1% of the true value; min and max are exact. The first
// EXACT_SAMPLES values are also kept as they are, so small captures get exact answers. Values
// may be negative (a round trip across a clock that stepped back): their magnitudes are
// bucketed the same way, below a bucket for those within 1e-3 of zero.

const BUCKETS_PER_DECADE = 230; // 10^(1/230) ≈ 1.0101: buckets 1% wide
const DECADES = 12; //            1e-3 .. 1e9
const EXACT_SAMPLES = 4096;
// Magnitude buckets: 1 for 1e-3 .. 1.0101e-3, up to MAGNITUDES for 1e9 and above.
const MAGNITUDES = BUCKETS_PER_DECADE * DECADES + 1;
const ZERO = MAGNITUDES; // the bucket of values within 1e-3 of zero
const BUCKETS = 2 * MAGNITUDES + 1;

/** The bucket of a value, buckets in the values' order: the most negative first, ZERO for |value| < 1e-3. */
export function logBucket(value: number): number {
  const magnitude = Math.abs(value);
  if (magnitude < 1e-3) return ZERO;
  const m = Math.min(Math.floor((Math.log10(magnitude) + 3) * BUCKETS_PER_DECADE) + 1, MAGNITUDES);
  return value < 0 ? ZERO - m : ZERO + m;
}

/** A bucket's value: the middle of its range (0 for ZERO's). */
function bucketValue(b: number): number {
  if (b === ZERO) return 0;
  const magnitude = Math.pow(10, (Math.abs(b - ZERO) - 0.5) / BUCKETS_PER_DECADE - 3);
  return b < ZERO ? -magnitude : magnitude;
}

export class LogHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private readonly exact: number[] = [];
  count = 0;
  min = Infinity;
  max = -Infinity;

  add(value: number): void {
    this.count++;
    if (this.count <= EXACT_SAMPLES) this.exact.push(value);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.counts[logBucket(value)]!++;
  }

  /** The value at quantile q (0..1): the middle of its bucket, clamped to [min, max]. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    if (this.count <= EXACT_SAMPLES) return [...this.exact].sort((a, b) => a - b)[rank - 1]!;
    let seen = 0;
    for (let b = 0; b < this.counts.length; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) {
        return Math.min(this.max, Math.max(this.min, bucketValue(b)));
      }
    }
    return this.max;
  }
}
