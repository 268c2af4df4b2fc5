// npm run bench:decode — decoder throughput on captures this benchmark generates itself.
//
// For a full-snaplen and a 96-byte-snaplen capture (tens of MB each, read from page cache), and
// the same traffic wrapped in VXLAN (full snaplen, and 146 bytes: the 96 plus VXLAN's 50), it
// measures with tinybench, side by side:
//   - read only:   reading the file in the same chunks and doing nothing else (the ceiling);
//   - wasm:        the SDK's WebAssembly decoder (decodeCapture);
//   - typescript:  the straightforward pure-TypeScript decoder doing the same work;
//   - native C:    the same decode in C (bench/native/decode.c, built with cc -O2 when a C
//                  compiler is present), run as a separate process.
// and prints MB/s, packets/s, the ratio to the TypeScript decoder and peak RSS. The engines run
// in BENCH_RUNS rounds (default 5), interleaved (this machine's speed drifts), each round's order
// rotated; each engine's fastest pass is kept. Every engine must find the same packets and the
// same sum of flow hashes as the WebAssembly decoder, else the run fails (no time for a decoder
// that did other work).
//
// Options (environment): BENCH_MB (full-snaplen capture size, default 64), BENCH_TIME_MS
// (tinybench time per task over all rounds, default 3000), BENCH_RUNS, BENCH_DIR (where captures
// go, default a temp dir; a larger capture kept there is used, labelled with its own size).

import { Bench } from "tinybench";
import { mkdtempSync, mkdirSync, openSync, readSync, closeSync, statSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeCapture, DEFAULT_CHUNK_SIZE } from "../sdk/index.js";
import { generateCapture } from "./generate.js";
import { jsDecodeFile } from "./js-decoder.js";
import { buildNative, runNative } from "./native.js";
import { BenchFailure, BenchUsageError, numberVariable, runBench, runsVariable } from "./bench-main.js";

let sizeMb: number, timeMs: number, runs: number, dir: string;

// Its settings, checked before anything is generated (bench-main.ts: one line and exit 2 when bad).
function readSettings(): void {
  if (process.argv.length > 2) throw new BenchUsageError(`usage: node dist/bench/decode.js (no arguments: it generates its captures; BENCH_MB, BENCH_TIME_MS, BENCH_DIR set it up)`);
  sizeMb = numberVariable("BENCH_MB", 64, (n) => n > 0, "a positive number of megabytes");
  timeMs = numberVariable("BENCH_TIME_MS", 3000, (n) => n > 0, "a positive number of milliseconds");
  runs = runsVariable(5);
  dir = process.env.BENCH_DIR || mkdtempSync(join(tmpdir(), "ths-bench-"));
  mkdirSync(dir, { recursive: true });
}

function readOnly(path: string): number {
  const fd = openSync(path, "r");
  const buf = new Uint8Array(DEFAULT_CHUNK_SIZE);
  let total = 0;
  for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) total += n;
  closeSync(fd);
  return total;
}

async function wasmDecode(path: string): Promise<{ tcp: number; checksum: number }> {
  const capture = decodeCapture(path);
  let checksum = 0, tcp = 0;
  for await (const batch of capture) {
    tcp += batch.count;
    for (let i = 0; i < batch.count; i++) checksum = (checksum + batch.flowHash(i)) >>> 0;
  }
  return { tcp, checksum };
}

/** That `engine` decoded what the WebAssembly decoder did on `path`: its TCP records and their flow hashes' sum. */
function checkSameWork(engine: string, path: string, got: { tcp: number; checksum: number }, wasm: { tcp: number; checksum: number }): void {
  if (got.tcp === wasm.tcp && got.checksum === wasm.checksum) return;
  throw new BenchFailure(`${engine} decoded ${got.tcp} TCP packets (flow-hash sum ${got.checksum}) of ${path}, the WebAssembly decoder ${wasm.tcp} (${wasm.checksum}): not the same work, not timed`);
}

interface Row { capture: string; engine: string; mbPerS: number; packetsPerS: number; bestMs: number }

async function main(): Promise<void> {
  readSettings();
  try {
    await measureAll();
  } finally {
    if (!process.env.BENCH_DIR) rmSync(dir, { recursive: true, force: true });
  }
}

async function measureAll(): Promise<void> {
  const captures = [
    { name: "full snaplen", path: join(dir, "full.pcap"), snaplen: 0, bytes: sizeMb * 1e6, vxlan: false },
    { name: "96-byte snaplen", path: join(dir, "snap96.pcap"), snaplen: 96, bytes: (sizeMb / 2) * 1e6, vxlan: false },
    { name: "VXLAN, full", path: join(dir, "vxlan-full.pcap"), snaplen: 0, bytes: sizeMb * 1e6, vxlan: true },
    { name: "VXLAN, 146-byte", path: join(dir, "vxlan-snap146.pcap"), snaplen: 146, bytes: (sizeMb / 2) * 1e6, vxlan: true },
  ];
  const native = buildNative(dir);
  console.log(`generating captures in ${dir} ...`);
  const packets = new Map<string, number>();
  for (const c of captures) {
    const g = existsSync(c.path) && statSync(c.path).size >= c.bytes ? null : generateCapture(c.path, { bytes: c.bytes, snaplen: c.snaplen, vxlan: c.vxlan });
    const stats = g ? g.packets : jsDecodeFile(c.path).packets;
    packets.set(c.path, stats);
    readOnly(c.path); // into page cache
  }

  const rows: Row[] = [];
  for (const c of captures) {
    const size = statSync(c.path).size;
    const label = `${c.name}, ${Math.round(size / 1e6)} MB`;
    const n = packets.get(c.path)!;
    const wasm = await wasmDecode(c.path);
    checkSameWork("the TypeScript decoder", c.path, jsDecodeFile(c.path), wasm);
    const nativeName = "native C (cc -O2)";
    if (native) {
      const once = runNative(native, c.path, 1);
      checkSameWork("the C decoder", c.path, { tcp: once.packets, checksum: once.checksum }, wasm);
    }
    // Interleaved rounds: each a short tinybench run of every engine, in an order rotated round by
    // round, and the native decoder's own timed runs; the fastest pass of each over the rounds.
    const best = new Map<string, number>();
    const keep = (engine: string, ms: number) => best.set(engine, Math.min(best.get(engine) ?? Infinity, ms));
    const tasks: [string, () => unknown][] = [
      ["read only", () => { readOnly(c.path); }],
      ["wasm", () => wasmDecode(c.path)],
      ["typescript", () => { jsDecodeFile(c.path); }],
    ];
    for (let k = 0; k < runs; k++) {
      const bench = new Bench({ time: timeMs / runs, iterations: 3, warmupIterations: k === 0 ? 2 : 0 });
      for (let t = 0; t < tasks.length; t++) {
        const [name, fn] = tasks[(t + k) % tasks.length]!;
        bench.add(name, fn as () => void);
      }
      await bench.run();
      for (const task of bench.tasks) {
        const r = task.result;
        if (r.state !== "completed") throw new BenchFailure(`${task.name}: ${r.state}`);
        keep(task.name, r.latency.min);
      }
      if (native) keep(nativeName, runNative(native, c.path, 3).seconds * 1000);
    }
    for (const engine of [...tasks.map(([name]) => name), ...(native ? [nativeName] : [])]) {
      const ms = best.get(engine)!;
      rows.push({ capture: label, engine, mbPerS: size / ms / 1e3, packetsPerS: n / (ms / 1000), bestMs: ms });
    }
  }

  const fmt = (x: number, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
  console.log("");
  console.log(`best of ${runs} interleaved rounds`);
  console.log(`${"capture".padEnd(28)} ${"engine".padEnd(18)} ${"MB/s".padStart(8)} ${"Mpackets/s".padStart(11)} ${"ms/run".padStart(8)} ${"vs TS".padStart(6)}`);
  for (const r of rows) {
    const ts = rows.find((x) => x.capture === r.capture && x.engine === "typescript")!;
    const ratio = r.engine === "read only" ? "" : `${(r.mbPerS / ts.mbPerS).toFixed(2)}x`;
    console.log(`${r.capture.padEnd(28)} ${r.engine.padEnd(18)} ${fmt(r.mbPerS).padStart(8)} ${(r.engine === "read only" ? "" : fmt(r.packetsPerS / 1e6, 2)).padStart(11)} ${fmt(r.bestMs, 1).padStart(8)} ${ratio.padStart(6)}`);
  }
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(`\npeak RSS of this process: ${fmt(rss)} MiB (all engines; the WebAssembly regions are ~63 MB, most of them untouched)`);
  if (!native) console.log("native C: no C compiler (cc) found, not measured");
}

await runBench("bench:decode", main);
