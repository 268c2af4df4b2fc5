// One server's per-connection ack-RTTs for the summary's per-server table, in bounded memory:
// every value as it is while there are few (percentiles exact), then the count and sum of the
// values in each 1%-wide log bucket of histogram.ts, held sparsely in sorted typed arrays (one
// server's RTTs fill few of them); a percentile is its bucket's mean, exact when the bucket's
// values are equal. The count, the percentiles and the max cover every connection however busy
// the server, whatever the order the connections ended in, while the table's budget lasts
// (RttTableBudget: all servers' values and buckets together); a value that would need more is
// not counted, and the table says how many were not.

import { logBucket } from "../../sdk/report/histogram.js";

const EXACT_VALUES = 128;
/** Bytes the per-server table's values and buckets may take in all (10 000 servers with 1 000 RTTs each spread over many buckets took 958 MB before). */
export const RTT_TABLE_BYTES = 16 << 20;
const BUCKET_BYTES = 4 + 8 + 8; // its bucket number, count and sum

/** What is left of RTT_TABLE_BYTES for one summary's servers. */
export class RttTableBudget {
  left = RTT_TABLE_BYTES;
  /** Values not counted for want of it. */
  notCounted = 0;
}

export class ServerRtts {
  count = 0;
  /** Values not counted for want of the table's budget (count is then a lower bound). */
  notCounted = 0;
  min = Infinity;
  max = -Infinity;
  // The values while there are few: a Float64Array grown as they come, not an array (each new
  // server's array of small integers turned to one of doubles at its first fractional RTT, and
  // the change deoptimised the summary's code that adds them; docs/benchmarks.md, round 36).
  private exact: Float64Array | null = null;
  private exactCount = 0;
  // Then the buckets in use, in order: bucket numbers, their values' count and sum.
  private keys: Int32Array | null = null;
  private counts: Float64Array | null = null;
  private sums: Float64Array | null = null;
  private used = 0;

  constructor(private readonly budget: RttTableBudget) {}

  add(value: number): void {
    if (this.keys === null && this.exactCount < EXACT_VALUES) {
      if (!this.roomForExact()) return this.refuse();
      this.exact![this.exactCount++] = value;
    } else {
      if (this.keys === null && !this.toBuckets()) return this.refuse();
      if (!this.bump(value)) return this.refuse();
    }
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  private refuse(): void {
    this.notCounted++;
    this.budget.notCounted++;
  }

  // Room for one more exact value, the array doubled (to EXACT_VALUES) within the budget.
  private roomForExact(): boolean {
    const exact = this.exact;
    if (exact && this.exactCount < exact.length) return true;
    const size = exact ? Math.min(EXACT_VALUES, 2 * exact.length) : 4;
    if (!this.charge(8 * (size - (exact?.length ?? 0)))) return false;
    const grown = new Float64Array(size);
    if (exact) grown.set(exact);
    this.exact = grown;
    return true;
  }

  // The exact values moved into buckets (once they are EXACT_VALUES), their array given back:
  // only when the budget has room for every bucket they fill (else they stay as they are).
  private toBuckets(): boolean {
    const exact = this.exact!;
    const buckets = new Set<number>();
    for (let i = 0; i < this.exactCount; i++) buckets.add(logBucket(exact[i]!));
    let size = 64;
    while (size <= buckets.size) size *= 2; // room for the new value's bucket too
    this.budget.left += 8 * exact.length;
    if (!this.growBuckets(size)) {
      this.budget.left -= 8 * exact.length;
      return false;
    }
    for (let i = 0; i < this.exactCount; i++) this.bump(exact[i]!);
    this.exact = null;
    return true;
  }

  private growBuckets(size: number): boolean {
    const had = this.keys?.length ?? 0;
    if (!this.charge(BUCKET_BYTES * (size - had))) return false;
    const keys = new Int32Array(size), counts = new Float64Array(size), sums = new Float64Array(size);
    if (this.keys) { keys.set(this.keys); counts.set(this.counts!); sums.set(this.sums!); }
    this.keys = keys; this.counts = counts; this.sums = sums;
    return true;
  }

  // The value counted in its bucket, a new one inserted in order; false when that needs room the budget does not have.
  private bump(value: number): boolean {
    const b = logBucket(value);
    let lo = 0, hi = this.used;
    const keys = this.keys!;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid]! < b) lo = mid + 1; else hi = mid;
    }
    if (lo < this.used && keys[lo] === b) {
      this.counts![lo]++;
      this.sums![lo] += value;
      return true;
    }
    if (this.used === keys.length && !this.growBuckets(2 * keys.length)) return false;
    const k = this.keys!, n = this.counts!, s = this.sums!;
    k.copyWithin(lo + 1, lo, this.used);
    n.copyWithin(lo + 1, lo, this.used);
    s.copyWithin(lo + 1, lo, this.used);
    k[lo] = b; n[lo] = 1; s[lo] = value;
    this.used++;
    return true;
  }

  private charge(bytes: number): boolean {
    if (bytes > this.budget.left) return false;
    this.budget.left -= bytes;
    return true;
  }

  /** The value at quantile q (0..1) by nearest rank; within 1% once the values are bucketed. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    if (this.keys === null) return this.exact!.slice(0, this.exactCount).sort()[rank - 1]!;
    let seen = 0;
    for (let i = 0; i < this.used; i++) {
      seen += this.counts![i]!;
      if (seen >= rank) return this.sums![i]! / this.counts![i]!;
    }
    return this.max;
  }
}
