// A raw DEFLATE (RFC 1951) decoder for IPComp payloads (RFC 2394), written for bounded memory:
// no allocation, Huffman tables in a fixed region, output into a caller's buffer of at most
// `limit` bytes. Canonical codes are decoded a bit at a time (IPComp packets are rare; speed
// does not matter here, size and safety do). Every read is checked against the input's end and
// every back-reference against the output written so far.

import { INFLATE_TABLES_PTR } from "../memory";

export const INFLATE_OK = 0; //        the final block ended
export const INFLATE_CUT = 1; //       the input ended first (a snaplen-cut payload): output so far is valid
export const INFLATE_INVALID = 2; //   not a valid stream, or longer than the limit

const LEN_COUNT = INFLATE_TABLES_PTR; //        16 u16: codes per length
const LEN_SYMBOL = INFLATE_TABLES_PTR + 32; //  288 u16: symbols in canonical order
const DIST_COUNT = INFLATE_TABLES_PTR + 608; // 16 u16
const DIST_SYMBOL = INFLATE_TABLES_PTR + 640; // 32 u16
const LENGTHS = INFLATE_TABLES_PTR + 704; //    320 u16: code lengths being read
const OFFSETS = INFLATE_TABLES_PTR + 1344; //   16 u16: scratch

const LENGTH_BASE = memory.data<u16>([3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]);
const LENGTH_EXTRA = memory.data<u8>([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]);
const DIST_BASE = memory.data<u16>([1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]);
const DIST_EXTRA = memory.data<u8>([0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]);
const CODE_LENGTH_ORDER = memory.data<u8>([16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]);

let input: usize = 0;
let inputEnd: usize = 0;
let bitBuffer: u32 = 0;
let bitCount: u32 = 0;
let ranOut = false;
let out: usize = 0;
let outStart: usize = 0;
let outEnd: usize = 0;

/** Inflated bytes of the last inflate() call. */
export let inflatedLength: u32 = 0;

@inline function u16at(table: usize, i: u32): u32 { return <u32>load<u16>(table + (<usize>i << 1)); }
@inline function setU16(table: usize, i: u32, v: u32): void { store<u16>(table + (<usize>i << 1), <u16>v); }

function bits(n: u32): u32 {
  while (bitCount < n) {
    if (input >= inputEnd) { ranOut = true; return 0; }
    bitBuffer |= <u32>load<u8>(input++) << bitCount;
    bitCount += 8;
  }
  const v = bitBuffer & ((<u32>1 << n) - 1);
  bitBuffer >>= n;
  bitCount -= n;
  return v;
}

// Canonical Huffman table from `n` code lengths in LENGTHS starting at `first`. False when the
// lengths over-subscribe the code space.
function build(counts: usize, symbols: usize, first: u32, n: u32): bool {
  for (let len: u32 = 0; len < 16; len++) setU16(counts, len, 0);
  for (let s: u32 = 0; s < n; s++) setU16(counts, u16at(LENGTHS, first + s), u16at(counts, u16at(LENGTHS, first + s)) + 1);
  let left: i32 = 1;
  for (let len: u32 = 1; len < 16; len++) {
    left = (left << 1) - <i32>u16at(counts, len);
    if (left < 0) return false;
  }
  setU16(OFFSETS, 1, 0);
  for (let len: u32 = 1; len < 15; len++) setU16(OFFSETS, len + 1, u16at(OFFSETS, len) + u16at(counts, len));
  for (let s: u32 = 0; s < n; s++) {
    const len = u16at(LENGTHS, first + s);
    if (len != 0) { setU16(symbols, u16at(OFFSETS, len), s); setU16(OFFSETS, len, u16at(OFFSETS, len) + 1); }
  }
  return true;
}

// The next symbol of a table, or -1 (no such code, or the input ran out).
function decodeSymbol(counts: usize, symbols: usize): i32 {
  let code: u32 = 0, first: u32 = 0, index: u32 = 0;
  for (let len: u32 = 1; len < 16; len++) {
    code |= bits(1);
    if (ranOut) return -1;
    const count = u16at(counts, len);
    if (code - first < count) return <i32>u16at(symbols, index + code - first);
    index += count;
    first = (first + count) << 1;
    code <<= 1;
  }
  return -1;
}

function stored(): bool {
  bitBuffer = 0;
  bitCount = 0;
  if (input + 4 > inputEnd) { ranOut = true; return false; }
  const len = <u32>load<u8>(input) | (<u32>load<u8>(input + 1) << 8);
  const nlen = <u32>load<u8>(input + 2) | (<u32>load<u8>(input + 3) << 8);
  input += 4;
  if ((len ^ 0xffff) != nlen) return false;
  let n = len;
  if (input + n > inputEnd) { n = <u32>(inputEnd - input); ranOut = true; }
  if (out + n > outEnd) return false;
  memory.copy(out, input, n);
  out += n;
  input += n;
  return !ranOut;
}

function codes(): bool {
  while (true) {
    const symbol = decodeSymbol(LEN_COUNT, LEN_SYMBOL);
    if (symbol < 0) return false;
    if (symbol < 256) {
      if (out >= outEnd) return false;
      store<u8>(out++, <u8>symbol);
      continue;
    }
    if (symbol == 256) return true;
    const s = <u32>symbol - 257;
    if (s >= 29) return false;
    const length = <u32>load<u16>(LENGTH_BASE + (<usize>s << 1)) + bits(<u32>load<u8>(LENGTH_EXTRA + s));
    const d = decodeSymbol(DIST_COUNT, DIST_SYMBOL);
    if (d < 0 || d >= 30) return false;
    const distance = <u32>load<u16>(DIST_BASE + (<usize>d << 1)) + bits(<u32>load<u8>(DIST_EXTRA + <usize>d));
    if (ranOut || <usize>distance > out - outStart || out + length > outEnd) return false;
    for (let k: u32 = 0; k < length; k++) store<u8>(out + k, load<u8>(out + k - distance));
    out += length;
  }
}

function fixedTables(): void {
  for (let s: u32 = 0; s < 288; s++) setU16(LENGTHS, s, s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8);
  build(LEN_COUNT, LEN_SYMBOL, 0, 288);
  for (let s: u32 = 0; s < 30; s++) setU16(LENGTHS, s, 5);
  build(DIST_COUNT, DIST_SYMBOL, 0, 30);
}

function dynamicTables(): bool {
  const literals = bits(5) + 257, distances = bits(5) + 1, lengthCodes = bits(4) + 4;
  if (ranOut || literals > 286 || distances > 30) return false;
  for (let i: u32 = 0; i < 19; i++) setU16(LENGTHS, load<u8>(CODE_LENGTH_ORDER + i), i < lengthCodes ? bits(3) : 0);
  if (ranOut || !build(LEN_COUNT, LEN_SYMBOL, 0, 19)) return false;
  // The code lengths of both alphabets, read with the code-length code just built.
  let i: u32 = 0;
  while (i < literals + distances) {
    const symbol = decodeSymbol(LEN_COUNT, LEN_SYMBOL);
    if (symbol < 0) return false;
    if (symbol < 16) { setU16(LENGTHS, i++, symbol); continue; }
    let value: u32 = 0, repeat: u32;
    if (symbol == 16) {
      if (i == 0) return false;
      value = u16at(LENGTHS, i - 1);
      repeat = 3 + bits(2);
    } else if (symbol == 17) {
      repeat = 3 + bits(3);
    } else {
      repeat = 11 + bits(7);
    }
    if (ranOut || i + repeat > literals + distances) return false;
    while (repeat-- > 0) setU16(LENGTHS, i++, value);
  }
  if (u16at(LENGTHS, 256) == 0) return false; // no end-of-block code
  // Distance lengths sit after the literal ones: move them to the front to build their table.
  if (!build(LEN_COUNT, LEN_SYMBOL, 0, literals)) return false;
  for (let k: u32 = 0; k < distances; k++) setU16(LENGTHS, k, u16at(LENGTHS, literals + k));
  return build(DIST_COUNT, DIST_SYMBOL, 0, distances);
}

/** Inflates [src, src + srcLen) into dst (at most `limit` bytes); inflatedLength is set. */
export function inflate(src: usize, srcLen: u32, dst: usize, limit: u32): i32 {
  input = src;
  inputEnd = src + srcLen;
  bitBuffer = 0;
  bitCount = 0;
  ranOut = false;
  out = outStart = dst;
  outEnd = dst + limit;
  let status = INFLATE_INVALID;
  while (true) {
    const last = bits(1);
    const type = bits(2);
    if (ranOut) { status = INFLATE_CUT; break; }
    let ok: bool;
    if (type == 0) ok = stored();
    else if (type == 1) { fixedTables(); ok = codes(); }
    else if (type == 2) ok = dynamicTables() && codes();
    else ok = false;
    if (!ok) { status = ranOut ? INFLATE_CUT : INFLATE_INVALID; break; }
    if (last != 0) { status = INFLATE_OK; break; }
  }
  inflatedLength = <u32>(out - outStart);
  return status;
}
