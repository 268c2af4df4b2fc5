// The two TCP analysis engines behind one interface, for tests that feed both the same packets:
// the TypeScript reference (sdk/connections/analysis/) and the WebAssembly one
// (assembly/tracker/analysis/engine.ts), compiled here on its own (standalone.ts) until the
// tracker module carries it.

import { execFileSync } from "node:child_process";
import { readFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ANALYSIS_SIZE, DEFAULT_RING_BLOCKS } from "../../assembly/analysis-layout.js";
import { TcpAnalysis, IO_TIME, IO_SEQ, IO_ACK, readAnalysis, unpackAnalysis, type ConnectionAnalysis } from "../../sdk/connections/analysis/index.js";

export interface AnalysisEngine {
  reset(slot: number): void;
  release(slot: number): void;
  startsNewStream(slot: number, side: number, flags: number, seq: number): boolean;
  packet(slot: number, side: number, t: number, seq: number, ack: number, flags: number, window: number, wscale: number, payload: number): number;
  read(slot: number): ConnectionAnalysis;
  freeRingBlocks(): number;
}

export function typescriptEngine(ringBlocks = DEFAULT_RING_BLOCKS, e = new TcpAnalysis(64, ringBlocks)): AnalysisEngine {
  return {
    reset: (slot) => e.reset(slot),
    release: (slot) => e.release(slot),
    startsNewStream(slot, side, flags, seq) { e.io[IO_SEQ] = seq; return e.startsNewStream(slot, side, flags); },
    packet(slot, side, t, seq, ack, flags, window, wscale, payload) {
      e.io[IO_TIME] = t; e.io[IO_SEQ] = seq; e.io[IO_ACK] = ack;
      return e.packet(slot, side, flags, window, wscale, payload);
    },
    read: (slot) => readAnalysis(e, slot),
    freeRingBlocks: () => e.freeRingBlocks,
  };
}

const root = fileURLToPath(new URL("../../", import.meta.url));
let compiled: WebAssembly.Module | null = null;

/** Compiles the standalone engine once per test file (a few seconds). */
export function wasmModule(): WebAssembly.Module {
  if (compiled) return compiled;
  mkdirSync(`${root}build/test`, { recursive: true });
  const out = `${root}build/test/analysis.wasm`;
  execFileSync(`${root}node_modules/.bin/asc`, [
    "assembly/tracker/analysis/standalone.ts", "--runtime", "stub", "-O3", "--noAssert", "--outFile", out,
  ], { cwd: root, stdio: "pipe" });
  compiled = new WebAssembly.Module(readFileSync(out));
  return compiled;
}

interface Exports {
  memory: WebAssembly.Memory;
  allocateConnections(n: number): number;
  initRingPool(blocks: number): void;
  freeRingBlocks(): number;
  analysisReset(a: number): void;
  analysisRelease(a: number): void;
  analysisStartsNewStream(a: number, side: number, flags: number, seq: number): number;
  analysisPacket(a: number, side: number, seq: number, ack: number, flags: number, window: number, wscale: number, payload: number, t: number): number;
}

export function wasmEngine(ringBlocks = DEFAULT_RING_BLOCKS, slots = 4096): AnalysisEngine {
  const x = new WebAssembly.Instance(wasmModule(), { env: { abort() { throw new Error("abort"); } } }).exports as unknown as Exports;
  x.initRingPool(ringBlocks);
  const base = x.allocateConnections(slots);
  const at = (slot: number) => {
    if (slot >= slots) throw new Error(`slot ${slot} past the ${slots} allocated`);
    return base + slot * ANALYSIS_SIZE;
  };
  return {
    reset: (slot) => x.analysisReset(at(slot)),
    release: (slot) => x.analysisRelease(at(slot)),
    startsNewStream: (slot, side, flags, seq) => x.analysisStartsNewStream(at(slot), side, flags, seq) !== 0,
    packet: (slot, side, t, seq, ack, flags, window, wscale, payload) =>
      x.analysisPacket(at(slot), side, seq, ack, flags, window, wscale, payload, t) >>> 0,
    read: (slot) => unpackAnalysis(new Uint8Array(x.memory.buffer), at(slot)),
    freeRingBlocks: () => x.freeRingBlocks(),
  };
}
