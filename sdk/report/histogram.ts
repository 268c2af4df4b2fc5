// A log-bucketed histogram for positive values (microseconds): constant memory whatever the
// number of samples, percentiles within 1% of the true value; min and max are exact. The
// first EXACT_SAMPLES values are also kept as they are, so small captures get exact answers.

const BUCKETS_PER_DECADE = 230; // 10^(1/230) ≈ 1.0101: buckets 1% wide
const DECADES = 12; //            1e-3 .. 1e9
const EXACT_SAMPLES = 4096;
const BUCKETS = BUCKETS_PER_DECADE * DECADES + 2;

/** The bucket of a positive value: 0 for 1e-3 and below, the last for 1e9 and above. */
export function logBucket(value: number): number {
  if (value <= 1e-3) return 0;
  const b = Math.floor((Math.log10(value) + 3) * BUCKETS_PER_DECADE) + 1;
  return Math.min(b, BUCKETS - 1);
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
        const value = b === 0 ? 1e-3 : Math.pow(10, (b - 0.5) / BUCKETS_PER_DECADE - 3);
        return Math.min(this.max, Math.max(this.min, value));
      }
    }
    return this.max;
  }
}
