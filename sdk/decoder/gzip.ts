// Gzip decompression that hands on every byte that inflates before it reports damage. Node's
// Gunzip drops the output of the zlib call that meets a bad CRC or length in a trailer, or
// garbage after it (up to its 16 KiB output chunk: a small capture then came out empty), so
// the framing (RFC 1952) is read here and only the deflate data goes through zlib (raw
// inflate, which stops at the end of the deflate stream: `bytesWritten` then says where). The
// trailer's CRC-32 and length are checked here, after the data is yielded. Concatenated
// members are read in turn, as gzip -d does; zero bytes after the last one are padding.

import * as zlib from "node:zlib";
import type { InflateRaw } from "node:zlib";

/** A damaged gzip stream; `code` is one of the "gzip.*" codes, thrown after every good byte. */
export class GzipError extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

const FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16;
/** A header longer than this (a name or comment without its end) is taken as damage. */
const MAX_HEADER = 1 << 20;
/** Compressed bytes given to zlib at a time. */
const WRITE_PIECE = 16 << 10;
/**
 * Node's inflater drops what its last call inflated when that call meets corrupt data (up to a
 * 16 KiB output chunk: a small capture came out empty). A member's compressed bytes are kept up
 * to this many, so that the bytes before the damage can be inflated again, exactly (recover()).
 */
const REPLAY_BYTES = 8 << 20;
/** What a replay may inflate beyond what was handed on (a bomb in the damaged piece stops it). */
const REPLAY_MORE_BYTES = 32 << 20;

// CRC-32 (ISO-HDLC, as gzip): zlib's when this runtime has it (Node 20.15+), else a table.
function crc32(data: Uint8Array, crc: number): number {
  // Looked up on the namespace: a runtime without it must still load this module.
  const native = (zlib as { crc32?: (data: Uint8Array, value: number) => number }).crc32;
  return typeof native === "function" ? native(data, crc) : crc32ByTable(data, crc);
}

let table: Uint32Array | null = null;
/** CRC-32 in plain TypeScript (exported for its test). */
export function crc32ByTable(data: Uint8Array, crc: number): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** The compressed input, consumed from the front. */
class Input {
  private pending: Uint8Array[] = [];
  private length = 0;
  /** Compressed bytes consumed so far (for messages). */
  offset = 0;
  private ended = false;
  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  get available(): number { return this.length; }

  /** Reads one more chunk; false at the end of the input. */
  async more(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.source.next();
    if (next.done) { this.ended = true; return false; }
    if (next.value.length > 0) { this.pending.push(next.value); this.length += next.value.length; }
    return true;
  }

  /** Ensures `n` bytes are buffered (false if the input ends first). */
  async need(n: number): Promise<boolean> {
    while (this.length < n) if (!(await this.more())) return false;
    return true;
  }

  /** The first `n` buffered bytes (n <= available), joined. */
  peek(n: number): Uint8Array {
    if (this.pending[0]!.length >= n) return this.pending[0]!.subarray(0, n);
    const out = new Uint8Array(n);
    let at = 0;
    for (const p of this.pending) {
      const take = Math.min(p.length, n - at);
      out.set(p.subarray(0, take), at);
      at += take;
      if (at === n) break;
    }
    return out;
  }

  /** Drops `n` buffered bytes. */
  skip(n: number): void {
    this.offset += n;
    this.length -= n;
    while (n > 0) {
      const first = this.pending[0]!;
      if (first.length <= n) { this.pending.shift(); n -= first.length; } else { this.pending[0] = first.subarray(n); n = 0; }
    }
  }

  /** Takes every buffered chunk out. */
  takeAll(): Uint8Array[] {
    const all = this.pending;
    this.offset += this.length;
    this.pending = [];
    this.length = 0;
    return all;
  }

  /** Puts bytes back in front (what inflate did not consume). */
  unshift(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.pending.unshift(bytes);
    this.length += bytes.length;
    this.offset -= bytes.length;
  }
}

/** The length of the member header at the front of `input`, or null if the input ends in it. */
async function headerLength(input: Input): Promise<number | null> {
  if (!(await input.need(10))) return null;
  const h = input.peek(10);
  if (h[0] !== 0x1f || h[1] !== 0x8b) throw new GzipError("gzip.bad_header", `not a gzip member at compressed byte ${input.offset}`);
  if (h[2] !== 8) throw new GzipError("gzip.bad_header", `unknown gzip compression method ${h[2]} at compressed byte ${input.offset}`);
  const flags = h[3]!;
  // RFC 1952: a reserved flag bit set is an error (gzip refuses it too); read past, the header's
  // length would be guessed and the damage reported as bad deflate data.
  if (flags & 0xe0) throw new GzipError("gzip.bad_header", `gzip header with reserved flag bits set (0x${flags.toString(16).padStart(2, "0")}) at compressed byte ${input.offset}`);
  let n = 10;
  if (flags & FEXTRA) {
    if (!(await input.need(n + 2))) return null;
    const x = input.peek(n + 2);
    n += 2 + (x[n]! | (x[n + 1]! << 8));
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    for (;;) { // a zero-terminated string
      if (n >= MAX_HEADER) throw new GzipError("gzip.bad_header", `gzip header longer than ${MAX_HEADER} bytes at compressed byte ${input.offset}`);
      if (!(await input.need(n + 1))) return null;
      if (input.peek(n + 1)[n] === 0) { n++; break; }
      n++;
    }
  }
  if (flags & FHCRC) {
    // The header's own check (RFC 1952 2.3.1): the low 16 bits of the CRC-32 of the bytes before it.
    if (!(await input.need(n + 2))) return null;
    const h = input.peek(n + 2);
    const want = h[n]! | (h[n + 1]! << 8), got = crc32(h.subarray(0, n), 0) & 0xffff;
    if (want !== got) throw new GzipError("gzip.bad_header", `gzip header checksum ${hex(want, 4)}, but its bytes give ${hex(got, 4)} (a damaged header), at compressed byte ${input.offset}`);
    n += 2;
  }
  return (await input.need(n)) ? n : null;
}

/** Ends the inflater's input: true when what it was given was a whole deflate stream. */
function endsWhole(z: InflateRaw): Promise<boolean> {
  return new Promise((resolve) => {
    z.once("error", () => resolve(false)); // "unexpected end of file"
    z.once("end", () => resolve(true));
    z.end();
  });
}

/** Feeds `bytes` to the inflater and waits until it has taken them (its output arrives meanwhile). */
function write(z: InflateRaw, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    z.once("error", onError);
    z.write(bytes, () => { z.off("error", onError); resolve(); });
  });
}

/** Decompresses a gzip stream (one or more members); throws GzipError after all good output. */
export async function* gunzip(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const input = new Input(chunks[Symbol.asyncIterator]());
  for (let member = 0; ; member++) {
    if (member > 0) {
      // After a member: the end, zero padding, or another member.
      if (!(await input.need(1))) return;
      const first = input.peek(1)[0];
      if (first === 0) {
        for (;;) {
          let base = input.offset;
          for (const chunk of input.takeAll()) {
            const at = chunk.findIndex((b) => b !== 0);
            if (at >= 0) throw new GzipError("gzip.trailing_garbage", `bytes other than zeros after the gzip data, at compressed byte ${base + at}`);
            base += chunk.length;
          }
          if (!(await input.more())) return;
        }
      }
      if (first !== 0x1f) throw new GzipError("gzip.trailing_garbage", `bytes that are not gzip data after the end of the gzip data, at compressed byte ${input.offset}`);
    }
    const header = await headerLength(input);
    if (header === null) throw new GzipError("gzip.truncated", `the gzip data is cut short in a member header at compressed byte ${input.offset}`);
    input.skip(header);
    const bodyStart = input.offset;

    const z = zlib.createInflateRaw();
    const out: Uint8Array[] = [];
    z.on("data", (d: Uint8Array) => out.push(d));
    const streamEnd = new Promise<void>((resolve) => z.once("end", resolve));
    let fed = 0, crc = 0, size = 0, handed = 0; // size: mod 2^32, as the trailer has it
    // The member's compressed bytes so far, while they are few enough to inflate again.
    let kept: Uint8Array[] | null = [];
    const take = function* (): Generator<Uint8Array> {
      for (const d of out) { crc = crc32(d, crc); size = (size + d.length) >>> 0; handed += d.length; yield d; }
      out.length = 0;
    };
    try {
      for (let ended = false; !ended;) {
        if (input.available === 0 && !(await input.more())) {
          // The deflate stream may have ended exactly where a piece did (nothing left over to
          // say so): the inflater then ends without an error, and it is the trailer that is missing.
          if (await endsWhole(z)) break;
          throw new GzipError("gzip.truncated", `the gzip data is cut short in its deflate data (compressed byte ${input.offset})`);
        }
        const chunks = input.takeAll();
        for (let k = 0; k < chunks.length && !ended; k++) {
          // In pieces: what one write inflates to waits here whole (a bomb inflates 1 000-fold).
          for (let at = 0; at < chunks[k]!.length; at += WRITE_PIECE) {
            const piece = chunks[k]!.subarray(at, at + WRITE_PIECE);
            if (fed + piece.length > REPLAY_BYTES) kept = null; // too many to inflate again
            kept?.push(piece);
            try {
              await write(z, piece);
            } catch (error) {
              yield* take(); // what came out before the failing call
              const recovered = kept && recover(kept, fed, handed);
              if (!recovered) {
                throw new GzipError("gzip.corrupt", `corrupt deflate data near compressed byte ${bodyStart + fed}: ${(error as Error).message}`);
              }
              out.push(recovered.more);
              yield* take();
              throw new GzipError("gzip.corrupt", `corrupt deflate data at compressed byte ${bodyStart + recovered.good}: ${(error as Error).message}`);
            }
            fed += piece.length;
            yield* take();
            const unused = fed - z.bytesWritten;
            if (unused > 0) {
              // The deflate stream ended in this piece (or exactly before it): the rest is the
              // trailer and what follows, put back for the next member.
              for (let j = chunks.length - 1; j > k; j--) input.unshift(chunks[j]!);
              input.unshift(chunks[k]!.subarray(at + piece.length - unused));
              ended = true;
              break;
            }
          }
        }
      }
      await streamEnd; // every output chunk has arrived
      yield* take();
    } finally {
      z.destroy();
    }
    if (!(await input.need(8))) throw new GzipError("gzip.truncated", `the gzip data is cut short in a member trailer at compressed byte ${input.offset}`);
    const t = input.peek(8);
    const view = new DataView(t.buffer, t.byteOffset, 8);
    const wantCrc = view.getUint32(0, true), wantSize = view.getUint32(4, true);
    if (wantCrc !== crc >>> 0) throw new GzipError("gzip.bad_crc", `gzip trailer: CRC-32 ${hex(wantCrc)} but the data inflates to ${hex(crc)} (corrupt data), at compressed byte ${input.offset}`);
    if (wantSize !== size) throw new GzipError("gzip.bad_length", `gzip trailer: length ${wantSize} but the data inflates to ${size} bytes (mod 2^32), at compressed byte ${input.offset + 4}`);
    input.skip(8);
  }
}

/**
 * The bytes that inflate before corrupt deflate data, past the `handed` already handed on, from
 * the member's compressed bytes `kept` (all of it so far, the failing piece last; the first
 * `fedBefore` inflated without complaint): the longest prefix that inflates as a cut stream
 * (a prefix of one that fails fails too), found by halving. Null when that cannot be done
 * within REPLAY_MORE_BYTES (the stream already handed on more, or the damage inflates to a bomb).
 */
function recover(kept: Uint8Array[], fedBefore: number, handed: number): { good: number; more: Uint8Array } | null {
  const all = Buffer.concat(kept);
  const options = { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: handed + REPLAY_MORE_BYTES };
  const inflates = (n: number): Buffer | null => {
    try {
      return zlib.inflateRawSync(all.subarray(0, n), options);
    } catch {
      return null;
    }
  };
  // inflates(good), not inflates(bad). (What was handed on may hold output of the failing piece
  // too: Node hands on each full output chunk of a write before the one that fails.)
  let good = fedBefore, bad = all.length;
  let best: Buffer | null = null;
  while (bad - good > 1) {
    const mid = good + ((bad - good) >> 1);
    const got = inflates(mid);
    if (got) { good = mid; best = got; } else bad = mid;
  }
  best ??= inflates(good);
  if (!best || best.length < handed) return null;
  return { good, more: best.subarray(handed) };
}

const hex = (n: number, digits = 8) => `0x${(n >>> 0).toString(16).padStart(digits, "0")}`;
