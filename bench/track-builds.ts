// npm run bench:track-builds -- FILE DIR... — the WebAssembly tracker alone, in this checkout's
// build and in each other built checkout DIR (one with dist/ and build/, e.g. a `git worktree
// add --detach` of another commit, or a copy with an experimental layout), interleaved in one
// process so that the shared machine's drift falls on every build alike. A round runs, for each
// build in turn (starting with the next one each round), a decode-only pass and a decode + track
// pass over FILE (from page cache); the tracker's cost is their difference. Prints, per build,
// best-of figures per packet and, for each other build, the median over rounds of the pair ratio
// of decode + track CPU (this build / it), steadier than a difference of bests at a high load.
// BENCH_RUNS rounds (default 7). Whole commands are compared by interleaved process runs
// instead; this isolates the tracker.

import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CaptureSummary } from "../sdk/decoder/decode-capture.js";

type DecodeModule = typeof import("../sdk/decoder/decode-inputs.js");
type MemoryModule = typeof import("../sdk/wasm-memory.js");
type TrackerModule = typeof import("../sdk/connections/wasm-tracker.js");

export interface BuildRuns {
  dir: string;
  /** CPU seconds of each round's decode-only pass and decode + track pass. */
  decode: number[];
  track: number[];
}

export interface TrackBuildsResult {
  packets: number;
  connections: number;
  builds: BuildRuns[];
}

interface Build extends BuildRuns {
  decoder: DecodeModule;
  memory: MemoryModule;
  tracker: TrackerModule;
}

// This checkout: two levels up from dist/bench/, one from bench/ (the source, under the tests).
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = basename(dirname(HERE)) === "dist" ? join(HERE, "..", "..") : join(HERE, "..");

async function load(dir: string): Promise<Build> {
  const from = <T>(path: string) => import(pathToFileURL(join(dir, "dist", path)).href) as Promise<T>;
  return {
    dir,
    decoder: await from<DecodeModule>("sdk/decoder/decode-inputs.js"),
    memory: await from<MemoryModule>("sdk/wasm-memory.js"),
    tracker: await from<TrackerModule>("sdk/connections/wasm-tracker.js"),
    decode: [],
    track: [],
  };
}

/** One pass of `b` over `file`, tracking or not: its CPU seconds, packets and ended connections. */
async function pass(b: Build, file: string, track: boolean): Promise<{ cpu: number; packets: number; connections: number }> {
  const memory = b.memory.acquireScanMemory();
  const start = process.cpuUsage();
  const summaries: CaptureSummary[] = [];
  let connections = 0;
  try {
    const placement = { memory, outputSlot: () => 0, fill: true };
    const raw = track ? new b.tracker.WasmConnectionTracker({}, null, () => { connections++; }, memory) : null;
    for await (const { batch, packetBase } of b.decoder.decodeInputs([file], {}, summaries, placement)) {
      if (raw === null) continue;
      raw.packetBase = packetBase;
      raw.processInPlace(batch.u8.byteOffset, batch.count, batch.latestSec, batch.latestNsec);
    }
    raw?.finish();
  } finally {
    b.memory.releaseScanMemory(memory);
  }
  const used = process.cpuUsage(start);
  return { cpu: (used.user + used.system) / 1e6, packets: summaries.reduce((n, s) => n + s.stats.packets, 0), connections };
}

/** Rounds of interleaved passes over `file` by this build and the builds in `dirs`. */
export async function trackBuilds(file: string, dirs: string[], runs: number): Promise<TrackBuildsResult> {
  const builds = [await load(ROOT)];
  for (const dir of dirs) builds.push(await load(dir));
  let packets = 0, connections = 0;
  for (let r = 0; r < runs; r++) {
    // Each round starts with the next build: no build always runs first (or last).
    for (let k = 0; k < builds.length; k++) {
      const b = builds[(r + k) % builds.length]!;
      const d = await pass(b, file, false), t = await pass(b, file, true);
      b.decode.push(d.cpu);
      b.track.push(t.cpu);
      packets = t.packets;
      connections = t.connections;
    }
  }
  return { packets, connections, builds: builds.map(({ dir, decode, track }) => ({ dir, decode, track })) };
}

const median = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1]!;

/** The printed table: a line per build, then a ratio line per other build. */
export function describeTrackBuilds(result: TrackBuildsResult): string[] {
  const ns = (s: number) => `${(1e9 * s / result.packets).toFixed(0)} ns`;
  const lines = result.builds.map((b) => {
    const decode = Math.min(...b.decode), track = Math.min(...b.track);
    return `${b.dir}: decode ${ns(decode)}, decode + track ${ns(track)} (median ${ns(median(b.track))}), tracker ${ns(track - decode)} a packet (best - best)`;
  });
  const [self, ...others] = result.builds;
  for (const b of others) {
    const ratios = self!.track.map((t, i) => t / b.track[i]!);
    lines.push(`this build / ${b.dir}: decode + track CPU, median of ${ratios.length} pair ratios ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}-${Math.max(...ratios).toFixed(3)})`);
  }
  lines.push(`${result.packets} packets, ${result.connections} connections`);
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, ...dirs] = process.argv.slice(2);
  if (file === undefined) throw new Error("usage: node dist/bench/track-builds.js FILE [DIR...]");
  const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 7));
  for (const line of describeTrackBuilds(await trackBuilds(file, dirs, runs))) console.log(line);
}
