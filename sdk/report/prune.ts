// Keeps a map of per-key statistics bounded while streaming: past `max` entries, the least
// active go until max / 2 are left (heavy hitters stay); among equally active entries, the
// oldest (first inserted) go first.
//
// The same result as sorting the entries by weight (stably) and deleting the first ones, found
// by sorting the weights alone: with ~100 000 distinct servers in a capture this runs every
// few thousand connections, and sorting entries through a comparator dominated the report.

/** Returns the weight of the most active entry it removed (null when it removed none). */
export function pruneLeastActive<K, V>(map: Map<K, V>, weight: (v: V) => number, max: number): number | null {
  if (map.size <= max) return null;
  const drop = map.size - Math.floor(max / 2);
  const weights = new Float64Array(map.size);
  let k = 0;
  for (const v of map.values()) weights[k++] = weight(v);
  weights.sort();
  const cut = weights[drop - 1]!; // the weight of the most active entry that goes
  let lighter = 0;
  while (weights[lighter]! < cut) lighter++;
  let ties = drop - lighter; //      entries weighing exactly `cut` that go, oldest first
  for (const [key, v] of map) {
    const w = weight(v);
    if (w < cut) map.delete(key);
    else if (w === cut && ties > 0) {
      map.delete(key);
      ties--;
    }
  }
  return cut;
}
