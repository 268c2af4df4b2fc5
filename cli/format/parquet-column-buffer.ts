// One row group's cells of one Parquet column, held in typed arrays until the group is written
// (parquet-page.ts encodes them): numbers (INT32, INT64, DOUBLE; booleans as 0/1; a timestamp's
// seconds) in a Float64Array, a timestamp's nanoseconds in a second one, strings in an array,
// and which cells are null in a byte each. No JavaScript value per cell is made (a BigInt per
// INT64 cell was most of what the garbage collector had to do); counts and frame numbers stay
// below 2^53, exact as doubles.

import type { ParquetColumnType } from "./connection-parquet.js";

export class ParquetColumnBuffer {
  /** 1 where the cell is null. */
  readonly nulls: Uint8Array;
  readonly numbers: Float64Array;
  /** TIMESTAMP only: the nanoseconds (0 to 999 999 999) after `numbers`' whole seconds. */
  readonly nanos: Float64Array | null;
  strings: (string | null)[] = [];
  length = 0;
  nullCount = 0;

  constructor(readonly type: ParquetColumnType, readonly capacity: number) {
    this.nulls = new Uint8Array(capacity);
    this.numbers = new Float64Array(type === "STRING" ? 0 : capacity);
    this.nanos = type === "TIMESTAMP" ? new Float64Array(capacity) : null;
  }

  pushNull(): void {
    this.nulls[this.length++] = 1;
    this.nullCount++;
    if (this.type === "STRING") this.strings.push(null);
  }

  /** INT32, INT64, DOUBLE: a number; BOOLEAN: 1 or 0. */
  pushNumber(n: number): void {
    this.nulls[this.length] = 0;
    this.numbers[this.length++] = n;
  }

  pushBoolean(b: boolean): void {
    this.nulls[this.length] = 0;
    this.numbers[this.length++] = b ? 1 : 0;
  }

  pushString(s: string): void {
    this.nulls[this.length++] = 0;
    this.strings.push(s);
  }

  /**
   * A time as whole seconds since the epoch and nanoseconds after them (the tracker's
   * firstSec/firstNsec); null past what 64 bits of nanoseconds hold (see fitsInt64Nanoseconds).
   */
  pushTime(sec: number, nsec: number): void {
    const carry = Math.floor(nsec / 1e9); // normalised as epochString normalises
    sec += carry;
    nsec -= carry * 1e9;
    if (!fitsInt64Nanoseconds(sec, nsec)) return this.pushNull();
    this.nulls[this.length] = 0;
    this.nanos![this.length] = nsec;
    this.numbers[this.length++] = sec;
  }

  /** `v` as the csv column of a record gives it (null or undefined: not known; ts as the record's string). */
  push(v: unknown): void {
    if (v === null || v === undefined) return this.pushNull();
    switch (this.type) {
      case "STRING": return this.pushString(String(v));
      case "BOOLEAN": return this.pushBoolean(Boolean(v));
      case "TIMESTAMP": { const [sec, nsec] = epochParts(String(v)); return this.pushTime(sec, nsec); }
      default: return this.pushNumber(v as number);
    }
  }

  /** The cells as JavaScript values (null, number, BigInt for INT64 and TIMESTAMP, boolean, string): for tests. */
  values(): unknown[] {
    const out: unknown[] = [];
    for (let k = 0; k < this.length; k++) {
      if (this.nulls[k]) { out.push(null); continue; }
      const n = this.numbers[k]!;
      switch (this.type) {
        case "STRING": out.push(this.strings[k]); break;
        case "BOOLEAN": out.push(n === 1); break;
        case "TIMESTAMP": out.push(BigInt(n) * 1_000_000_000n + BigInt(this.nanos![k]!)); break;
        case "INT64": out.push(BigInt(n)); break;
        default: out.push(n);
      }
    }
    return out;
  }

  clear(): void {
    this.length = 0;
    this.nullCount = 0;
    if (this.type === "STRING") this.strings = [];
  }
}

/**
 * Whether sec * 1e9 + nsec (0 <= nsec < 1e9) is an INT64: from 1677-09-21T00:12:43.145224192Z to
 * 2262-04-11T23:47:16.854775807Z. A capture's time past them (a pcapng timestamp with its top bit
 * set is read unsigned, as Wireshark reads it: year 586 524) would wrap around into another
 * time, and falsify its row group's min/max, by which readers skip row groups: it is null.
 */
export function fitsInt64Nanoseconds(sec: number, nsec: number): boolean {
  if (sec > -9_223_372_037 && sec < 9_223_372_036) return true;
  if (sec === 9_223_372_036) return nsec <= 854_775_807;
  return sec === -9_223_372_037 && nsec >= 145_224_192;
}

/** The record's ts ("1591780863.720289000", or "-1.500000000" before 1970) as whole seconds and nanoseconds after them. */
export function epochParts(ts: string): [number, number] {
  const negative = ts.startsWith("-");
  const [whole, fraction = ""] = (negative ? ts.slice(1) : ts).split(".");
  const sec = Number(whole), nsec = Number(fraction.padEnd(9, "0").slice(0, 9));
  if (!negative) return [sec, nsec];
  return nsec === 0 ? [-sec, 0] : [-sec - 1, 1e9 - nsec];
}
