// The blocks a WebAssembly connection record (assembly/connection-layout.ts) points to: its
// history letters past the inline ones and its tunnel chain. Whoever copies records out of a
// tracker's memory copies these too and rewrites the pointers (parallel/ended-bytes.ts,
// lines/wasm-lines.ts).

import { C_HISTORY_MORE, C_TUNNEL_CHAIN } from "../../assembly/connection-layout.js";

const align8 = (n: number) => (n + 7) & ~7;

/** The fields of a record that point to a block of its own, in the order the blocks follow it when copied. */
export const BLOCK_POINTERS = [C_HISTORY_MORE, C_TUNNEL_CHAIN];

/** The bytes of the block at `at` (0: none): u32 length, 4 bytes, the bytes, 8-byte aligned. */
export function blockBytes(view: DataView, at: number): number {
  return at === 0 ? 0 : align8(8 + view.getUint32(at, true));
}

/** The bytes of all the blocks the record at `record` points to. */
export function recordBlockBytes(view: DataView, record: number): number {
  let bytes = 0;
  for (const pointer of BLOCK_POINTERS) bytes += blockBytes(view, view.getUint32(record + pointer, true));
  return bytes;
}
