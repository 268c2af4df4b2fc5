// The README shows real output of the shipped sample: every ```text block that starts with
// "$ tcp-handshake-scan ..." must be exactly what that command prints today.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const examples = [...readme.matchAll(/```text\n\$ tcp-handshake-scan ([^\n]*)\n([\s\S]*?)```/g)].map((m) => ({ args: m[1]!, output: m[2]! }));

describe("README examples", () => {
  it("has a summary and a ladder of the sample", () => {
    expect(examples.map((e) => e.args)).toEqual(expect.arrayContaining(["examples/sample.pcap", expect.stringMatching(/^--ladder \d+ examples\/sample\.pcap$/)]));
  });

  for (const { args, output } of examples) {
    it(`shows what "tcp-handshake-scan ${args}" prints`, () => {
      const r = spawnSync(process.execPath, [BIN, ...args.split(" ")], { cwd: ROOT, encoding: "utf8" });
      expect(r.status).toBe(0);
      expect(output).toBe(r.stdout);
    });
  }
});
