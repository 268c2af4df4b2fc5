// A byte buffer written from the front that doubles when a write would not fit: the base of
// ByteSink (lines) and of the ended-connection bytes workers send (parallel/ended-bytes.ts).
// take() hands the buffer written so far on and goes on in a fresh one (or a spare).

export class GrowableBytes {
  protected bytes: Uint8Array;
  protected view: DataView;
  /** Bytes written so far. */
  length = 0;

  constructor(buffer: ArrayBuffer) {
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
  }

  /** The buffer written into and its first `length` bytes; goes on in `next` from 0. */
  take(next: ArrayBuffer): { buffer: ArrayBuffer; length: number } {
    const out = { buffer: this.bytes.buffer as ArrayBuffer, length: this.length };
    this.use(new Uint8Array(next));
    this.length = 0;
    return out;
  }

  /** Room for `n` more bytes. Kept this small so that every write's check is inlined. */
  protected reserve(n: number): void {
    if (this.length + n > this.bytes.length) this.grow(n);
  }

  /** Writes go on in `bytes` from here on (a subclass keeps its own views of them). */
  protected use(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private grow(n: number): void {
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    next.set(this.bytes.subarray(0, this.length));
    this.use(next);
  }
}
