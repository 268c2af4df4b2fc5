// The shard of the flows this thread tracks itself, beside the workers' shards (parallel-tracker.ts).
// Right after a batch is decoded and published to the workers, this thread tracks its own share
// of it in place (its tracker lives in the decoder's memory, as one thread's does), while the
// workers track theirs: at two threads both threads track, so a second core takes half the
// tracking instead of all of it. What ends is written as a worker would write it (connection
// bytes, or lines of the scan's format) and handed to the same merge as a worker's message,
// so the output is the same for any thread count.

import { WasmConnectionTracker } from "../connections/wasm-tracker.js";
import { GroupingTracker, type EndedGroup } from "../connections/track.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import { lineWriter, type LineSpec, type LineWriter } from "../lines/line-formats.js";
import type { Timeline } from "../report/capture-report.js";
import type { ScanOptions } from "../scan.js";
import { EndedBytesWriter } from "./ended-bytes.js";
import { LineBytesWriter } from "./line-bytes.js";
import { FINAL_BATCH, type WorkerMessage } from "./messages.js";

/** Connections ended at the end of input per step, as a records worker ends them (scan-worker.ts). */
const FINISH_STEP = 512;

type Groups = { batch: number; count: number }[];

export class LocalShard {
  /** Connections handed to the merge and not yet consumed by it: bounded as a worker's are. */
  unconsumed = 0;
  private readonly spares: ArrayBuffer[] = [];
  private readonly side: Records | Lines;

  /** `memory`: the decoder's, to track in place; `lines`: write lines of that format, not bytes. */
  constructor(options: ScanOptions, shard: { index: number; count: number }, memory: WebAssembly.Memory | undefined, lines?: LineSpec) {
    const spare = () => this.spares.pop();
    const tracking = { ...options, shard };
    this.side = lines ? new Lines(tracking, memory, lineWriter(lines), spare) : new Records(tracking, memory, spare);
  }

  /** Tracks this shard's flows of batch number `batch`; what ended during it, as a message (null: nothing). */
  track(packets: PacketBatch, packetBase: number, batch: number): WorkerMessage | null {
    this.side.track(packets, packetBase);
    return this.message(batch, batch + 1);
  }

  /** Ends up to a step of the connections still open at the end of input; `done` once none is left. */
  finishSome(): { message: WorkerMessage | null; done: boolean } {
    const done = this.side.finishSome();
    return { message: this.message(FINAL_BATCH, Infinity), done };
  }

  get timeline(): Timeline {
    return this.side.timeline;
  }

  /** A message's buffer, once merged: written into again. */
  giveBack(buffer: ArrayBuffer): void {
    this.spares.push(buffer);
  }

  // Nothing ended: no buffer taken (a fresh one would be allocated per batch).
  private message(batch: number, upTo: number): WorkerMessage | null {
    const count = this.side.count;
    if (count === 0) return null;
    this.unconsumed += count;
    return this.side.take([{ batch, count }], upTo);
  }
}

// Connection bytes, for this thread to build records from as it does a worker's.
class Records {
  private readonly out: EndedBytesWriter;
  private readonly tracker: WasmConnectionTracker;
  private readonly inPlace: boolean;

  constructor(options: ScanOptions, memory: WebAssembly.Memory | undefined, spare: () => ArrayBuffer | undefined) {
    const out = new EndedBytesWriter(spare);
    this.out = out;
    this.tracker = new WasmConnectionTracker(options, null, (bytes, view, at) => out.add(bytes, view, at), memory);
    this.inPlace = memory !== undefined;
  }

  get count(): number { return this.out.count; }

  track(packets: PacketBatch, packetBase: number): void {
    this.tracker.packetBase = packetBase;
    if (this.inPlace) this.tracker.processInPlace(packets.u8.byteOffset, packets.count, packets.latestSec, packets.latestNsec, packets.tunnels?.byteOffset ?? 0);
    else this.tracker.processBatch(packets);
  }

  finishSome(): boolean {
    return this.tracker.finish(FINISH_STEP);
  }

  get timeline(): Timeline {
    return { maxGapSec: this.tracker.maxGapSec, backwardsSteps: this.tracker.backwardsSteps };
  }

  take(groups: Groups, upTo: number): WorkerMessage {
    const { buffer, length } = this.out.take();
    return { type: "ended", bytes: buffer, length, groups, upTo };
  }
}

// Lines of the scan's format, filtered, as a lines worker writes them (lines-worker.ts).
class Lines {
  private readonly out: LineBytesWriter;
  private readonly grouping: GroupingTracker;

  constructor(options: ScanOptions, memory: WebAssembly.Memory | undefined, private readonly format: LineWriter, spare: () => ArrayBuffer | undefined) {
    this.out = new LineBytesWriter(spare);
    this.grouping = new GroupingTracker(options, memory);
  }

  get count(): number { return this.out.count; }

  track(packets: PacketBatch, packetBase: number): void {
    this.grouping.tracker.packetBase = packetBase;
    for (const g of this.grouping.process(packets)) this.write(g);
  }

  finishSome(): boolean {
    const next = this.grouping.finishSome();
    for (const g of next.groups) this.write(g);
    return next.done;
  }

  get timeline(): Timeline {
    return this.grouping.timeline;
  }

  take(groups: Groups, upTo: number): WorkerMessage {
    const { buffer, length, ends, keys } = this.out.take();
    return { type: "lines", bytes: buffer, length, ends, keys, groups, upTo };
  }

  private write(g: EndedGroup): void {
    for (let k = 0; k < g.count; k++) this.out.add(this.format, g, k);
  }
}
