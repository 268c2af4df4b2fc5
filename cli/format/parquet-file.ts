// A Parquet file of flat OPTIONAL columns, written a row group at a time: "PAR1", each row
// group's column chunks (parquet-page.ts) as it is full, then the footer (FileMetaData, Thrift
// compact) and "PAR1" (github.com/apache/parquet-format). Each step returns the bytes to write
// next; the writer keeps only the footer's entries, each row group's written out as the footer
// will hold it (~60 bytes a column chunk): kept as objects, with their statistics' arrays, they
// took ~10 bytes of heap a row (12 M connections: 100 MB more; session 47's memory audit).

import type { ParquetColumnType } from "./connection-parquet.js";
import type { ParquetColumnBuffer } from "./parquet-column-buffer.js";
import { ParquetBytes } from "./parquet-bytes.js";
import { ParquetPageEncoder, PHYSICAL, type ChunkMeta } from "./parquet-page.js";
import { ThriftWriter, THRIFT_BINARY, THRIFT_I32, THRIFT_STRUCT } from "./parquet-thrift.js";

const MAGIC = Uint8Array.of(0x50, 0x41, 0x52, 0x31); // PAR1
const OPTIONAL = 1, SNAPPY = 1, UTF8 = 0;

export interface FileColumn { name: string; type: ParquetColumnType }

interface RowGroupMeta { rows: number; offset: number; compressed: number; uncompressed: number; chunks: ChunkMeta[] }

export class ParquetFileWriter {
  private readonly encoder = new ParquetPageEncoder();
  private readonly out = new ParquetBytes(1 << 20);
  /** The footer's RowGroup entries so far, each a Thrift struct as the list of them holds it. */
  private readonly groups = new ThriftWriter();
  private groupCount = 0;
  private rows = 0;
  private offset = 0; // bytes of the file handed out so far
  private readonly skipDictionary: boolean[];

  constructor(private readonly columns: FileColumn[], private readonly createdBy: string) {
    this.skipDictionary = columns.map(() => false);
  }

  /** Bytes held for the footer's row group entries so far: what the writer keeps while a file is written. */
  get footerBytesHeld(): number {
    return this.groups.length;
  }

  /** The file's first bytes. */
  header(): Uint8Array {
    this.offset += MAGIC.length;
    return MAGIC;
  }

  /** One row group of the cells in `buffers` (one per column, equally long); valid until the next call. */
  rowGroup(buffers: ParquetColumnBuffer[]): Uint8Array {
    const out = this.out;
    out.length = 0;
    const chunks: ChunkMeta[] = [];
    let uncompressed = 0;
    for (let c = 0; c < buffers.length; c++) {
      const chunk = this.encoder.encode(buffers[c]!, out, this.offset, this.skipDictionary[c]!);
      // A string column whose dictionary ran over skips the next chunk's attempt, then tries again.
      this.skipDictionary[c] = chunk.dictionaryTried && !chunk.dictionaryUsed;
      chunks.push(chunk);
      uncompressed += chunk.uncompressed;
    }
    this.rowGroupMeta(this.groups, { rows: buffers[0]!.length, offset: this.offset, compressed: out.length, uncompressed, chunks });
    this.groupCount++;
    this.rows += buffers[0]!.length;
    this.offset += out.length;
    return out.bytes.subarray(0, out.length);
  }

  /** The footer: the schema, each row group's column chunks and statistics, its length, "PAR1". */
  footer(): Uint8Array {
    const t = new ThriftWriter();
    t.i32(1, 2); // version
    t.list(2, THRIFT_STRUCT, this.columns.length + 1);
    t.beginStruct(-1);
    t.string(4, "root");
    t.i32(5, this.columns.length);
    t.endStruct();
    for (const c of this.columns) schemaElement(t, c);
    t.i64(3, this.rows);
    t.list(4, THRIFT_STRUCT, this.groupCount);
    t.append(this.groups.bytes.subarray(0, this.groups.length));
    t.string(6, this.createdBy);
    // column_orders: every column ordered by its type's own order (strings by unsigned bytes).
    t.list(7, THRIFT_STRUCT, this.columns.length);
    for (let k = 0; k < this.columns.length; k++) { t.beginStruct(-1); t.beginStruct(1); t.endStruct(); t.endStruct(); }
    t.endStruct();
    t.uint32(t.length); // the metadata's length, then the closing magic
    t.append(MAGIC);
    this.offset += t.length;
    return t.bytes.subarray(0, t.length);
  }

  private rowGroupMeta(t: ThriftWriter, g: RowGroupMeta): void {
    t.beginStruct(-1);
    t.list(1, THRIFT_STRUCT, g.chunks.length);
    g.chunks.forEach((chunk, k) => this.chunkMeta(t, chunk, this.columns[k]!));
    t.i64(2, g.uncompressed);
    t.i64(3, g.rows);
    t.i64(5, g.offset);
    t.i64(6, g.compressed);
    t.endStruct();
  }

  private chunkMeta(t: ThriftWriter, chunk: ChunkMeta, column: FileColumn): void {
    t.beginStruct(-1);
    t.i64(2, chunk.offset);
    t.beginStruct(3);
    t.i32(1, PHYSICAL[column.type]);
    t.list(2, THRIFT_I32, chunk.encodings.length);
    for (const e of chunk.encodings) t.listI32(e);
    t.list(3, THRIFT_BINARY, 1);
    t.listString(column.name);
    t.i32(4, SNAPPY);
    t.i64(5, chunk.values);
    t.i64(6, chunk.uncompressed);
    t.i64(7, chunk.compressed);
    t.i64(9, chunk.dataPageOffset);
    if (chunk.dictionaryPageOffset >= 0) t.i64(11, chunk.dictionaryPageOffset);
    t.beginStruct(12); // statistics
    t.i64(3, chunk.nulls);
    if (chunk.max && chunk.min) {
      t.binary(5, chunk.max);
      t.binary(6, chunk.min);
      t.bool(7, true);
      t.bool(8, true);
    }
    t.endStruct();
    t.endStruct();
    t.endStruct();
  }
}

function schemaElement(t: ThriftWriter, c: FileColumn): void {
  t.beginStruct(-1);
  t.i32(1, PHYSICAL[c.type]);
  t.i32(3, OPTIONAL);
  t.string(4, c.name);
  if (c.type === "STRING") {
    t.i32(6, UTF8);
    t.beginStruct(10); t.beginStruct(1); t.endStruct(); t.endStruct(); // LogicalType STRING
  } else if (c.type === "TIMESTAMP") {
    t.beginStruct(10);
    t.beginStruct(8); // TimestampType
    t.bool(1, true); // isAdjustedToUTC
    t.beginStruct(2); t.beginStruct(3); t.endStruct(); t.endStruct(); // unit: NANOS
    t.endStruct();
    t.endStruct();
  }
  t.endStruct();
}
