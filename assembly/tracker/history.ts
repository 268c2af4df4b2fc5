// The history string (Zeek's letters, shared/notes/zeek-conn-semantics.md section 5) and the
// anomaly counts of a connection record. The first HISTORY_INLINE letters live in the record;
// longer histories continue in a heap block (u32 length, u32 capacity, letters).

import {
  C_HISTORY, C_HISTORY_LEN, C_HISTORY_MORE, HISTORY_INLINE, HISTORY_MAX_LETTERS, C_FLIPPED, C_ANOMALY_BITS,
  C_ANOMALY_COUNTS, C_ANOMALY_ORDER,
} from "../connection-layout";

const MAX_LETTERS: u32 = HISTORY_MAX_LETTERS;

export function appendLetter(c: usize, letter: u32): void {
  const len = <u32>load<u16>(c, C_HISTORY_LEN);
  if (len == MAX_LETTERS) return;
  store<u16>(c, <u16>(len + 1), C_HISTORY_LEN);
  if (len < <u32>HISTORY_INLINE) {
    store<u8>(c + C_HISTORY + len, <u8>letter);
    return;
  }
  let more = <usize>load<u32>(c, C_HISTORY_MORE);
  const at = len - HISTORY_INLINE;
  if (more == 0 || at == load<u32>(more, 4)) {
    const capacity: u32 = more == 0 ? 32 : load<u32>(more, 4) * 2;
    more = more == 0 ? heap.alloc(8 + <usize>capacity) : heap.realloc(more, 8 + <usize>capacity);
    store<u32>(more, capacity, 4);
    store<u32>(c, <u32>more, C_HISTORY_MORE);
  }
  store<u32>(more, at + 1);
  store<u8>(more + 8 + at, <u8>letter);
}

/** The history is exactly this one letter. */
export function historyIs(c: usize, letter: u32): bool {
  return load<u16>(c, C_HISTORY_LEN) == 1 && <u32>load<u8>(c, C_HISTORY) == letter;
}

export function setHistory1(c: usize, letter: u32): void {
  store<u16>(c, 1, C_HISTORY_LEN);
  store<u8>(c, <u8>letter, C_HISTORY);
}

export function setHistory2(c: usize, first: u32, second: u32): void {
  store<u16>(c, 2, C_HISTORY_LEN);
  store<u8>(c, <u8>first, C_HISTORY);
  store<u8>(c, <u8>second, C_HISTORY + 1);
}

/** The letter as the originator (upper case) or the responder (lower case) sent it. */
export function appendFrom(c: usize, isOrig: bool, letter: u32): void {
  appendLetter(c, isOrig ? letter : letter | 0x20);
}

/** Appends the letter when `count` reaches 1, 10, 100, ... (T, W, G, C). */
export function logLetter(c: usize, side: u32, count: u32, letter: u32): void {
  let n = count;
  while (n % 10 == 0) n /= 10;
  if (n != 1) return;
  appendFrom(c, side == <u32>load<u8>(c, C_FLIPPED), letter);
}

export function noteAnomaly(c: usize, index: i32): void {
  const bits = load<u32>(c, C_ANOMALY_BITS);
  const at = c + C_ANOMALY_COUNTS + (<usize>index << 2);
  const count = load<u32>(at);
  if (count == 0) {
    // Remember the order anomalies first appeared in: the record lists them in that order.
    const position = <u64>popcnt<u32>(bits);
    store<u64>(c, load<u64>(c, C_ANOMALY_ORDER) | (<u64>(index + 1) << (position * 4)), C_ANOMALY_ORDER);
  }
  store<u32>(at, count + 1);
  store<u32>(c, bits | (1 << index), C_ANOMALY_BITS);
}
