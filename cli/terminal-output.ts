// Whether the output of a run is a terminal: standard output (no -o, or -o -) when it is one, or
// an -o path that is one, by whatever name and wherever fd 1 goes: /dev/tty, /dev/pts/N, or a
// name of fd 1 (/dev/stdout, /dev/fd/1, /proc/self/fd/1) while it is a terminal. Binary output
// (parquet) must not go there.

import { closeSync, constants, fstatSync, openSync, statSync } from "node:fs";
import { nodeTty } from "../sdk/builtins.js";
import { UsageError } from "./usage-error.js";

/** True when writing to `output` (an -o value; undefined or "-": standard output) writes onto a terminal. */
export function outputIsTerminal(output: string | undefined, stdoutIsTTY: boolean = process.stdout.isTTY === true): boolean {
  if (output === undefined || output === "-") return stdoutIsTTY;
  return pathIsTerminal(output) || (stdoutIsTTY && namesStdout(output));
}

/**
 * A path that opens onto a terminal: a character device whose descriptor isatty(). Opened for
 * writing (as the output would be; a terminal is often writable but not readable), without
 * becoming the controlling terminal or waiting, and closed at once; a path that cannot be
 * opened is not one (the output's own open then reports why).
 */
export function pathIsTerminal(path: string): boolean {
  let fd: number;
  try {
    if (!statSync(path).isCharacterDevice()) return false; // no FIFO or file is opened here
    fd = openSync(path, constants.O_WRONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    return nodeTty().isatty(fd);
  } finally {
    closeSync(fd);
  }
}

// The same device and inode as fd 1 (for a terminal that could not be opened by that name).
function namesStdout(path: string): boolean {
  try {
    const target = statSync(path), stdout = fstatSync(1);
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
