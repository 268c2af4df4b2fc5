// The order of one batch's ended connections: by the time each ended, then by key (the id,
// and a subframe fraction where one frame began several: connection-id.ts).

/** Past this many shifts per element the insertion sort gives up for the general sort. */
const MAX_SHIFTS_PER_ITEM = 8;

/**
 * Indices 0..count-1 of `at` and `id` (keys), ordered by (at, id), in `order` (grown when too short;
 * the returned array may be a new one to keep for the next batch). Connections mostly end in
 * that order already, so an insertion sort is about one pass; a batch far from it (a shuffled
 * timer expiry) falls back to the general sort, so that no batch costs count².
 */
export function canonicalOrder(at: Float64Array, id: Float64Array, count: number, order: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  if (order.length < count) order = new Int32Array(Math.max(count, order.length * 2));
  let shiftsLeft = MAX_SHIFTS_PER_ITEM * count;
  for (let k = 0; k < count; k++) {
    const a = at[k]!, i = id[k]!;
    let j = k;
    while (j > 0) {
      const prev = order[j - 1]!;
      const pa = at[prev]!;
      if (pa < a || (pa === a && id[prev]! < i)) break;
      order[j] = prev;
      j--;
    }
    order[j] = k;
    shiftsLeft -= k - j;
    if (shiftsLeft < 0) return generalSort(at, id, count, order);
  }
  return order;
}

function generalSort(at: Float64Array, id: Float64Array, count: number, order: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  for (let k = 0; k < count; k++) order[k] = k;
  order.subarray(0, count).sort((x, y) => at[x]! - at[y]! || id[x]! - id[y]!);
  return order;
}
