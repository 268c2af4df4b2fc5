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
// and prints MB/s, packets/s, the ratio to the TypeScript decoder and peak RSS.
//
// Options (environment): BENCH_MB (full-snaplen capture size, default 64), BENCH_TIME_MS
// (tinybench time per task, default 3000), BENCH_DIR (where captures go, default a temp dir).

import { Bench } from "tinybench";
import { mkdtempSync, openSync, readSync, closeSync, statSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeCapture, DEFAULT_CHUNK_SIZE } from "../sdk/index.js";
import { generateCapture } from "./generate.js";
import { jsDecodeFile } from "./js-decoder.js";
import { buildNative, runNative } from "./native.js";
import { BenchFailure, BenchUsageError, numberVariable, runBench } from "./bench-main.js";

let sizeMb: number, timeMs: number, dir: string;

// Its settings, checked before anything is generated (bench-main.ts: one line and exit 2 when bad).
function readSettings(): void {
  if (process.argv.length > 2) throw new BenchUsageError(`usage: node dist/bench/decode.js (no arguments: it generates its captures; BENCH_MB, BENCH_TIME_MS, BENCH_DIR set it up)`);
  sizeMb = numberVariable("BENCH_MB", 64, (n) => n > 0, "a positive number of megabytes");
  timeMs = numberVariable("BENCH_TIME_MS", 3000, (n) => n > 0, "a positive number of milliseconds");
  dir = process.env.BENCH_DIR || mkdtempSync(join(tmpdir(), "ths-bench-"));
}

function readOnly(path: string): number {
  const fd = openSync(path, "r");
  const buf = new Uint8Array(DEFAULT_CHUNK_SIZE);
  let total = 0;
  for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) total += n;
  closeSync(fd);
  return total;
}

async function wasmDecode(path: string): Promise<number> {
  const capture = decodeCapture(path);
  let checksum = 0;
  for await (const batch of capture) {
    for (let i = 0; i < batch.count; i++) checksum = (checksum + batch.flowHash(i)) >>> 0;
  }
  return checksum;
}

interface Row { capture: string; engine: string; mbPerS: number; packetsPerS: number; meanMs: number }

async function main(): Promise<void> {
  readSettings();
  const captures = [
    { name: `full snaplen, ${sizeMb} MB`, path: join(dir, "full.pcap"), snaplen: 0, bytes: sizeMb * 1e6, vxlan: false },
    { name: `96-byte snaplen, ${Math.round(sizeMb / 2)} MB`, path: join(dir, "snap96.pcap"), snaplen: 96, bytes: (sizeMb / 2) * 1e6, vxlan: false },
    { name: `VXLAN, full, ${sizeMb} MB`, path: join(dir, "vxlan-full.pcap"), snaplen: 0, bytes: sizeMb * 1e6, vxlan: true },
    { name: `VXLAN, 146-byte, ${Math.round(sizeMb / 2)} MB`, path: join(dir, "vxlan-snap146.pcap"), snaplen: 146, bytes: (sizeMb / 2) * 1e6, vxlan: true },
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
    const n = packets.get(c.path)!;
    const bench = new Bench({ time: timeMs, iterations: 5, warmupIterations: 2 });
    bench.add("read only", () => { readOnly(c.path); });
    bench.add("wasm", async () => { await wasmDecode(c.path); });
    bench.add("typescript", () => { jsDecodeFile(c.path); });
    await bench.run();
    for (const task of bench.tasks) {
      const r = task.result;
      if (r.state !== "completed") throw new BenchFailure(`${task.name}: ${r.state}`);
      const s = r.latency.mean / 1000;
      rows.push({ capture: c.name, engine: task.name, mbPerS: size / s / 1e6, packetsPerS: n / s, meanMs: r.latency.mean });
    }
    if (native) {
      const s = runNative(native, c.path, 5);
      rows.push({ capture: c.name, engine: "native C (cc -O2)", mbPerS: size / s / 1e6, packetsPerS: n / s, meanMs: s * 1000 });
    }
  }

  const fmt = (x: number, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
  console.log("");
  console.log(`${"capture".padEnd(28)} ${"engine".padEnd(18)} ${"MB/s".padStart(8)} ${"Mpackets/s".padStart(11)} ${"ms/run".padStart(8)} ${"vs TS".padStart(6)}`);
  for (const r of rows) {
    const ts = rows.find((x) => x.capture === r.capture && x.engine === "typescript")!;
    const ratio = r.engine === "read only" ? "" : `${(r.mbPerS / ts.mbPerS).toFixed(2)}x`;
    console.log(`${r.capture.padEnd(28)} ${r.engine.padEnd(18)} ${fmt(r.mbPerS).padStart(8)} ${fmt(r.packetsPerS / 1e6, 2).padStart(11)} ${fmt(r.meanMs, 1).padStart(8)} ${ratio.padStart(6)}`);
  }
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(`\npeak RSS of this process: ${fmt(rss)} MB (all engines; the WebAssembly regions are ~63 MB, most of them untouched)`);
  if (!native) console.log("native C: no C compiler (cc) found, not measured");
  if (!process.env.BENCH_DIR) rmSync(dir, { recursive: true, force: true });
}

await runBench("bench:decode", main);
