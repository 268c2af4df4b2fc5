// npm run bench — the whole command, end to end, on captures this benchmark generates.
//
// For each size (default 2 GB; BENCH_SIZES_GB="0.2,2,8" to see memory stay flat as captures
// grow), each traffic mix (BENCH_MIXES, default "bulk,short": long transfers dominating, and
// many short request/response connections, a fifth failed; see bench/traffic-scripts.ts) and
// each snaplen (full, 96 bytes), it generates a capture with the project's generator, then
// runs, each from page cache:
//   - `tcp-handshake-scan --format ndjson` to /dev/null, and the default summary, each with the
//     `--threads` set to the cores available and to 1;
//   - the plain-TypeScript pipeline (same records, no WebAssembly);
//   - ../shared/perf/c_baseline.c, `c_baseline --flows --quiet`, the native limit (read, decode,
//     a flow table, a per-flow class; no records), when a C compiler is present;
//   - `tshark -q -z conv,tcp` when tshark is installed (captures up to BENCH_TSHARK_MAX_GB,
//     default 2: it needs minutes and gigabytes of memory per GB);
// and prints one table: wall time, MB/s, packets/s, connections/s, peak RSS, the speed-up over
// the TypeScript pipeline and the time against C's (ours / C), then the issue's two ratios taken
// round by round (each round's own ratio, their median and range: paired-ratios.ts), which a
// drifting machine moves less than the ratio of two bests, and a cross-core probe's figure
// before each round and after the last (bench/cross-core.ts: which spell of the machine each
// round ran in) beside each round's ratio to C. With BENCH_VXLAN (default 1; 0:
// off), each size adds the bulk mix wrapped in VXLAN at a 146-byte snaplen (the 96-byte capture's
// traffic plus VXLAN's 50 bytes; generated to the same size, so it holds about two thirds of that
// capture's packets), run by ours and the TypeScript pipeline (c_baseline does not decapsulate).
// Every engine's run must read the whole capture: exit 0 (a generated capture is never damaged),
// the summary's and c_baseline's packet counts the generator's, their connections within 2 %.
// Options (environment):
// BENCH_SIZES_GB, BENCH_MIXES, BENCH_DIR (keep captures there between runs), BENCH_RUNS (best of
// N, default 3; the runs of a capture's engines are interleaved, since this machine's speed
// drifts; tshark runs once), BENCH_C_BASELINE (another path to c_baseline.c, or "none" to run
// without it; a missing source or one that does not compile fails the run).

import { mkdtempSync, mkdirSync, existsSync, statSync, rmSync, openSync, readSync, closeSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir, cpus, totalmem, availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCapture, type GenerateResult, type Mix } from "./generate.js";
import { generatorStamp } from "./generator-stamp.js";
import { measureRun, type Measured } from "./measure-run.js";
import { buildCBaseline, cBaselineCounts } from "./c-baseline.js";
import { BenchFailure, BenchUsageError, namesVariable, noPacketsLine, numberListVariable, numberVariable, runBench, runsVariable, toolRuns } from "./bench-main.js";
import { describeRatio, pairedRatio, roundOrder } from "./paired-ratios.js";
import { buildCrossCoreProbe, describeProbes, probeCrossCore } from "./cross-core.js";
import { describeNodeStart } from "./node-start.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(ROOT, "dist", "cli", "bin.cjs");
const JS_PIPELINE = join(ROOT, "dist", "bench", "js-pipeline.js");
// The settings (environment), read and checked in main() before anything is generated.
let sizes: number[], mixes: Mix[], runs: number, tsharkMaxGb: number, withVxlan: boolean, dir: string;

function readSettings(): void {
  sizes = numberListVariable("BENCH_SIZES_GB", "2", (n) => n > 0, "a size in GB (above 0)");
  mixes = namesVariable("BENCH_MIXES", "bulk,short", ["bulk", "short"] as const, "mix");
  runs = runsVariable(3);
  tsharkMaxGb = numberVariable("BENCH_TSHARK_MAX_GB", 2, (n) => n >= 0, "a size in GB");
  const vxlan = process.env.BENCH_VXLAN ?? "";
  if (!["", "0", "1"].includes(vxlan)) throw new BenchUsageError(`BENCH_VXLAN: "${vxlan}" is not 0 (off) or 1 (on)`);
  withVxlan = vxlan !== "0";
  dir = process.env.BENCH_DIR || mkdtempSync(join(tmpdir(), "ths-e2e-"));
  mkdirSync(dir, { recursive: true });
}

/** A command run from page cache, stdout discarded; it must exit 0 (the captures are generated whole). */
const measure = (command: string, args: string[], node: boolean, keepStdout = false, peak = true) =>
  measureRun(command, args, { node, keepStdout, peak });

/**
 * That an engine's run read the whole capture: `packets` exactly the generator's, `connections`
 * within 2 % of its (a reused 4-tuple may count once or twice); a BenchFailure otherwise, so that
 * no time is printed for a run that read part of the capture.
 */
function checkCounts(engine: string, c: Capture, packets: number | null, connections: number | null): void {
  const near = connections !== null && Math.abs(connections - c.connections) <= c.connections * 0.02;
  if (packets === c.packets && near) return;
  throw new BenchFailure(`${engine} counted ${packets ?? "no"} packets and ${connections ?? "no"} connections in ${c.path}; ` +
    `it was generated with ${c.packets} and ${c.connections}: not measured`);
}

/** The summary's first line: "FILE: N packets (M TCP), K TCP connections". */
function summaryCounts(stdout: string): { packets: number | null; connections: number | null } {
  const m = /: (\d+) packets \(\d+ TCP\), (\d+) TCP connections/.exec(stdout);
  return m ? { packets: Number(m[1]), connections: Number(m[2]) } : { packets: null, connections: null };
}

function warm(path: string): void {
  const fd = openSync(path, "r");
  const buf = Buffer.allocUnsafe(1 << 20);
  while (readSync(fd, buf, 0, buf.length, null) > 0) { /* into page cache */ }
  closeSync(fd);
}

interface Capture { name: string; path: string; bytes: number; packets: number; connections: number; gb: number }
/** `peak`: its peak RSS in MiB, from a run of its own after the timed ones (which then measure none). */
interface Engine { name: string; once?: boolean; run: () => Promise<Measured>; peak?: () => Promise<number> }
interface Row { capture: Capture; engine: string; m: Measured; times: number[] }
/** A kept capture's sidecar (`${path}.json`). */
interface KeptCapture { packets: number; connections: number; bytes: number; generator: string; mix: string }

const C_ENGINE = "c_baseline --flows";
const TS_ENGINE = "typescript pipeline";
// The ndjson rows the issue's ratios compare: at the cores available, and at one thread.
const NDJSON_ONE = "ndjson, 1 thread";
const ndjsonAt = (cores: number) => `ndjson, ${cores} threads`;

/** The capture of a size, mix and snaplen: generated, or the one BENCH_DIR kept by this generator. */
function capture(gb: number, mix: Mix, snaplen: number, vxlan = false): Capture {
  const name = `${gb} GB ${mix}${vxlan ? " in VXLAN" : ""}, ${snaplen ? `${snaplen}-byte snaplen` : "full snaplen"}`;
  const path = join(dir, `e2e-${gb}gb-${mix}${vxlan ? "-vxlan" : ""}-${snaplen || "full"}.pcap`);
  const stamp = `${path}.json`;
  const generator = generatorStamp();
  let kept = existsSync(path) && existsSync(stamp) ? JSON.parse(readFileSync(stamp, "utf8")) as Partial<KeptCapture> : null;
  // Reused only if it is whole and made by this generator's code (the engines' counts are checked against it).
  if (kept && (kept.bytes !== statSync(path).size || kept.generator !== generator || typeof kept.mix !== "string")) kept = null;
  let counts: { packets: number; connections: number };
  if (kept) {
    counts = { packets: kept.packets!, connections: kept.connections! };
    console.log(`kept ${name}: ${kept.mix}`);
  } else {
    process.stdout.write(`generating ${name} ... `);
    const g = generateCapture(path, { bytes: gb * 1e9, snaplen, seed: 1, mix, vxlan });
    counts = { packets: g.packets, connections: g.connections };
    if (g.packets === 0) throw new BenchFailure(noPacketsLine(path, "time"));
    const line = describeMix(g);
    writeFileSync(stamp, JSON.stringify({ ...counts, bytes: statSync(path).size, generator, mix: line } satisfies KeptCapture));
    console.log(line);
  }
  if (counts.packets === 0) throw new BenchFailure(noPacketsLine(path, "time"));
  return { name, path, bytes: statSync(path).size, gb, packets: counts.packets, connections: counts.connections };
}

/** What the generator's counts say the capture holds, in one line. */
function describeMix(g: GenerateResult): string {
  const share = (n: number) => `${(100 * n / g.connections).toFixed(1)} %`;
  const failed = g.connections - g.kinds.closed - g.kinds.open;
  const cut = g.cutAtEnd > 0 ? ` (${share(g.cutAtEnd)} cut by the capture's end)` : "";
  return `${g.packets} packets, ${g.connections} connections (${(g.packets / g.connections).toFixed(1)} packets each; ` +
    `${share(failed)} failed, reset or mid-stream: refused ${share(g.kinds.refused)}, unanswered ${share(g.kinds.unanswered)}, ` +
    `reset ${share(g.kinds.reset)}, mid-stream ${share(g.kinds.midstream)}; open at the end ${share(g.kinds.open)}${cut}; ` +
    `IPv6 ${share(g.ipv6)}, VLAN ${share(g.vlanTagged)})`;
}

/**
 * Every engine on one capture, their runs interleaved (this machine's speed drifts) in an order
 * rotated round by round; the best time of each. `units` are the engines in the order of the
 * first round: a unit of several engines runs back to back in every round (the engines of the
 * paired ratios, paired-ratios.ts), its order reversed every other round, so that neither engine
 * of a pair always runs first. With `probeBinary`, the cross-core probe's figure before each
 * round and after the last (bench/cross-core.ts).
 */
async function measureCapture(c: Capture, units: Engine[][], probeBinary: string | null): Promise<{ rows: Row[]; probeNs: (number | null)[] }> {
  const best = new Map<string, Measured>();
  const times = new Map<string, number[]>(); // each round's seconds, for the paired ratios
  const probeNs: (number | null)[] = [];
  for (let k = 0; k < runs; k++) {
    if (probeBinary) probeNs.push(probeCrossCore(probeBinary));
    for (const e of roundOrder(units, k)) {
      if (e.once && k > 0) continue;
      const m = await e.run();
      if (!times.has(e.name)) times.set(e.name, []);
      times.get(e.name)!.push(m.seconds);
      const prev = best.get(e.name);
      // The best time; the highest peak RSS seen over the runs.
      if (!prev) best.set(e.name, m);
      else best.set(e.name, { ...(m.seconds < prev.seconds ? m : prev), maxRssMb: Math.max(m.maxRssMb, prev.maxRssMb) });
    }
  }
  if (probeBinary) probeNs.push(probeCrossCore(probeBinary));
  for (const e of units.flat()) {
    if (e.peak) best.set(e.name, { ...best.get(e.name)!, maxRssMb: await e.peak() });
  }
  const rows = units.flat().map((e) => ({ capture: c, engine: e.name, m: best.get(e.name)!, times: times.get(e.name)! }));
  return { rows, probeNs };
}

async function main(): Promise<void> {
  readSettings();
  console.log(`machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; captures in ${dir}; best of ${runs}`);
  const cores = availableParallelism();
  const binDir = mkdtempSync(join(tmpdir(), "ths-c-baseline-"));
  try {
    await measureAll(cores, binDir);
  } finally {
    // Removed whether the run ends or fails: the captures are gigabytes.
    rmSync(binDir, { recursive: true, force: true });
    if (!process.env.BENCH_DIR) rmSync(dir, { recursive: true, force: true });
  }
}

async function measureAll(cores: number, binDir: string): Promise<void> {
  const tshark = toolRuns("tshark");
  const c = buildCBaseline(ROOT, binDir);
  const probe = cores > 1 ? buildCrossCoreProbe(ROOT, binDir) : { missing: "one processor" };
  const probeBinary = "binary" in probe ? probe.binary : null;
  const rows: Row[] = [];
  const probes: { capture: Capture; ns: (number | null)[] }[] = [];
  const variants = (gb: number) => [
    ...mixes.flatMap((mix) => [0, 96].map((snaplen) => capture(gb, mix, snaplen))),
    ...(withVxlan ? [capture(gb, "bulk", 146, true)] : []),
  ];
  for (const gb of sizes) {
    for (const cap of variants(gb)) {
      const vxlan = cap.path.includes("-vxlan-");
      warm(cap.path);
      const ours = (name: string, args: string[]): Engine => ({ name, run: () => measure("node", [CLI, ...args, cap.path], true) });
      // The summary is short: kept, and its counts checked.
      const summary = (name: string, args: string[]): Engine => ({
        name, run: async () => {
          const m = await measureRun("node", [CLI, ...args, cap.path], { node: true, keepStdout: true });
          const counts = summaryCounts(m.stdout);
          checkCounts(name, cap, counts.packets, counts.connections);
          return m;
        },
      });
      // The thread counts are given, not left to the default (one thread under 600 000 packets).
      // One thread, the cores available and C run back to back, the cores' run between the two
      // others: the paired ratios (one thread over the cores', the cores' over C) compare runs
      // that ran one right after the other in every round.
      const paired: Engine[] = [
        ours(NDJSON_ONE, ["--format", "ndjson", "--quiet", "--threads", "1"]),
        ours(ndjsonAt(cores), ["--format", "ndjson", "--quiet", "--threads", String(cores)]),
      ];
      if ("binary" in c && !vxlan) {
        paired.push({
          // Timed without /usr/bin/time (its fork and exec would add ~2 ms a run to the C
          // program's and not to ours); its peak from one more run under it after the rounds.
          name: C_ENGINE, run: async () => {
            const m = await measure(c.binary, ["--flows", "--quiet", cap.path], false, true, false);
            const counts = cBaselineCounts(m.stdout);
            checkCounts(C_ENGINE, cap, counts.packets, counts.flows);
            return m;
          },
          peak: async () => (await measure(c.binary, ["--flows", "--quiet", cap.path], false)).maxRssMb,
        });
      }
      const units: Engine[][] = [
        paired,
        [ours(`parquet -o, ${cores} threads`, ["--format", "parquet", "--quiet", "--threads", String(cores), "-o", join(dir, "e2e.parquet")])],
        [summary(`summary, ${cores} threads`, ["--quiet", "--threads", String(cores)])],
        [summary("summary, 1 thread", ["--quiet", "--threads", "1"])],
        [{ name: TS_ENGINE, run: () => measure("node", [JS_PIPELINE, cap.path], true) }],
      ];
      if (tshark && gb <= tsharkMaxGb) units.push([{ name: "tshark -z conv,tcp", once: true, run: () => measure("tshark", ["-q", "-n", "-r", cap.path, "-z", "conv,tcp"], false) }]);
      const measured = await measureCapture(cap, units, probeBinary);
      rows.push(...measured.rows);
      if (probeBinary) probes.push({ capture: cap, ns: measured.probeNs });
    }
  }
  printTable(rows);
  printPairedRatios(rows, cores);
  printProbes(rows, probes, cores);
  if ("missing" in probe) console.log(`\nno cross-core probe: ${probe.missing}`);
  if ("missing" in c) console.log(`\nno native-limit row: ${c.missing}`);
  else console.log(`\n${C_ENGINE}: ${c.source} built with ${c.compiler} -O2; "x C" is our time over its time on the same page-cached file`);
  if (!tshark) console.log("tshark not installed (apt-get install tshark): its rows are left out");
  const start = describeNodeStart();
  if (start) console.log(`\n${start}`);
}

function printTable(rows: Row[]): void {
  const fmt = (x: number, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
  const captureWidth = Math.max(...rows.map((r) => r.capture.name.length));
  console.log("");
  console.log(`${"capture".padEnd(captureWidth)}  ${"engine".padEnd(20)} ${"seconds".padStart(8)} ${"MB/s".padStart(7)} ${"Mpkt/s".padStart(7)} ` +
    `${"kconn/s".padStart(8)} ${"peak RSS".padStart(9)} ${"vs TS".padStart(7)} ${"x C".padStart(7)}`);
  let last: Capture | null = null;
  for (const r of rows) {
    const same = (e: string) => rows.find((x) => x.capture === r.capture && x.engine === e);
    const ts = same(TS_ENGINE)!, c = same(C_ENGINE);
    const s = r.m.seconds;
    const label = r.capture === last ? "" : r.capture.name;
    last = r.capture;
    console.log(`${label.padEnd(captureWidth)}  ${r.engine.padEnd(20)} ${fmt(s, 3).padStart(8)} ${fmt(r.capture.bytes / s / 1e6).padStart(7)} ` +
      `${fmt(r.capture.packets / s / 1e6, 2).padStart(7)} ${fmt(r.capture.connections / s / 1e3).padStart(8)} ${`${fmt(r.m.maxRssMb)} MiB`.padStart(9)} ` +
      `${`${(ts.m.seconds / s).toFixed(2)}x`.padStart(7)} ${(c ? `${(s / c.m.seconds).toFixed(2)}x` : "").padStart(7)}`);
  }
  const captures = [...new Set(rows.map((r) => r.capture))];
  console.log("");
  for (const c of captures) {
    console.log(`${c.name}: ${fmt(c.bytes / 1e6)} MB, ${fmt(c.packets)} packets, ${fmt(c.connections)} connections ` +
      `(${fmt(c.connections / (c.bytes / 1e9))} per GB, ${(c.packets / c.connections).toFixed(1)} packets each)`);
  }
}

// The issue's two ratios taken round by round (paired-ratios.ts): ours over the C program's, and
// one thread's ndjson over the cores' (the three run back to back in every round: roundOrder).
function printPairedRatios(rows: Row[], cores: number): void {
  if (runs < 2) return;
  console.log(`\npaired ratios (the median of the ${runs} rounds' own ratios, each round's runs back to back; their range):`);
  for (const c of [...new Set(rows.map((r) => r.capture))]) {
    const times = (engine: string) => roundTimes(rows, c, engine);
    const ndjson = times(ndjsonAt(cores)), one = times(NDJSON_ONE), native = times(C_ENGINE);
    const parts = [`${ndjsonAt(cores)} x C ${describeRatio(pairedRatio(ndjson, native))}`];
    if (cores > 1) parts.push(`1 thread / ${cores} threads ${describeRatio(pairedRatio(one, ndjson))}`);
    console.log(`  ${c.name}: ${parts.join("; ")}`);
  }
}

// Each round's seconds of one engine on capture `c`.
function roundTimes(rows: Row[], c: Capture, engine: string): number[] {
  return rows.find((r) => r.capture === c && r.engine === engine)?.times ?? [];
}

// Which spell of the machine each round ran in (the probe before it and after it), beside that
// round's ratio of ours to C.
function printProbes(rows: Row[], probes: { capture: Capture; ns: (number | null)[] }[], cores: number): void {
  if (probes.length === 0) return;
  console.log(`\ncross-core probe (bench/native/cross-core.c: ns of CPU to hand a 128-byte record to the other core, before each round and after the last;` +
    ` a high figure is a slow spell of the machine, in which a scan at ${cores} threads loses more than one at 1):`);
  for (const { capture: c, ns } of probes) {
    const ours = roundTimes(rows, c, ndjsonAt(cores)), native = roundTimes(rows, c, C_ENGINE);
    const byRound = ours.map((t, k) => (native[k] ? `${(t / native[k]!).toFixed(2)}x` : "n/a"));
    const ratios = native.length ? `; ${ndjsonAt(cores)} x C by round ${byRound.join(", ")}` : "";
    console.log(`  ${c.name}: ${describeProbes(ns)}${ratios}`);
  }
}

await runBench("bench", main);
