// The lines a lines worker writes (lines-worker.ts), as UTF-8 bytes in one buffer with, per line,
// where it ends and its key (time ended, connection key), for the main thread to merge (line-runs.ts).
// Buffers go back and forth as ended-bytes.ts's do: the main thread returns each once it has
// copied the lines out, and the writer goes on in a returned one when there is one.

import { ByteSink } from "../lines/byte-sink.js";
import type { LineWriter } from "../lines/line-formats.js";
import type { EndedGroup } from "../connections/ended-group.js";

export class LineBytesWriter {
  private readonly out = new ByteSink();
  private ends: number[] = [];
  private keys: number[] = [];

  /** `spare` gives a buffer to go on in after take(), if there is one to reuse. */
  constructor(private readonly spare: () => ArrayBuffer | undefined = () => undefined) {}

  get count(): number {
    return this.ends.length;
  }

  get size(): number {
    return this.out.length;
  }

  /** Writes connection k of `group`'s line(s); false when `write` wrote none. */
  add(write: LineWriter, group: EndedGroup, k: number): boolean {
    const before = this.out.length;
    group.writeLine(k, this.out, write);
    if (this.out.length === before) return false;
    this.ends.push(this.out.length);
    this.keys.push(group.endedAt[k]!, group.key(k));
    return true;
  }

  /** What was written so far (to transfer); the writer goes on in another buffer. */
  take(): { buffer: ArrayBuffer; length: number; ends: Uint32Array; keys: Float64Array } {
    const { buffer, length } = this.out.take(this.spare());
    const out = { buffer, length, ends: Uint32Array.from(this.ends), keys: Float64Array.from(this.keys) };
    this.ends = [];
    this.keys = [];
    return out;
  }
}
