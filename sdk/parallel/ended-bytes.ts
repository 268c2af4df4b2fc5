// Ended connections as bytes, for worker threads to send to the main thread: each connection
// record (assembly/connection-layout.ts) as the WebAssembly tracker left it, followed by its
// history letters past the inline ones when there are any, with C_HISTORY_MORE rewritten to
// where they now lie in the same buffer. The main thread reads them with unpackConnection(),
// like the tracker's own ended buffer; structured cloning of record objects costs several
// times more.

import { CONN_SIZE, C_HISTORY_MORE } from "../../assembly/connection-layout.js";

const align8 = (n: number) => (n + 7) & ~7;

export class EndedBytesWriter {
  private bytes = new Uint8Array(64 * CONN_SIZE);
  private view = new DataView(this.bytes.buffer);
  private length = 0;
  count = 0;

  /** Appends the record at `at` of `source` (the tracker's memory). */
  add(source: Uint8Array, sourceView: DataView, at: number): void {
    const more = sourceView.getUint32(at + C_HISTORY_MORE, true);
    const moreBytes = more === 0 ? 0 : align8(8 + sourceView.getUint32(more, true));
    this.reserve(CONN_SIZE + moreBytes);
    const c = this.length;
    this.bytes.set(source.subarray(at, at + CONN_SIZE), c);
    if (more !== 0) {
      this.bytes.set(source.subarray(more, more + moreBytes), c + CONN_SIZE);
      this.view.setUint32(c + C_HISTORY_MORE, c + CONN_SIZE, true);
    }
    this.length += CONN_SIZE + moreBytes;
    this.count++;
  }

  /** The bytes so far, in a buffer of their own (to transfer); the writer starts afresh. */
  take(): ArrayBuffer {
    const out = this.bytes.buffer.slice(0, this.length);
    this.length = 0;
    this.count = 0;
    return out;
  }

  private reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }
}

/** Offsets of the first `count` records in a buffer written by EndedBytesWriter, from `start`. */
export function* endedRecords(view: DataView, start: number, count: number): Generator<number> {
  let at = start;
  for (let k = 0; k < count; k++) {
    yield at;
    const more = view.getUint32(at + C_HISTORY_MORE, true);
    at += CONN_SIZE + (more === 0 ? 0 : align8(8 + view.getUint32(more, true)));
  }
}
