// Ended connections as bytes, for worker threads to send to the main thread: each connection
// record (assembly/connection-layout.ts) as the WebAssembly tracker left it, followed by its
// history letters past the inline ones and its tunnel chain when there are any, with
// C_HISTORY_MORE and C_TUNNEL_CHAIN rewritten to where they now lie in the same buffer. The main thread reads them with unpackConnection(),
// like the tracker's own ended buffer; structured cloning of record objects costs several
// times more. The buffers go back and forth: the main thread returns each once it has built
// the records from it, and the writer goes on in a returned one (spare()) when there is one.
// A buffer allocated per message was freed only when the main thread's heap was next collected,
// and V8 lets tens of MB of such external memory pile up first (a flood sends ~1 GB of it).

import { CONN_SIZE, C_ID, C_REMOVED_AT } from "../../assembly/connection-layout.js";
import { BLOCK_POINTERS, blockBytes, recordBlockBytes } from "../connections/record-blocks.js";
import { GrowableBytes } from "../lines/growable-bytes.js";

const INITIAL_BYTES = 64 * CONN_SIZE;

export class EndedBytesWriter extends GrowableBytes {
  count = 0;

  /** `spare` gives a buffer to go on in after take(), if there is one to reuse. */
  constructor(private readonly spare: () => ArrayBuffer | undefined = () => undefined) {
    super(new ArrayBuffer(INITIAL_BYTES));
  }

  /** Appends the record at `at` of `source` (the tracker's memory), then the blocks it points to. */
  add(source: Uint8Array, sourceView: DataView, at: number): void {
    this.reserve(CONN_SIZE + recordBlockBytes(sourceView, at));
    const c = this.length;
    this.bytes.set(source.subarray(at, at + CONN_SIZE), c);
    let end = c + CONN_SIZE;
    for (const pointer of BLOCK_POINTERS) {
      const block = sourceView.getUint32(at + pointer, true);
      if (block === 0) continue;
      const bytes = blockBytes(sourceView, block);
      this.bytes.set(source.subarray(block, block + bytes), end);
      this.view.setUint32(c + pointer, end, true);
      end += bytes;
    }
    this.length = end;
    this.count++;
  }

  /** What was written so far, in place (read it before clear()). */
  written(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  /** Forgets what was written: the writer goes on from 0 in the same buffer. */
  clear(): void {
    this.length = 0;
    this.count = 0;
  }

  /** The buffer written so far and how many bytes of it (to transfer); the writer goes on in another. */
  override take(): { buffer: ArrayBuffer; length: number } {
    this.count = 0;
    return super.take(this.spare() ?? new ArrayBuffer(INITIAL_BYTES));
  }
}

/** Each record's (time ended, key) at 2k, 2k + 1: what the canonical order sorts by. */
export function endedKeys(view: DataView, offsets: readonly number[]): Float64Array {
  const keys = new Float64Array(2 * offsets.length);
  for (let k = 0; k < offsets.length; k++) {
    keys[2 * k] = view.getFloat64(offsets[k]! + C_REMOVED_AT, true);
    keys[2 * k + 1] = view.getFloat64(offsets[k]! + C_ID, true);
  }
  return keys;
}

/** Offsets of the first `count` records in a buffer written by EndedBytesWriter, from `start`. */
export function endedRecords(view: DataView, start: number, count: number): number[] {
  const offsets = new Array<number>(count);
  let at = start;
  for (let k = 0; k < count; k++) {
    offsets[k] = at;
    at += CONN_SIZE + recordBlockBytes(view, at);
  }
  return offsets;
}
