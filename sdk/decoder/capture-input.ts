// Where capture bytes come from: a file path, "-" for stdin, bytes in memory, or any byte
// stream (Node stream, web ReadableStream, async iterable of chunks). Gzip input is recognised
// by its magic bytes and decompressed on the fly, whatever the file is called.

import { openSync, readSync, closeSync } from "node:fs";
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { Readable } from "node:stream";

export type ByteSource = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;
export type CaptureInput = string | Uint8Array | ByteSource;

/** A source the decoder pulls from: either by reading into a buffer, or as chunks. */
export type Pull =
  | { kind: "read"; read(into: Uint8Array): number; close(): void }
  | { kind: "chunks"; chunks: AsyncIterable<Uint8Array>; close(): void; gzip?: boolean };

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

export function inputName(input: CaptureInput): string {
  if (typeof input === "string") return input === "-" ? "<stdin>" : input;
  if (input instanceof Uint8Array) return "<bytes>";
  return "<stream>";
}

function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
}

function toAsyncIterable(source: ByteSource): AsyncIterable<Uint8Array> {
  if (Symbol.asyncIterator in source) return source as AsyncIterable<Uint8Array>;
  return Readable.fromWeb(source as import("node:stream/web").ReadableStream<Uint8Array>);
}

// Re-yields a stream with its first chunk put back, after the first chunk was looked at.
async function* prepend(first: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield first;
  for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
}

async function* gunzip(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const z = createGunzip();
  const fed = Readable.from(chunks, { objectMode: false });
  fed.on("error", (e) => z.destroy(e));
  yield* fed.pipe(z) as AsyncIterable<Uint8Array>;
}

async function streamPull(source: AsyncIterable<Uint8Array>, close: () => void): Promise<Pull> {
  const it = source[Symbol.asyncIterator]();
  let first = await it.next();
  while (!first.done && first.value.length === 0) first = await it.next();
  if (first.done) return { kind: "chunks", chunks: (async function* () {})(), close };
  const chunk = first.value instanceof Uint8Array ? first.value : new Uint8Array(first.value);
  const all = prepend(chunk, it);
  return { kind: "chunks", chunks: isGzip(chunk) ? gunzip(all) : all, close, gzip: isGzip(chunk) };
}

/** Opens an input for the decoder. Throws (ENOENT etc.) when a file cannot be opened. */
export async function openInput(input: CaptureInput): Promise<Pull> {
  if (typeof input === "string" && input !== "-") {
    const fd = openSync(input, "r");
    const head = new Uint8Array(2);
    const n = readSync(fd, head, 0, 2, 0);
    if (isGzip(head.subarray(0, n))) {
      closeSync(fd);
      const stream = createReadStream(input);
      return streamPull(stream, () => stream.destroy());
    }
    // Plain file: read straight into the decoder's arena, no intermediate copy.
    return {
      kind: "read",
      read: (into) => readSync(fd, into, 0, into.length, null),
      close: () => closeSync(fd),
    };
  }
  if (input === "-") return streamPull(process.stdin, () => {});
  if (input instanceof Uint8Array) {
    if (isGzip(input)) return streamPull((async function* () { yield input; })(), () => {});
    let pos = 0;
    return {
      kind: "read",
      read(into) {
        const n = Math.min(into.length, input.length - pos);
        into.set(input.subarray(pos, pos + n));
        pos += n;
        return n;
      },
      close() {},
    };
  }
  return streamPull(toAsyncIterable(input), () => {});
}
