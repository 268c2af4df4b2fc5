// One row group's cells of one Parquet column, held compactly until the group is written: numbers
// in a Float64Array (NaN: null), timestamps in a BigInt64Array, booleans in an Int8Array (-1:
// null), strings in a plain array. Held as JavaScript values (a BigInt object per INT64 cell), a
// group of 65 536 connections took ~100 MB; here it takes ~8 bytes a cell. The writer gets each
// column's values (`values()`) only while it encodes that column, so at most one column at a
// time exists as JavaScript values.

import type { ParquetColumnType } from "./connection-parquet.js";

type Cells = Float64Array | BigInt64Array | Int8Array | (string | null)[];

export class ParquetColumnBuffer {
  private cells: Cells;
  private nulls: Uint8Array | null = null; // timestamps only (every BigInt is a value)
  length = 0;

  constructor(private readonly type: ParquetColumnType, readonly capacity: number) {
    switch (type) {
      case "STRING": this.cells = []; break;
      case "BOOLEAN": this.cells = new Int8Array(capacity); break;
      case "TIMESTAMP": this.cells = new BigInt64Array(capacity); this.nulls = new Uint8Array(capacity); break;
      default: this.cells = new Float64Array(capacity);
    }
  }

  /** `v` as the csv column gives it (null or undefined: not known); `ts` already as nanoseconds. */
  push(v: unknown): void {
    const k = this.length++;
    const cells = this.cells;
    const none = v === null || v === undefined;
    switch (this.type) {
      case "STRING": (cells as (string | null)[]).push(none ? null : String(v)); break;
      case "BOOLEAN": (cells as Int8Array)[k] = none ? -1 : v ? 1 : 0; break;
      case "TIMESTAMP": this.nulls![k] = none ? 1 : 0; (cells as BigInt64Array)[k] = none ? 0n : v as bigint; break;
      // Counts and frame numbers stay below 2^53: exact as doubles until they become BigInts.
      default: (cells as Float64Array)[k] = none ? NaN : v as number;
    }
  }

  /** The cells as the Parquet writer takes them (null, number, BigInt, boolean, string). */
  values(from = 0, to = this.length): unknown[] {
    const out = new Array<unknown>(to - from);
    const cells = this.cells;
    for (let k = from; k < to; k++) {
      switch (this.type) {
        case "STRING": out[k - from] = (cells as (string | null)[])[k]; break;
        case "BOOLEAN": { const b = (cells as Int8Array)[k]!; out[k - from] = b < 0 ? null : b === 1; break; }
        case "TIMESTAMP": out[k - from] = this.nulls![k] ? null : (cells as BigInt64Array)[k]; break;
        case "INT64": { const n = (cells as Float64Array)[k]!; out[k - from] = n !== n ? null : BigInt(n); break; }
        default: { const n = (cells as Float64Array)[k]!; out[k - from] = n !== n ? null : n; }
      }
    }
    return out;
  }

  clear(): void {
    this.length = 0;
    if (this.type === "STRING") this.cells = [];
  }

  /**
   * What the writer reads as the column's data: its length and slice(), which builds the values
   * then (hyparquet-writer slices each column as it encodes it, one column after the other).
   */
  source(): { length: number; slice(from?: number, to?: number): unknown[] } {
    const length = this.length;
    return { length, slice: (from = 0, to = length) => this.values(from, Math.min(to, length)) };
  }
}
