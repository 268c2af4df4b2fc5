// One column chunk of a row group: its pages written into the file's bytes, and what the footer
// says of it (parquet-file.ts). Flat OPTIONAL columns, one data page (v2) a chunk: definition
// levels (1 bit: a value or null) in the RLE / bit-packed hybrid, then the non-null values,
// snappy-compressed:
// - strings with few distinct values in the chunk (at most a third of its rows: states,
//   outcomes, histories, often addresses) as a dictionary page and RLE_DICTIONARY indices,
//   the rest PLAIN; a column whose last chunk had too many skips the attempt once;
// - numbers with at most 32 distinct values in the chunk (most counts of short connections:
//   0 and a few more) as a dictionary, the rest PLAIN (snappy takes the repeats in them);
// - booleans RLE.
// Statistics per chunk: null count, min and max (strings by their UTF-8 bytes).

import type { ParquetColumnBuffer } from "./parquet-column-buffer.js";
import type { ParquetColumnType } from "./connection-parquet.js";
import { ParquetBytes } from "./parquet-bytes.js";
import { SnappyCompressor } from "./parquet-snappy.js";
import { ThriftWriter } from "./parquet-thrift.js";

// Parquet's enums (parquet.thrift).
export const PHYSICAL: Record<ParquetColumnType, number> = { BOOLEAN: 0, INT32: 1, INT64: 2, TIMESTAMP: 2, DOUBLE: 5, STRING: 6 };
const PLAIN = 0, RLE = 3, RLE_DICTIONARY = 8;
// A numeric column chunk with at most this many distinct values is written as a dictionary:
// most of a short connection's counts take one to a few values.
const FEW_DISTINCT = 32;
const DICTIONARY_PAGE = 2, DATA_PAGE_V2 = 3;

/** What the footer needs of a column chunk. */
export interface ChunkMeta {
  offset: number; // of its first page in the file
  dataPageOffset: number;
  dictionaryPageOffset: number; // -1: none
  encodings: number[];
  values: number;
  uncompressed: number;
  compressed: number;
  nulls: number;
  min: Uint8Array | null; // PLAIN bytes of the physical type (a string's UTF-8), null when all null
  max: Uint8Array | null;
}

const utf8 = new TextEncoder();

export class ParquetPageEncoder {
  private readonly values = new ParquetBytes();
  private readonly levels = new ParquetBytes(4096);
  private readonly snappy = new SnappyCompressor();
  private readonly header = new ThriftWriter();
  private indices = new Int32Array(0);
  private readonly distinct = new Float64Array(FEW_DISTINCT);
  private defs = new Int32Array(0);

  /** Writes `column`'s chunk at the end of `file` (whose first byte is file offset `base`). */
  encode(column: ParquetColumnBuffer, file: ParquetBytes, base: number, skipDictionary: boolean): ChunkMeta & { dictionaryTried: boolean; dictionaryUsed: boolean } {
    const rows = column.length;
    if (this.defs.length < rows) { this.defs = new Int32Array(column.capacity); this.indices = new Int32Array(column.capacity); }
    const defs = this.defs;
    for (let k = 0; k < rows; k++) defs[k] = 1 - column.nulls[k]!;
    const offset = base + file.length;
    let dictionaryPageOffset = -1, uncompressed = 0;
    let encoding = PLAIN, dictionaryTried = false, dictionaryUsed = false;
    const encodings: number[] = [];
    let min: Uint8Array | null = null, max: Uint8Array | null = null;
    const values = this.values;
    values.length = 0;
    const present = rows - column.nullCount;

    if (column.type === "STRING") {
      const strings = column.strings as string[];
      let dictionary: Map<string, number> | null = null;
      if (!skipDictionary && present > 0) {
        dictionaryTried = true;
        dictionary = this.dictionary(strings, column.nulls, rows);
      }
      let low: string | null = null, high: string | null = null;
      if (dictionary) {
        dictionaryUsed = true;
        for (const s of dictionary.keys()) {
          if (low === null || compareUtf8(s, low) < 0) low = s;
          if (high === null || compareUtf8(s, high) > 0) high = s;
        }
        const dict = new ParquetBytes(1024);
        for (const s of dictionary.keys()) plainString(dict, s);
        dictionaryPageOffset = base + file.length;
        uncompressed += this.page(file, DICTIONARY_PAGE, dict.bytes.subarray(0, dict.length), 0, 0, dictionary.size, 0);
        encodings.push(PLAIN);
        encoding = RLE_DICTIONARY;
        const width = Math.max(1, 32 - Math.clz32(dictionary.size - 1));
        values.byte(width);
        values.hybrid(this.indices, present, width);
      } else {
        for (let k = 0; k < rows; k++) {
          const s = strings[k];
          if (s === null || s === undefined) continue;
          if (low === null || compareUtf8(s, low) < 0) low = s;
          if (high === null || compareUtf8(s, high) > 0) high = s;
          plainString(values, s);
        }
      }
      if (low !== null) { min = utf8.encode(low); max = utf8.encode(high!); }
    } else if (column.type === "BOOLEAN") {
      const bits = this.indices;
      let n = 0, any = 0, all = 1;
      for (let k = 0; k < rows; k++) if (!column.nulls[k]) { const b = column.numbers[k]!; bits[n++] = b; any |= b; all &= b; }
      if (n > 0) { min = Uint8Array.of(all); max = Uint8Array.of(any); }
      // PLAIN: bit-packed, the first value in the lowest bit. (RLE, length-prefixed, is the spec's
      // too, but fastparquet read it in a version-2 page as if the nulls were values, and failed.)
      encoding = PLAIN;
      for (let k = 0; k < n; k += 8) {
        let byte = 0;
        for (let j = 0; j < 8 && k + j < n; j++) byte |= bits[k + j]! << j;
        values.byte(byte);
      }
    } else {
      const numbers = column.numbers, nanos = column.nanos, nulls = column.nulls;
      let first = -1, lo = 0, hi = 0;
      for (let k = 0; k < rows; k++) {
        if (nulls[k]) continue;
        if (first < 0) { first = lo = hi = k; continue; }
        if (before(numbers, nanos, k, lo)) lo = k;
        if (before(numbers, nanos, hi, k)) hi = k;
      }
      if (first >= 0) { min = this.plainOne(column, lo, true); max = this.plainOne(column, hi, false); }
      const entries = first >= 0 && column.type !== "TIMESTAMP" ? this.fewDistinct(column, rows) : 0;
      if (entries > 0) {
        // Few distinct values: a dictionary of them and runs of their indices.
        const dict = new ParquetBytes(8 * entries);
        for (let e = 0; e < entries; e++) {
          const n = this.distinct[e]!;
          if (column.type === "INT32") dict.int32(n); else if (column.type === "INT64") dict.int64(n); else dict.double(n);
        }
        dictionaryPageOffset = base + file.length;
        uncompressed += this.page(file, DICTIONARY_PAGE, dict.bytes.subarray(0, dict.length), 0, 0, entries, 0);
        encodings.push(PLAIN);
        encoding = RLE_DICTIONARY;
        const width = Math.max(1, 32 - Math.clz32(entries - 1));
        values.byte(width);
        values.hybrid(this.indices, present, width);
      } else {
        writePlainNumbers(values, column, rows);
      }
    }
    encodings.push(encoding);
    encodings.push(RLE); // the definition levels', in every page (a version-2 page always has them)
    const levels = this.levels;
    levels.length = 0;
    levels.hybrid(defs, rows, 1);
    const dataPageOffset = base + file.length;
    uncompressed += this.page(file, DATA_PAGE_V2, values.bytes.subarray(0, values.length), levels.length, rows, column.nullCount, encoding);
    return {
      offset, dataPageOffset, dictionaryPageOffset, encodings, values: rows, uncompressed,
      compressed: base + file.length - offset, nulls: column.nullCount, min, max, dictionaryTried, dictionaryUsed,
    };
  }

  // The distinct values of a numeric column when there are at most FEW_DISTINCT of them (in
  // this.distinct, first seen first; each present cell's index in this.indices), else 0. A
  // double's -0 and +0 are distinct values here.
  private fewDistinct(column: ParquetColumnBuffer, rows: number): number {
    const numbers = column.numbers, nulls = column.nulls, distinct = this.distinct, indices = this.indices;
    let entries = 0, n = 0;
    for (let k = 0; k < rows; k++) {
      if (nulls[k]) continue;
      const v = numbers[k]!;
      let e = 0;
      while (e < entries && (distinct[e] !== v || (v === 0 && 1 / distinct[e]! !== 1 / v))) e++;
      if (e === entries) {
        if (entries === FEW_DISTINCT) return 0;
        distinct[entries++] = v;
      }
      indices[n++] = e;
    }
    return entries;
  }

  // Index of each present string in a dictionary, or null when it would have more entries than
  // a third of the rows (then PLAIN is as small, and cheaper).
  private dictionary(strings: (string | null)[], nulls: Uint8Array, rows: number): Map<string, number> | null {
    const limit = Math.max(16, Math.floor(rows / 3));
    const dictionary = new Map<string, number>();
    const indices = this.indices;
    let n = 0;
    for (let k = 0; k < rows; k++) {
      if (nulls[k]) continue;
      const s = strings[k]!;
      let index = dictionary.get(s);
      if (index === undefined) {
        if (dictionary.size === limit) return null;
        dictionary.set(s, index = dictionary.size);
      }
      indices[n++] = index;
    }
    return dictionary;
  }

  // A dictionary page (`levelsOrZero` 0, `count` its entries) or a v2 data page with `levels`
  // bytes of definition levels before `body` in `this.levels`; the body snappy-compressed.
  // Returns the page's uncompressed size, its header included.
  private page(file: ParquetBytes, type: number, body: Uint8Array, levelBytes: number, rows: number, countOrNulls: number, encoding: number): number {
    const compressed = this.snappy.compress(body);
    const h = this.header;
    h.reset();
    h.i32(1, type);
    h.i32(2, levelBytes + body.length);
    h.i32(3, levelBytes + compressed.length);
    if (type === DICTIONARY_PAGE) {
      h.beginStruct(7);
      h.i32(1, countOrNulls);
      h.i32(2, PLAIN);
      h.endStruct();
    } else {
      h.beginStruct(8);
      h.i32(1, rows);
      h.i32(2, countOrNulls);
      h.i32(3, rows);
      h.i32(4, encoding);
      h.i32(5, levelBytes);
      h.i32(6, 0);
      h.endStruct();
    }
    h.endStruct();
    file.append(h.bytes.subarray(0, h.length));
    if (levelBytes) file.append(this.levels.bytes.subarray(0, levelBytes));
    file.append(compressed);
    return h.length + levelBytes + body.length;
  }

  // Cell k of a numeric column as the PLAIN bytes of its physical type (statistics, a dictionary).
  // A DOUBLE zero is -0 as a minimum and +0 as a maximum, as the format asks.
  private plainOne(column: ParquetColumnBuffer, k: number, isMin: boolean): Uint8Array {
    const one = new ParquetBytes(8);
    const n = column.numbers[k]!;
    switch (column.type) {
      case "INT32": one.int32(n); break;
      case "INT64": one.int64(n); break;
      case "TIMESTAMP": one.timestamp(n, column.nanos![k]!); break;
      default: one.double(n === 0 ? (isMin ? -0 : 0) : n);
    }
    return one.bytes.slice(0, one.length);
  }
}

function writePlainNumbers(out: ParquetBytes, column: ParquetColumnBuffer, rows: number): void {
  const numbers = column.numbers, nulls = column.nulls;
  switch (column.type) {
    case "INT32": for (let k = 0; k < rows; k++) if (!nulls[k]) out.int32(numbers[k]!); break;
    case "INT64": for (let k = 0; k < rows; k++) if (!nulls[k]) out.int64(numbers[k]!); break;
    case "TIMESTAMP": { const nanos = column.nanos!; for (let k = 0; k < rows; k++) if (!nulls[k]) out.timestamp(numbers[k]!, nanos[k]!); break; }
    default: for (let k = 0; k < rows; k++) if (!nulls[k]) out.double(numbers[k]!);
  }
}

// Whether cell a comes before cell b (seconds, then nanoseconds for a timestamp).
function before(numbers: Float64Array, nanos: Float64Array | null, a: number, b: number): boolean {
  return numbers[a]! < numbers[b]! || (nanos !== null && numbers[a] === numbers[b] && nanos[a]! < nanos[b]!);
}

// A string's 4-byte length and UTF-8 bytes: ASCII written as it is, the rest by the encoder.
function plainString(out: ParquetBytes, s: string): void {
  const n = s.length;
  out.reserve(4 + n * 3);
  const bytes = out.bytes, at = out.length + 4;
  let k = 0;
  for (; k < n; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0x80) break;
    bytes[at + k] = c;
  }
  const written = k === n ? n : k + utf8.encodeInto(s.slice(k), bytes.subarray(at + k)).written;
  out.view.setUint32(at - 4, written, true);
  out.length = at + written;
}

/** Strings in the order of their UTF-8 bytes (code points; JavaScript's < orders UTF-16 units). */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  const x = a.charCodeAt(i), y = b.charCodeAt(i);
  if (x < 0xd800 && y < 0xd800) return x - y;
  // A surrogate (a code point past U+FFFF) sorts after every other unit up to U+FFFF.
  const rank = (c: number) => (c >= 0xd800 && c <= 0xdfff ? c + 0x2000 : c >= 0xe000 ? c - 0x800 : c);
  return rank(x) - rank(y);
}
