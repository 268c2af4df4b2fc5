// Where results go: standard output or a file (-o), written in 64 KiB pieces, each awaited
// (backpressure: streaming millions of records does not pile them up in memory, and a failed
// write is known at once).
//
// A file named by -o appears only when the run is complete: the output is written to a
// temporary file beside it (same directory, so the rename cannot cross file systems) and renamed
// over it at the end; a run stopped by an error or a signal removes the temporary file and
// leaves whatever was there before. Devices and pipes (/dev/null, /dev/full, a FIFO) are written
// in place, as there is nothing to rename.
//
// A reader that goes away (EPIPE: `| head`) is OutputClosed; any other failure to write is
// OutputError, naming the output and the cause.
//
// Written onto a terminal, each piece first clears the progress bar's line there, if one is
// drawn (standard error on the same screen): the data would otherwise start behind the bar.

import { closeSync, lstatSync, openSync, readlinkSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { nodeCrypto } from "../sdk/builtins.js";
import { outputIsTerminal } from "./terminal-output.js";
import { clearProgressLine } from "./progress.js";
import { EXIT_OK, EXIT_OUTPUT, EXIT_PIPE } from "./exit-codes.js";
import { sayError } from "./error-lines.js";
import { causeInWords } from "../sdk/error-causes.js";

/** The reader of standard output went away (EPIPE). */
export class OutputClosed extends Error {}

/** The output could not be written. */
export class OutputError extends Error {
  constructor(readonly output: string, readonly code: string | undefined, cause: string) {
    super(`${output}: cannot write the output: ${cause}`);
  }
}

function outputError(output: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === "EPIPE" || code === "ERR_STREAM_DESTROYED") return new OutputClosed(`${output}: the reader went away`);
  if (!code) return error as Error; // not an I/O failure: a bug, reported as such
  return new OutputError(output, code, causeInWords(error as NodeJS.ErrnoException & { code: string }));
}

/** Where an -o file is being written: a temporary file to rename, or the target itself. */
interface FileTarget { fd: number; temp: string | null; target: string }

// Temporary files of this process, removed if a signal stops it.
const temporaries = new Set<string>();
let signalsWatched = false;

function removeTemporaries(): void {
  for (const temp of temporaries) try { unlinkSync(temp); } catch { /* already gone */ }
  temporaries.clear();
}

function watchSignals(): void {
  if (signalsWatched) return;
  signalsWatched = true;
  // Whatever ends the process (process.exit from another signal handler, an uncaught error).
  process.on("exit", removeTemporaries);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const) {
    process.once(signal, () => {
      removeTemporaries();
      // Another listener (the progress bar's) ends the process itself; with none left, the
      // signal's default action does: the process ends as that signal (130 for Ctrl-C).
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/**
 * Where a symbolic link to nothing (yet) points, through a chain of links; else the path itself.
 * The file is made there, as `>` makes it, not put in the link's place.
 */
function danglingLinkTarget(path: string): string {
  let target = path;
  for (let hops = 0; hops < 40; hops++) {
    try {
      if (!lstatSync(target).isSymbolicLink()) return target;
      target = resolve(dirname(target), readlinkSync(target));
    } catch {
      return target;
    }
  }
  return target;
}

// The file written until the run is complete, beside the target: its name with a dot before and
// a unique suffix after, the name cut short where the whole would pass the 255 bytes a file name
// may have (a target named with 230-255 bytes could otherwise not be written at all).
function temporaryName(target: string): string {
  const suffix = `.${process.pid}-${nodeCrypto().randomBytes(4).toString("hex")}.partial`;
  const chars = Array.from(basename(target)); // by code point: a cut never splits a character
  while (chars.length > 0 && Buffer.byteLength(`.${chars.join("")}${suffix}`) > NAME_MAX_BYTES) chars.pop();
  return join(dirname(target), `.${chars.join("")}${suffix}`);
}
const NAME_MAX_BYTES = 255;

function openFile(path: string): FileTarget {
  let target = path;
  let mode = 0o666;
  let exists = false;
  try {
    // What the path names, through its links: /dev/stdout names the pipe or terminal behind
    // standard output, whose realpath (/proc/<pid>/fd/pipe:[…]) is no path at all.
    const stat = statSync(path);
    if (stat.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    // A device or a pipe: written in place (renaming onto /dev/null would replace it).
    if (!stat.isFile()) return { fd: openSync(path, "w"), temp: null, target: path };
    target = realpathSync(path); // a symbolic link stays one: its target is replaced
    mode = stat.mode & 0o7777;
    exists = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    target = danglingLinkTarget(path);
  }
  const temp = temporaryName(target);
  try {
    const fd = openSync(temp, "wx", mode);
    temporaries.add(temp);
    watchSignals();
    return { fd, temp, target };
  } catch (error) {
    // No file can be made beside an existing one (a directory this user cannot write to, /proc):
    // it is written in place, if it can be.
    if (exists) return { fd: openSync(target, "w"), temp: null, target };
    throw error;
  }
}

export class Output {
  private pending = "";
  /** What messages call the output. */
  readonly name: string;
  private file: FileTarget | null = null;
  private done = false;
  private readonly toTerminal: boolean;

  /** `path`: a file, or undefined / "-" for standard output. Throws OutputError if it cannot be opened. */
  constructor(path?: string) {
    const toStdout = path === undefined || path === "-";
    this.name = toStdout ? "standard output" : path;
    this.toTerminal = outputIsTerminal(path);
    if (toStdout) return;
    try {
      this.file = openFile(path);
    } catch (error) {
      throw outputError(path, error);
    }
  }

  async write(text: string): Promise<void> {
    this.pending += text;
    if (this.pending.length >= 65536) await this.flush();
  }

  /** Binary output (Parquet): what text is pending goes first, then the bytes, awaited. */
  async writeBytes(bytes: Uint8Array): Promise<void> {
    await this.flush();
    if (this.toTerminal) clearProgressLine();
    try {
      if (this.file) writeAll(this.file.fd, bytes);
      else await writeStdout(bytes);
    } catch (error) {
      throw outputError(this.name, error);
    }
  }

  async flush(): Promise<void> {
    if (!this.pending) return;
    const chunk = this.pending;
    this.pending = "";
    if (this.toTerminal) clearProgressLine();
    try {
      if (this.file) writeAll(this.file.fd, chunk);
      else await writeStdout(chunk);
    } catch (error) {
      throw outputError(this.name, error);
    }
  }

  /** Writes what is left and puts the file in place: the run is complete. */
  async close(): Promise<void> {
    if (this.done) return;
    await this.flush();
    this.done = true;
    const f = this.file;
    if (!f) return;
    try {
      closeSync(f.fd);
      if (f.temp) {
        renameSync(f.temp, f.target);
        temporaries.delete(f.temp);
      }
    } catch (error) {
      this.removeTemporary();
      throw outputError(this.name, error);
    }
  }

  /** The run did not complete: the temporary file goes, an existing file stays as it was. */
  discard(): void {
    if (this.done) return;
    this.done = true;
    if (!this.file) return;
    try { closeSync(this.file.fd); } catch { /* closed already */ }
    this.removeTemporary();
  }

  private removeTemporary(): void {
    const temp = this.file?.temp;
    if (!temp) return;
    try { unlinkSync(temp); } catch { /* gone */ }
    temporaries.delete(temp);
  }
}

/** The exit code for an output that failed, its one line told (the reader gone: quietly); anything else is rethrown. */
export function outputFailed(error: unknown): number {
  if (error instanceof OutputClosed) return EXIT_PIPE;
  if (error instanceof OutputError) {
    sayError(error.message);
    return EXIT_OUTPUT;
  }
  throw error;
}

/** `text` to standard output (--help, --version): the exit code, a failed write told as a scan's is. */
export async function printToStdout(text: string): Promise<number> {
  const out = new Output();
  try {
    await out.write(text);
    await out.close();
    return EXIT_OK;
  } catch (error) {
    return outputFailed(error);
  }
}

// Synchronous: a local file write is quick, and errors (ENOSPC, EIO) come back where they happen.
function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
}

function writeStdout(chunk: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}
