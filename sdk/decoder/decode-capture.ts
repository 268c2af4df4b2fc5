// The low-level decoder API: async iteration over batches of decoded TCP packet records, then
// a summary of the whole capture (statistics, interfaces, warnings, the error if any).
//
//   const capture = decodeCapture("big.pcap");
//   for await (const batch of capture) for (let i = 0; i < batch.count; i++) use(batch, i);
//   const { stats, error } = capture.summary();
//
// A damaged input does not throw: everything before the damage is yielded and the summary
// carries the error with its byte offset. Only an input that cannot be opened throws.

import {
  PacketDecoder, type DecoderOptions, type DecoderPlacement, type CaptureStats, type SectionInfo, type InterfaceInfo,
  type ContainerFormat, type Timestamp,
} from "./packet-decoder.js";
import type { PacketBatch } from "./packet-batch.js";
import type { DecodeError, DecodeWarning } from "./diagnostics.js";
import { openInput, inputName, InputTypeError, type CaptureInput, type Pull } from "./capture-input.js";
import { gzipDamageAfter, withGzipCause, type GzipDamage } from "./gzip-cause.js";
import { abortable } from "../abort.js";
import { BYTES_PER_TURN, eventLoopTurn } from "../event-loop-turn.js";
import { checkDecodeOptions, checkInput } from "../options.js";

export interface CaptureSummary {
  source: string;
  container: ContainerFormat | null;
  /** "gzip" when the input was gzip-compressed (bytesRead and offsets count decompressed bytes). */
  compression: "gzip" | null;
  /**
   * Bytes of the (decompressed) input decoded: all of it, or those before the damage that
   * stopped the reading (the error's offset), however the input came in chunks.
   */
  bytesRead: number;
  /** The first 1 000 sections (pcapng) and interfaces; sectionCount and interfaceCount count all of them. */
  sections: SectionInfo[];
  interfaces: InterfaceInfo[];
  sectionCount: number;
  interfaceCount: number;
  /**
   * Present when some of the sections' and interfaces' text options were left out: a capture's
   * are kept to 64 K characters in all (pcapng-options.ts), so that a file of thousands of long
   * texts keeps memory flat. How many texts were left out.
   */
  optionTextsNotKept?: number;
  stats: CaptureStats;
  error: DecodeError | null;
  warnings: DecodeWarning[];
}

export interface DecodeProgress {
  /** Bytes of the (decompressed) input handed to the decoder so far. */
  bytesRead: number;
  /**
   * Bytes of the input as stored read so far: bytesRead, but the compressed bytes of a gzip
   * input (what its file size measures: a progress bar's fraction of it).
   */
  storedBytesRead: number;
  /**
   * A ladder's pass over its inputs (drawLadders: 1, the scan that finds the connections; 2 and
   * on, the passes that draw them, as many as memory asks for); absent elsewhere.
   */
  pass?: number;
}

export interface DecodeCaptureOptions extends DecoderOptions {
  /** Called after every chunk is read. */
  onProgress?: (progress: DecodeProgress) => void;
  /** Yield after every decoder step, empty batches too (to watch summary() as reading goes). */
  everyStep?: boolean;
  /** Stops reading: iteration then throws the signal's reason (an AbortError unless given one). */
  signal?: AbortSignal;
}

export class CaptureDecoding implements AsyncIterable<PacketBatch> {
  private decoder: PacketDecoder | null = null;
  private started = false;
  private readError: DecodeError | null = null;
  private gzip = false;
  private gzipCause: GzipDamage | null = null;

  constructor(
    readonly input: CaptureInput, private readonly options: DecodeCaptureOptions = {},
    private readonly placement?: DecoderPlacement,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<PacketBatch> {
    if (this.started) throw new Error("a CaptureDecoding can be iterated only once");
    this.started = true;
    const signal = this.options.signal;
    signal?.throwIfAborted();
    const decoder = await PacketDecoder.create(this.options, this.placement);
    this.decoder = decoder;
    let source: Pull;
    const opening = openInput(this.input);
    try {
      source = await abortable(opening, signal);
    } catch (error) {
      decoder.release();
      if (signal?.aborted) opening.then((late) => late.close(), () => {}); // a pipe opened after the stop
      throw error;
    }
    this.gzip = source.kind === "chunks" && source.gzip === true;
    const onProgress = this.options.onProgress;
    const everyStep = this.options.everyStep ?? false;
    try {
      if (source.kind === "read") {
        let turnAt = BYTES_PER_TURN;
        while (!decoder.finished) {
          if (signal?.aborted) throw signal.reason;
          if (decoder.needsInput) {
            const n = source.read(decoder.writable());
            if (n === 0) decoder.end(); else decoder.commit(n);
            onProgress?.({ bytesRead: decoder.bytesIn, storedBytesRead: decoder.bytesIn });
            // A file (or bytes) is read synchronously: without this, a timer or a signal handler
            // (Ctrl-C, AbortSignal.timeout, a close() from setTimeout) would run only once the
            // whole capture had been read.
            if (decoder.bytesIn >= turnAt) {
              turnAt = decoder.bytesIn + BYTES_PER_TURN;
              await eventLoopTurn();
              if (signal?.aborted) throw signal.reason;
            }
          }
          const batch = decoder.step();
          if ((batch.count > 0 || everyStep) && !decoder.holding) yield batch;
        }
      } else {
        const chunks = source.chunks[Symbol.asyncIterator]();
        // A caller's stream that yielded something other than bytes: thrown once the records
        // before it are handed on (at two threads, those held for a fuller batch too).
        let typeError: InputTypeError | null = null;
        // The next chunk (or STILL, below), or null once the stream failed (reported as damage).
        const read = async <T>(pending: Promise<T>): Promise<T | null> => {
          try {
            return await abortable(pending, signal);
          } catch (error) {
            if (signal?.aborted) throw error;
            if (error instanceof InputTypeError) {
              typeError = error;
              return null;
            }
            // A stream that fails mid-way (a cut or corrupt .gz, a read error) is damaged input:
            // reported as such, after everything decoded before it.
            const code = (error as { code?: unknown }).code;
            const own = typeof code === "string" && code.startsWith("gzip.");
            this.readError = {
              code: own ? code : "input.read_failed",
              message: own ? (error as Error).message : `reading the input failed: ${(error as Error).message}`,
              offset: decoder.bytesIn,
              packet: decoder.packetsDecoded + 1, // the frame number of the record not read
            };
            return null;
          }
        };
        // Records held for a fuller batch (DecoderPlacement.fill) go on once the stream has kept
        // still for HELD_FOR_MS: a live capture (tcpdump -w - | ...) at two threads otherwise
        // handed nothing on until a slot's worth of packets had come, or the stream ended. One
        // timer a held batch, raced with each read while it is held.
        let heldFor = null as Still | null;
        try {
          while (!decoder.finished) {
            const pending = chunks.next();
            if (!decoder.holding) heldFor = heldFor?.cancel() ?? null;
            else if (decoder.releasable) heldFor ??= stillAfter(HELD_FOR_MS);
            let next = await read(heldFor ? Promise.race([pending, heldFor.over]) : pending);
            if (next === STILL) {
              heldFor = null;
              pending.catch(() => {}); // a scan left at the yield ends the stream: that read then fails
              const held = decoder.releaseHeld(true)!;
              if (held.count > 0 || everyStep) yield held;
              next = await read(pending);
            }
            if (next === null) break;
            if (next.done) break;
            const chunk = next.value;
            let taken = 0;
            while (taken < chunk.length && !decoder.finished) {
              // One chunk can hold a whole capture (a stream of one Uint8Array): checked per step, as the read path does.
              if (signal?.aborted) throw signal.reason;
              if (decoder.needsInput) taken += decoder.push(chunk.subarray(taken));
              const batch = decoder.step();
              if ((batch.count > 0 || everyStep) && !decoder.holding) yield batch;
            }
            onProgress?.({ bytesRead: decoder.bytesIn, storedBytesRead: source.storedBytes() });
          }
        } finally {
          heldFor?.cancel();
        }
        if (typeError) {
          const held = decoder.releaseHeld(false);
          if (held && (held.count > 0 || everyStep)) yield held;
          throw typeError;
        }
        // Past the file header only: a file that is no capture at all is not inflated to its end.
        if (this.gzip && decoder.error && decoder.container !== null) {
          this.gzipCause = await gzipDamageAfter(this.input, chunks, source.storedBytes(), signal);
        }
        if (this.readError) {
          // Every whole record already handed in is decoded (the last chunk's may not all be
          // yet), without end(): what follows them is cut off, not the end of the capture.
          while (!decoder.finished && !decoder.needsInput) {
            const batch = decoder.step();
            if ((batch.count > 0 || everyStep) && !decoder.holding) yield batch;
          }
          if (decoder.holding) yield decoder.batch;
          return;
        }
        decoder.end();
        while (!decoder.finished) {
          const batch = decoder.step();
          if (batch.count > 0 || everyStep) yield batch;
        }
      }
    } finally {
      source.close();
      decoder.release();
    }
  }

  /**
   * The earliest and the latest packet's timestamps (null before any packet): the span capinfos
   * gives, whatever the packets' order in the file.
   */
  timeSpan(): { earliest: Timestamp; latest: Timestamp } | null {
    const d = this.decoder;
    if (!d) throw new Error("timeSpan() is available once iteration has started");
    const earliest = d.earliestTimestamp(), latest = d.stats().lastTimestamp;
    return earliest && latest ? { earliest, latest } : null;
  }

  /** What was read; complete once iteration has ended. */
  summary(): CaptureSummary {
    const d = this.decoder;
    if (!d) throw new Error("summary() is available once iteration has started");
    return {
      source: inputName(this.input),
      container: d.container,
      compression: this.gzip ? "gzip" : null,
      // Not the bytes handed in: past a fault, how many were depends on where chunks ended.
      bytesRead: d.error ? Math.min(d.bytesIn, d.error.offset) : d.bytesIn,
      sections: d.sections,
      interfaces: d.interfaces,
      sectionCount: d.sectionCount,
      interfaceCount: d.interfaceCount,
      ...(d.optionTexts.notKept > 0 ? { optionTextsNotKept: d.optionTexts.notKept } : {}),
      stats: d.stats(),
      error: d.error && this.gzipCause ? withGzipCause(d.error, this.gzipCause) : d.error ?? this.readError,
      warnings: d.warnings(),
    };
  }
}

/** `placement` is for parallel scans (parallel/): where the records go. */
export function decodeCapture(input: CaptureInput, options?: DecodeCaptureOptions, placement?: DecoderPlacement): CaptureDecoding {
  checkInput(input);
  checkDecodeOptions(options);
  return new CaptureDecoding(input, options, placement);
}

/** How long records held for a fuller batch wait for a stream that keeps still. */
const HELD_FOR_MS = 100;

const STILL: unique symbol = Symbol("still");
interface Still { over: Promise<typeof STILL>; cancel(): null }

/** A promise of STILL in `ms` (unless cancelled first). */
function stillAfter(ms: number): Still {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const over = new Promise<typeof STILL>((resolve) => { timer = setTimeout(() => resolve(STILL), ms); });
  return { over, cancel: () => { clearTimeout(timer); return null; } };
}
