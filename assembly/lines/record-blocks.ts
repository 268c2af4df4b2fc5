// The blocks a record points to, its history letters past the inline ones and its tunnel chain,
// where the line writers find them. In ended records' bytes (sdk/parallel/ended-bytes.ts) a
// pointer is an offset from the start of those bytes, which WasmLineWriter.load copies to one
// place of the tracker's memory and names with setBlocksBase; in the tracker's own records it is
// an address (base 0).

import * as C from "../connection-layout";

let base: usize = 0;

/** Where the bytes the records' block pointers count from start (0: the pointers are addresses). */
export function setBlocksBase(at: usize): void { base = at; }

/** The most history letters a line writes (a longer history is declined: a line's room is fixed). */
export const HISTORY_WRITTEN_MAX: i32 = 1024;
const LETTERS: usize = memory.data(HISTORY_WRITTEN_MAX, 8);

/** The history's length: the inline letters and the block's, as unpack-connection.ts reads them. */
export function historyLength(c: usize): i32 {
  const len = <i32>load<u16>(c + C.C_HISTORY_LEN);
  if (len <= C.HISTORY_INLINE) return len;
  return C.HISTORY_INLINE + <i32>load<u32>(base + <usize>load<u32>(c + C.C_HISTORY_MORE));
}

/** The history's letters in one run (`length` from historyLength, at most HISTORY_WRITTEN_MAX). */
export function historyLetters(c: usize, length: i32): usize {
  if (length <= C.HISTORY_INLINE) return c + C.C_HISTORY;
  memory.copy(LETTERS, c + C.C_HISTORY, C.HISTORY_INLINE);
  memory.copy(LETTERS + C.HISTORY_INLINE, base + <usize>load<u32>(c + C.C_HISTORY_MORE) + 8, <usize>(length - C.HISTORY_INLINE));
  return LETTERS;
}

/** The first packet's tunnel levels block (u32 byte length, 4 bytes, the levels), 0 for none. */
export function chainBlock(c: usize): usize {
  const p = <usize>load<u32>(c + C.C_TUNNEL_CHAIN);
  return p == 0 ? 0 : base + p;
}
