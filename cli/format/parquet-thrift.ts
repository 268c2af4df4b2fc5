// Thrift's compact protocol, as much of it as Parquet's page headers and footer need (structs of
// i32, i64, bool, binary, nested structs and lists): github.com/apache/thrift,
// doc/specs/thrift-compact-protocol.md. Written field by field into a growing byte buffer.

const BOOL_TRUE = 1, BOOL_FALSE = 2, I32 = 5, I64 = 6, BINARY = 8, LIST = 9, STRUCT = 12;

export const THRIFT_I32 = I32, THRIFT_BINARY = BINARY, THRIFT_STRUCT = STRUCT;

const utf8 = new TextEncoder();

export class ThriftWriter {
  bytes = new Uint8Array(1024);
  length = 0;
  private last = 0; // the previous field's id in the struct being written
  private readonly outer: number[] = [];

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
    this.put(b);
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
    this.put(b);
  }

  private field(id: number, type: number): void {
    const delta = id - this.last;
    if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
    else { this.byte(type); this.varint(id >= 0 ? id * 2 : -id * 2 - 1); }
    this.last = id;
  }

  // Unsigned varint of a number up to 2^53 (the zigzag of an i64 up to 2^52).
  private varint(n: number): void {
    while (n >= 0x80) {
      this.byte((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.byte(n);
  }

  private byte(b: number): void {
    if (this.length === this.bytes.length) this.grow(1);
    this.bytes[this.length++] = b;
  }

  private put(b: Uint8Array): void {
    if (this.length + b.length > this.bytes.length) this.grow(b.length);
    this.bytes.set(b, this.length);
    this.length += b.length;
  }

  private grow(n: number): void {
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }
}
