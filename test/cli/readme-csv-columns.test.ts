// The csv table (docs/columns.md, "csv columns"; the README points there) says its columns come
// "in this order": held to the header the command writes.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { readDoc, between } from "../helpers/doc-section.js";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
const SAMPLE = fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url));
const COLUMNS = readDoc("docs/columns.md");

describe("docs/columns.md, csv columns", () => {
  it("name every column of the header, in its order", () => {
    const section = between(COLUMNS, "\n## csv columns\n", "\n## Parquet columns\n");
    const named = section.split("\n").filter((line) => line.startsWith("| `"))
      .flatMap((line) => [...line.split(" | ")[0]!.matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1]!));
    const header = spawnSync(process.execPath, [BIN, "--format", "csv", SAMPLE], { encoding: "utf8" }).stdout.split("\r\n")[0]!.split(",");
    expect(header.length).toBeGreaterThan(100);
    expect(named).toEqual(header);
  });
});
