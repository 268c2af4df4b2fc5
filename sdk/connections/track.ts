// Runs captures through the decoder and the connection tracker, yielding the connections that
// ended during each decoded batch, in a canonical order: by batch, then by the time each
// connection ended, then by id. The order depends only on the capture, so a run split over
// worker threads (each tracking a shard of the flows) merges back into exactly this order.

import type { CaptureSummary } from "../decoder/decode-capture.js";
import { decodeInputs } from "../decoder/decode-inputs.js";
import { acquireScanMemory, releaseScanMemory } from "../wasm-memory.js";
import type { CaptureInput } from "../decoder/capture-input.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import type { ConnectionStore } from "./connection-store.js";
import { ConnectionTracker, type TrackerOptions } from "./tracker.js";
import { WasmConnectionTracker } from "./wasm-tracker.js";
import { buildConnectionRecord, type ConnectionRecord } from "./connection-record.js";
import type { Timeline } from "../report/capture-report.js";
import type { ScanOptions } from "../scan.js";

/** The connections that ended during one decoded batch (or a group of those open at the end). */
export interface EndedGroup {
  /** Sorted by (ended at, id); by id at the end of input. */
  records: ConnectionRecord[];
}

/** A connection that ended, when, and its id: what the canonical order sorts by. */
export interface Ended { at: number; id: number; record: ConnectionRecord }

/** The canonical order within a batch (and parallel/ merges by it too). */
export function byEndThenId(a: { at: number; id: number }, b: { at: number; id: number }): number {
  return a.at - b.at || a.id - b.id;
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
}

/**
 * A tracker that hands out what ended, batch by batch, in the canonical order. Given the
 * decoder's memory, the WebAssembly tracker lives there and tracks each batch in place.
 */
export class GroupingTracker {
  private ended: Ended[] = [];
  readonly tracker: Tracker;
  private readonly inPlace: WasmConnectionTracker | null = null;

  constructor(options: GroupingOptions, decoderMemory?: WebAssembly.Memory) {
    const emit = (store: ConnectionStore, slot: number) => {
      this.ended.push({ at: store.removedAt[slot]!, id: store.id[slot]!, record: buildConnectionRecord(store, slot) });
    };
    if (options.tracker === "typescript") {
      this.tracker = new ConnectionTracker(options, emit);
    } else {
      const wasm = new WasmConnectionTracker(options, emit, null, decoderMemory);
      this.tracker = wasm;
      if (decoderMemory) this.inPlace = wasm;
    }
  }

  /** Tracks one decoded batch; returns the connections that ended meanwhile (maybe none). */
  process(packets: PacketBatch): EndedGroup {
    if (this.inPlace) this.inPlace.processInPlace(packets.u8.byteOffset, packets.count, packets.latestSec, packets.latestNsec);
    else this.tracker.processBatch(packets);
    return this.take();
  }

  /** Ends up to FINISH_GROUP connections still open; `done` once none is left. */
  finishSome(): { group: EndedGroup; done: boolean } {
    const done = this.tracker.finish(FINISH_GROUP);
    return { group: this.take(), done };
  }

  get timeline(): Timeline {
    return { maxGapSec: this.tracker.maxGapSec, backwardsSteps: this.tracker.backwardsSteps };
  }

  private take(): EndedGroup {
    const ended = this.ended.sort(byEndThenId);
    this.ended = [];
    return { records: ended.map((e) => e.record) };
  }
}

/** Every batch yields a group, empty or not, so that consumers can tell how far it got. */
export async function* trackConnections(
  inputs: CaptureInput[], options: ScanOptions, summaries: CaptureSummary[],
): AsyncGenerator<EndedGroup, Timeline> {
  // The WebAssembly tracker shares the decoder's memory: each batch is tracked where it was
  // decoded (output slot 0, free again once tracked), not copied.
  const memory = acquireScanMemory();
  try {
    const grouping = new GroupingTracker(options, options.tracker === "typescript" ? undefined : memory);
    // Batches as a parallel scan makes them (fill: 4 096 TCP packets each, whatever the chunks
    // of input): the canonical order sorts within a batch, so the same batches are what makes
    // it the same for any thread count. With timestamps that step back or jump, a connection
    // ending in one batch can sort before one that ended in the batch before.
    const placement = { memory, outputSlot: () => 0, fill: true };
    for await (const { batch, packetBase } of decodeInputs(inputs, options, summaries, placement)) {
      grouping.tracker.packetBase = packetBase;
      yield grouping.process(batch);
    }
    for (let done = false; !done;) {
      const next = grouping.finishSome();
      done = next.done;
      yield next.group;
    }
    return grouping.timeline;
  } finally {
    releaseScanMemory(memory);
  }
}
