// Snappy block compression (the format of github.com/google/snappy, format_description.txt), for
// the Parquet pages (parquet-page.ts). Greedy: each position's next four bytes are looked up in a
// hash table of where they were last seen; a match of four or more within 64 KiB becomes a copy,
// the bytes between matches literals. The table is kept across calls (no clearing per page): an
// entry counts only when it was written by this call (its position is past `base`).

const HASH_BITS = 14;
const MAX_OFFSET = 65_535;

export class SnappyCompressor {
  private readonly table = new Int32Array(1 << HASH_BITS);
  private base = 0; // positions in the table are base + index + 1 for this call
  private out = new Uint8Array(1 << 16);
  private at = 0;

  /** `input[from, to)` compressed; the view is valid until the next call. */
  compress(input: Uint8Array, from = 0, to = input.length): Uint8Array {
    const n = to - from;
    if (this.base + n + 1 > 0x7fff_0000) { this.table.fill(0); this.base = 0; }
    const base = this.base - from + 1; // an entry e stands for position e - base
    this.base += n + 1;
    // Worst case: a literal of everything, its tag, and the length's varint.
    if (this.out.length < n + (n >>> 5) + 16) this.out = new Uint8Array(n + (n >>> 5) + 16);
    this.at = 0;
    this.varint(n);
    const table = this.table, b = input, limit = to - 4;
    const words = new DataView(b.buffer, b.byteOffset, b.byteLength);
    let literalFrom = from, i = from, misses = 32;
    while (i <= limit) {
      const word = words.getInt32(i, true);
      const h = Math.imul(word, 0x1e35a7bd) >>> (32 - HASH_BITS);
      const candidate = table[h]! - base;
      table[h] = i + base;
      if (candidate < from || i - candidate > MAX_OFFSET || words.getInt32(candidate, true) !== word) {
        i += misses++ >>> 5; // skip faster through bytes that do not compress
        continue;
      }
      misses = 32;
      let length = 4;
      while (i + length <= limit && words.getInt32(candidate + length, true) === words.getInt32(i + length, true)) length += 4;
      while (i + length < to && b[candidate + length] === b[i + length]) length++;
      if (literalFrom < i) this.literal(b, literalFrom, i);
      this.copy(i - candidate, length);
      i += length;
      literalFrom = i;
    }
    if (literalFrom < to) this.literal(b, literalFrom, to);
    return this.out.subarray(0, this.at);
  }

  private varint(n: number): void {
    while (n >= 0x80) { this.out[this.at++] = (n & 0x7f) | 0x80; n >>>= 7; }
    this.out[this.at++] = n;
  }

  private literal(b: Uint8Array, from: number, to: number): void {
    const n = to - from - 1, out = this.out;
    if (n < 60) out[this.at++] = n << 2;
    else if (n < 0x100) { out[this.at++] = 60 << 2; out[this.at++] = n; }
    else if (n < 0x10000) { out[this.at++] = 61 << 2; out[this.at++] = n & 0xff; out[this.at++] = n >>> 8; }
    else if (n < 0x1000000) { out[this.at++] = 62 << 2; out[this.at++] = n & 0xff; out[this.at++] = (n >>> 8) & 0xff; out[this.at++] = n >>> 16; }
    else { out[this.at++] = 63 << 2; out[this.at++] = n & 0xff; out[this.at++] = (n >>> 8) & 0xff; out[this.at++] = (n >>> 16) & 0xff; out[this.at++] = n >>> 24; }
    if (to - from < 32) { let at = this.at; for (let k = from; k < to; k++) out[at++] = b[k]!; this.at = at; }
    else { out.set(b.subarray(from, to), this.at); this.at += to - from; }
  }

  // A match as copies: 4 to 11 bytes within 2 KiB in the two-byte form (a one-byte offset),
  // else pieces of at most 64 bytes with a two-byte offset (the last at least 4 where it can be).
  private copy(offset: number, length: number): void {
    const out = this.out;
    while (length >= 68) { this.copy2(offset, 64); length -= 64; }
    if (length > 64) { this.copy2(offset, 60); length -= 60; }
    if (length <= 11 && offset < 2048) {
      out[this.at++] = 1 | ((length - 4) << 2) | ((offset >>> 8) << 5);
      out[this.at++] = offset & 0xff;
    } else this.copy2(offset, length);
  }

  private copy2(offset: number, length: number): void {
    const out = this.out;
    out[this.at++] = 2 | ((length - 1) << 2);
    out[this.at++] = offset & 0xff;
    out[this.at++] = offset >>> 8;
  }
}
