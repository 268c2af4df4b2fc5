// Numbers as ByteSink.num (sdk/lines/byte-sink.ts) writes them, which is String(n) for finite n
// and "null" otherwise. Written here only where the text is certain to be String(n)'s:
//  - integers of magnitude below 2^53: their plain digits (String() writes every such integer so);
//  - ByteSink.decimal's path, mirrored step for step: magnitudes from 1e-6 to 1e6 that are the
//    double nearest some k / 1e9 (its comment says why String(n) is then those digits).
// Anything else is "not written" and the caller lets JS's String(n) write it. Not AssemblyScript's
// f64.toString: it differs from String(n) on some values (0.491119 -> "0.49111900000000005").

import { out, startAt, byte, uint, uint32, fixedDigits, nullText, raw, Fixed } from "./sink";

const TWO_53: f64 = 9007199254740992;
const TWO_32: f64 = 4294967296;

/** Writes n at the cursor as ByteSink.num would; false, and nothing written, where it cannot be sure. */
@inline export function number(n: f64): bool {
  // A whole number below 2^32 at once, inlined at each call (most calls: counts, packet numbers,
  // microseconds; a sixth of them single digits). NaN fails the range test; -0 writes "0", as
  // String(-0) does.
  if (n >= 0 && n < TWO_32) {
    const d = <u32>n;
    if (<f64>d == n) { uint32(d); return true; }
  }
  return otherNumber(n);
}

function otherNumber(n: f64): bool {
  if (n != n || n == Infinity || n == -Infinity) { nullText(); return true; }
  if (n == Math.floor(n)) {
    if (n >= 0 && n < TWO_53) { uint(<u64>n); return true; }
    if (n < 0 && n > -TWO_53) { byte(0x2d); uint(<u64>-n); return true; }
    return false;
  }
  return decimal(n);
}

// ByteSink.decimal: the nanoparts k = round(|n| * 1e9) when k / 1e9 reads back as |n|.
function decimal(n: f64): bool {
  const a = n < 0 ? -n : n;
  if (a < 1e-6 || a >= 1e6) return false;
  const k = Math.round(a * 1e9);
  if (k / 1e9 != a) return false;
  let whole = Math.floor(k / 1e9);
  let part = k - whole * 1e9; // exact: both below 2^53
  if (part < 0) { whole--; part += 1e9; } else if (part >= 1e9) { whole++; part -= 1e9; }
  if (n < 0) byte(0x2d);
  uint(<u64>whole);
  if (part == 0) return true;
  let p = <u32>part, digits = 9;
  while (p % 10 == 0) { p /= 10; digits--; }
  byte(0x2e);
  fixedDigits(p, digits);
  return true;
}

/** The export's form: n written at `at`; its length, 0 when not written (JS writes String(n)). */
export function numberAt(n: f64, at: usize): u32 {
  startAt(at);
  return number(n) ? <u32>(out - at) : 0;
}

const NAN = new Fixed("NaN"), INFINITY = new Fixed("Infinity"), MINUS_INFINITY = new Fixed("-Infinity");

/** Writes n as ByteSink.numText would (String(n): NaN and the infinities by name); false where not sure. */
export function numberText(n: f64): bool {
  if (n != n) { raw(NAN); return true; }
  if (n == Infinity) { raw(INFINITY); return true; }
  if (n == -Infinity) { raw(MINUS_INFINITY); return true; }
  return number(n);
}
