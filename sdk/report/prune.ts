// Keeps a map of per-key statistics bounded while streaming: past `max` entries, the least
// active go until max / 2 are left (heavy hitters stay); among equally active entries, the
// oldest (first inserted) go first.
//
// The same result as sorting the entries by weight (stably) and deleting the first ones, found
// from the weights alone: with ~100 000 distinct servers in a capture this runs every few
// thousand connections, and sorting entries through a comparator dominated the report. The
// weight where the cut falls is selected (quickselect), not sorted for: ~10 % of the report's
// time a connection on the short-connection mix went to sorting the weights.

/** What pruning needs of a map: a Map, or the report's OrderedTable. */
export interface PrunableMap<K, V> {
  readonly size: number;
  forEach(fn: (value: V, key: K) => void): void;
  delete(key: K): boolean;
}

// The weights' scratch, kept between calls (a map's prune comes every few thousand insertions).
let scratch = new Float64Array(0);

/**
 * Returns the weight of the most active entry it removed (null when it removed none). `weight`
 * must not change any map given here (the weights' scratch is shared between calls).
 */
export function pruneLeastActive<K, V>(map: PrunableMap<K, V>, weight: (v: V) => number, max: number): number | null {
  if (map.size <= max) return null;
  const n = map.size;
  const drop = n - Math.floor(max / 2);
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, 2 * scratch.length));
  const weights = scratch.subarray(0, n);
  let k = 0;
  // forEach, not for-of over the entries: no [key, value] array made for each entry.
  map.forEach((v) => { weights[k++] = weight(v); });
  const cut = nthSmallest(weights, drop - 1); // the weight of the most active entry that goes
  let lighter = 0;
  for (let i = 0; i < n; i++) if (weights[i]! < cut) lighter++;
  let ties = drop - lighter; //      entries weighing exactly `cut` that go, oldest first
  // Deleting the entry being visited is safe: forEach goes on with the next one in order.
  map.forEach((v, key) => {
    const w = weight(v);
    if (w < cut) map.delete(key);
    else if (w === cut && ties > 0) {
      map.delete(key);
      ties--;
    }
  });
  return cut;
}

// Whether a comes before b in the weights' sorted order (Float64Array's sort: NaN last).
const before = (a: number, b: number) => a < b || (b !== b && a === a);

/** The value at sorted position k of `a` (0-based), as after a.sort(); reorders `a`. */
export function nthSmallest(a: Float64Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  while (hi > lo) {
    // Hoare's partition around the median of the first, middle and last values.
    const mid = (lo + hi) >>> 1;
    if (before(a[mid]!, a[lo]!)) swap(a, mid, lo);
    if (before(a[hi]!, a[lo]!)) swap(a, hi, lo);
    if (before(a[hi]!, a[mid]!)) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo, j = hi;
    while (i <= j) {
      while (before(a[i]!, pivot)) i++;
      while (before(pivot, a[j]!)) j--;
      if (i <= j) swap(a, i++, j--);
    }
    // [lo, j] holds values not after the pivot, [i, hi] values not before it, between them
    // values equal to it.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
