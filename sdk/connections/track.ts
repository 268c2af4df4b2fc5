// Runs captures through the decoder and the connection tracker, yielding the connections that
// ended during each decoded batch, in a canonical order: by batch, then by the time each
// connection ended, then by id. The order depends only on the capture, so a run split over
// worker threads (each tracking a shard of the flows) merges back into exactly this order.

import type { CaptureSummary } from "../decoder/decode-capture.js";
import { decodeInputs } from "../decoder/decode-inputs.js";
import { acquireScanMemory, releaseScanMemory } from "../wasm-memory.js";
import type { CaptureInput } from "../decoder/capture-input.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import { ConnectionTracker, type TrackerOptions } from "./tracker.js";
import { WasmConnectionTracker } from "./wasm-tracker.js";
import { buildConnectionRecord, type ConnectionRecord } from "./connection-record.js";
import type { ConnectionStore } from "./connection-store.js";
import { EndedGroup, GroupStore } from "./ended-group.js";
import { canonicalOrder } from "./canonical-order.js";
import { unpackConnection } from "./unpack-connection.js";
import { EndedBytesWriter, endedRecords } from "../parallel/ended-bytes.js";
import { C_ID, C_REMOVED_AT } from "../../assembly/connection-layout.js";
import type { Timeline } from "../report/capture-report.js";
import type { ScanOptions } from "../scan.js";
import { WasmLineWriter, type WasmLineFormat } from "../lines/wasm-lines.js";

/**
 * The connections that ended during one decoded batch (or a group of those open at the end):
 * sorted by (ended at, key: connection-id.ts); by key at the end of input.
 */
export { EndedGroup } from "./ended-group.js";

/** A connection that ended, when, and its key (connection-id.ts): what the canonical order sorts by. */
export interface Ended { at: number; key: number; record: ConnectionRecord }

/** The canonical order within a batch (and parallel/ merges by it too): by end, then key. */
export function byEndThenKey(a: { at: number; key: number }, b: { at: number; key: number }): number {
  return a.at - b.at || a.key - b.key;
}

/**
 * Connections still open at the end of input come out in groups of this many: small, so that
 * records die young (a flood leaves millions open at the end).
 */
export const FINISH_GROUP = 256;

/** What GroupingTracker needs of a tracker; both trackers have it. */
interface Tracker {
  packetBase: number;
  readonly maxGapSec: number;
  readonly backwardsSteps: number;
  processBatch(b: PacketBatch): void;
  finish(max?: number): boolean;
}

export interface GroupingOptions extends TrackerOptions {
  /** "wasm" (default) or the reference tracker in plain TypeScript, for comparison. */
  tracker?: "wasm" | "typescript";
  /**
   * Groups as lines of this format written in WebAssembly (EndedGroup.writeLines / writeLine),
   * for line scans; no records.
   */
  wasmLines?: WasmLineFormat;
  /** With wasmLines "zeek": the site's local nets (ScanOptions.localNets). */
  localNets?: readonly string[];
}

/**
 * A tracker that hands out what ended, batch by batch, in the canonical order. Given the
 * decoder's memory, the WebAssembly tracker lives there and tracks each batch in place. Its
 * ended connections wait as bytes (parallel/ended-bytes.ts) and are unpacked in groups of
 * FINISH_GROUP as they are handed on (their records built, or lines written, from there): a
 * flood ends one connection per packet, and thousands of records per batch would outlive the
 * young generation.
 */
export class GroupingTracker {
  private ended: Ended[] = []; //              the reference tracker's, built as they end
  private readonly bytes: EndedBytesWriter | null = null; // the WebAssembly tracker's
  private spare: ArrayBuffer | undefined;
  private order = new Int32Array(FINISH_GROUP); // reused by each batch's canonical order
  private readonly unpacked = new GroupStore(FINISH_GROUP);
  readonly tracker: Tracker;
  private readonly inPlace: WasmConnectionTracker | null = null;
  private readonly lines: WasmLineWriter | null = null;

  constructor(options: GroupingOptions, decoderMemory?: WebAssembly.Memory) {
    if (options.tracker === "typescript") {
      this.tracker = new ConnectionTracker(options, (store: ConnectionStore, slot: number) => {
        this.ended.push({ at: store.removedAt[slot]!, key: store.id[slot]!, record: buildConnectionRecord(store, slot) });
      });
    } else {
      const bytes = new EndedBytesWriter(() => { const spare = this.spare; this.spare = undefined; return spare; });
      this.bytes = bytes;
      const wasm = new WasmConnectionTracker(options, null, (source, view, at) => bytes.add(source, view, at), decoderMemory);
      this.tracker = wasm;
      if (decoderMemory) this.inPlace = wasm;
      if (options.wasmLines) this.lines = new WasmLineWriter(wasm.wasm, FINISH_GROUP, options.wasmLines, options.localNets);
    }
  }

  /** Tracks one decoded batch; yields the connections that ended meanwhile, in groups (at least one, maybe empty). */
  process(packets: PacketBatch): Generator<EndedGroup> {
    if (this.inPlace) this.inPlace.processInPlace(packets.u8.byteOffset, packets.count, packets.latestSec, packets.latestNsec, packets.tunnels?.byteOffset ?? 0);
    else this.tracker.processBatch(packets);
    return this.take();
  }

  /** Ends up to FINISH_GROUP connections still open; `done` once none is left. */
  finishSome(): { groups: Generator<EndedGroup>; done: boolean } {
    const done = this.tracker.finish(FINISH_GROUP);
    return { groups: this.take(), done };
  }

  /** Ends every connection still open (end of input), FINISH_GROUP at a time, in id order. */
  *finishAll(): Generator<EndedGroup> {
    for (let done = false; !done;) {
      const next = this.finishSome();
      done = next.done;
      yield* next.groups;
    }
  }

  get timeline(): Timeline {
    return { maxGapSec: this.tracker.maxGapSec, backwardsSteps: this.tracker.backwardsSteps };
  }

  private *take(): Generator<EndedGroup> {
    if (!this.bytes) {
      const ended = this.ended.sort(byEndThenKey);
      this.ended = [];
      yield EndedGroup.ofRecords(ended.map((e) => e.record), ended.map((e) => e.at), Float64Array.from(ended, (e) => e.key));
      return;
    }
    const count = this.bytes.count;
    if (count === 0) {
      yield EndedGroup.ofRecords([], [], new Float64Array(0));
      return;
    }
    const { buffer, length } = this.bytes.take();
    const view = new DataView(buffer, 0, length), u8 = new Uint8Array(buffer, 0, length);
    const offsets = endedRecords(view, 0, count);
    const at = new Float64Array(count), key = new Float64Array(count);
    for (let k = 0; k < count; k++) {
      at[k] = view.getFloat64(offsets[k]! + C_REMOVED_AT, true);
      key[k] = view.getFloat64(offsets[k]! + C_ID, true);
    }
    const order = this.order = canonicalOrder(at, key, count, this.order);
    const lines = this.lines;
    lines?.load(u8);
    for (let first = 0; first < count; first += FINISH_GROUP) {
      const endedAt: number[] = [];
      const end = Math.min(count, first + FINISH_GROUP);
      const written = lines?.write(offsets, order, first, end);
      const keys = written ? new Float64Array(end - first) : null;
      for (let k = first; k < end; k++) {
        // with lines written in WebAssembly, only the connections it declined
        if (!written || written.starts[k - first] === -1) unpackConnection(view, u8, offsets[order[k]!]!, this.unpacked.store, k - first);
        endedAt.push(at[order[k]!]!);
        if (keys) keys[k - first] = key[order[k]!]!;
      }
      yield written ? EndedGroup.ofLines(this.unpacked, endedAt, keys!, written) : EndedGroup.ofStore(this.unpacked, endedAt);
    }
    this.spare = buffer; // every connection is unpacked: the writer may go on in it
  }
}

/** Every batch yields a group, empty or not, so that consumers can tell how far it got. */
export async function* trackConnections(
  inputs: CaptureInput[], options: ScanOptions & Pick<GroupingOptions, "wasmLines">, summaries: CaptureSummary[],
): AsyncGenerator<EndedGroup, Timeline> {
  // The WebAssembly tracker shares the decoder's memory: each batch is tracked where it was
  // decoded (output slot 0, free again once tracked), not copied.
  const memory = acquireScanMemory();
  try {
    const grouping = new GroupingTracker(options, options.tracker === "typescript" ? undefined : memory);
    // Batches as a parallel scan makes them (fill: 4 096 TCP packets each, whatever the chunks
    // of input): the canonical order sorts within a batch, so the same batches are what makes
    // it the same for any thread count. With timestamps that step back or jump, a connection
    // ending in one batch can sort before one that ended in the batch before. A batch whose first
    // part a still stream handed on early (PacketDecoder.releaseHeld) is tracked as the whole
    // batch (its clock step comes with its rest), but the part's connections are its own group:
    // only where the clock stepped back can that order differ from the file's.
    const placement = { memory, outputSlot: () => 0, fill: true };
    for await (const { batch, packetBase } of decodeInputs(inputs, options, summaries, placement)) {
      grouping.tracker.packetBase = packetBase;
      yield* grouping.process(batch);
    }
    yield* grouping.finishAll();
    return grouping.timeline;
  } finally {
    releaseScanMemory(memory);
  }
}
