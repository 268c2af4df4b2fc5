// Keeps a map of per-key statistics bounded while streaming: past `max` entries, the least
// active go until max / 2 are left (heavy hitters stay); among equally active entries, the
// oldest (first inserted) go first.
//
// The same result as sorting the entries by weight (stably) and deleting the first ones, found
// by sorting the weights alone: with ~100 000 distinct servers in a capture this runs every
// few thousand connections, and sorting entries through a comparator dominated the report.

// The weights' scratch, kept between calls (a map's prune comes every few thousand insertions).
let scratch = new Float64Array(0);

/**
 * Returns the weight of the most active entry it removed (null when it removed none). `weight`
 * must not change any map given here (the weights' scratch is shared between calls).
 */
export function pruneLeastActive<K, V>(map: Map<K, V>, weight: (v: V) => number, max: number): number | null {
  if (map.size <= max) return null;
  const n = map.size;
  const drop = n - Math.floor(max / 2);
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, 2 * scratch.length));
  const weights = scratch.subarray(0, n);
  let k = 0;
  // forEach, not for-of over the entries: no [key, value] array made for each entry.
  map.forEach((v) => { weights[k++] = weight(v); });
  weights.sort();
  const cut = weights[drop - 1]!; // the weight of the most active entry that goes
  let lighter = 0;
  while (weights[lighter]! < cut) lighter++;
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
