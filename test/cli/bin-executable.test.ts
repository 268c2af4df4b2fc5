// The built command runs as a file, as npx and a shell run it: the build makes dist/cli/bin.cjs
// executable. esbuild writes it without the bit, so after any rebuild (`npm test` builds too)
// `npx tcp-handshake-scan` stopped with "Permission denied".

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readDoc } from "../helpers/doc-section.js";

const BIN = join(fileURLToPath(new URL("../../", import.meta.url)), "dist", "cli", "bin.cjs");

describe("the built command", () => {
  it("is executable by its owner, group and others", () => {
    expect(statSync(BIN).mode & 0o111).toBe(0o111);
  });

  it("runs as a file, through its #! line", () => {
    const run = spawnSync(BIN, ["--version"], { encoding: "utf8" });
    expect(run.error).toBeUndefined();
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^tcp-handshake-scan \d+\.\d+\.\d+\n$/);
  });

  it("is the size docs/development.md gives, within a fifth (it said ~20 kB of a 30 kB entry)", () => {
    const said = /`dist\/cli\/bin\.cjs` \(~(\d+) kB/.exec(readDoc("docs/development.md"))?.[1];
    expect(said, "docs/development.md: the entry's size").toBeDefined();
    const kB = statSync(BIN).size / 1000;
    expect(Math.abs(kB - Number(said)), `dist/cli/bin.cjs is ${kB} kB`).toBeLessThanOrEqual(Number(said) / 5);
  });
});
