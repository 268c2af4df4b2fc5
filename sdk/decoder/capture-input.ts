// Where capture bytes come from: a file path, "-" for stdin, bytes in memory, or any byte
// stream (Node stream, web ReadableStream, async iterable of chunks). Gzip input is recognised
// by its magic bytes and decompressed on the fly, whatever the file is called.
//
// A regular file is read straight into the decoder's arena. Anything else a path can name (a
// named pipe, `<(cat f)`, /dev/stdin, a character device) cannot seek: it is opened once and
// read as a stream, from its start.

import { openSync, readSync, closeSync, fstatSync, statSync, createReadStream } from "node:fs";
import { open } from "node:fs";
import { promisify } from "node:util";
import { Readable } from "node:stream";
import { Socket } from "node:net";
import { gunzip } from "./gzip.js";

export type ByteSource = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;
export type CaptureInput = string | Uint8Array | ByteSource;

/** A source the decoder pulls from: either by reading into a buffer, or as chunks. */
export type Pull =
  | { kind: "read"; read(into: Uint8Array): number; close(): void }
  | {
    kind: "chunks"; chunks: AsyncIterable<Uint8Array>; close(): void; gzip?: boolean;
    /** Bytes taken from the stream so far, as stored: compressed ones for gzip (for progress). */
    storedBytes(): number;
  };

/**
 * A caller's stream yielded something that is not bytes: a mistake in the call, not damage, so
 * it is thrown rather than reported. `code` is stable, in the decode errors' dotted ids.
 */
export class InputTypeError extends TypeError {
  readonly code = "input.not_bytes";
  constructor(message: string) {
    super(message);
    this.name = "InputTypeError";
  }
}

/**
 * A byte stream read under a name (a pipe's path, "<stdin>"): what peekInput() hands back for
 * an input it had to read from to peek, so that messages still name the input.
 */
export class NamedByteSource implements AsyncIterable<Uint8Array> {
  /** `stop` ends what it reads from (a scan that stops early calls destroy()). */
  constructor(readonly name: string, private readonly source: AsyncIterable<Uint8Array>, private readonly stop?: () => void) {}
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> { return this.source[Symbol.asyncIterator](); }
  /** Gives up a pending read of the stream under it, as destroying a Node stream does. */
  destroy(): void { this.stop?.(); }
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

export function inputName(input: CaptureInput): string {
  if (typeof input === "string") return input === "-" ? "<stdin>" : input;
  if (input instanceof Uint8Array) return "<bytes>";
  if (input instanceof NamedByteSource) return input.name;
  return "<stream>";
}

function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
}

export function toAsyncIterable(source: ByteSource): AsyncIterable<Uint8Array> {
  if (Symbol.asyncIterator in source) return source as AsyncIterable<Uint8Array>;
  return Readable.fromWeb(source as import("node:stream/web").ReadableStream<Uint8Array>);
}

/** A chunk of a caller's stream as bytes; anything but bytes is refused (a string would read as nothing). */
export function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const kind = typeof chunk === "string" ? "a string (open the stream without an encoding)" : chunk === null ? "null" : typeof chunk;
  throw new InputTypeError(`a capture stream must yield bytes (Uint8Array, Buffer or ArrayBuffer), not ${kind}`);
}

// Re-yields a stream with its first chunk put back, after the first chunk was looked at.
async function* prepend(first: Uint8Array, rest: AsyncIterator<unknown>): AsyncGenerator<Uint8Array> {
  yield first;
  for (let r = await rest.next(); !r.done; r = await rest.next()) yield asBytes(r.value);
}

// Hands on the bytes a stream gave before it failed (none, if it failed at once), then its failure.
async function* failAfter(head: Uint8Array, error: unknown): AsyncGenerator<Uint8Array> {
  if (head.length > 0) yield head;
  throw error;
}

async function streamPull(source: AsyncIterable<unknown>, close: () => void): Promise<Pull> {
  const it = source[Symbol.asyncIterator]();
  // Stopping early (a scan closed, a damaged capture) ends the stream too: a file stream closes
  // its descriptor, and standard input no longer holds the process.
  const closeAll = () => { void it.return?.()?.catch?.(() => {}); close(); };
  // The bytes handed on, as the stream gave them (before gunzip): for progress.
  let stored = 0;
  const taken = (chunks: AsyncIterable<Uint8Array>) => counted(chunks, (n) => { stored += n; });
  const storedBytes = () => stored;
  try {
    // The first two bytes say whether it is gzip: gathered across chunks if need be.
    let head: Uint8Array = new Uint8Array(0);
    while (head.length < 2) {
      let next: IteratorResult<unknown>;
      try {
        next = await it.next();
      } catch (error) {
        // A stream that fails is a read failure (damage, at its offset), before its first byte
        // as after it: it was opened (only an open that fails throws).
        return { kind: "chunks", chunks: taken(failAfter(head, error)), close: closeAll, storedBytes };
      }
      if (next.done) break;
      const chunk = asBytes(next.value);
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    }
    if (head.length === 0) return { kind: "chunks", chunks: (async function* () {})(), close: closeAll, storedBytes };
    const all = taken(prepend(head, it));
    return { kind: "chunks", chunks: isGzip(head) ? gunzip(all) : all, close: closeAll, gzip: isGzip(head), storedBytes };
  } catch (error) {
    closeAll();
    throw error;
  }
}

/** The chunks of `source`, each counted by `add` as it is taken. */
async function* counted(source: AsyncIterable<Uint8Array>, add: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    add(chunk.length);
    yield chunk;
  }
}

/** An error as Node gives for a failed open, for a path that names a directory. */
function isDirectoryError(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), { code: "EISDIR", path });
}

/** A path that is not a regular file, opened once and read as a stream. */
async function openStreamPath(path: string): Promise<Pull> {
  const stream = await openPathStream(path);
  return streamPull(stream, () => stream.destroy());
}

/** The stream of a path opened once: a named pipe as a socket (pipeSocket), else a file stream. */
export async function openPathStream(path: string): Promise<Socket | ReturnType<typeof createReadStream>> {
  // A named pipe's open waits for its writer: off the main thread, so that nothing else stalls.
  const fd = await promisify(open)(path, "r");
  return pipeSocket(fd) ?? createReadStream(path, { fd, autoClose: true });
}

/**
 * A named pipe read as a socket (epoll), not as a file stream: a file stream's read of a pipe
 * blocks a libuv pool thread until the writer writes, so a scan stopped meanwhile (close(), an
 * AbortSignal) kept the process alive for as long as the writer kept still. Null for anything
 * else (a character device, or a runtime without pipe sockets): read as a file stream.
 */
function pipeSocket(fd: number): Socket | null {
  try {
    if (!fstatSync(fd).isFIFO()) return null;
    return new Socket({ fd, readable: true, writable: false });
  } catch {
    return null;
  }
}

/**
 * Ends a stream a scan stopped reading (close(), an AbortSignal, damage): its pending read, if
 * any, is given up and its descriptor closed, as a for-await loop left early does to a Node
 * stream. Without it, standard input or a caller's stream kept the process alive until the writer
 * wrote again or went away. An async iterable that is no stream is left to its return().
 */
export function destroyStream(source: unknown): void {
  const destroy = (source as { destroy?: unknown } | null)?.destroy;
  if (typeof destroy === "function") destroy.call(source);
}

/**
 * Fails as openInput would (ENOENT, EACCES, EISDIR) for a named file that is missing, a directory
 * or unreadable: a scan looks up all its files before reading the first.
 */
export function lookUpInput(input: CaptureInput): void {
  if (input === "-") {
    // A directory redirected in (`< dir`): its reads fail, which a stream takes for its end (an
    // empty input); said as /dev/stdin's open says it.
    if (standardInputIsDirectory()) throw isDirectoryError(inputName(input));
    return;
  }
  if (typeof input !== "string") return;
  const stat = statSync(input);
  if (stat.isDirectory()) throw isDirectoryError(input);
  // A regular file opened and closed (not accessSync: Deno asks --allow-sys for it); a named
  // pipe's open would wait for its writer, so pipes and devices are left to openInput.
  if (stat.isFile()) closeSync(openSync(input, "r"));
}

function standardInputIsDirectory(): boolean {
  try {
    return fstatSync(0).isDirectory();
  } catch {
    return false; // closed, or a runtime without it: read as before
  }
}

/** Opens an input for the decoder. Throws (ENOENT etc.) when a file cannot be opened. */
export async function openInput(input: CaptureInput): Promise<Pull> {
  if (typeof input === "string" && input !== "-") {
    const stat = statSync(input);
    if (stat.isDirectory()) throw isDirectoryError(input);
    if (!stat.isFile()) return openStreamPath(input);
    const fd = openSync(input, "r");
    try {
      if (!fstatSync(fd).isFile()) { closeSync(fd); return openStreamPath(input); } // replaced meanwhile
      const head = new Uint8Array(2);
      const n = readSync(fd, head, 0, 2, 0);
      if (isGzip(head.subarray(0, n))) {
        const stream = createReadStream(input, { fd, autoClose: true });
        return streamPull(stream, () => stream.destroy());
      }
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    // Plain file: read straight into the decoder's arena, no intermediate copy.
    return {
      kind: "read",
      read: (into) => readSync(fd, into, 0, into.length, null),
      close: () => closeSync(fd),
    };
  }
  if (input === "-") {
    lookUpInput(input); // a directory redirected in
    return streamPull(process.stdin, () => destroyStream(process.stdin));
  }
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
  const stream = toAsyncIterable(input);
  return streamPull(stream, () => destroyStream(stream));
}
