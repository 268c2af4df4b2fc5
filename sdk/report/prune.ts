// Keeps a table of per-key statistics bounded while streaming: past `max` entries, the least
// active go until max / 2 are left (heavy hitters stay); among equally active entries, the
// oldest (first inserted) go first.
//
// The same result as sorting the entries by weight (stably) and deleting the first ones, found
// from the weights alone: with ~100 000 distinct servers in a capture this runs every few
// thousand connections, and sorting entries through a comparator dominated the report (the
// weights themselves are counted, not sorted: cutOf).

import type { KeyTable } from "./key-table.js";

// The weights' scratch and the kept marks, kept between calls (a table's prune comes every
// few thousand insertions).
let scratch = new Float64Array(0);
let keptMarks = new Uint8Array(0);

/** What a prune removed: the weight of the most active entry that went, and which were kept (KeyTable.keep). */
export interface Pruned { cut: number; kept: Uint8Array; size: number }

/**
 * Past `max` entries, keeps the most active max / 2 of `table` (its entries' weights in
 * `weights`, by entry, left as they are; equally active ones oldest first to go), and says which
 * it kept, for the caller to renumber its columns the same way (key-table.ts, keepIn; `kept` is
 * scratch, good until the next prune). Null when it removed none. The weights come as a column
 * and the renumbering is the caller's, not functions it calls: each table's own made this code's
 * call targets change, and V8 deoptimised it at each (docs/benchmarks.md, round 36).
 */
export function pruneLeastActive(table: KeyTable, weights: Float64Array, max: number): Pruned | null {
  if (table.size <= max) return null;
  const n = table.size;
  const drop = n - Math.floor(max / 2);
  if (scratch.length < n) {
    scratch = new Float64Array(Math.max(n, 2 * scratch.length));
    keptMarks = new Uint8Array(scratch.length);
  }
  // The weight of the most active entry that goes, and how many weigh less (cutOf reorders
  // what it is given: a copy).
  const sorted = scratch.subarray(0, n);
  sorted.set(weights.subarray(0, n));
  const { cut, lighter } = cutOf(sorted, drop);
  const kept = keptMarks.subarray(0, n);
  markKept(weights, kept, cut, drop - lighter);
  table.keep(kept);
  return { cut, kept, size: n };
}

// Marks the entries that stay: those above `cut`, and those at it once `ties` of them (the
// oldest) have gone. A function of its own, like countWeights below: the code after a long loop
// that V8 compiled while it ran deoptimised at every prune.
function markKept(weights: Float64Array, kept: Uint8Array, cut: number, ties: number): void {
  for (let e = 0; e < kept.length; e++) {
    const w = weights[e]!;
    let keep = 1;
    if (w < cut) keep = 0;
    else if (w === cut && ties > 0) {
      keep = 0;
      ties--;
    }
    kept[e] = keep;
  }
}

// Weights below this many, whole, are counted rather than sorted.
const COUNTED = 256;
const counts = new Float64Array(COUNTED);

/**
 * The weight at sorted position drop - 1 (as after Float64Array's sort: NaN last) and how many
 * weights are below it. The report's weights are counts, nearly all small: those are counted by
 * value, one pass and no sort (sorting 20 000 weights took ~0.5 ms a prune, ~10 % of the
 * report's time a connection on the short-connection mix); any other weight falls back to the
 * sort. Reorders `weights`.
 */
export function cutOf(weights: Float64Array, drop: number): { cut: number; lighter: number } {
  const n = weights.length;
  if (!(drop >= 1 && drop <= n)) throw new RangeError(`cutOf: ${drop} to drop of ${n} weights`);
  if (countWeights(weights)) {
    let below = 0;
    for (let w = 0; ; w++) {
      if (below + counts[w]! >= drop) return { cut: w, lighter: below };
      below += counts[w]!;
    }
  }
  weights.sort();
  const cut = weights[drop - 1]!;
  let lighter = 0;
  while (weights[lighter]! < cut) lighter++;
  return { cut, lighter };
}

// Counts the weights by value into `counts`; false at the first that is not a whole number below
// COUNTED. A function of its own: V8 compiles a long loop while it runs (on-stack replacement),
// and the code after such a loop, never run by then, deoptimised at every prune (10 times over
// a 2 GB summary) when it was part of cutOf.
function countWeights(weights: Float64Array): boolean {
  counts.fill(0);
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (!(w >= 0 && w < COUNTED) || w !== Math.floor(w)) return false;
    counts[w]++;
  }
  return true;
}
