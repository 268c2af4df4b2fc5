// The map task of an exact scale-out: decodes captures as a scan does (the same batches: the
// decoder's output slot filled to 4 096 TCP packets, per input), and writes the packet records
// the tracker steps on into one file per flow-hash bucket (hash mod buckets; the threads shard
// the flows by the same hash, in 64 virtual shards), with one clock entry per batch (the latest time of any packet, which every
// bucket's tracker moves its clock to, as every worker of a threaded scan does). Records the
// tracker skips before its clock (too short a TCP header; with checksums verified, a bad IPv4
// header or a TSO length-0 IPv4 packet) are left out. docs/partitions.md describes the files.

import { mkdirSync, renameSync, rmSync, rmdirSync, writeFileSync, statSync } from "node:fs";
import { digest } from "../builtins.js";
import { dirname, join, resolve } from "node:path";
import * as L from "../../assembly/layout.js";
import { decodeInputs } from "../decoder/decode-inputs.js";
import { peekInputs, beyondLookAheadWarning } from "../decoder/peek.js";
import { abortable } from "../abort.js";
import type { CaptureInput } from "../decoder/capture-input.js";
import type { CaptureSummary, DecodeCaptureOptions } from "../decoder/decode-capture.js";
import { acquireScanMemory, releaseScanMemory } from "../wasm-memory.js";
import { BucketFiles } from "./bucket-files.js";
import { captureOrderKey, compareCaptureOrder } from "../decoder/capture-order.js";
import { checkDirectory, checkPartitionArguments } from "../options.js";
import { realPath, repeatedFile } from "../file-identity.js";
import { MANIFEST_NAME, MAP_PREFIX, NO_TICK, PARTITION_FORMAT_VERSION, manifestChecksum, type Manifest, type PartitionedFile } from "./format.js";

export interface PartitionOptions extends DecodeCaptureOptions {
  /** Flow-hash buckets, 1 to 65 536: the reduce tasks there will be. */
  buckets: number;
  /**
   * Given a line for each named pipe whose first 16 MiB (as far as a pipe is read ahead to find
   * its first packet) held no packet: it is read after the other captures, where its packets may
   * not belong in time order (as `scan` says it).
   */
  onWarning?: (line: string) => void;
}

export const MAX_BUCKETS = 65536;

export interface PartitionResult {
  /** The map output's directory (inside the directory given). */
  dir: string;
  /** One per capture, in the order read. */
  captures: CaptureSummary[];
}

/** The name of a map task's temporary directory, before its captures are read: a hash of their paths. */
function temporaryName(files: readonly string[]): string {
  return outputName(files.map((f) => resolve(f)));
}

/**
 * What identifies a regular file's capture: its real path (a link, or /dev/stdin redirected from
 * the file, followed) and its first packet's time. Not its size: a task run again once a file cut
 * short has been copied whole must replace the output of its first run, not sit beside it (the
 * reduce would count the file twice); and not the path alone: machines that each partition their
 * own /data/eth0.pcap into one shared directory must not replace each other's outputs.
 */
function fileIdentity(file: string, capture: CaptureSummary): unknown[] {
  return [realPath(file), firstOf(capture)];
}

/**
 * What identifies a capture read from a pipe (a named pipe, `<(zcat day1.pcap.gz)`), whose path
 * is often the same for every task (/dev/fd/63) and whose size is 0: the bytes read, its packets
 * and the first packet's time. Two tasks over different pipes so make two map outputs (one
 * replaced the other's), and a task run again over the same bytes replaces its own.
 */
function pipeIdentity(file: string, capture: CaptureSummary): unknown[] {
  return [resolve(file), capture.bytesRead, capture.stats.packets + capture.stats.nonPacketFrames, firstOf(capture)];
}

function firstOf(capture: CaptureSummary): { sec: number; nsec: number } | null {
  const first = capture.stats.firstTimestamp;
  return first ? { sec: first.sec, nsec: first.nsec } : null;
}

function outputName(identity: unknown[]): string {
  return MAP_PREFIX + digest("sha256", JSON.stringify(identity), "hex").slice(0, 16);
}

function isRegularFile(file: string): boolean {
  try { return statSync(file).isFile(); } catch { return false; }
}

/**
 * mkdir -p. Node's recursive mkdirSync loops for ever where mkdir fails with ENOENT although the
 * parent exists (`-o /proc/x`): here each level is made in turn, and that failure is thrown.
 */
function makeDirectories(dir: string, made: string[] = []): string[] {
  try {
    mkdirSync(dir);
    made.push(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST" && statSync(dir).isDirectory()) return made;
    const parent = dirname(dir);
    if (code !== "ENOENT" || parent === dir) throw error;
    makeDirectories(parent, made);
    mkdirSync(dir); // the parent is there now: a failure here is the answer
    made.push(dir);
  }
  return made;
}

/**
 * Removes what a failed run made: the temporary directory and its contents, then the output
 * directories makeDirectories() made for it, deepest first, while empty (another run's output
 * there stays).
 */
function removeMade(temporary: string, made: string[]): void {
  rmSync(temporary, { recursive: true, force: true });
  for (const dir of made.filter((d) => d !== temporary).reverse()) {
    try { rmdirSync(dir); } catch { return; }
  }
}

function sizeOf(file: string): number {
  try { return statSync(file).size; } catch { return -1; }
}

/**
 * `files` in capture order (compareCaptureOrder: by first packet, equal times by name; the reduce
 * orders every map output's files so, and reads each map output's batches in its files' order), each
 * with the input to read it from: a pipe is read once, what its peek read given again (peekInput).
 */
async function inCaptureOrder(files: string[], options: PartitionOptions): Promise<{ files: string[]; inputs: CaptureInput[]; readLast: boolean[] }> {
  if (files.length < 2) return { files, inputs: files, readLast: files.map(() => false) };
  // Abortable: a pipe's peek waits for its writer (Ctrl-C stops the task there too).
  const peeked = (await abortable(peekInputs(files), options.signal))
    .map(({ first, input, beyondLookAhead, peekedBytes }, k) => {
      if (beyondLookAhead) options.onWarning?.(beyondLookAheadWarning(files[k]!, peekedBytes));
      return { file: files[k]!, input, key: captureOrderKey(files[k]!, first), readLast: beyondLookAhead };
    });
  peeked.sort((a, b) => compareCaptureOrder(a.key, b.key));
  return { files: peeked.map((p) => p.file), inputs: peeked.map((p) => p.input), readLast: peeked.map((p) => p.readLast) };
}

/**
 * The same capture named twice (`cap.pcap` and `./cap.pcap`, a link to it; `-` twice): its
 * connections would be counted twice, and no reduce would take the output. Compared by device
 * and inode; a path that cannot be read is left to the read, which says so.
 */
function checkDistinct(files: readonly string[]): void {
  const repeated = repeatedFile(files);
  if (repeated) {
    const [j, i] = repeated;
    throw new RangeError(`files[${i}] (${files[i]}) is files[${j}] (${files[j]}): each capture once (its connections would be counted twice)`);
  }
}

/**
 * Partitions `files` (in any order: read in capture order, by first packet, as the partition
 * command and a scan of rotated files order them) into `outDir`/map-…/. Written in a temporary directory renamed into place once complete, so
 * that a reduce never sees half a map output. A damaged capture is partitioned up to the damage
 * (its summary carries the error, as a scan's); one that cannot be opened throws.
 */
export async function partitionCaptures(given: string[], outDir: string, options: PartitionOptions): Promise<PartitionResult> {
  checkPartitionArguments(given, options);
  checkDistinct(given);
  checkDirectory("outDir", outDir);
  const buckets = options.buckets;
  // A missing or mistyped count is a TypeError, as every other option's (options.ts).
  if (typeof buckets !== "number") throw new TypeError(`buckets must be a number (a whole number of buckets, 1 to ${MAX_BUCKETS}), not ${buckets === undefined ? "undefined" : JSON.stringify(buckets) ?? typeof buckets}`);
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > MAX_BUCKETS) throw new RangeError(`buckets: ${buckets} is not from 1 to ${MAX_BUCKETS}`);
  // Named after the ordered files too: a retry with them in another order replaces its output.
  const { files, inputs, readLast } = await inCaptureOrder(given, options);
  const regular = files.map(isRegularFile);
  // Named by paths for now: the final name waits for what the captures held (fileIdentity, pipeIdentity).
  const temporary = join(outDir, `.${temporaryName(files)}.${process.pid}.${Date.now()}`);
  const made = makeDirectories(temporary);
  let out: BucketFiles;
  try {
    out = new BucketFiles(temporary, buckets);
  } catch (error) {
    removeMade(temporary, made); // a file of each bucket could not be made
    throw error;
  }
  const memory = acquireScanMemory();
  const captures: CaptureSummary[] = [];
  let closed = false;
  try {
    const { buckets: _b, onWarning: _w, ...decoding } = options;
    const firstTracked: ({ sec: number; batch: number } | null)[] = [];
    const fileOfBatch: number[] = [];
    const verify = options.verifyChecksums ?? false;
    // Batches exactly as a scan makes them (track.ts): output slot 0, filled across chunks.
    // Not handed on early (a pipe that keeps still): a batch is a unit of the partitions.
    const placement = { memory, outputSlot: () => 0, fill: true, releasable: false };
    // Per bucket, the clock it has reached in this batch (seconds, nanoseconds; -1: none).
    const reachedSec = new Float64Array(buckets), reachedNsec = new Uint32Array(buckets);
    let batchNumber = 0;
    for await (const { batch } of decodeInputs(inputs, decoding, captures, placement)) {
      const fileIndex = captures.length; // summaries are appended as each input ends
      reachedSec.fill(-1);
      // The latest time of the batch's tracked records so far, of any bucket.
      let maxSec = -1, maxNsec = 0;
      const u8 = batch.u8, u32 = batch.u32, f64 = batch.f64;
      for (let i = 0; i < batch.count; i++) {
        const at = i * L.RECORD_SIZE;
        const stop = u8[at + L.REC_STOP_LAYER]!, flags = u8[at + L.REC_PACKET_FLAGS]!;
        if (stop === L.LAYER_TCP || (verify && ((flags & L.PKT_IP_CHECKSUM_BAD) !== 0
          || ((flags & L.PKT_IP_LEN_FROM_CAPTURE) !== 0 && u8[at + L.REC_IP_VERSION] === 4)))) continue;
        const sec = f64[at / 8 + L.REC_TS_SEC / 8]!, nsec = u32[at / 4 + L.REC_TS_NSEC / 4]!;
        firstTracked[fileIndex] ??= { sec, batch: batchNumber };
        const bucket = u32[at / 4 + L.REC_FLOW_HASH / 4]! % buckets;
        // Packets of other buckets moved the clock past this one's time (a step back): the
        // reducer moves its clock there first, unless this bucket has reached it already.
        const behind = maxSec > sec || (maxSec === sec && maxNsec > nsec);
        const reached = reachedSec[bucket]! > maxSec || (reachedSec[bucket] === maxSec && reachedNsec[bucket]! >= maxNsec);
        const tick = behind && !reached;
        out.add(bucket, batchNumber, u32, at / 4, tick ? maxSec : NO_TICK, tick ? maxNsec : 0, batch.tunnels, i * L.TUNNEL_RECORD_SIZE);
        if (sec > maxSec || (sec === maxSec && nsec > maxNsec)) { maxSec = sec; maxNsec = nsec; }
        reachedSec[bucket] = maxSec;
        reachedNsec[bucket] = maxNsec;
      }
      out.endBatch(fileIndex, batch.count, batch.latestSec, batch.latestNsec);
      fileOfBatch.push(fileIndex);
      batchNumber++;
    }
    const sizes = out.close();
    closed = true;
    let nextBatch = 0;
    const identities = files.map((f, k) => (regular[k] ? fileIdentity(f, captures[k]!) : pipeIdentity(f, captures[k]!)));
    const partitioned: PartitionedFile[] = captures.map((c, k) => {
      const start = nextBatch;
      while (nextBatch < fileOfBatch.length && fileOfBatch[nextBatch] === k) nextBatch++;
      return {
        source: c.source, path: resolve(files[k]!), bytes: regular[k] ? sizeOf(files[k]!) : c.bytesRead,
        first: firstOf(c), readLast: readLast[k]!, identity: JSON.stringify(identities[k]),
        packets: c.stats.packets + c.stats.nonPacketFrames, firstTracked: firstTracked[k] ?? null, batches: [start, nextBatch],
        error: c.error ? { code: c.error.code, message: c.error.message, offset: c.error.offset, packet: c.error.packet } : null,
      };
    });
    const manifest: Manifest = {
      format: "tcp-handshake-scan partitions", version: PARTITION_FORMAT_VERSION, layoutVersion: L.LAYOUT_VERSION, buckets,
      decoder: {
        verifyChecksums: verify, maxTunnelDepth: options.maxTunnelDepth ?? null, tunnelPorts: options.tunnelPorts ?? null,
        hashSeed: options.hashSeed ?? 0,
      },
      files: partitioned, batches: batchNumber, ...sizes,
    };
    manifest.checksum = manifestChecksum(manifest);
    const name = outputName(identities);
    const final = join(outDir, name);
    writeFileSync(join(temporary, MANIFEST_NAME), JSON.stringify(manifest, null, 1) + "\n");
    rmSync(final, { recursive: true, force: true }); // an earlier run of the same task
    renameSync(temporary, final);
    return { dir: final, captures };
  } catch (error) {
    if (!closed) out.discard();
    removeMade(temporary, made);
    throw error;
  } finally {
    releaseScanMemory(memory);
  }
}
