// The capture report's tables (capture-report.ts): each a KeyTable of servers, server hosts or
// sources with its entries' figures in columns, pruned to the least active half past a bound
// (prune.ts) as a Map of objects was. A new source or server costs no object unless it fails
// or talks to more than one port or host.

import { KeyTable, grown, keepIn, type Key } from "./key-table.js";
import { pruneLeastActive } from "./prune.js";

/** Distinct ports / hosts counted per source or server host: the count stops there (a lower bound). */
export const DISTINCT_CAP = 4096;
const SMALL_DISTINCT = 16;
/**
 * Values the report's Sets of distinct values hold in all (besides the first SMALL_DISTINCT of
 * each entry, in a small array): 32 scanners' worth at DISTINCT_CAP ports and hosts each,
 * ~10-25 MB. Without it 20 000 sources x 2 Sets of 4 096 could hold GBs (500 IPv6 sources
 * scanning 4 096 hosts each took a summary to 471 MB).
 */
export const DISTINCT_VALUES = 1 << 18;

/** What is left of DISTINCT_VALUES, and the Sets that missed a value for want of it (their counts are lower bounds). */
export class DistinctBudget {
  left = DISTINCT_VALUES;
  private readonly short = new WeakSet<object>();

  /** Whether `d`'s count is a lower bound: capped at DISTINCT_CAP, or short of the budget. */
  atLeast<T extends Key>(d: Distinct<T>): boolean {
    return typeof d === "object" && ((d instanceof Set && d.size >= DISTINCT_CAP) || this.short.has(d));
  }

  /** `values` (a small array full) could not grow for want of budget: its count is a lower bound. */
  shortOf<T extends Key>(values: T[]): void {
    this.short.add(values);
  }

  /** Adds `value` to `set` if the budget allows (at most DISTINCT_CAP a set). */
  addTo<T extends Key>(set: Set<T>, value: T): void {
    if (set.size >= DISTINCT_CAP || set.has(value)) return;
    if (this.left > 0) {
      set.add(value);
      this.left--;
    } else this.short.add(set);
  }

  /** A Set of `values` (a small array grown past SMALL_DISTINCT), charged to the budget; null when it has no room. */
  setOf<T extends Key>(values: T[]): Set<T> | null {
    if (this.left < values.length) return null;
    this.left -= values.length;
    return new Set(values);
  }

  /** `d` was dropped with its entry (pruned): what its Set held goes back to the budget. */
  release<T extends Key>(d: Distinct<T> | null): void {
    if (d instanceof Set) this.left += d.size;
  }
}

// Distinct values: the one value itself while there is one (most sources open one connection),
// a small array while there are few (nearly every client talks to a handful of servers), a Set
// once there are many (scanners), within the report's budget.
export type Distinct<T extends Key> = T | T[] | Set<T>;

export function addDistinct<T extends Key>(d: Distinct<T>, value: T, budget: DistinctBudget): Distinct<T> {
  if (typeof d !== "object") return d === value ? d : [d, value];
  if (d instanceof Set) {
    budget.addTo(d, value);
    return d;
  }
  if (d.includes(value)) return d;
  if (d.length < SMALL_DISTINCT) {
    d.push(value);
    return d;
  }
  const set = budget.setOf([...d, value]);
  if (set) return set;
  budget.shortOf(d); // the array stays as it is: its count a lower bound
  return d;
}

export const distinctCount = <T extends Key>(d: Distinct<T>) => (typeof d !== "object" ? 1 : d instanceof Set ? d.size : d.length);

/**
 * Counts by name (outcomes, teardowns, conn_states), as an object that gets each name as a
 * property when first counted would, in that order; counted in an array, so that a new name
 * does not change the shape of an object that every connection's code reads (each change
 * deoptimised the report's addFacts: 7 compilations on the 2 GB short capture).
 */
export class FirstSeenCounts<K extends string> {
  private readonly index = new Map<K, number>();
  private readonly names: K[] = [];
  private readonly counts: number[] = [];

  add(name: K): void {
    const i = this.index.get(name);
    if (i !== undefined) {
      this.counts[i]!++;
      return;
    }
    this.index.set(name, this.names.length);
    this.names.push(name);
    this.counts.push(1);
  }

  countOf(name: K): number {
    const i = this.index.get(name);
    return i === undefined ? 0 : this.counts[i]!;
  }

  /** The counts as an object, its names in the order first counted. */
  toObject(): Partial<Record<K, number>> {
    const out: Partial<Record<K, number>> = {};
    this.names.forEach((name, i) => { out[name] = this.counts[i]!; });
    return out;
  }
}

/** A count a key (SYNs seen per server, per server host). */
export class CountTable {
  readonly keys = new KeyTable();
  private counts = new Float64Array(64);

  /** One more for `key`. */
  bump(key: Key): void {
    let e = this.keys.find(key);
    if (e < 0) {
      e = this.keys.add(key);
      this.counts = grown(this.counts, e + 1);
      this.counts[e] = 0;
    }
    this.counts[e]++;
  }

  countOf(key: Key): number {
    const e = this.keys.find(key);
    return e < 0 ? 0 : this.counts[e]!;
  }

  /** Past `max` entries, the least counted go (prune.ts); the count of the most counted that went, or null. */
  prune(max: number): number | null {
    const pruned = pruneLeastActive(this.keys, this.counts, max);
    if (!pruned) return null;
    keepIn(this.counts, pruned.kept, pruned.size);
    return pruned.cut;
  }
}

/** An object a key, pruned by its `failed` count (servers and hosts with failed handshakes: the rarer case). */
export class ObjectTable<V extends { failed: number }> {
  readonly keys = new KeyTable();
  readonly values: V[] = [];
  private failed = new Float64Array(64); // the weights, filled in to prune

  /** `dropped`: told of each value a prune drops. */
  constructor(private readonly dropped?: (value: V) => void) {}

  /** Adds `key` (not in the table) with `value`; its entry. */
  add(key: Key, value: V): number {
    const e = this.keys.add(key);
    this.values[e] = value; // (by index: a prune leaves the array's length, key-table.ts)
    return e;
  }

  prune(max: number): number | null {
    const n = this.keys.size;
    if (n <= max) return null; // (before filling the weights: most calls prune nothing)
    this.failed = grown(this.failed, n);
    for (let e = 0; e < n; e++) this.failed[e] = this.values[e]!.failed;
    const pruned = pruneLeastActive(this.keys, this.failed, max);
    if (!pruned) return null;
    if (this.dropped) for (let e = 0; e < n; e++) if (!pruned.kept[e]) this.dropped(this.values[e]!);
    keepIn(this.values, pruned.kept, n);
    return pruned.cut;
  }
}

/**
 * Distinct values of each entry (a source's server ports or server hosts): the first in columns,
 * the rest (Distinct, the first included) only once there is a second.
 */
class DistinctColumn {
  private firstNumber = new Float64Array(64);
  private readonly firstText: (string | null)[] = [];
  private readonly more: (Key[] | Set<Key> | null)[] = [];

  constructor(private readonly budget: DistinctBudget) {}

  /** Entry `e`, the next new one, starts with `value`. */
  start(e: number, value: Key): void {
    this.firstNumber = grown(this.firstNumber, e + 1);
    if (typeof value === "string") {
      this.firstText[e] = value;
      this.firstNumber[e] = 0;
    } else {
      this.firstText[e] = null;
      this.firstNumber[e] = value;
    }
    this.more[e] = null;
  }

  add(e: number, value: Key): void {
    const more = this.more[e];
    if (more) {
      this.more[e] = addDistinct(more, value, this.budget) as Key[] | Set<Key>;
      return;
    }
    const first = this.firstText[e] ?? this.firstNumber[e]!;
    if (first !== value) this.more[e] = [first, value];
  }

  count(e: number): number {
    const more = this.more[e];
    return more ? distinctCount(more) : 1;
  }

  /** Whether entry e's count is a lower bound (DistinctBudget.atLeast). */
  atLeast(e: number): boolean {
    const more = this.more[e];
    return more !== null && more !== undefined && this.budget.atLeast(more);
  }

  keep(kept: Uint8Array, n: number): void {
    for (let e = 0; e < n; e++) if (!kept[e]) this.budget.release(this.more[e] ?? null);
    keepIn(this.firstNumber, kept, n);
    keepIn(this.firstText, kept, n);
    keepIn(this.more, kept, n);
  }
}

/** Per source host: SYNs sent, connections answered, and the distinct server ports and hosts. */
export class SourceTable {
  readonly keys = new KeyTable();
  syns = new Float64Array(64);
  answered = new Float64Array(64);
  readonly ports: DistinctColumn;
  readonly hosts: DistinctColumn;

  constructor(budget: DistinctBudget) {
    this.ports = new DistinctColumn(budget);
    this.hosts = new DistinctColumn(budget);
  }

  add(source: Key, host: Key, port: number, syns: number, answered: boolean): void {
    let e = this.keys.find(source);
    if (e < 0) {
      e = this.keys.add(source);
      this.syns = grown(this.syns, e + 1);
      this.answered = grown(this.answered, e + 1);
      this.syns[e] = 0;
      this.answered[e] = 0;
      this.ports.start(e, port);
      this.hosts.start(e, host);
    } else {
      this.ports.add(e, port);
      this.hosts.add(e, host);
    }
    this.syns[e] += syns;
    if (answered) this.answered[e]++;
  }

  /** Past `max` entries, the sources that sent the fewest SYNs go; the most SYNs of one that went, or null. */
  prune(max: number): number | null {
    const pruned = pruneLeastActive(this.keys, this.syns, max);
    if (!pruned) return null;
    const { kept, size } = pruned;
    keepIn(this.syns, kept, size);
    keepIn(this.answered, kept, size);
    this.ports.keep(kept, size);
    this.hosts.keep(kept, size);
    return pruned.cut;
  }
}
