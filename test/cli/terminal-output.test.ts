// Whether an output is the terminal: standard output when it is one, or an -o path naming fd 1's
// file (same device and inode), whatever it is called; never when standard output is no terminal.

import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { outputIsTerminal, pathIsTerminal } from "../../cli/terminal-output.js";

const dir = mkdtempSync(join(tmpdir(), "ths-terminal-output-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("outputIsTerminal", () => {
  it("standard output (no -o, -o -) is the terminal when it is one", () => {
    expect(outputIsTerminal(undefined, true)).toBe(true);
    expect(outputIsTerminal("-", true)).toBe(true);
    expect(outputIsTerminal(undefined, false)).toBe(false);
    expect(outputIsTerminal("-", false)).toBe(false);
  });

  it("an -o path naming fd 1 is, by any of its names; another file or a missing one is not", () => {
    // fd 1 here is taken as the terminal (stdoutIsTTY true): the paths that reach it are it.
    for (const name of ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]) expect(outputIsTerminal(name, true), name).toBe(true);
    const file = join(dir, "out.parquet");
    writeFileSync(file, "");
    expect(outputIsTerminal(file, true)).toBe(false);
    expect(outputIsTerminal(join(dir, "not-yet.parquet"), true)).toBe(false);
    expect(outputIsTerminal("", true)).toBe(false);
  });

  it("never when standard output is no terminal, whatever -o names", () => {
    for (const name of ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]) expect(outputIsTerminal(name, false), name).toBe(false);
  });
});

// A terminal itself needs a pseudo-terminal: test/cli/format/connection-parquet.test.ts runs the
// command under script(1) with -o /dev/tty and -o /dev/pts/N.
describe("pathIsTerminal", () => {
  it("is false for a character device that is no terminal, a file, a FIFO (never opened), a missing path", () => {
    expect(pathIsTerminal("/dev/null")).toBe(false);
    const file = join(dir, "plain");
    writeFileSync(file, "");
    expect(pathIsTerminal(file)).toBe(false);
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    expect(pathIsTerminal(fifo)).toBe(false); // opening it for writing would block without a reader
    expect(pathIsTerminal(join(dir, "missing"))).toBe(false);
  });
});
