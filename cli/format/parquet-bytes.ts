// A growable little-endian byte buffer for the Parquet writer (parquet-page.ts), with the
// encodings its pages use: PLAIN numbers, INT64 from exact doubles, timestamps from seconds
// and nanoseconds, and the RLE / bit-packed hybrid of definition levels and dictionary indices
// (github.com/apache/parquet-format, Encodings.md).

import { GrowableBytes } from "../../sdk/lines/growable-bytes.js";

const TWO_32 = 2 ** 32;

export class ParquetBytes extends GrowableBytes {
  // Read by the page and file writers, which copy what was written out of them.
  declare bytes: Uint8Array;
  declare view: DataView;

  constructor(size = 1 << 16) {
    super(new ArrayBuffer(size));
  }

  /** Room for `n` more bytes. */
  override reserve(n: number): void {
    super.reserve(n);
  }

  byte(b: number): void {
    this.reserve(1);
    this.bytes[this.length++] = b;
  }

  append(b: Uint8Array): void {
    this.reserve(b.length);
    this.bytes.set(b, this.length);
    this.length += b.length;
  }

  uint32(n: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, n, true);
    this.length += 4;
  }

  int32(n: number): void {
    this.reserve(4);
    this.view.setInt32(this.length, n, true);
    this.length += 4;
  }

  double(n: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, n, true);
    this.length += 8;
  }

  /** An INT64 given as a number (an integer below 2^53 in magnitude): exact. */
  int64(n: number): void {
    const hi = Math.floor(n / TWO_32);
    this.reserve(8);
    this.view.setUint32(this.length, n - hi * TWO_32, true);
    this.view.setInt32(this.length + 4, hi, true);
    this.length += 8;
  }

  /**
   * The INT64 sec * 1e9 + nsec (0 <= nsec < 1e9, any sec of a 64-bit nanosecond time), exactly,
   * without a BigInt: sec = a * 2^16 + b, so the time is (a * 1e9) * 2^16 + (b * 1e9 + nsec),
   * each part exact as a double, summed in 32-bit halves.
   */
  timestamp(sec: number, nsec: number): void {
    const a = Math.floor(sec / 65536), b = sec - a * 65536;
    const x = a * 1e9, y = b * 1e9 + nsec; // |x| < 2^48, 0 <= y < 2^46
    const xHi = Math.floor(x / 65536), xLo = x - xHi * 65536; // x * 2^16 = xHi * 2^32 + xLo * 2^16
    const yHi = Math.floor(y / TWO_32);
    let lo = xLo * 65536 + (y - yHi * TWO_32);
    let hi = xHi + yHi;
    if (lo >= TWO_32) { lo -= TWO_32; hi += 1; }
    this.reserve(8);
    this.view.setUint32(this.length, lo, true);
    this.view.setInt32(this.length + 4, hi, true);
    this.length += 8;
  }

  /** An unsigned varint of a number up to 2^53 (a thrift i64's zigzag, or a run header). */
  varint(n: number): void {
    while (n >= 0x80) {
      this.byte((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.byte(n);
  }

  /**
   * `values[0, n)` (each below 2^bitWidth, bitWidth 1 to 24) in the RLE / bit-packed hybrid: a run
   * of 8 or more equal values as one RLE run, the rest bit-packed 8 at a time (the last group
   * padded with zeros, which a reader stops before). Returns the bytes written.
   */
  hybrid(values: Int32Array, n: number, bitWidth: number): number {
    const start = this.length, valueBytes = (bitWidth + 7) >>> 3;
    let i = 0, groups = 0, headerAt = -1;
    while (i < n) {
      const v = values[i]!;
      let run = 1;
      while (i + run < n && values[i + run] === v) run++;
      if (run >= 8) {
        if (headerAt >= 0) { this.closePacked(headerAt, groups); headerAt = -1; }
        this.varint(run << 1);
        for (let k = 0; k < valueBytes; k++) this.byte((v >>> (8 * k)) & 0xff);
        i += run;
        continue;
      }
      if (headerAt < 0) { groups = 0; headerAt = this.length; this.byte(0); }
      // Eight values of bitWidth bits: bitWidth bytes, least significant bit first (at most
      // 7 + 24 bits are held at once).
      this.reserve(bitWidth);
      const bytes = this.bytes;
      let acc = 0, bits = 0, at = this.length;
      for (let k = 0; k < 8; k++) {
        acc |= (i + k < n ? values[i + k]! : 0) << bits;
        bits += bitWidth;
        while (bits >= 8) { bytes[at++] = acc & 0xff; acc >>>= 8; bits -= 8; }
      }
      this.length = at;
      groups++;
      i += 8;
    }
    if (headerAt >= 0) this.closePacked(headerAt, groups);
    return this.length - start;
  }

  // A bit-packed run's header, reserved as one byte at `at`: the groups moved on if its varint needs more.
  private closePacked(at: number, groups: number): void {
    const header = (groups << 1) | 1;
    if (header < 0x80) { this.bytes[at] = header; return; }
    const body = this.bytes.slice(at + 1, this.length);
    this.length = at;
    this.varint(header);
    this.append(body);
  }
}
