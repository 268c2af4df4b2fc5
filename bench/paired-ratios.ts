// Ratios of two engines' times taken round by round. This machine's speed drifts by tens of per
// cent from one minute to the next, and each engine's best time may come from a different spell;
// within a round the two ran one right after the other (roundOrder keeps them together), so the
// ratio of their times in the same round is steadier than the ratio of their bests. The bench
// prints the median of those.

/** The median and the range of a[k] / b[k] over the rounds both have; null when none. */
export function pairedRatio(a: readonly number[], b: readonly number[]): { median: number; min: number; max: number } | null {
  const ratios: number[] = [];
  for (let k = 0; k < Math.min(a.length, b.length); k++) {
    if (a[k]! > 0 && b[k]! > 0) ratios.push(a[k]! / b[k]!);
  }
  if (ratios.length === 0) return null;
  ratios.sort((x, y) => x - y);
  const mid = ratios.length >> 1;
  const median = ratios.length % 2 === 1 ? ratios[mid]! : (ratios[mid - 1]! + ratios[mid]!) / 2;
  return { median, min: ratios[0]!, max: ratios[ratios.length - 1]! };
}

/** "2.05x (1.93-2.31)", or "n/a". */
export function describeRatio(r: ReturnType<typeof pairedRatio>): string {
  return r ? `${r.median.toFixed(2)}x (${r.min.toFixed(2)}-${r.max.toFixed(2)})` : "n/a";
}

/**
 * The order of round k's runs: each round starts one unit later (A B C, B C A, ...), so that no
 * engine always runs right after another; the engines of a unit run back to back in every round
 * (a pair whose ratio is taken), in reverse in odd rounds, so that neither always runs first.
 */
export function roundOrder<T>(units: readonly (readonly T[])[], k: number): T[] {
  return units.map((_, t) => units[(t + k) % units.length]!).flatMap((u) => (k % 2 === 1 ? [...u].reverse() : [...u]));
}
