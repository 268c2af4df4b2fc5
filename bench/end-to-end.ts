// npm run bench — the whole command, end to end, on captures this benchmark generates.
//
// For each size (default 2 GB; BENCH_SIZES_GB="0.2,2,8" to see memory stay flat as captures
// grow) and each snaplen (full, 96 bytes), it generates a realistic capture with the project's
// generator, then runs, each from page cache:
//   - `tcp-handshake-scan --format ndjson` to /dev/null, and the default summary, each with the
//     `--threads` set to the cores available and to 1;
//   - the plain-TypeScript pipeline (same records, no WebAssembly);
//   - `tshark -q -z conv,tcp` when tshark is installed (captures up to BENCH_TSHARK_MAX_GB,
//     default 2: it needs minutes and gigabytes of memory per GB);
// and prints one table: wall time, MB/s, packets/s, peak RSS, and ratios to the TypeScript
// pipeline. Options (environment): BENCH_SIZES_GB, BENCH_DIR (keep captures there between
// runs), BENCH_RUNS (best of N for our runs, default 1; tshark runs once).

import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, existsSync, statSync, rmSync, openSync, readSync, closeSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir, cpus, totalmem, availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCapture } from "./generate.js";
import { measureRun, type Measured } from "./measure-run.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(ROOT, "dist", "cli", "bin.js");
const JS_PIPELINE = join(ROOT, "dist", "bench", "js-pipeline.js");
const sizes = (process.env.BENCH_SIZES_GB ?? "2").split(",").map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 1);
const tsharkMaxGb = Number(process.env.BENCH_TSHARK_MAX_GB ?? 2);
const dir = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), "ths-e2e-"));
mkdirSync(dir, { recursive: true });

/** A command run from page cache, stdout discarded (exit 4: a damaged input, still measured). */
const measure = (command: string, args: string[], node: boolean) => measureRun(command, args, { node, okCodes: [0, 4] });

async function best(command: string, args: string[], node: boolean): Promise<Measured> {
  let result: Measured | null = null;
  for (let k = 0; k < runs; k++) {
    const m = await measure(command, args, node);
    if (!result || m.seconds < result.seconds) result = m;
  }
  return result!;
}

function warm(path: string): void {
  const fd = openSync(path, "r");
  const buf = Buffer.allocUnsafe(1 << 20);
  while (readSync(fd, buf, 0, buf.length, null) > 0) { /* into page cache */ }
  closeSync(fd);
}

function hasTshark(): boolean {
  return spawnSync("tshark", ["--version"], { stdio: "ignore" }).status === 0;
}

interface Row { capture: string; engine: string; m: Measured; bytes: number; packets: number }

async function main(): Promise<void> {
  console.log(`machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; captures in ${dir}`);
  const tshark = hasTshark();
  const cores = availableParallelism();
  const rows: Row[] = [];
  for (const gb of sizes) {
    for (const snaplen of [0, 96]) {
      const name = `${gb} GB, ${snaplen ? `${snaplen}-byte snaplen` : "full snaplen"}`;
      const path = join(dir, `e2e-${gb}gb-${snaplen || "full"}.pcap`);
      let packets: number;
      const stamp = `${path}.packets`;
      if (existsSync(path) && existsSync(stamp) && statSync(path).size >= gb * 1e9 * 0.99) {
        packets = Number(readFileSync(stamp, "utf8"));
      } else {
        process.stdout.write(`generating ${name} ... `);
        const g = generateCapture(path, { bytes: gb * 1e9, snaplen, seed: 1 });
        packets = g.packets;
        writeFileSync(stamp, String(packets));
        console.log(`${g.packets} packets, ${g.connections} connections`);
      }
      const bytes = statSync(path).size;
      warm(path);
      const add = (engine: string, m: Measured) => rows.push({ capture: name, engine, m, bytes, packets });
      // The thread counts are given, not left to the default (one thread under 64 MB of capture).
      add(`ndjson, ${cores} threads`, await best("node", [CLI, "--format", "ndjson", "--quiet", "--threads", String(cores), path], true));
      add("ndjson, 1 thread", await best("node", [CLI, "--format", "ndjson", "--quiet", "--threads", "1", path], true));
      add(`parquet -o, ${cores} threads`, await best("node", [CLI, "--format", "parquet", "--quiet", "--threads", String(cores), "-o", join(dir, "e2e.parquet"), path], true));
      add(`summary, ${cores} threads`, await best("node", [CLI, "--quiet", "--threads", String(cores), path], true));
      add("summary, 1 thread", await best("node", [CLI, "--quiet", "--threads", "1", path], true));
      add("typescript pipeline", await best("node", [JS_PIPELINE, path], true));
      if (tshark && gb <= tsharkMaxGb) add("tshark -z conv,tcp", await measure("tshark", ["-q", "-n", "-r", path, "-z", "conv,tcp"], false));
    }
  }
  const fmt = (x: number, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
  console.log("");
  console.log(`${"capture".padEnd(28)} ${"engine".padEnd(22)} ${"seconds".padStart(8)} ${"MB/s".padStart(8)} ${"Mpkt/s".padStart(8)} ${"peak RSS".padStart(10)} ${"vs TS".padStart(7)}`);
  for (const r of rows) {
    const ts = rows.find((x) => x.capture === r.capture && x.engine === "typescript pipeline")!;
    console.log(`${r.capture.padEnd(28)} ${r.engine.padEnd(22)} ${fmt(r.m.seconds, 2).padStart(8)} ${fmt(r.bytes / r.m.seconds / 1e6).padStart(8)} ${fmt(r.packets / r.m.seconds / 1e6, 2).padStart(8)} ${`${fmt(r.m.maxRssMb)} MB`.padStart(10)} ${`${(ts.m.seconds / r.m.seconds).toFixed(2)}x`.padStart(7)}`);
  }
  if (!tshark) console.log("\ntshark not installed (apt-get install tshark): its column is left out");
  if (!process.env.BENCH_DIR) rmSync(dir, { recursive: true, force: true });
}

await main();
