// The output cursor the line writers write through (ByteSink's job in sdk/lines/byte-sink.ts):
// bytes go to memory at `out`, which every write moves on. The caller gives the start and
// reserves room (a number takes at most 25 bytes, an address 45, a Community ID 30).

export let out: usize = 0;

export function startAt(at: usize): void { out = at; }

@inline export function byte(b: u32): void {
  store<u8>(out, <u8>b);
  out++;
}

/** Digits of an integer below 2^64, most significant first. */
export function uint(v: u64): void {
  if (v <= 0xffffffff) { uint32(<u32>v); return; }
  let digits = 10;
  for (let d: u64 = 10000000000; d <= v; d *= 10) {
    digits++;
    if (d >= 1000000000000000000) break; // 10^19 would overflow u64
  }
  let at = out + <usize>digits;
  out = at;
  do {
    const q = v / 10;
    store<u8>(--at, <u8>(0x30 + <u32>(v - q * 10)));
    v = q;
  } while (v > 0);
}

export function uint32(v: u32): void {
  const digits = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6
    : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
  fixedDigits(v, digits);
}

/** The `digits` lowest decimal digits of v, leading zeros included. */
export function fixedDigits(v: u32, digits: i32): void {
  let at = out + <usize>digits;
  out = at;
  for (let i = 0; i < digits; i++) {
    const q = v / 10;
    store<u8>(--at, <u8>(0x30 + v - q * 10));
    v = q;
  }
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
  const p = f.ptr, n = f.len;
  for (let i: usize = 0; i < n; i += 8) store<u64>(out + i, load<u64>(p + i));
  out += n;
}

/** `length` bytes from `from`. */
export function copy(from: usize, length: usize): void {
  memory.copy(out, from, length);
  out += length;
}
