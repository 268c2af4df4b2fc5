// The README's "The command" against the command's own option table (cli/args.ts, what --help
// prints and the parser takes) and exit codes (cli/exit-codes.ts): the options the README's table
// documents are the scan's, with the same defaults; `info` and `partition` take what the README
// says they take; the exit codes the README lists are the command's and --help lists them.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { OPTIONS, type Command } from "../../cli/args.js";
import * as exitCodes from "../../cli/exit-codes.js";
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_HALF_OPEN } from "../../sdk/index.js";
import { MAX_THREADS } from "../../sdk/options.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = `${ROOT}dist/cli/bin.cjs`;
const readme = readFileSync(`${ROOT}README.md`, "utf8");
const command = readme.slice(readme.indexOf("\n## The command\n"), readme.indexOf("\n## One scan over many machines\n"));
const optionTable = command.slice(command.indexOf("| option | meaning |"), command.indexOf("**Filter language**"));
const manyMachines = readme.slice(readme.indexOf("\n## One scan over many machines\n"), readme.indexOf("\n## The connection record\n"));

/** The table's rows: the options named in the first cell (long names), and the row's text. */
const rows = optionTable.split("\n").filter((line) => line.startsWith("| `")).map((line) => {
  const [first, ...rest] = line.slice(2).split(" | ");
  return { names: [...first!.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!), shorts: [...first!.matchAll(/(?<![-\w])-([a-z])\b/g)].map((m) => m[1]!), text: rest.join(" | ") };
});
const GENERIC = new Set(["help", "version"]);
const optionsOf = (c: Command) => OPTIONS.filter((o) => o.commands.includes(c) && !GENERIC.has(o.name));
/** The long options named in backticks in a piece of prose. */
const named = (text: string) => new Set([...text.matchAll(/`(--[a-z][a-z-]*)/g)].map((m) => m[1]!.slice(2)));
/** "default 100 000" -> 100000: the first number after "default" (the README groups digits by spaces). */
const defaultOf = (text: string) => /\bdefault (\d[\d ]*\d|\d)\b/.exec(text)?.[1]!.replaceAll(" ", "");

describe("README options table", () => {
  it("documents every option of a scan, and no other", () => {
    expect(rows.flatMap((r) => r.names).sort()).toEqual(optionsOf("scan").map((o) => o.name).sort());
  });

  it("gives each short option to the long one the command gives it", () => {
    for (const row of rows.filter((r) => r.shorts.length)) {
      for (const short of row.shorts) expect(row.names, `-${short}`).toContain(OPTIONS.find((o) => o.short === short)!.name);
    }
  });

  it("gives the defaults --help gives", () => {
    let compared = 0;
    for (const row of rows) {
      const readmeDefault = defaultOf(row.text);
      const spec = OPTIONS.find((o) => o.name === row.names[0])!;
      const helpDefault = defaultOf(spec.help);
      if (readmeDefault === undefined || helpDefault === undefined) continue;
      expect(readmeDefault, `--${spec.name}`).toBe(helpDefault);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(4);
  });

  it("gives the range of --threads the command and the SDK take", () => {
    const range = /threads to use \(1 to (\d+)\)/.exec(rows.find((r) => r.names[0] === "threads")!.text)?.[1];
    expect(range).toBeDefined();
    const past = spawnSync(process.execPath, [BIN, "--threads", String(Number(range) + 1), `${ROOT}examples/sample.pcap`], { encoding: "utf8" });
    expect(past.status).toBe(2);
    expect(past.stderr).toContain(`(1 to ${range})`);
    expect(Number(range)).toBe(MAX_THREADS);
  });

  it("gives the bounds' defaults the SDK uses", () => {
    const of = (name: string) => Number(defaultOf(rows.find((r) => r.names[0] === name)!.text));
    expect(of("max-half-open")).toBe(DEFAULT_MAX_HALF_OPEN);
    expect(of("max-connections")).toBe(DEFAULT_MAX_CONNECTIONS);
  });
});

describe("README on info and partition", () => {
  it("names the options info takes", () => {
    const info = command.slice(command.indexOf("**`info`**"), command.indexOf("\nErrors are one line"));
    expect([...named(info)].sort()).toEqual(optionsOf("info").map((o) => o.name).sort());
  });

  it("names the options partition takes", () => {
    const map = manyMachines.slice(manyMachines.indexOf("- **map** (`partition`)"), manyMachines.indexOf("- **reduce**"));
    expect([...named(map)].sort()).toEqual(optionsOf("partition").map((o) => o.name).sort());
  });

  it("names the options of a reduce task: --from-partitions, --bucket and --maps in the options table", () => {
    const row = rows.find((r) => r.names[0] === "from-partitions")!;
    expect(row.names.sort()).toEqual(["bucket", "from-partitions", "maps"]);
  });

  it("gives the decoder's options to the map tasks and the tracker's and --filter to the reduce tasks", () => {
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
  const table = command.slice(command.indexOf("| exit code | meaning |"));
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
