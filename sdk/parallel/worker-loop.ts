// What both kinds of scan worker (scan-worker.ts: connections as bytes; lines-worker.ts: their
// lines) do around their tracker: walk the decoded batches, send what was written in messages
// that say which batch each connection ended in and which batches are complete, wait while too
// much of it is not yet consumed, end the connections still open at the end of input a step at
// a time, and say when they are done.

import { parentPort, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import type { Timeline } from "../report/capture-report.js";
import { RingReader, UnconsumedPeak } from "./batch-ring.js";
import { forEachShardBatch, type ShardBatch } from "./shard-batches.js";
import { FINAL_BATCH, type WorkerJob, type WorkerMessage } from "./messages.js";

/** A message goes at least every this many batches, so that the main thread can merge them. */
const FLUSH_BATCHES = 32;

/** How many of a message's connections ended during each batch, in order. */
export type BatchGroups = { batch: number; count: number }[];

/** Where a worker writes its connections until they are sent. */
export interface Outbox {
  /** Connections written since the last take(). */
  readonly count: number;
  /** Whether enough is written to send it now. */
  full(): boolean;
  /**
   * What was written, as a message with these groups and `upTo`, and the buffers it transfers;
   * `unconsumed`: how many connections sent before are not yet consumed by the main thread;
   * `room`: whether this worker has time to spare (it waited for a batch since its last message,
   * or the input has ended); `idleMs`: how long it waited for batches since its last message.
   */
  take(groups: BatchGroups, upTo: number, unconsumed: number, room: boolean, idleMs: number): { message: WorkerMessage; transfer: ArrayBuffer[] };
}

/**
 * The buffers the main thread has given back, one at a time. The worker never returns to its
 * event loop: they are taken from the port as needed.
 */
export class SpareBuffers {
  private readonly spares: ArrayBuffer[] = [];
  /** The most held at once: a buffer sent that comes back and is never taken again piles up here. */
  private most = 0;

  constructor(private readonly port: MessagePort) {}

  /** A buffer given back, if there is one. */
  readonly take = (): ArrayBuffer | undefined => {
    this.receive();
    return this.spares.pop();
  };

  /** The most buffers held at once so far, counting those given back by now. */
  peak(): number {
    this.receive();
    return this.most;
  }

  private receive(): void {
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) this.spares.push(m.message as ArrayBuffer);
    this.most = Math.max(this.most, this.spares.length);
  }
}

export class WorkerLoop {
  private batch = 0; // batches tracked, or FINAL_BATCH at the end of input
  private groups: BatchGroups = [];
  private sent = 0; // connections sent
  private readonly peak: UnconsumedPeak;
  /** This worker's side of the batch ring. */
  readonly reader: RingReader;
  private starved = 0; // the reader's count of waits for a batch at the last message
  private waitedMs = 0; // the reader's time spent waiting at the last message
  private reported = 0; // the batches the last message said complete (its upTo)

  constructor(private readonly job: WorkerJob, private readonly out: Outbox, private readonly spares: SpareBuffers) {
    this.peak = new UnconsumedPeak(job.ring, job.shard.index);
    this.reader = new RingReader(job.ring, job.shard.index);
  }

  /** Counts `count` connections just written to the outbox; sends them once it is full. */
  wrote(count: number): void {
    if (count === 0) return;
    const last = this.groups[this.groups.length - 1];
    if (last && last.batch === this.batch) last.count += count;
    else this.groups.push({ batch: this.batch, count });
    // A flood ends a connection per packet: a batch's go in pieces. Batches below `batch` are
    // complete; the main thread merges this one once every worker has sent all of it.
    if (this.out.full()) this.flush(this.batch === FINAL_BATCH ? Infinity : this.batch);
  }

  /** Sends what was written so far now (the batches before the current one complete). */
  sendNow(): void {
    this.flush(this.batch === FINAL_BATCH ? Infinity : this.batch);
  }

  /**
   * Tracks every batch with `track`, then ends the connections still open with `finishSome`
   * (one step; true once none is left), and reports the tracker's `timeline`.
   */
  run(track: (batch: ShardBatch) => void, finishSome: () => boolean, timeline: () => Timeline): void {
    forEachShardBatch(this.job, () => this.sent, track, (done) => {
      this.batch = done;
      if (this.out.full() || done % FLUSH_BATCHES === 0) this.flush(done);
    }, (done) => this.flush(done), this.reader, (done) => {
      // The next batch is slow to come (a live capture): what ended so far, and that these
      // batches are complete, go now, so that the main thread can hand them on meanwhile.
      if (this.out.count > 0 || done > this.reported) this.flush(done);
    });
    this.flush(this.batch);
    this.batch = FINAL_BATCH;
    for (let done = false; !done;) {
      this.reader.waitForConsumer(this.sent);
      done = finishSome();
      if (this.out.count > 0 || done) this.flush(Infinity);
    }
    const unconsumed = { scan: this.peak.scan, final: this.peak.final, spares: this.spares.peak() };
    parentPort!.postMessage({ type: "done", timeline: timeline(), unconsumed } satisfies WorkerMessage);
    this.job.recycle.close();
  }

  private flush(upTo: number): void {
    this.reported = upTo;
    this.sent += this.out.count;
    const room = this.batch === FINAL_BATCH || this.reader.starved > this.starved;
    this.starved = this.reader.starved;
    const idleMs = this.reader.waitedMs - this.waitedMs;
    this.waitedMs = this.reader.waitedMs;
    const { message, transfer } = this.out.take(this.groups, upTo, this.peak.left(this.sent - this.out.count), room, idleMs);
    parentPort!.postMessage(message, transfer);
    this.groups = [];
    this.peak.sent(this.sent, this.batch === FINAL_BATCH);
  }
}
