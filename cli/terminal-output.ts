// Whether the output of a run is the terminal: standard output (no -o, or -o -) when it is one,
// or an -o path that names it (/dev/stdout, /dev/fd/1, /proc/self/fd/1, /dev/pts/N): the same
// device and inode as fd 1. Binary output (parquet) must not go there.

import { fstatSync, statSync } from "node:fs";
import { UsageError } from "./usage-error.js";

/** True when writing to `output` (an -o value; undefined or "-": standard output) writes onto the terminal. */
export function outputIsTerminal(output: string | undefined, stdoutIsTTY: boolean = process.stdout.isTTY === true): boolean {
  if (!stdoutIsTTY) return false;
  if (output === undefined || output === "-") return true;
  try {
    const target = statSync(output), stdout = fstatSync(1);
    return target.dev === stdout.dev && target.ino === stdout.ino;
  } catch {
    return false; // a file to be made, or a path that cannot be looked up: not the terminal
  }
}

/** Parquet is binary: to a file, a pipe or a redirection, never onto a terminal (a usage error). */
export function refuseParquetOnTerminal(output: string | undefined): void {
  if (!outputIsTerminal(output)) return;
  const named = output === undefined || output === "-" ? "standard output is a terminal" : `-o ${output} is the terminal`;
  throw new UsageError(`--format parquet: ${named} (use -o FILE, or a pipe)`);
}
