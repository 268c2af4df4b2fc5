// The README's csv table says its columns come "in this order": held to the header the command writes.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
const SAMPLE = fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url));
const README = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");

describe("README, csv columns", () => {
  it("name every column of the header, in its order", () => {
    const section = README.slice(README.indexOf("### csv columns"), README.indexOf("### Parquet columns"));
    const named = section.split("\n").filter((line) => line.startsWith("| `"))
      .flatMap((line) => [...line.split(" | ")[0]!.matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1]!));
    const header = spawnSync(process.execPath, [BIN, "--format", "csv", SAMPLE], { encoding: "utf8" }).stdout.split("\r\n")[0]!.split(",");
    expect(header.length).toBeGreaterThan(100);
    expect(named).toEqual(header);
  });
});
