// The output cursor the line writers write through (ByteSink's job in sdk/lines/byte-sink.ts):
// bytes go to memory at `out`, which every write moves on. The caller gives the start and
// reserves room (a number takes at most 25 bytes, an address 45, a Community ID 30).

export let out: usize = 0;

export function startAt(at: usize): void { out = at; }

@inline export function byte(b: u32): void {
  store<u8>(out, <u8>b);
  out++;
}

/** Four bytes at once, the first in the low byte. */
@inline export function word(w: u32): void {
  store<u32>(out, w);
  out += 4;
}

/** Digits of an integer below 2^64, most significant first. */
export function uint(v: u64): void {
  if (v <= 0xffffffff) { uint32(<u32>v); return; }
  // Nine digits at a time from the bottom: v < 2^64 < 10^20, so the top part is below 100.
  const low = <u32>(v % 1000000000), rest = v / 1000000000;
  const mid = <u32>(rest % 1000000000), top = <u32>(rest / 1000000000);
  if (top > 0) { uint32(top); fixedDigits(mid, 9); } else uint32(mid);
  fixedDigits(low, 9);
}

export function uint32(v: u32): void {
  if (v < 100) {
    if (v < 10) byte(0x30 + v);
    else { store<u16>(out, load<u16>(PAIRS + (<usize>v << 1))); out += 2; }
    return;
  }
  // The digit count from the bit length: t = floor(bits * log10(2)) is the count or one less.
  const t = ((32 - clz<u32>(v)) * 1233) >>> 12;
  fixedDigits(v, <i32>t + <i32>(v >= load<u32>(POW10 + (<usize>t << 2))));
}

const POW10: usize = memory.data<u32>([1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000]);

// "00" to "99", two bytes each: numbers are written two digits a step.
const PAIRS: usize = memory.data(200, 2);
for (let i: u32 = 0; i < 100; i++) store<u16>(PAIRS + (<usize>i << 1), <u16>((0x30 + i / 10) | (0x30 + i % 10) << 8));

/** The `digits` lowest decimal digits of v, leading zeros included. */
export function fixedDigits(v: u32, digits: i32): void {
  let at = out + <usize>digits;
  out = at;
  for (; digits >= 2; digits -= 2) {
    const q = v / 100;
    at -= 2;
    store<u16>(at, load<u16>(PAIRS + (<usize>(v - q * 100) << 1)));
    v = q;
  }
  if (digits == 1) store<u8>(at - 1, <u8>(0x30 + v % 10));
}

/** "null", as JSON writes NaN and the infinities. */
export function nullText(): void {
  store<u32>(out, 0x6c6c756e); // "null", little-endian
  out += 4;
}

/** Fixed ASCII text (a key, a name), copied once to the heap with room for raw()'s wide stores. */
export class Fixed {
  ptr: usize;
  len: usize;
  constructor(text: string) {
    this.len = <usize>text.length;
    this.ptr = heap.alloc(this.len + 8);
    for (let i = 0; i < text.length; i++) store<u8>(this.ptr + <usize>i, <u8>text.charCodeAt(i));
  }
}

/** The text, eight bytes a store: may write up to 7 bytes past its end, which the next write covers. */
export function raw(f: Fixed): void {
  // The first three words unrolled (most keys are under 24 bytes): no loop counter for them.
  const p = f.ptr, n = f.len, o = out;
  out = o + n;
  store<u64>(o, load<u64>(p));
  if (n > 8) {
    store<u64>(o, load<u64>(p, 8), 8);
    if (n > 16) {
      store<u64>(o, load<u64>(p, 16), 16);
      for (let i: usize = 24; i < n; i += 8) store<u64>(o + i, load<u64>(p + i));
    }
  }
}

/** `length` bytes from `from`, eight bytes a store: may write (and read) up to 7 bytes past their ends, as raw() does. */
export function copy(from: usize, length: usize): void {
  const o = out;
  out = o + length;
  for (let i: usize = 0; i < length; i += 8) store<u64>(o + i, load<u64>(from + i));
}
