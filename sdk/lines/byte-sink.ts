// Lines written straight as UTF-8 bytes into one growing buffer: fixed text as pre-encoded
// bytes, integers digit by digit, ASCII strings char by char. The ndjson writer (ndjson-bytes.ts)
// writes through it so that no line exists as a JavaScript string (built, then encoded again);
// string formats go in through utf8().

import { Buffer } from "node:buffer";

const INITIAL_BYTES = 256 * 1024;

/** Fixed ASCII text, encoded once. */
export const ascii = (text: string): Uint8Array => Uint8Array.from(text, (ch) => ch.charCodeAt(0));

const NULL = ascii("null"), TRUE = ascii("true"), FALSE = ascii("false");

export class ByteSink {
  private bytes: Buffer;
  /** Bytes written so far. */
  length = 0;

  constructor(buffer: ArrayBuffer = new ArrayBuffer(INITIAL_BYTES)) {
    this.bytes = Buffer.from(buffer);
  }

  /** The buffer written into and its first `length` bytes; goes on in `next` (or a new buffer) from 0. */
  take(next?: ArrayBuffer): { buffer: ArrayBuffer; length: number } {
    const out = { buffer: this.bytes.buffer as ArrayBuffer, length: this.length };
    this.bytes = Buffer.from(next ?? new ArrayBuffer(INITIAL_BYTES));
    this.length = 0;
    return out;
  }

  /** A copy of what was written; goes on from 0 in the same buffer. */
  takeCopy(): Uint8Array {
    const out = this.bytes.subarray(0, this.length);
    this.length = 0;
    return Uint8Array.prototype.slice.call(out);
  }

  /** Any text, encoded. */
  utf8(text: string): void {
    this.reserve(3 * text.length); // at most 3 bytes per UTF-16 unit
    this.length += this.bytes.write(text, this.length, "utf8");
  }

  raw(fixed: Uint8Array): void {
    this.reserve(fixed.length);
    const b = this.bytes;
    let at = this.length;
    for (let i = 0; i < fixed.length; i++) b[at++] = fixed[i]!; // short: a loop beats set()
    this.length = at;
  }

  /** A number as JSON writes it (NaN and the infinities as null). */
  num(n: number): void {
    if (n === (n | 0) && n >= 0) this.uint(n);
    else if (!Number.isFinite(n)) this.raw(NULL);
    else if (!this.decimal(n)) this.asciiText(String(n));
  }

  numOrNull(n: number | null): void {
    if (n === null) this.raw(NULL);
    else this.num(n);
  }

  bool(v: boolean): void {
    this.raw(v ? TRUE : FALSE);
  }

  /** A JSON string: quoted, escaped as JSON.stringify escapes it. */
  str(s: string): void {
    this.reserve(s.length + 2);
    const b = this.bytes;
    let at = this.length;
    b[at++] = 0x22;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      // Escapes ('"', '\\', controls) and anything past ASCII: let JSON and UTF-8 do those.
      if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return this.utf8(JSON.stringify(s));
      b[at++] = c;
    }
    b[at++] = 0x22;
    this.length = at;
  }

  /** A small non-negative integer (below 2^31). */
  private uint(n: number): void {
    this.reserve(10);
    let digits = 1;
    for (let d = 10; d <= n; d *= 10) digits++;
    const b = this.bytes;
    let at = this.length + digits;
    this.length = at;
    do {
      b[--at] = 0x30 + (n % 10);
      n = (n / 10) | 0;
    } while (n > 0);
  }

  /**
   * A fraction with at most 9 decimals (the record's microseconds to the nanosecond, seconds to
   * the nanosecond), from 1e-6 to 1e6, written from its integer of nanoparts: false for any other.
   * String(n), the shortest decimal that reads back as n, is this one: n is the double nearest
   * to k / 1e9, and at this magnitude doubles lie far closer together than 1e-9, so no decimal
   * with fewer digits reads back as n. Converting a double to its shortest decimal was most of
   * a line's cost (about 17 such numbers a record).
   */
  private decimal(n: number): boolean {
    const a = n < 0 ? -n : n;
    if (a < 1e-6 || a >= 1e6) return false; // String() writes 1e-7 below; keep the spacing argument above
    const k = Math.round(a * 1e9);
    if (k / 1e9 !== a) return false;
    let whole = Math.floor(k / 1e9);
    let part = k - whole * 1e9; // exact: both below 2^53
    if (part < 0) { whole--; part += 1e9; } else if (part >= 1e9) { whole++; part -= 1e9; }
    this.reserve(20);
    if (n < 0) this.bytes[this.length++] = 0x2d;
    this.uint(whole);
    if (part === 0) return true;
    let digits = 9;
    while (part % 10 === 0) { part /= 10; digits--; }
    const b = this.bytes;
    b[this.length] = 0x2e;
    let at = this.length + 1 + digits;
    this.length = at;
    for (let i = 0; i < digits; i++) {
      b[--at] = 0x30 + (part % 10);
      part = Math.floor(part / 10);
    }
    return true;
  }

  private asciiText(text: string): void {
    this.reserve(text.length);
    const b = this.bytes;
    let at = this.length;
    for (let i = 0; i < text.length; i++) b[at++] = text.charCodeAt(i);
    this.length = at;
  }

  private reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const next = Buffer.from(new ArrayBuffer(Math.max(this.bytes.length * 2, this.length + n)));
    this.bytes.copy(next, 0, 0, this.length);
    this.bytes = next;
  }
}
