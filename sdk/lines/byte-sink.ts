// Lines written straight as UTF-8 bytes into one growing buffer: fixed text as pre-encoded
// bytes, integers digit by digit, ASCII strings char by char. The ndjson writer (ndjson-bytes.ts)
// writes through it so that no line exists as a JavaScript string (built, then encoded again);
// so do the command's csv and zeek rows (plain(), numText()); string formats go in through utf8().

import { Buffer } from "node:buffer";
import { isIpv4Mapped, zeroRun } from "../decoder/addresses.js";
import { epochString } from "../decoder/timestamp.js";
import { GrowableBytes } from "./growable-bytes.js";

const INITIAL_BYTES = 256 * 1024;

/**
 * Fixed text, encoded once, also as little-endian 32-bit words: raw() copies it four bytes a
 * store (a line is mostly its keys: a byte at a time, copying them was most of its cost).
 */
export class FixedBytes {
  readonly bytes: Uint8Array;
  readonly words: Int32Array;

  constructor(text: string) {
    this.bytes = new Uint8Array(Buffer.from(text, "utf8"));
    const b = this.bytes;
    this.words = new Int32Array(b.length >> 2);
    for (let i = 0; i < this.words.length; i++) this.words[i] = b[4 * i]! | b[4 * i + 1]! << 8 | b[4 * i + 2]! << 16 | b[4 * i + 3]! << 24;
  }
}

// Past this many words, a fixed run (the counts of a side without verdicts) is copied whole.
const LONG_WORDS = 16;

const GROUPS = new Int32Array(8);
const HEX = new Uint8Array(Buffer.from("0123456789abcdef", "latin1"));
const MAPPED = new FixedBytes("::ffff:");

const NULL = new FixedBytes("null"), TRUE = new FixedBytes("true"), FALSE = new FixedBytes("false");

/** Whether ByteSink.epoch writes this time's digits straight from the numbers (else from epochString's text). */
export function epochDigits(sec: number, nsec: number): boolean {
  return sec >= 0 && sec < 2147483648 && sec === Math.floor(sec) && nsec >= 0 && nsec < 1e9 && nsec === Math.floor(nsec);
}

export class ByteSink extends GrowableBytes {
  // The byte writes go to the plain Uint8Array (a Buffer's element stores were slower); a
  // Buffer over the same memory for utf8().
  private text!: Buffer;

  constructor(buffer: ArrayBuffer = new ArrayBuffer(INITIAL_BYTES)) {
    super(buffer);
    this.text = Buffer.from(buffer);
  }

  /** The buffer written into and its first `length` bytes; goes on in `next` (or a new buffer) from 0. */
  override take(next?: ArrayBuffer): { buffer: ArrayBuffer; length: number } {
    return super.take(next ?? new ArrayBuffer(INITIAL_BYTES));
  }

  protected override use(bytes: Uint8Array): void {
    super.use(bytes);
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** A copy of what was written; goes on from 0 in the same buffer. */
  takeCopy(): Uint8Array {
    const out = this.bytes.subarray(0, this.length);
    this.length = 0;
    return Uint8Array.prototype.slice.call(out);
  }

  /**
   * What was written, as a view; goes on from 0 in the same buffer, so the view holds only
   * until the next write.
   */
  takeView(): Uint8Array {
    const out = this.bytes.subarray(0, this.length);
    this.length = 0;
    return out;
  }

  /** Bytes `from` to `to` of `source`, as they are (lines written elsewhere). */
  append(source: Uint8Array, from: number, to: number): void {
    this.reserve(to - from);
    this.bytes.set(source.subarray(from, to), this.length);
    this.length += to - from;
  }

  /** Any text, encoded. */
  utf8(text: string): void {
    this.reserve(3 * text.length); // at most 3 bytes per UTF-16 unit
    this.length += this.text.write(text, this.length, "utf8");
  }

  raw(fixed: FixedBytes): void {
    const bytes = fixed.bytes, words = fixed.words;
    this.reserve(bytes.length);
    if (words.length > LONG_WORDS) {
      this.bytes.set(bytes, this.length);
      this.length += bytes.length;
      return;
    }
    const v = this.view;
    let at = this.length;
    for (let i = 0; i < words.length; i++, at += 4) v.setInt32(at, words[i]!, true);
    const b = this.bytes;
    for (let i = words.length << 2; i < bytes.length; i++) b[at++] = bytes[i]!;
    this.length = at;
  }

  byte(b: number): void {
    this.reserve(1);
    this.bytes[this.length++] = b;
  }

  nil(): void {
    this.raw(NULL);
  }

  /** A number as JSON writes it (NaN and the infinities as null). */
  num(n: number): void {
    if (n === (n | 0) && n >= 0) this.uint(n);
    else if (!Number.isFinite(n)) this.raw(NULL);
    else if (!this.decimal(n)) this.asciiText(String(n));
  }

  /**
   * `key`, then `n` as num() writes it: one call for a key and its value (most of a line is
   * such pairs; the writers' functions are too large for these calls to be inlined into them).
   */
  field(key: FixedBytes, n: number): void {
    this.raw(key);
    if (n === (n | 0) && n >= 0) this.uint(n);
    else this.num(n);
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

  /** Text as is (no quotes, no escapes): ASCII char by char, anything else through utf8(). */
  plain(s: string): void {
    this.reserve(s.length);
    const b = this.bytes;
    let at = this.length;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7e) return this.utf8(s);
      b[at++] = c;
    }
    this.length = at;
  }

  /**
   * ASCII text with none of the characters `stop` flags (a 128-entry table), as is: true; else
   * nothing is written (false), for the caller to quote or encode it. One pass over the text.
   */
  plainUnless(s: string, stop: Uint8Array): boolean {
    this.reserve(s.length);
    const b = this.bytes;
    let at = this.length;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7e || stop[c] !== 0) return false;
      b[at++] = c;
    }
    this.length = at;
    return true;
  }

  /**
   * epochString(sec, nsec), cut to `decimals` (1 to 9; 9: all). A time epochDigits() takes
   * (seconds from 0 below 2^31 and whole nanoseconds below 1e9: every capture's) is written
   * straight from the numbers; any other, from epochString's text.
   */
  epoch(sec: number, nsec: number, decimals = 9): void {
    if (!epochDigits(sec, nsec)) {
      const text = epochString(sec, nsec); // nine decimals at the end, whatever the seconds
      return this.asciiText(text.slice(0, text.length - 9 + decimals));
    }
    this.uint(sec);
    this.reserve(10);
    const b = this.bytes;
    const at = this.length;
    b[at] = 0x2e;
    let v = nsec | 0;
    for (let i = 9; i > 0; i--) {
      const q = (v / 10) | 0;
      b[at + i] = 0x30 + v - q * 10;
      v = q;
    }
    this.length = at + 1 + decimals;
  }

  /** The IPv4 address at `at` of `bytes`, dotted decimal. */
  ipv4(bytes: Uint8Array, at: number): void {
    this.uint(bytes[at]!);
    this.byte(0x2e);
    this.uint(bytes[at + 1]!);
    this.byte(0x2e);
    this.uint(bytes[at + 2]!);
    this.byte(0x2e);
    this.uint(bytes[at + 3]!);
  }

  /** The address of IP `version` (4 or 6) at `at` of `bytes`, as formatAddress writes it. */
  address(bytes: Uint8Array, at: number, version: number): void {
    if (version === 4) this.ipv4(bytes, at);
    else this.ipv6(bytes, at);
  }

  /**
   * The IPv6 address at `at` of `bytes` as formatAddress writes it (RFC 5952: lowercase hex,
   * the first longest run of two or more zero groups as "::", an IPv4-mapped address ending in
   * its dotted quad), without the strings and arrays formatting it takes.
   */
  ipv6(bytes: Uint8Array, at: number): void {
    const w = GROUPS;
    for (let k = 0; k < 8; k++) w[k] = (bytes[at + 2 * k]! << 8) | bytes[at + 2 * k + 1]!;
    this.reserve(46);
    if (isIpv4Mapped(w)) {
      this.raw(MAPPED);
      return this.ipv4(bytes, at + 12);
    }
    const run = zeroRun(w);
    const bestStart = run < 0 ? -1 : run >> 4, bestLen = run < 0 ? 0 : run & 15;
    const b = this.bytes;
    let out = this.length;
    for (let k = 0; k < 8; k++) {
      if (k === bestStart) {
        b[out++] = 0x3a;
        b[out++] = 0x3a;
        k += bestLen - 1;
        continue;
      }
      if (k > 0 && k !== bestStart + bestLen) b[out++] = 0x3a;
      const g = w[k]!;
      if (g >= 0x1000) b[out++] = HEX[g >> 12]!;
      if (g >= 0x100) b[out++] = HEX[(g >> 8) & 15]!;
      if (g >= 0x10) b[out++] = HEX[(g >> 4) & 15]!;
      b[out++] = HEX[g & 15]!;
    }
    this.length = out;
  }

  /** A number as String() writes it (NaN and the infinities by name). */
  numText(n: number): void {
    if (Number.isFinite(n)) this.num(n);
    else this.asciiText(String(n));
  }

  /** A small non-negative integer (below 2^31). */
  private uint(n: number): void {
    this.reserve(10);
    // In int32 arithmetic: the values come from Float64Arrays, and % on a double is a call.
    let v = n | 0;
    const b = this.bytes;
    if (v < 10) {
      b[this.length++] = 0x30 + v;
      return;
    }
    let digits = 1;
    for (let d = 10; d <= v; d *= 10) digits++;
    let at = this.length + digits;
    this.length = at;
    do {
      const q = (v / 10) | 0;
      b[--at] = 0x30 + v - q * 10;
      v = q;
    } while (v > 0);
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
    let p = part | 0; // below 1e9: int32
    while (p === ((p / 10) | 0) * 10) { p = (p / 10) | 0; digits--; }
    const b = this.bytes;
    b[this.length] = 0x2e;
    let at = this.length + 1 + digits;
    this.length = at;
    for (let i = 0; i < digits; i++) {
      const q = (p / 10) | 0;
      b[--at] = 0x30 + p - q * 10;
      p = q;
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

}
