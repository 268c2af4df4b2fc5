// npm run bench:instructions -- [--annotate NAME] [DIR...] FILE... — instructions executed per packet, exactly, by
// this build and by other built checkouts DIR: one decode + track pass on one thread
// (bench/instruction-pass.ts) under valgrind's callgrind, with V8's jitdump to name the
// WebAssembly functions (bench/jit-costs.ts). Unlike CPU time, the counts do not move with the
// machine's load or clock (two runs of one build agree within ~0.1 %), so a change to the hot
// path can be judged on a shared, drifting machine; whether fewer instructions also mean less
// time still needs the timed comparisons (bench:analysis, farm-bench). Needs valgrind
// (Debian's package); node runs with --no-liftoff so that every function is compiled by TurboFan
// at once, not when it warms up. ~1 minute a 100 MB capture. With --annotate NAME, this build's
// function whose name holds NAME is also printed instruction by instruction, each with its runs a
// packet (bench/annotate.ts; needs objdump, Debian's binutils).

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { callgrindCosts, costsByFunction, jitdumpLoads, type CodeLoad } from "./jit-costs.js";
import { annotate, describeAnnotation, haveObjdump, type Annotation } from "./annotate.js";
import { BenchFailure, BenchUsageError, EXIT_FAILURE, checkBuilds, checkCaptures, noPacketsLine, runBench, toolRuns } from "./bench-main.js";

export interface InstructionCount {
  build: string;
  packets: number;
  connections: number;
  total: number;
  /** Instructions of each WebAssembly function, by its name in the module (`assembly/tracker/...`). */
  functions: Map<string, number>;
  /**
   * A build whose modules carry no function names (before round 20): its WebAssembly
   * instructions in a decode-only pass, so that the tracker's are the difference.
   */
  decodeOnly?: number;
  /** With `annotate`: the named function's machine code with each instruction's count. */
  annotation?: Annotation;
}

// The checkout: two levels up from dist/bench/, one from bench/ (the tests run the source).
const HERE = fileURLToPath(new URL(".", import.meta.url));
const ROOT = resolve(HERE, existsSync(join(HERE, "..", "package.json")) ? ".." : "../..");

/** Whether valgrind can be run here. */
export function haveValgrind(): boolean {
  return toolRuns("valgrind");
}

// "JS:assembly/tracker/track/accept-31-turbofan" → "assembly/tracker/track/accept"; a module
// without a name section gives "JS:wasm-function[31]-31-turbofan" → "wasm-function[31]".
const wasmName = (jitName: string) => /^JS:(assembly\/.*|~lib\/.*|wasm-function\[\d+\])-\d+-(turbofan|liftoff)$/.exec(jitName)?.[1] ?? null;
const UNNAMED = "wasm-function[";
// The tracker module's code: its tracker, the lines it writes, and the runtime functions (~lib/*:
// allocation and strings). The decoder module, built with the stub runtime, names no ~lib
// function of its own (test/bench/instructions.test.ts holds it to that), so those are the tracker's.
const isTracker = (name: string) => name.startsWith("assembly/tracker/") || name.startsWith("assembly/lines/") || name.startsWith("~lib/");
const sum = (m: Map<string, number>, keep: (n: string) => boolean = () => true) => [...m].reduce((s, [n, c]) => s + (keep(n) ? c : 0), 0);

/** One decode + track pass of `build` (a checkout with dist/) over `file` under callgrind. */
export function countInstructions(build: string, file: string, annotateName?: string): InstructionCount {
  const counted = countPass(build, file, "track", annotateName);
  if (![...counted.functions.keys()].some((n) => n.startsWith(UNNAMED))) return counted;
  const decode = countPass(build, file, "decode");
  return { ...counted, decodeOnly: sum(decode.functions) };
}

function countPass(build: string, file: string, mode: "decode" | "track", annotateName?: string): InstructionCount {
  // node writes its jitdump into its working directory: a fresh one, removed after. NODE_OPTIONS
  // left out: a test runner's preloads do not resolve from there.
  const dir = mkdtempSync(join(tmpdir(), "ths-instructions-"));
  try {
    const out = join(dir, "callgrind.out");
    const r = spawnSync("valgrind", [
      "--tool=callgrind", "--dump-instr=yes", `--callgrind-out-file=${out}`,
      // Absolute: the pass runs in `dir`, where a path relative to ours names nothing.
      process.execPath, "--no-liftoff", "--perf-prof", join(ROOT, "dist/bench/instruction-pass.js"), resolve(build), mode, resolve(file),
    ], { cwd: dir, env: { ...process.env, NODE_OPTIONS: "" }, encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.error || r.status !== 0) {
      // The pass's own lines, not valgrind's (those start with ==pid==).
      const said = (r.stderr ?? "").split("\n").filter((l) => l.trim() !== "" && !l.startsWith("==")).slice(-3).join(" / ");
      throw new BenchFailure(`valgrind over ${file} failed (exit ${r.status}): ${r.error?.message ?? said}`);
    }
    const total = Number(/I\s+refs:\s+([\d,]+)/.exec(r.stderr)?.[1]?.replace(/,/g, "") ?? NaN);
    const { packets, connections } = JSON.parse(r.stdout.trim().split("\n").pop()!) as { packets: number; connections: number };
    const dump = readdirSync(dir).find((f) => /^jit-\d+\.dump$/.test(f));
    if (!dump) throw new BenchFailure("node wrote no jitdump (--perf-prof)");
    const costs = callgrindCosts(readFileSync(out, "utf8"));
    const loads = jitdumpLoads(readFileSync(join(dir, dump)), annotateName !== undefined);
    const byCode = costsByFunction(costs, loads);
    const functions = new Map<string, number>();
    for (const [name, n] of byCode) {
      const w = wasmName(name);
      if (w) functions.set(w, (functions.get(w) ?? 0) + n);
    }
    const counted: InstructionCount = { build, packets, connections, total, functions };
    if (annotateName !== undefined) counted.annotation = annotateLargest(loads, byCode, costs, annotateName);
    return counted;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Of the WebAssembly code whose name holds `name`, the compiled code that ran the most
// instructions (V8 may compile a function more than once: Liftoff, then TurboFan).
function annotateLargest(loads: CodeLoad[], byCode: Map<string, number>, costs: Map<number, number>, name: string): Annotation {
  let best: CodeLoad | null = null, bestTotal = -1;
  for (const load of loads) {
    if (!wasmName(load.name)?.includes(name)) continue;
    const total = byCode.get(load.name) ?? 0;
    if (total > bestTotal) { best = load; bestTotal = total; }
  }
  if (!best?.code) throw new BenchUsageError(`--annotate ${name}: no WebAssembly function's name holds it (names are like assembly/tracker/track/processPacket)`);
  return annotate(best as CodeLoad & { code: Uint8Array }, costs);
}

/** The decoder's and the tracker's WebAssembly instructions a packet, and all of the process's. */
export function perPacket(c: InstructionCount): { decode: number; track: number; total: number } {
  if (c.decodeOnly !== undefined) {
    return { decode: c.decodeOnly / c.packets, track: (sum(c.functions) - c.decodeOnly) / c.packets, total: c.total / c.packets };
  }
  return {
    decode: sum(c.functions, (n) => !isTracker(n)) / c.packets,
    track: sum(c.functions, isTracker) / c.packets,
    total: c.total / c.packets,
  };
}

/**
 * The printed lines for one capture: a line per build, its largest tracker functions, ratios;
 * for a capture of no packets, the one line that says so (no count a packet to give).
 */
export function describeInstructions(file: string, counts: InstructionCount[], top = 12): string[] {
  const first = counts[0]!;
  if (first.packets === 0) return [noPacketsLine(file, "count")];
  const lines = [`${file}: ${first.packets} packets, ${first.connections} connections; instructions a packet (callgrind, exact)`];
  const f = (x: number) => x.toFixed(0).padStart(5);
  for (const c of counts) {
    const p = perPacket(c);
    lines.push(`  ${c.build}: decoder ${f(p.decode)}   tracker ${f(p.track)}   whole process ${f(p.total)} (start-up and JavaScript included)`);
    if (c.decodeOnly !== undefined) {
      lines.push("    tracker: (no function names in this build's modules: the tracker is the track pass's WebAssembly less a decode pass's)");
      continue;
    }
    const largest = [...c.functions].filter(([n]) => isTracker(n)).sort((a, b) => b[1] - a[1]).slice(0, top);
    lines.push(`    tracker: ${largest.map(([n, k]) => `${n.replace("assembly/tracker/", "")} ${(k / c.packets).toFixed(0)}`).join(", ")}`);
  }
  for (const other of counts.slice(1)) {
    const a = perPacket(first), b = perPacket(other);
    lines.push(`  tracker, this build / ${other.build}: ${(a.track / b.track).toFixed(3)}x (${(a.track - b.track).toFixed(0)} a packet); decoder ${(a.decode / b.decode).toFixed(3)}x`);
  }
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runBench("bench:instructions", () => {
    const args = process.argv.slice(2);
    // --annotate NAME: this build's function whose name holds NAME, instruction by instruction.
    const at = args.indexOf("--annotate");
    let annotateName: string | undefined;
    if (at >= 0) {
      annotateName = args[at + 1];
      if (!annotateName || annotateName.startsWith("-")) throw new BenchUsageError("--annotate needs a function's name (or part of it), e.g. --annotate track/processPacket");
      args.splice(at, 2);
    }
    const isDir = (a: string) => existsSync(a) && statSync(a).isDirectory();
    const dirs = args.filter(isDir), files = args.filter((a) => !isDir(a));
    if (files.length === 0) throw new BenchUsageError("usage: node dist/bench/instructions.js [--annotate NAME] [DIR...] FILE... (DIR: another built checkout)");
    checkBuilds(dirs);
    checkCaptures(files);
    if (!haveValgrind()) throw new BenchFailure("valgrind not found (apt-get install valgrind)");
    if (annotateName !== undefined && !haveObjdump()) throw new BenchFailure("objdump not found (apt-get install binutils)");
    let empty = 0;
    for (const file of files) {
      const counts = [ROOT, ...dirs].map((d) => ({ ...countInstructions(d, file, d === ROOT ? annotateName : undefined), build: d === ROOT ? "this build" : d }));
      if (counts[0]!.packets === 0) empty++;
      for (const line of describeInstructions(file, counts)) console.log(line);
      const annotation = counts[0]!.annotation;
      if (annotation && counts[0]!.packets > 0) for (const line of describeAnnotation(annotation, counts[0]!.packets)) console.log(line);
    }
    // A capture of no packets has no count to give: said on its line, and the exit is not 0.
    if (empty > 0) process.exitCode = EXIT_FAILURE;
  });
}
