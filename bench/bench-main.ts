// How a benchmark script reads its settings and fails, as the command does: a bad argument or
// BENCH_* variable, a missing capture or build, a missing tool or a measured command that failed
// is one line naming it (`bench:flood: FLOOD_KINDS: unknown kind "syns" (syn, ack, ...)`) and a
// non-zero exit (2 for a usage error, 1 for a failure), never a stack trace. Only a bug (an
// error none of these) keeps its stack, to be reported.

import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

/** A bad argument or variable: exit 2. */
export class BenchUsageError extends Error {}

/** Something the benchmark needs is missing or failed (a tool, a build, a measured command): exit 1. */
export class BenchFailure extends Error {}

/** Whether the tool `command` can be run here (it answers --version). */
export function toolRuns(command: string): boolean {
  const r = spawnSync(command, ["--version"], { stdio: "ignore" });
  return !r.error && r.status === 0;
}

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The variable `name` as a number, or `fallback` when unset; a usage error unless `valid`. */
export function numberVariable(name: string, fallback: number, valid: (n: number) => boolean, what: string): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || !valid(n)) throw new BenchUsageError(`${name}: "${text}" is not ${what}`);
  return n;
}

/** The variable `name` as a comma-separated list of numbers (`fallback` when unset), each `valid`. */
export function numberListVariable(name: string, fallback: string, valid: (n: number) => boolean, what: string): number[] {
  const text = process.env[name] || fallback;
  return text.split(",").map((part) => {
    const n = Number(part);
    if (part.trim() === "" || !Number.isFinite(n) || !valid(n)) throw new BenchUsageError(`${name}: "${part}" is not ${what}`);
    return n;
  });
}

/** The variable `name` as a comma-separated list of names from `allowed` (`fallback` when unset). */
export function namesVariable<T extends string>(name: string, fallback: string, allowed: readonly T[], what: string): T[] {
  const text = process.env[name] || fallback;
  return text.split(",").map((part) => {
    if (!allowed.includes(part as T)) throw new BenchUsageError(`${name}: unknown ${what} "${part}" (${allowed.join(", ")})`);
    return part as T;
  });
}

/** BENCH_RUNS, the runs (at least `least`) of each measurement: `fallback` when unset. */
export function runsVariable(fallback: number, least = 1): number {
  return numberVariable("BENCH_RUNS", fallback, (n) => Number.isInteger(n) && n >= least, `a whole number of runs (${least} or more)`);
}

/** The line for a capture of no packets, in place of figures a packet (NaN). */
export function noPacketsLine(file: string, what: "count" | "time"): string {
  return `${file}: no packets, nothing to ${what} a packet`;
}

/** Each capture named must be a readable file: checked before anything is measured. */
export function checkCaptures(files: readonly string[]): void {
  for (const file of files) {
    if (!existsSync(file)) throw new BenchUsageError(`${file}: no such file`);
    if (!statSync(file).isFile()) throw new BenchUsageError(`${file}: not a file (a capture)`);
  }
}

/** Each build named must have its built SDK (dist/sdk) and modules (build/). */
export function checkBuilds(dirs: readonly string[]): void {
  for (const dir of dirs) {
    for (const part of ["dist/sdk/index.js", "build/tracker.wasm"]) {
      if (!existsSync(`${dir}/${part}`)) throw new BenchUsageError(`${dir}: not a built checkout (no ${part}: npm run build there)`);
    }
  }
}

/** An error's one line, or null for a bug (an error of no known kind). */
export function oneLine(error: unknown): string | null {
  if (error instanceof BenchUsageError || error instanceof BenchFailure) return error.message;
  const e = error as NodeJS.ErrnoException;
  // A file or a directory the system refused (EACCES on BENCH_DIR, ENOSPC while generating).
  if (e && typeof e.code === "string" && /^E[A-Z]+$/.test(e.code)) return e.message;
  return null;
}

/**
 * Runs a benchmark's main and ends the process as the command would: 0, or one line on
 * standard error (`script: message`) and 2 (usage) or 1. A bug's stack is printed whole.
 */
export async function runBench(script: string, main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (error) {
    const line = oneLine(error);
    if (line === null) {
      process.stderr.write(`${script}: internal error (a bug): ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = EXIT_FAILURE;
      return;
    }
    process.stderr.write(`${script}: ${line}\n`);
    process.exitCode = error instanceof BenchUsageError ? EXIT_USAGE : EXIT_FAILURE;
  }
}
