// Loads the WebAssembly connection tracker (build/tracker.wasm): compiled once per process (or
// worker), one instance per tracker, each on a growing memory of its own or on a decoder's
// (wasm-memory.ts). Synchronous, so that a tracker can be made wherever one is needed.

import { readFileSync } from "node:fs";
import { LAYOUT_VERSION } from "../../assembly/layout.js";
import { CONNECTION_LAYOUT_VERSION } from "../../assembly/connection-layout.js";
import { createSharedMemory, ensurePages, TRACKER_INITIAL_PAGES } from "../wasm-memory.js";
import { wasmFileError } from "../wasm-file-error.js";

export interface TrackerExports {
  memory: WebAssembly.Memory;
  layoutVersion(): number;
  connectionLayoutVersion(): number;
  recordsPtr(): number;
  recordsCapacity(): number;
  setTunnelRecords(at: number): void;
  tunnelRecordsPtr(): number;
  /** Whether any of `count` records at byte `at` has a tunnel depth (records of RECORD_SIZE bytes). */
  anyTunnelled(at: number, count: number): number;
  endedPtr(): number;
  endedCount(): number;
  /** The room of an ended buffer, in records (ENDED_CAPACITY). */
  endedCapacity(): number;
  /** The next calls' ended records go to `at` (0: the tracker's own buffer); their blocks are then freed only by freeEndedBlocks. */
  setEndedArea(at: number): void;
  /** Frees the history and tunnel chain blocks of the `count` ended records at `at`. */
  freeEndedBlocks(at: number, count: number): void;
  /** A zeroed area for `records` ended records (a ring of them: parallel/ended-ring.ts). */
  allocEndedRing(records: number): number;
  /** How many of the ended buffer's records point to a history or tunnel chain block. */
  endedWithBlocks(): number;
  maxGapSec(): number;
  backwardsSteps(): number;
  liveConnections(): number;
  setPacketBase(base: number): void;
  setClockBase(secs: number): void;
  setLikelyServerPort(port: number): void;
  setHalfOpenLimit(limit: number): void;
  setConnectionLimit(limit: number): void;
  setKeyByTunnel(on: number): void;
  setTimelineKept(on: number): void;
  setPortTimeout(port: number, seconds: number): void;
  addIgnoredNet(version: number, bits: number): number;
  reset(attempt: number, close: number, handshake: number, inactivity: number, verify: number, ownedLow: number, ownedHigh: number): void;
  track(from: number, count: number): number;
  trackAt(records: number, from: number, count: number): number;
  advanceClock(secs: number, nsec: number): number;
  finish(max: number): number;
  // The line writer's parts (assembly/lines/exports.ts): each writes at `at`, returns the length.
  linesScratchPtr(): number;
  zeekLocalAddress(at: number, version: number): number;
  /** The zeek writer's site nets (assembly/lines/zeek-local.ts): forgotten, or one more (0: no room). */
  clearSiteNets(): void;
  addSiteNet(w0: number, w1: number, w2: number, w3: number, bits: number): number;
  linesScratchBytes(): number;
  /** 0: not written (String(n) must write it). */
  writeNumber(n: number, at: number): number;
  writeAddress(from: number, version: number, at: number): number;
  writeCommunityId(length: number, srcAt: number, srcPort: number, dstAt: number, dstPort: number, seed: number, at: number): number;
  /** The ndjson line of the record at `c`, written at `at`: its end, 0 when the JS must write it. */
  writeLine(c: number, at: number): number;
  /** The same for the command's csv row (cli/format/csv-values-row.ts) and Zeek conn.log row (zeek-values-row.ts). */
  writeCsvLine(c: number, at: number): number;
  writeZeekLine(c: number, at: number): number;
  lineMaxBytes(): number;
  linesArea(bytes: number): number;
  /** Where the records' block pointers (long histories, tunnel chains) count from: ended-bytes.ts's buffer start, or 0. */
  setBlocksBase(at: number): void;
  // The timer heap (assembly/tracker/timer-exports.ts), for its tests on an instance of their own.
  timersReset(): void;
  timersPush(deadline: number, slot: number, generation: number): void;
  timersPop(): void;
  timersSize(): number;
  timersPeekDeadline(): number;
  timersPeekSlot(): number;
  timersPeekGeneration(): number;
  /** Keeps the entries whose generation is odd. */
  timersKeepOddGenerations(): void;
  /** For the tests: the empty pending FIFO (assembly/tracker/pending.ts) numbers its next entry `seq`, a multiple of 4096. */
  startPendingAt(seq: number): void;
}

// build/tracker.wasm sits at the package root: two levels up from this source file when tests
// run it directly and from the bundled command and worker (dist/cli/), three from the compiled
// dist/sdk/connections/ (where two levels up, dist/build, does not exist).
const CANDIDATES = [
  new URL("../../build/tracker.wasm", import.meta.url),
  new URL("../../../build/tracker.wasm", import.meta.url),
];

let compiled: WebAssembly.Module | undefined;

function compile(): WebAssembly.Module {
  if (compiled) return compiled;
  let firstError: unknown;
  for (const url of CANDIDATES) {
    try {
      compiled = new WebAssembly.Module(readFileSync(url));
      return compiled;
    } catch (error) {
      firstError ??= error;
    }
  }
  throw wasmFileError("tracker.wasm", firstError === undefined ? [] : [firstError]);
}

/**
 * A tracker instance on a memory of its own, or on `memory` (a decoder's: the tracker lives
 * above TRACKER_MEMORY_BASE, the decoder below; the caller checks the decoder ends there).
 */
export function instantiateTracker(memory = createSharedMemory(TRACKER_INITIAL_PAGES)): TrackerExports {
  ensurePages(memory, TRACKER_INITIAL_PAGES);
  const imports = {
    env: {
      memory,
      abort(): never { throw new Error("tracker.wasm aborted"); },
    },
  };
  const wasm = new WebAssembly.Instance(compile(), imports).exports as unknown as TrackerExports;
  if (wasm.layoutVersion() !== LAYOUT_VERSION || wasm.connectionLayoutVersion() !== CONNECTION_LAYOUT_VERSION) {
    throw new Error(`tracker.wasm was built with other layout versions than this SDK: rebuild with "npm run build"`);
  }
  return wasm;
}
