// The version is said one way wherever the command says it (--version and -v for every command,
// the head of every --help), and it is package.json's.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { versionLine } from "../../cli/version.js";
import { internalErrorMessage } from "../../cli/internal-error.js";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
const PACKAGE = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { name: string; version: string };
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 20_000 });

describe("the version", () => {
  const expected = `${PACKAGE.name} ${PACKAGE.version}`;

  it("is package.json's name and version, read from the file", () => {
    expect(versionLine()).toBe(expected);
  });

  it("--version and -v print that line alone, for every command", () => {
    for (const args of [["--version"], ["-v"], ["info", "--version"], ["partition", "-v"]]) {
      const r = run(...args);
      expect([r.status, r.stdout, r.stderr], args.join(" ")).toEqual([0, `${expected}\n`, ""]);
    }
  });

  it("heads every --help with the same line", () => {
    for (const args of [["--help"], ["info", "--help"], ["partition", "-h"], ["help", "info"]]) {
      const r = run(...args);
      expect(r.stdout.split("\n")[0], args.join(" ")).toBe(expected);
    }
  });

  it("is the line an internal error's report names", () => {
    expect(internalErrorMessage(new Error("x"), PACKAGE.version).split("\n")[1]).toMatch(new RegExp(`^  ${expected.replace(/\./g, "\\.")}, Node `));
  });
});
