// The reduce task of an exact scale-out: tracks one flow-hash bucket of a partitioned capture
// set and yields its connections. The batches are the scan's own, in capture order across every
// map output: each batch's records of this bucket (after the clock ticks other buckets' packets
// gave them), then the batch's latest time, as a threaded scan's worker tracks its shard; frame
// numbers run on across files from their packet counts, and the clock starts where the
// capture's first tracked record is. So the connections are the ones a single-machine scan gives
// for these flows, record for record (while the --max-* bounds are not reached: each reduce
// task keeps its own). A bucket file found damaged ends the input there: the connections still
// open are ended as at the end of a capture, then the PartitionDamage is thrown.

import { closeSync } from "node:fs";
import { dirname } from "node:path";
import { eventLoopTurn } from "../event-loop-turn.js";
import { ScanStop } from "../abort.js";
import * as L from "../../assembly/layout.js";
import { GroupingTracker, type EndedGroup, type GroupingOptions } from "../connections/track.js";
import { PacketBatch } from "../decoder/packet-batch.js";
import type { ConnectionRecord } from "../connections/connection-record.js";
import type { Timeline } from "../report/capture-report.js";
import type { ScanOptions, Scanner } from "../scan.js";
import { checkDirectory, checkPartitionSet, checkScanOptions, checkPartitionSetArguments } from "../options.js";
import { ChunkReader, type ChunkArea } from "./chunk-reader.js";
import { openBucketFile, readPartitionSet, PartitionDamage, PartitionError, type MapOutput, type PartitionSet } from "./map-outputs.js";
import { CLOCK_ENTRY_SIZE, FILE_HEADER_SIZE } from "./format.js";

/** A scan's options without the thread count and the decoder's (the map tasks decoded). */
export interface BucketOptions extends Omit<ScanOptions,
  "threads" | "verifyChecksums" | "tunnelPorts" | "maxTunnelDepth" | "hashSeed" | "chunkSize" | "fragmentTimeout" | "onProgress" | "everyStep"> {
  /** Map outputs expected in the directory (a missing one is refused); default: those there. */
  maps?: number;
}

/**
 * Reads the partitions' manifests and checks every map output's file of the bucket (there,
 * whole, this version), so that a reduce refuses before it writes anything; throws PartitionError.
 */
export function openPartitionSet(root: string, bucket: number, maps?: number): PartitionSet {
  checkDirectory("dir", root);
  checkPartitionSetArguments(bucket, maps);
  const set = readPartitionSet(root, maps);
  checkBucketMade(set, bucket, root);
  checkBucketFiles(set, bucket);
  return set;
}

/** Throws PartitionError unless the map tasks made `bucket`. */
function checkBucketMade(set: PartitionSet, bucket: number, root: string): void {
  if (!Number.isInteger(bucket) || bucket < 0 || bucket >= set.buckets) {
    throw new PartitionError(`${root}: no bucket ${bucket} (the map tasks made buckets 0 to ${set.buckets - 1})`);
  }
}

/** A bucket reader's arguments, as createScanner checks its own (TypeError, RangeError, PartitionError). */
function checkBucketArguments(set: PartitionSet, bucket: number, options: BucketOptions): void {
  checkPartitionSet(set);
  checkScanOptions(options);
  checkPartitionSetArguments(bucket, undefined);
  checkBucketMade(set, bucket, dirname(set.maps[0]!.dir));
}

/** Opens and checks every map output's file of `bucket`; throws PartitionError. */
export function checkBucketFiles(set: PartitionSet, bucket: number): void {
  for (const map of set.maps) closeSync(openBucketFile(map, bucket).fd);
}

/**
 * Records, their file offsets (not kept: NaN) and their tunnel records, in one 8-byte-aligned
 * buffer that a batch view (PacketBatch) reads, grown as a chunk needs.
 */
class BatchArea implements ChunkArea {
  bytes = new Uint8Array(0);
  tunnels = new Uint8Array(0);
  view!: PacketBatch;
  private capacity = 0;

  constructor(capacity: number) { this.reserve(capacity); }

  reserve(count: number): void {
    if (count <= this.capacity) return;
    const n = Math.max(count, this.capacity * 2);
    const offsetsAt = n * L.RECORD_SIZE, tunnelsAt = offsetsAt + n * L.FILE_OFFSET_SIZE;
    const buffer = new ArrayBuffer(tunnelsAt + n * L.TUNNEL_RECORD_SIZE);
    new Float64Array(buffer, offsetsAt, n).fill(NaN);
    this.bytes = new Uint8Array(buffer, 0, offsetsAt);
    this.tunnels = new Uint8Array(buffer, tunnelsAt, n * L.TUNNEL_RECORD_SIZE);
    this.view = new PacketBatch(buffer, 0, n, { fileOffsetsAt: offsetsAt, tunnelsAt });
    this.capacity = n;
  }
}

/**
 * The bucket's connections as the tracker's ended groups, for a writer that reads them without
 * record objects (the command's reduce task: lines, in WebAssembly given `wasmLines`, and
 * Parquet rows from the record values), in the order createBucketScanner yields them. A damaged
 * bucket file ends it as there: the connections open are handed out, then PartitionDamage is thrown.
 */
export function trackBucketGroups(
  set: PartitionSet, bucket: number, options: BucketOptions & Pick<GroupingOptions, "wasmLines"> = {},
): AsyncGenerator<EndedGroup, Timeline> {
  checkBucketArguments(set, bucket, options);
  return trackBucket(set, bucket, options, options.signal ?? new AbortController().signal);
}

async function* trackBucket(
  set: PartitionSet, bucket: number, options: BucketOptions & Pick<GroupingOptions, "wasmLines">, signal: AbortSignal,
): AsyncGenerator<EndedGroup, Timeline> {
  const grouping = new GroupingTracker({ ...options, verifyChecksums: set.decoder.verifyChecksums });
  const tracker = grouping.tracker as GroupingTracker["tracker"] & { setClockBase(secs: number): void };
  const area = new BatchArea(4096);
  const clockOnly = new PacketBatch(new ArrayBuffer(L.RECORD_SIZE), 0, 1);
  const readers = new Map<MapOutput, ChunkReader>();
  const lastUse = new Map<MapOutput, number>();
  set.files.forEach((f, k) => lastUse.set(f.map, k));
  try {
    for (let k = 0; k < set.files.length; k++) {
      const { map, file, packetBase } = set.files[k]!;
      let reader = readers.get(map);
      if (!reader) {
        const { path, fd, size } = openBucketFile(map, bucket);
        reader = new ChunkReader(path, fd, size);
        readers.set(map, reader);
      }
      tracker.packetBase = packetBase;
      for (let batch = file.batches[0]; batch < file.batches[1]; batch++) {
        // The bucket files are read synchronously: a turn of the event loop each batch lets
        // timers run (an AbortSignal.timeout, a close() from setTimeout, the caller's own I/O).
        await eventLoopTurn();
        signal.throwIfAborted();
        if (set.origin && set.origin.file === set.files[k] && set.origin.batch === batch) tracker.setClockBase(set.origin.sec);
        while (reader.nextBatch() === batch) {
          const chunk = reader.read(area);
          if (chunk.tickSec >= 0) {
            clockOnly.latestSec = chunk.tickSec;
            clockOnly.latestNsec = chunk.tickNsec;
            tracker.processBatch(clockOnly);
          }
          const view = area.view;
          view.count = chunk.count;
          view.latestSec = -1; // the batch's time comes after all its chunks
          tracker.processBatch(view);
        }
        const at = FILE_HEADER_SIZE + batch * CLOCK_ENTRY_SIZE;
        clockOnly.latestSec = map.clock.getFloat64(at + 8, true);
        clockOnly.latestNsec = map.clock.getUint32(at + 16, true);
        yield* grouping.process(clockOnly);
      }
      if (lastUse.get(map) === k) {
        if (!reader.done) throw new PartitionDamage(`${map.dir}: bucket ${bucket} has chunks of batches its manifest does not list`);
        reader.close();
        readers.delete(map);
      }
    }
    yield* grouping.finishAll();
    return grouping.timeline;
  } catch (error) {
    // What was tracked before the damage stands, as a scan's of a damaged capture.
    if (error instanceof PartitionDamage) yield* grouping.finishAll();
    throw error;
  } finally {
    for (const reader of readers.values()) reader.close();
  }
}

/**
 * A Scanner over one bucket of partitions (`partition` / partitionCaptures): its connections,
 * in the scan's order for them. captures() is empty (each map task reported its own captures);
 * report() is not available: a bucket's share of the flows is not the capture.
 */
export function createBucketScanner(set: PartitionSet, bucket: number, options: BucketOptions = {}): Scanner {
  checkBucketArguments(set, bucket, options);
  let timeline: Timeline | null = null;
  let running: AsyncGenerator<ConnectionRecord[]> | null = null;
  let started = false;
  // close() stops the scan; the caller's signal, if any, stops it as well (as createScanner's: abort.ts).
  const stop = new ScanStop(options.signal, new Error("the scanner was closed"));
  const signal = stop.signal;
  async function* batches(): AsyncGenerator<ConnectionRecord[]> {
    if (started) throw new Error("a scanner can be iterated only once");
    started = true;
    if (stop.stopped()) return;
    const groups = trackBucket(set, bucket, options, signal);
    try {
      for (;;) {
        const next = await groups.next();
        if (next.done) { timeline = next.value; return; }
        if (next.value.records.length) yield next.value.records;
        if (stop.stopped()) return;
      }
    } catch (error) {
      if (!stop.isClose(error)) throw error;
    } finally {
      await groups.return(undefined as unknown as Timeline);
    }
  }
  return {
    batches: () => (running = batches()),
    captures: () => [],
    report: () => { throw new Error("a bucket has no capture report: its connections are a share of the capture's"); },
    timeline: () => {
      if (!timeline) throw new Error("timeline() is available once the scan has read all its input (not after a loop left early)");
      return timeline;
    },
    async *[Symbol.asyncIterator]() {
      for await (const records of (running = batches())) {
        for (const record of records) {
          if (stop.stopped()) return; // the rest of a batch is not handed out either
          yield record;
        }
      }
    },
    async close() {
      stop.close();
      // A generator waiting inside wakes on the abort and ends; one suspended at a yield ends here.
      if (running) await running.return(undefined).catch(() => {});
    },
  };
}
