// The lines a worker writes (lines-worker.ts), as UTF-8 bytes in one buffer with, per line,
// where it ends and its key (time ended, id), for the main thread to merge (line-runs.ts).
// Buffers go back and forth as ended-bytes.ts's do: the main thread returns each once it has
// copied the lines out, and the writer goes on in a returned one when there is one.

const INITIAL_BYTES = 256 * 1024;

export class LineBytesWriter {
  private bytes: Buffer;
  private length = 0;
  private ends: number[] = [];
  private keys: number[] = [];

  /** `spare` gives a buffer to go on in after take(), if there is one to reuse. */
  constructor(private readonly spare: () => ArrayBuffer | undefined = () => undefined) {
    this.bytes = Buffer.from(new ArrayBuffer(INITIAL_BYTES));
  }

  get count(): number {
    return this.ends.length;
  }

  get size(): number {
    return this.length;
  }

  /** Appends a connection's line(s), `text`, ended at `at` with id `id`. */
  add(text: string, at: number, id: number): void {
    this.reserve(3 * text.length); // UTF-8 takes at most 3 bytes per UTF-16 unit
    this.length += this.bytes.write(text, this.length, "utf8");
    this.ends.push(this.length);
    this.keys.push(at, id);
  }

  /** What was written so far (to transfer); the writer goes on in another buffer. */
  take(): { buffer: ArrayBuffer; length: number; ends: Uint32Array; keys: Float64Array } {
    const out = {
      buffer: this.bytes.buffer as ArrayBuffer, length: this.length,
      ends: Uint32Array.from(this.ends), keys: Float64Array.from(this.keys),
    };
    this.bytes = Buffer.from(this.spare() ?? new ArrayBuffer(INITIAL_BYTES));
    this.length = 0;
    this.ends = [];
    this.keys = [];
    return out;
  }

  private reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const next = Buffer.from(new ArrayBuffer(Math.max(this.bytes.length * 2, this.length + n)));
    this.bytes.copy(next, 0, 0, this.length);
    this.bytes = next;
  }
}
