// npm run bench:analysis -- DIR FILE... — what the TCP analysis engine costs the WebAssembly
// tracker per packet: this build against DIR, the same build with the engine call compiled out
// (scripts/build-without-analysis.sh DIR). Both run in this one process, pass for pass in turn
// (BENCH_RUNS rounds, default 7; the machine's speed drifts), over each capture from page cache:
//   decode          read + the WebAssembly decoder alone
//   decode + track  the same and the tracker on one thread (ended connections copied as bytes)
// It prints CPU time (process.cpuUsage) per packet, the best and the median of the rounds, and
// the median of the rounds' ratios. The first round's passes warm up and are not counted.
// Whole-command figures (records, output) need the two command lines timed against each other.

import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { decodeInputs } from "../sdk/decoder/decode-inputs.js";
import { acquireScanMemory, releaseScanMemory } from "../sdk/wasm-memory.js";
import { WasmConnectionTracker } from "../sdk/connections/wasm-tracker.js";
import type { CaptureSummary } from "../sdk/decoder/decode-capture.js";

interface Build {
  name: string;
  decodeInputs: typeof decodeInputs;
  acquireScanMemory: typeof acquireScanMemory;
  releaseScanMemory: typeof releaseScanMemory;
  WasmConnectionTracker: typeof WasmConnectionTracker;
}

const runs = Math.max(2, Number(process.env.BENCH_RUNS ?? 7));

async function loadBuild(dir: string): Promise<Build> {
  const at = (path: string) => pathToFileURL(resolve(dir, "dist/sdk", path)).href;
  const [di, wm, wt] = await Promise.all([import(at("decoder/decode-inputs.js")), import(at("wasm-memory.js")), import(at("connections/wasm-tracker.js"))]);
  return { name: dir, decodeInputs: di.decodeInputs, acquireScanMemory: wm.acquireScanMemory, releaseScanMemory: wm.releaseScanMemory, WasmConnectionTracker: wt.WasmConnectionTracker };
}

/** CPU seconds of one pass over `file`, with the tracker or without; the packets read. */
async function pass(b: Build, file: string, track: boolean): Promise<{ cpu: number; packets: number }> {
  const memory = b.acquireScanMemory();
  const summaries: CaptureSummary[] = [];
  const start = process.cpuUsage();
  try {
    const placement = { memory, outputSlot: () => 0, fill: true };
    const tracker = track ? new b.WasmConnectionTracker({}, null, () => {}, memory) : null;
    for await (const { batch, packetBase } of b.decodeInputs([file], {}, summaries, placement)) {
      if (!tracker) continue;
      tracker.packetBase = packetBase;
      tracker.processInPlace(batch.u8.byteOffset, batch.count, batch.latestSec, batch.latestNsec);
    }
    tracker?.finish();
  } finally {
    b.releaseScanMemory(memory);
  }
  const used = process.cpuUsage(start);
  return { cpu: (used.user + used.system) / 1e6, packets: summaries.reduce((n, s) => n + s.stats.packets, 0) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function main(): Promise<void> {
  const [dir, ...files] = process.argv.slice(2);
  if (!dir || files.length === 0) throw new Error("usage: node dist/bench/analysis-cost.js DIR FILE... (DIR from scripts/build-without-analysis.sh)");
  const builds: Build[] = [
    { name: "with the analysis", decodeInputs, acquireScanMemory, releaseScanMemory, WasmConnectionTracker },
    { ...await loadBuild(dir), name: "engine call removed" },
  ];
  for (const file of files) {
    const cpu = builds.map(() => ({ decode: [] as number[], track: [] as number[] }));
    let packets = 0;
    for (let r = 0; r < runs; r++) {
      for (let k = 0; k < builds.length; k++) {
        const d = await pass(builds[k]!, file, false), t = await pass(builds[k]!, file, true);
        packets = t.packets;
        if (r === 0) continue; // warm-up: the modules' first passes
        cpu[k]!.decode.push(d.cpu);
        cpu[k]!.track.push(t.cpu);
      }
    }
    const ns = (s: number) => (1e9 * s / packets).toFixed(0).padStart(4);
    console.log(`${file}: ${packets} packets; CPU per packet over ${runs - 1} rounds, best / median`);
    for (let k = 0; k < builds.length; k++) {
      const { decode, track } = cpu[k]!;
      const trackOnly = track.map((t, i) => t - decode[i]!);
      console.log(`  ${builds[k]!.name.padEnd(20)} decode ${ns(Math.min(...decode))} / ${ns(median(decode))} ns   decode + track ${ns(Math.min(...track))} / ${ns(median(track))} ns   track ${ns(Math.min(...trackOnly))} / ${ns(median(trackOnly))} ns`);
    }
    const ratios = cpu[0]!.track.map((t, i) => t / cpu[1]!.track[i]!);
    const engine = cpu[0]!.track.map((t, i) => t - cpu[1]!.track[i]!);
    console.log(`  decode + track, with / without: ${median(ratios).toFixed(3)}x (median of the rounds' ratios; ${Math.min(...ratios).toFixed(3)}-${Math.max(...ratios).toFixed(3)}); the engine ${ns(median(engine))} ns a packet`);
  }
}

await main();
