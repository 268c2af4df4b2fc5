// Loads the WebAssembly connection tracker (build/tracker.wasm): compiled once per process (or
// worker), one instance per tracker, each with its own growing memory. Synchronous, so that a
// tracker can be made wherever one is needed; the module is small.

import { readFileSync } from "node:fs";
import { LAYOUT_VERSION } from "../../assembly/layout.js";
import { CONNECTION_LAYOUT_VERSION } from "../../assembly/connection-layout.js";

export interface TrackerExports {
  memory: WebAssembly.Memory;
  layoutVersion(): number;
  connectionLayoutVersion(): number;
  recordsPtr(): number;
  recordsCapacity(): number;
  endedPtr(): number;
  endedCount(): number;
  maxGapSec(): number;
  backwardsSteps(): number;
  liveConnections(): number;
  setPacketBase(base: number): void;
  setLikelyServerPort(port: number): void;
  setHalfOpenLimit(limit: number): void;
  setPortTimeout(port: number, seconds: number): void;
  addIgnoredNet(version: number, bits: number): number;
  reset(attempt: number, close: number, handshake: number, inactivity: number, verify: number, shardIndex: number, shardCount: number): void;
  track(from: number, count: number): number;
  finish(max: number): number;
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
  throw new Error(`tracker.wasm not found (run "npm run build"): ${String(firstError)}`);
}

export function instantiateTracker(): TrackerExports {
  const imports = {
    env: {
      abort(): never { throw new Error("tracker.wasm aborted"); },
    },
  };
  const wasm = new WebAssembly.Instance(compile(), imports).exports as unknown as TrackerExports;
  if (wasm.layoutVersion() !== LAYOUT_VERSION || wasm.connectionLayoutVersion() !== CONNECTION_LAYOUT_VERSION) {
    throw new Error(`tracker.wasm was built with other layout versions than this SDK: rebuild with "npm run build"`);
  }
  return wasm;
}
