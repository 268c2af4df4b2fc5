// One server's per-connection ack-RTTs for the summary's per-server table, in bounded memory:
// every value as it is while there are few (percentiles exact), then the count and sum of the
// values in each 1%-wide log bucket of histogram.ts, held sparsely (one server's RTTs fill few
// of them); a percentile is its bucket's mean, exact when the bucket's values are equal. The
// count, the percentiles and the max cover every connection however busy the server, whatever
// the order the connections ended in.

import { logBucket } from "../../sdk/report/histogram.js";

const EXACT_VALUES = 1_000;

export class ServerRtts {
  count = 0;
  min = Infinity;
  max = -Infinity;
  // The values while there are few: a Float64Array grown as they come, not an array (each new
  // server's array of small integers turned to one of doubles at its first fractional RTT, and
  // the change deoptimised the summary's code that adds them; docs/benchmarks.md, round 36).
  private exact: Float64Array | null = new Float64Array(4);
  private exactCount = 0;
  private buckets: Map<number, { n: number; sum: number }> | null = null;

  add(value: number): void {
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const exact = this.exact;
    if (exact && this.exactCount < EXACT_VALUES) {
      let into = exact;
      if (this.exactCount === exact.length) {
        into = this.exact = new Float64Array(Math.min(EXACT_VALUES, 2 * exact.length));
        into.set(exact);
      }
      into[this.exactCount++] = value;
      return;
    }
    if (!this.buckets) {
      this.buckets = new Map();
      for (let i = 0; i < this.exactCount; i++) this.bump(exact![i]!);
      this.exact = null;
    }
    this.bump(value);
  }

  private bump(value: number): void {
    const b = logBucket(value);
    const bucket = this.buckets!.get(b);
    if (bucket) { bucket.n++; bucket.sum += value; } else this.buckets!.set(b, { n: 1, sum: value });
  }

  /** The value at quantile q (0..1) by nearest rank; within 1% once the values are bucketed. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    if (this.exact) return this.exact.slice(0, this.exactCount).sort()[rank - 1]!;
    let seen = 0;
    for (const [, { n, sum }] of [...this.buckets!].sort((x, y) => x[0] - y[0])) {
      seen += n;
      if (seen >= rank) return sum / n;
    }
    return this.max;
  }
}
