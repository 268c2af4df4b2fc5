// One pass of a build's decoder, and optionally its tracker, over a capture on this one thread:
// what bench:analysis times (analysis-cost.ts) and bench:instructions counts under valgrind
// (instruction-pass.ts). A build is this checkout's SDK or another checkout's dist/sdk.

import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import type { decodeInputs } from "../sdk/decoder/decode-inputs.js";
import type { acquireScanMemory, releaseScanMemory } from "../sdk/wasm-memory.js";
import type { WasmConnectionTracker } from "../sdk/connections/wasm-tracker.js";
import type { CaptureSummary } from "../sdk/decoder/decode-capture.js";

export interface Build {
  name: string;
  decodeInputs: typeof decodeInputs;
  acquireScanMemory: typeof acquireScanMemory;
  releaseScanMemory: typeof releaseScanMemory;
  WasmConnectionTracker: typeof WasmConnectionTracker;
}

/** The SDK of the built checkout at `dir` (its dist/sdk). */
export async function loadBuild(dir: string): Promise<Build> {
  const at = (path: string) => pathToFileURL(resolve(dir, "dist/sdk", path)).href;
  const [di, wm, wt] = await Promise.all([import(at("decoder/decode-inputs.js")), import(at("wasm-memory.js")), import(at("connections/wasm-tracker.js"))]);
  return { name: dir, decodeInputs: di.decodeInputs, acquireScanMemory: wm.acquireScanMemory, releaseScanMemory: wm.releaseScanMemory, WasmConnectionTracker: wt.WasmConnectionTracker };
}

/** CPU seconds of one pass over `file`, with the tracker or without; the packets read, the connections ended. */
export async function trackerPass(b: Build, file: string, track: boolean): Promise<{ cpu: number; packets: number; connections: number }> {
  const memory = b.acquireScanMemory();
  const summaries: CaptureSummary[] = [];
  let connections = 0;
  // The pass alone: taking and giving back the memory lie outside it (a build may zero a pooled
  // memory when it is given back, another when it is taken).
  let used: NodeJS.CpuUsage;
  try {
    const start = process.cpuUsage();
    const placement = { memory, outputSlot: () => 0, fill: true };
    const tracker = track ? new b.WasmConnectionTracker({}, null, () => { connections++; }, memory) : null;
    for await (const { batch, packetBase } of b.decodeInputs([file], {}, summaries, placement)) {
      if (!tracker) continue;
      tracker.packetBase = packetBase;
      tracker.processInPlace(batch.u8.byteOffset, batch.count, batch.latestSec, batch.latestNsec);
    }
    tracker?.finish();
    used = process.cpuUsage(start);
  } finally {
    b.releaseScanMemory(memory);
  }
  return { cpu: (used.user + used.system) / 1e6, packets: summaries.reduce((n, s) => n + s.stats.packets, 0), connections };
}
