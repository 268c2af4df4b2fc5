// The README's "The command" and docs/command.md (every option in full; the README's table gives
// each in short) against the command's own option table (cli/args.ts, what --help prints and the
// parser takes) and exit codes (cli/exit-codes.ts): the options both tables document are the
// scan's, with the same defaults, and each README row is its full row or excerpts of it; `info`
// and `partition` (docs/scale-out.md) take what the docs say they take; the exit codes the README
// lists are the command's and --help lists them.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { OPTIONS, type Command } from "../../cli/args.js";
import * as exitCodes from "../../cli/exit-codes.js";
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_HALF_OPEN } from "../../sdk/index.js";
import { MAX_THREADS } from "../../sdk/options.js";
import { readDoc, between } from "../helpers/doc-section.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = `${ROOT}dist/cli/bin.cjs`;
const readme = readDoc("README.md");
const command = between(readme, "\n## The command\n", "\n## One scan over many machines\n");
const details = readDoc("docs/command.md");
const manyMachines = readDoc("docs/scale-out.md");

/** A table's rows: the options named in the first cell (long names), and the row's text. */
const rowsOf = (table: string) => table.split("\n").filter((line) => line.startsWith("| `")).map((line) => {
  const [first, ...rest] = line.slice(2).split(" | ");
  return { cell: first!, names: [...first!.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!), shorts: [...first!.matchAll(/(?<![-\w])-([a-z])\b/g)].map((m) => m[1]!), text: rest.join(" | ").replace(/ \|$/, "") };
});
/** The options in full (docs/command.md), and in short (the README's table). */
const rows = rowsOf(between(details, "\n## Options\n", "\n## "));
const shortRows = rowsOf(between(command, "| option | meaning |", "### Filter language"));
const tables = { "docs/command.md": rows, README: shortRows };
const GENERIC = new Set(["help", "version"]);
const optionsOf = (c: Command) => OPTIONS.filter((o) => o.commands.includes(c) && !GENERIC.has(o.name));
/** The long options named in backticks in a piece of prose. */
const named = (text: string) => new Set([...text.matchAll(/`(--[a-z][a-z-]*)/g)].map((m) => m[1]!.slice(2)));
/** "default 100 000" -> 100000: the first number after "default" (the README groups digits by spaces). */
const defaultOf = (text: string) => /\bdefault (\d[\d ]*\d|\d)\b/.exec(text)?.[1]!.replaceAll(" ", "");

describe("README and docs/command.md options tables", () => {
  it("document every option of a scan, and no other", () => {
    for (const [name, table] of Object.entries(tables)) expect(table.flatMap((r) => r.names).sort(), name).toEqual(optionsOf("scan").map((o) => o.name).sort());
  });

  it("give each short option to the long one the command gives it", () => {
    for (const table of Object.values(tables)) {
      for (const row of table.filter((r) => r.shorts.length)) {
        for (const short of row.shorts) expect(row.names, `-${short}`).toContain(OPTIONS.find((o) => o.short === short)!.name);
      }
    }
  });

  it("the README's row of each option is its full row, or excerpts of it joined by \"…\"", () => {
    expect(shortRows.map((r) => r.cell)).toEqual(rows.map((r) => r.cell));
    // Links are compared without their targets: a page's relative link differs from the README's.
    const plain = (text: string) => text.replace(/\]\([^)]*\)/g, "]");
    let excerpts = 0;
    rows.forEach((full, k) => {
      const pieces = plain(shortRows[k]!.text).split(" …").map((piece) => piece.trim()).filter(Boolean);
      if (pieces.length > 1) excerpts++;
      for (const piece of pieces) expect(plain(full.text), `${full.cell}: "${piece}"`).toContain(piece);
    });
    expect(excerpts).toBeGreaterThanOrEqual(5);
  });

  it("give the defaults --help gives", () => {
    let compared = 0;
    for (const row of [...rows, ...shortRows]) {
      const readmeDefault = defaultOf(row.text);
      const spec = OPTIONS.find((o) => o.name === row.names[0])!;
      const helpDefault = defaultOf(spec.help);
      if (readmeDefault === undefined || helpDefault === undefined) continue;
      expect(readmeDefault, `--${spec.name}`).toBe(helpDefault);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(8);
  });

  it("give the range of --threads the command and the SDK take", () => {
    const ranges = Object.values(tables).map((table) => /threads to use \(1 to (\d+)\)/.exec(table.find((r) => r.names[0] === "threads")!.text)?.[1]);
    expect(ranges[1]).toBe(ranges[0]);
    const range = ranges[0];
    expect(range).toBeDefined();
    const past = spawnSync(process.execPath, [BIN, "--threads", String(Number(range) + 1), `${ROOT}examples/sample.pcap`], { encoding: "utf8" });
    expect(past.status).toBe(2);
    expect(past.stderr).toContain(`(1 to ${range})`);
    expect(Number(range)).toBe(MAX_THREADS);
  });

  it("give the bounds' defaults the SDK uses", () => {
    for (const table of Object.values(tables)) {
      const of = (name: string) => Number(defaultOf(table.find((r) => r.names[0] === name)!.text));
      expect(of("max-half-open")).toBe(DEFAULT_MAX_HALF_OPEN);
      expect(of("max-connections")).toBe(DEFAULT_MAX_CONNECTIONS);
    }
  });
});

describe("README and docs on info and partition", () => {
  it("name the options info takes", () => {
    for (const info of [between(details, "\n## `info`\n", "\n## "), between(command, "**`info`**", "\nErrors are one line")]) {
      expect([...named(info)].sort()).toEqual(optionsOf("info").map((o) => o.name).sort());
    }
  });

  it("name the options partition takes", () => {
    const map = between(manyMachines, "- **map** (`partition`)", "- **reduce**");
    expect([...named(map)].sort()).toEqual(optionsOf("partition").map((o) => o.name).sort());
  });

  it("name the options of a reduce task: --from-partitions, --bucket and --maps in the options table", () => {
    const row = rows.find((r) => r.names[0] === "from-partitions")!;
    expect(row.names.sort()).toEqual(["bucket", "from-partitions", "maps"]);
  });

  it("give the decoder's options to the map tasks and the tracker's and --filter to the reduce tasks", () => {
    const split = /The decoder's options \(([^)]*)\) are the map tasks'; the tracker's \(([^)]*)\) and `--filter` are the reduce tasks'/.exec(manyMachines.replace(/\s+/g, " "));
    expect(split).not.toBeNull();
    const partition = new Set(optionsOf("partition").map((o) => o.name));
    const decoder = named(split![1]!), tracker = named(split![2]!);
    expect(decoder.size).toBe(3);
    for (const name of decoder) expect(partition.has(name), `partition takes --${name}`).toBe(true);
    for (const name of [...tracker, "filter"]) {
      expect(partition.has(name), `partition refuses --${name}`).toBe(false);
      expect(optionsOf("scan").some((o) => o.name === name), `a reduce task takes --${name}`).toBe(true);
    }
  });
});

describe("README exit codes", () => {
  const table = between(command, "| exit code | meaning |", null);
  const listed = [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));

  it("are the command's", () => {
    const codes = Object.entries(exitCodes).filter(([name]) => name.startsWith("EXIT_")).map(([, value]) => value as number);
    expect([...listed].sort((a, b) => a - b)).toEqual([...codes].sort((a, b) => a - b));
  });

  it("are all in --help", () => {
    const help = spawnSync(process.execPath, [BIN, "--help"], { encoding: "utf8" }).stdout;
    const paragraph = help.slice(help.indexOf("Exit codes:")).replace(/\s+/g, " ");
    for (const code of listed) expect(paragraph, `exit ${code}`).toMatch(new RegExp(`(: |, )${code} `));
  });
});
