// The first packet's timestamp of a capture, read from its start only: used to put rotated
// captures in time order before reading them as one.
//
// peekFirstTimestamp() opens the input and reads its start: fine for a regular file or bytes,
// which can be read again. peekInput() also takes inputs that can be read only once (a named
// pipe, standard input, a stream): it keeps the bytes the peek read and hands back an input
// that gives them again, followed by the rest, so nothing is opened twice or seeked.

import { statSync } from "node:fs";
import { decodeCapture } from "./decode-capture.js";
import { NamedByteSource, InputTypeError, asBytes, inputName, openPathStream, toAsyncIterable, destroyStream, type CaptureInput } from "./capture-input.js";
import type { Timestamp } from "./packet-decoder.js";
import { checkInput } from "../options.js";

/** Bytes a peek may read from a once-only input before it gives up (they are kept in memory). */
export const PEEK_LIMIT_BYTES = 16 << 20;
/**
 * Bytes the peeks of peekInputs' once-only inputs may keep together: 20 pipes with no packet in
 * their first 16 MiB each kept 16 MiB (~440 MB at the peak; 215 MB with 64 MiB for all). A pipe's first packet is usually
 * in its first chunk (64 KiB), so only such pipes meet it.
 */
export const PEEK_BUDGET_BYTES = 32 << 20;
/**
 * What each of them may read ahead whatever is left of the budget: a pipe whose writer opens
 * after the others spent it still finds a first packet near its start (it read 0 bytes and was
 * read last).
 */
export const PEEK_FLOOR_BYTES = 256 << 10;

/** What a scan or a map task says of an input it peeked `beyondLookAhead` (`peeked` bytes), named `name`. */
export function beyondLookAheadWarning(name: string, peeked: number): string {
  const size = peeked >= 1 << 20 ? `${Math.floor(peeked / (1 << 20))} MiB` : `${Math.floor(peeked / 1024)} KiB`;
  const why = peeked >= PEEK_LIMIT_BYTES ? "as far as a pipe is read ahead" : `as far as pipes are read ahead, ${PEEK_BUDGET_BYTES >> 20} MiB for all of them`;
  return `${name}: warning: no packet in its first ${size}, ${why}: read after the other captures, so its connections may be out of time order with theirs (give it as a file)`;
}

/** What the peeks of once-only inputs may still keep (peekInputs shares one among them). */
interface LookAheadBudget { left: number }

export async function peekFirstTimestamp(input: CaptureInput): Promise<Timestamp | null> {
  // Step by step, TCP or not: a capture without TCP is not read to its end for this.
  const capture = decodeCapture(input, { everyStep: true });
  for await (const _batch of capture) if (capture.summary().stats.firstTimestamp) break;
  return capture.summary().stats.firstTimestamp;
}

export interface PeekedInput {
  /** The first packet's time; null if none was found (not a capture, damaged, empty, or not in the first 16 MiB). */
  first: Timestamp | null;
  /** What to read from now on: the input itself when it can be read again, else a replay. */
  input: CaptureInput;
  /**
   * An input read once whose first PEEK_LIMIT_BYTES (or, among peekInputs' pipes, its share of
   * PEEK_BUDGET_BYTES) held no packet (`first` is null): it may still hold packets, at a place
   * in time order nobody knows (it sorts last).
   */
  beyondLookAhead: boolean;
  /** The bytes read ahead and kept: 0 for an input that can be read again. */
  peekedBytes: number;
}

/** Whether an input can be opened and read again from its start. */
export function rereadable(input: CaptureInput): boolean {
  if (input instanceof Uint8Array) return true;
  if (typeof input !== "string" || input === "-") return false;
  try {
    const stat = statSync(input);
    return stat.isFile() || stat.isDirectory(); // a directory: refused when opened
  } catch {
    return true; // missing: the peek throws what scan() throws for it
  }
}

/**
 * A once-only source, pulled by the peek (which keeps what it pulls) and then replayed: the
 * kept chunks first, then the rest of the source.
 */
class Replay {
  private readonly kept: Uint8Array[] = [];
  private keptBytes = 0;
  /** How the source failed while the peek pulled it: the replay fails so after the kept chunks. */
  private failure: { error: unknown } | null = null;
  /** The peek stopped at its limit or the shared budget, not at the source's end. */
  full = false;
  constructor(
    private readonly source: AsyncIterator<Uint8Array>, private readonly close: () => void,
    private readonly budget: LookAheadBudget,
  ) {}

  get bytes(): number { return this.keptBytes; }

  /** For the peek: never closes the source; ends once PEEK_LIMIT_BYTES are kept or the budget is spent. */
  recording(): AsyncIterable<Uint8Array> {
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<Uint8Array>> => {
          if (this.keptBytes >= PEEK_LIMIT_BYTES || (this.budget.left <= 0 && this.keptBytes >= PEEK_FLOOR_BYTES)) this.full = true;
          if (this.full) return { done: true, value: undefined };
          let chunk: Uint8Array;
          try {
            const r = await this.source.next();
            if (r.done) return r;
            chunk = asBytes(r.value); // a string is refused, as a scan of the stream refuses it
          } catch (error) {
            this.failure = { error };
            throw error;
          }
          this.kept.push(chunk);
          this.keptBytes += chunk.length;
          this.budget.left -= chunk.length;
          return { done: false, value: chunk };
        },
        return: async (): Promise<IteratorResult<Uint8Array>> => ({ done: true, value: undefined }),
      }),
    };
  }

  async *replay(): AsyncGenerator<Uint8Array> {
    try {
      while (this.kept.length > 0) yield this.kept.shift()!;
      if (this.failure) throw this.failure.error; // the source is done: pulling on would end it
      for (let r = await this.source.next(); !r.done; r = await this.source.next()) yield r.value;
    } finally {
      this.close();
    }
  }
}

async function openOnce(input: Exclude<CaptureInput, Uint8Array>): Promise<{ source: AsyncIterator<Uint8Array>; close: () => void }> {
  let stream: AsyncIterable<Uint8Array>;
  let close = () => {};
  if (input === "-") {
    stream = process.stdin;
    close = () => destroyStream(process.stdin);
  } else if (typeof input === "string") {
    const file = await openPathStream(input); // a pipe's open waits for its writer
    stream = file;
    close = () => file.destroy();
  } else {
    const own = toAsyncIterable(input);
    stream = own;
    close = () => destroyStream(own);
  }
  const it = stream[Symbol.asyncIterator]();
  return { source: it, close: () => { void it.return?.()?.catch?.(() => {}); close(); } };
}

/**
 * The first packet's time of `input`, and the input to read from now on. An input that cannot
 * be read twice is read once: what the peek read is kept (at most PEEK_LIMIT_BYTES and a chunk)
 * and given again first. Throws only when the input cannot be opened.
 */
export async function peekInput(input: CaptureInput): Promise<PeekedInput> {
  return peekWithin(input, { left: PEEK_LIMIT_BYTES });
}

async function peekWithin(input: CaptureInput, budget: LookAheadBudget): Promise<PeekedInput> {
  checkInput(input);
  if (rereadable(input)) {
    // Throws what scan() throws for an input it cannot open (ENOENT, EACCES, EISDIR: naming the
    // file); what is no capture or damaged is no error here (first: null), as scan() reports it.
    return { first: await peekFirstTimestamp(input), input, beyondLookAhead: false, peekedBytes: 0 };
  }
  const { source, close } = await openOnce(input as Exclude<CaptureInput, Uint8Array>);
  const replay = new Replay(source, close, budget);
  let first: Timestamp | null = null;
  try {
    first = await peekFirstTimestamp(replay.recording());
  } catch (error) {
    // A stream that fails is reported when read (the replay fails where it did); one that
    // yields no bytes (strings) is a mistake in the call, thrown as scan() throws it.
    if (error instanceof InputTypeError) { close(); throw error; }
  }
  return {
    first, input: new NamedByteSource(inputName(input), { [Symbol.asyncIterator]: () => replay.replay() }, close),
    beyondLookAhead: first === null && replay.full, peekedBytes: replay.bytes,
  };
}

/** Files peeked at once by peekInputs: each holds a file open and a decoder while it is read. */
const PEEKS_AT_ONCE = 8;

/**
 * peekInput() for every one of `inputs`, in their order: files a few at a time (a day of rotated
 * files, hundreds, peeked all at once held every file open with its decoder: ~0.7 MB each, and
 * EMFILE past the open-file limit); pipes and streams all at once, as one writer may feed several
 * (`tee` opens every pipe before it writes: peeked a few at a time, pipe 9 would never open),
 * keeping at most PEEK_BUDGET_BYTES of them together.
 */
export async function peekInputs<T extends CaptureInput>(inputs: readonly T[]): Promise<PeekedInput[]> {
  return peekAll(inputs, (error) => { throw error; });
}

/**
 * peekInputs(), but an input that cannot be opened gives `{ error }` in its place instead of
 * failing them all: the others' peeks, which may have read their pipes, are kept.
 */
export async function peekInputsSettled<T extends CaptureInput>(inputs: readonly T[]): Promise<(PeekedInput | { error: unknown })[]> {
  return peekAll<T, { error: unknown }>(inputs, (error) => ({ error }));
}

async function peekAll<T extends CaptureInput, F>(inputs: readonly T[], failed: (error: unknown) => F): Promise<(PeekedInput | F)[]> {
  const peeked: (PeekedInput | F)[] = new Array(inputs.length);
  const again = inputs.map(rereadable); // a stat each
  const files = inputs.map((_, k) => k).filter((k) => again[k]);
  const once = inputs.map((_, k) => k).filter((k) => !again[k]);
  const budget: LookAheadBudget = { left: PEEK_BUDGET_BYTES };
  const settle = (p: Promise<PeekedInput>) => p.catch(failed);
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < files.length; k = next++) peeked[files[k]!] = await settle(peekInput(inputs[files[k]!]!));
  };
  await Promise.all([
    ...once.map(async (k) => { peeked[k] = await settle(peekWithin(inputs[k]!, budget)); }),
    ...Array.from({ length: Math.min(PEEKS_AT_ONCE, files.length) }, worker),
  ]);
  return peeked;
}

