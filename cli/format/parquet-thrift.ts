// Thrift's compact protocol, as much of it as Parquet's page headers and footer need (structs of
// i32, i64, bool, binary, nested structs and lists): github.com/apache/thrift,
// doc/specs/thrift-compact-protocol.md. Written field by field into a growing byte buffer.

import { ParquetBytes } from "./parquet-bytes.js";

const BOOL_TRUE = 1, BOOL_FALSE = 2, I32 = 5, I64 = 6, BINARY = 8, LIST = 9, STRUCT = 12;

export const THRIFT_I32 = I32, THRIFT_BINARY = BINARY, THRIFT_STRUCT = STRUCT;

const utf8 = new TextEncoder();

export class ThriftWriter extends ParquetBytes {
  private last = 0; // the previous field's id in the struct being written
  private readonly outer: number[] = [];

  constructor() {
    super(1024);
  }

  reset(): void {
    this.length = 0;
    this.last = 0;
    this.outer.length = 0;
  }

  i32(id: number, n: number): void {
    this.field(id, I32);
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  /** An i64 given as a number (exact up to 2^53). */
  i64(id: number, n: number): void {
    this.field(id, I64);
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  bool(id: number, b: boolean): void {
    this.field(id, b ? BOOL_TRUE : BOOL_FALSE);
  }

  binary(id: number, b: Uint8Array): void {
    this.field(id, BINARY);
    this.varint(b.length);
    this.append(b);
  }

  string(id: number, s: string): void {
    this.binary(id, utf8.encode(s));
  }

  /** Opens a struct field (or, with id -1, a struct element of a list); endStruct closes it. */
  beginStruct(id: number): void {
    if (id >= 0) this.field(id, STRUCT);
    this.outer.push(this.last);
    this.last = 0;
  }

  endStruct(): void {
    this.byte(0);
    this.last = this.outer.pop() ?? 0;
  }

  /** A list field's header; its `size` elements follow (listI32, listString, or beginStruct(-1)). */
  list(id: number, type: number, size: number): void {
    this.field(id, LIST);
    if (size < 15) this.byte((size << 4) | type);
    else { this.byte(0xf0 | type); this.varint(size); }
  }

  listI32(n: number): void {
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  listString(s: string): void {
    const b = utf8.encode(s);
    this.varint(b.length);
    this.append(b);
  }

  private field(id: number, type: number): void {
    const delta = id - this.last;
    if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
    else { this.byte(type); this.varint(id >= 0 ? id * 2 : -id * 2 - 1); }
    this.last = id;
  }
}
