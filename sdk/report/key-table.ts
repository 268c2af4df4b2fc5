// The report's per-server and per-source tables: keys (address-keys.ts: a number for an IPv4
// host or endpoint, else a string) to entry numbers 0..size-1 in the order the keys were first
// added, as a Map's entries are ordered. The caller keeps each entry's figures in columns of its
// own, indexed by entry, and prunes with keep() (entries stay in order, renumbered).
//
// Why not a Map: on short-connection traffic nearly every connection brings a server and a
// source not seen before, and the summary then spent ~1.5 µs a connection in Map lookups of
// 20 000-entry maps (each probe following the key to a heap number) and allocations the
// collector then traced (docs/benchmarks.md, round 36). Numeric keys here live in a Float64Array with an
// open-addressing index beside it: no object per key. String keys (IPv6) keep a Map of their own.

import { doubled } from "../connections/endpoint-columns.js";

export type Key = number | string;

const EMPTY = 0; // index slots hold entry + 1

export class KeyTable {
  /** Entries, numbered 0..size-1 in the order their keys were added. */
  size = 0;
  private nums = new Float64Array(64); //    an entry's numeric key
  private strs: (string | null)[] = []; //   an entry's string key, null for a numeric one
  // The index of numeric keys, by hash with linear probing: slot i holds the key at 2i and its
  // entry + 1 at 2i + 1 (0: empty), so that a probe reads one cache line, not the key's too.
  private slots = new Float64Array(256);
  private mask = 127;
  private readonly byString = new Map<string, number>();
  private nanEntry = -1; //                  the entry of a NaN key, if any

  /** The entry of `key`, or -1. */
  find(key: Key): number {
    if (typeof key === "string") return this.byString.get(key) ?? -1;
    if (key !== key) return this.nanEntry; // NaN: one key, as a Map has it (never in the index)
    const slots = this.slots, mask = this.mask;
    for (let i = hashOf(key) & mask; ; i = (i + 1) & mask) {
      const e = slots[2 * i + 1]!;
      if (e === EMPTY) return -1;
      if (slots[2 * i] === key) return e - 1;
    }
  }

  /** Adds `key` (not in the table) as the last entry; returns its number. */
  add(key: Key): number {
    const e = this.size++;
    if (e === this.nums.length) this.nums = grown(this.nums, 2 * e);
    // (By index, not push: past `size` the array keeps its length and what a prune left there,
    // so that a table that fills and halves again and again does not regrow its arrays.)
    if (typeof key === "string") {
      this.strs[e] = key;
      this.nums[e] = 0;
      this.byString.set(key, e);
      return e;
    }
    this.strs[e] = null;
    this.nums[e] = key === 0 ? 0 : key; // -0 as 0, as a Map keeps it
    if (key !== key) this.nanEntry = e;
    else if (2 * this.size > this.mask + 1) this.reindex(2 * (this.mask + 1));
    else this.place(e);
    return e;
  }

  /** The key of entry `e`. */
  keyAt(e: number): Key {
    return this.strs[e] ?? this.nums[e]!;
  }

  /**
   * Keeps the entries `kept` marks (a byte per entry), in their order: entry e becomes the
   * number of kept entries before it. The caller renumbers its columns the same way (keepIn).
   */
  keep(kept: Uint8Array): void {
    let n = 0;
    for (let e = 0; e < this.size; e++) {
      if (kept[e] === 0) continue;
      this.nums[n] = this.nums[e]!;
      this.strs[n] = this.strs[e] as string | null;
      n++;
    }
    this.size = n;
    this.byString.clear();
    this.nanEntry = -1;
    for (let e = 0; e < n; e++) {
      const s = this.strs[e];
      if (s !== null && s !== undefined) this.byString.set(s, e);
      else if (this.nums[e] !== this.nums[e]) this.nanEntry = e;
    }
    this.reindex(this.mask + 1);
  }

  private reindex(count: number): void {
    if (count !== this.mask + 1) this.slots = new Float64Array(2 * count);
    else this.slots.fill(EMPTY);
    this.mask = count - 1;
    for (let e = 0; e < this.size; e++) if (this.strs[e] === null && this.nums[e] === this.nums[e]) this.place(e);
  }

  private place(e: number): void {
    const slots = this.slots, mask = this.mask, key = this.nums[e]!;
    let i = hashOf(key) & mask;
    while (slots[2 * i + 1] !== EMPTY) i = (i + 1) & mask;
    slots[2 * i] = key;
    slots[2 * i + 1] = e + 1;
  }
}

// The keys are integers below 2^48 (an endpoint: address * 65536 + port) or signed 32-bit ones
// (an address): both 32-bit halves mixed.
function hashOf(key: number): number {
  const lo = key >>> 0, hi = (key / 4294967296) | 0;
  const h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  return (h ^ (h >>> 15)) >>> 0;
}

/** `column` with room for at least `length` values, its values kept (doubled as often as needed). */
export function grown<T extends Float64Array | Int32Array>(column: T, length: number): T {
  while (column.length < length) column = doubled(column);
  return column;
}

/**
 * Renumbers a column as KeyTable.keep renumbered the entries (its first `size` values, before
 * the keep). What lies past the kept ones stays, to be written over (the column is not shrunk).
 */
export function keepIn<T>(column: { [i: number]: T; length: number }, kept: Uint8Array, size: number): void {
  let n = 0;
  for (let e = 0; e < size; e++) if (kept[e] !== 0) column[n++] = column[e]!;
}
