// npm run bench:analysis -- DIR... FILE... — the WebAssembly tracker alone, this build against
// other built checkouts DIR (each with dist/ and build/): the same build with the TCP analysis
// engine's call compiled out (scripts/build-without-analysis.sh DIR) for what the engine costs
// per packet, or a `git worktree add --detach` of another commit, or a copy with an experimental
// layout. All run in this one process, pass for pass in turn (BENCH_RUNS rounds, default 7, each
// starting with the next build, so that none always runs first; the machine's speed drifts),
// over each capture from page cache:
//   decode          read + the WebAssembly decoder alone
//   decode + track  the same and the tracker on one thread (ended connections copied as bytes)
// It prints CPU time (process.cpuUsage) per packet, the best and the median of the rounds, and
// for each DIR the median of the rounds' ratios (this build / DIR). The first round's passes warm
// up and are not counted. Arguments that are directories are builds, the others captures.
// Whole-command figures (records, output) need the two command lines timed against each other.

import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { decodeInputs } from "../sdk/decoder/decode-inputs.js";
import { acquireScanMemory, releaseScanMemory } from "../sdk/wasm-memory.js";
import { WasmConnectionTracker } from "../sdk/connections/wasm-tracker.js";
import { type Build, loadBuild, trackerPass } from "./tracker-pass.js";
import { BenchUsageError, EXIT_FAILURE, checkBuilds, checkCaptures, noPacketsLine, runBench, runsVariable } from "./bench-main.js";


/** One build's counted rounds over one capture: CPU seconds of each decode and decode + track pass. */
export interface BuildRounds {
  name: string;
  decode: number[];
  track: number[];
}

export interface TrackerComparison {
  file: string;
  packets: number;
  connections: number;
  builds: BuildRounds[];
}

/** `runs` rounds (the first a warm-up) of this build and the builds in `dirs` over `file`. */
export async function compareTrackers(dirs: string[], file: string, runs: number): Promise<TrackerComparison> {
  const builds: Build[] = [{ name: "this build", decodeInputs, acquireScanMemory, releaseScanMemory, WasmConnectionTracker }];
  for (const dir of dirs) builds.push(await loadBuild(dir));
  const rounds: BuildRounds[] = builds.map((b) => ({ name: b.name, decode: [], track: [] }));
  let packets = 0, connections = 0;
  for (let r = 0; r < runs; r++) {
    for (let j = 0; j < builds.length; j++) {
      const k = (r + j) % builds.length;
      const d = await trackerPass(builds[k]!, file, false), t = await trackerPass(builds[k]!, file, true);
      packets = t.packets;
      connections = t.connections;
      if (r === 0) continue; // warm-up: the modules' first passes
      rounds[k]!.decode.push(d.cpu);
      rounds[k]!.track.push(t.cpu);
    }
  }
  return { file, packets, connections, builds: rounds };
}

/** The middle value; the mean of the two middle ones for an even count. */
export const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b), mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The printed lines: one per build, then one per other build against this one; for no packets, one line saying so. */
export function describeComparison(c: TrackerComparison): string[] {
  if (c.packets === 0) return [noPacketsLine(c.file, "time")];
  const ns = (s: number) => (1e9 * s / c.packets).toFixed(0).padStart(4);
  const counted = c.builds[0]!.track.length;
  const lines = [`${c.file}: ${c.packets} packets, ${c.connections} connections; CPU per packet over ${counted} rounds, best / median`];
  for (const { name, decode, track } of c.builds) {
    const trackOnly = track.map((t, i) => t - decode[i]!);
    lines.push(`  ${name}: decode ${ns(Math.min(...decode))} / ${ns(median(decode))} ns   decode + track ${ns(Math.min(...track))} / ${ns(median(track))} ns   track ${ns(Math.min(...trackOnly))} / ${ns(median(trackOnly))} ns`);
  }
  const self = c.builds[0]!;
  for (const other of c.builds.slice(1)) {
    const ratios = self.track.map((t, i) => t / other.track[i]!);
    const difference = self.track.map((t, i) => t - other.track[i]!);
    lines.push(`  decode + track, this build / ${other.name}: ${median(ratios).toFixed(3)}x (median of the rounds' ratios; ${Math.min(...ratios).toFixed(3)}-${Math.max(...ratios).toFixed(3)}); the difference ${ns(median(difference))} ns a packet`);
  }
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runBench("bench:analysis", async () => {
    const args = process.argv.slice(2);
    const isDir = (a: string) => existsSync(a) && statSync(a).isDirectory();
    const dirs = args.filter(isDir), files = args.filter((a) => !isDir(a));
    if (dirs.length === 0 || files.length === 0) throw new BenchUsageError("usage: node dist/bench/analysis-cost.js DIR... FILE... (DIR: another build, e.g. from scripts/build-without-analysis.sh)");
    // Two at least: the first round is a warm-up, not counted.
    const runs = runsVariable(7, 2);
    checkBuilds(dirs);
    checkCaptures(files);
    let empty = 0;
    for (const file of files) {
      const c = await compareTrackers(dirs, file, runs);
      if (c.packets === 0) empty++;
      for (const line of describeComparison(c)) console.log(line);
    }
    // A capture of no packets has no time a packet to give: said on its line, and the exit is not 0.
    if (empty > 0) process.exitCode = EXIT_FAILURE;
  });
}
