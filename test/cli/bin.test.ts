// The command's entry (cli/bin.ts, built as dist/cli/bin.cjs) exits with what main() returns,
// and, CommonJS without a top-level await to hold on to, never as if all went well when main()
// had not finished: the built entry, run beside a main bundle of the test's making.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));

/** The entry's exit status and standard error with `main` as its main bundle's main(). */
function runWithMain(main: string): { status: number | null; stderr: string } {
  const dir = join(mkdtempSync(join(tmpdir(), "bin-entry-")), "dist", "cli");
  mkdirSync(dir, { recursive: true });
  copyFileSync(BIN, join(dir, "bin.cjs"));
  writeFileSync(join(dir, "main.cjs"), `module.exports = { main: ${main} };\n`);
  const run = spawnSync(process.execPath, [join(dir, "bin.cjs"), "--version"], { encoding: "utf8" });
  return { status: run.status, stderr: run.stderr };
}

describe("the command's entry", () => {
  it("exits with main()'s code", () => {
    expect(runWithMain("async () => 4")).toEqual({ status: 4, stderr: "" });
    expect(runWithMain("async () => 0")).toEqual({ status: 0, stderr: "" });
  });

  it("exits 1 saying so when nothing is left to run before main() settles", () => {
    const run = runWithMain("() => new Promise(() => {})");
    expect(run.status).toBe(1);
    expect(run.stderr).toBe("tcp-handshake-scan: internal error (a bug: please report it): the command stopped before it finished\n");
  });
});
