// The README's command lines, as a user types them: every line of the ```sh blocks of "The
// command" and "One scan over many machines", run by the shell in order, in a folder that holds
// the captures they name, with `tcp-handshake-scan` on the PATH (the built command). A live
// capture (`tcpdump -i eth0 -U -w -`) is replaced by the same bytes read from a file; DuckDB's
// command line, when it is not installed, by the same query through DuckDB's Node API (a
// devDependency); a line that needs another tool this machine lacks (jq) is skipped, and says so
// in its name.

import { describe, it, expect, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { generateCapture } from "../../bench/generate.js";
import { writeRotatedCaptures } from "../helpers/rotated-captures.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "dist", "cli", "bin.cjs");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const section = readme.slice(readme.indexOf("\n## The command\n"), readme.indexOf("\n## The connection record\n"));
const lines = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1]!.split("\n"))
  .map((line) => line.replace(/\s{2,}#.*$/, "").trim())
  .filter((line) => line !== "" && !line.startsWith("#"));

const dir = mkdtempSync(join(tmpdir(), "ths-readme-commands-"));
const SHARED = join(dir, "shared");
const LIVE = "tcpdump -i eth0 -U -w -";
/** The line as run here: the shared directory a folder of this run, the live capture a file's bytes. */
const runnable = (line: string) => line.replaceAll("/shared/", `${SHARED}/`).replace(LIVE, "cat big.pcap");
const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
/** The tools a line runs besides the command: the first word of each part of its pipeline. */
const tools = (line: string) => line.split("|").map((part) => part.trim().split(/\s+/)[0]!).filter((t) => t !== "tcp-handshake-scan");
/** The files a line writes with -o (a directory for partition). */
const outputs = (line: string) => [...runnable(line).matchAll(/-o (\S+)/g)].map((m) => m[1]!);

beforeAll(() => {
  mkdirSync(join(dir, "bin"));
  const shim = join(dir, "bin", "tcp-handshake-scan");
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(shim, 0o755);
  // Not /shared/conns: the README's own mkdir makes it (a reduce's -o does not make directories).
  mkdirSync(SHARED);
  generateCapture(join(dir, "big.pcap"), { bytes: 2e6, snaplen: 96, seed: 5 });
  // Rotated captures: connections cross the files, which the map tasks take two by two.
  const rotated = writeRotatedCaptures(dir, { bytes: 1e6, files: 4 });
  rotated.forEach((path, k) => renameSync(path, join(dir, `day1-0${k}.pcap`)));
  for (const k of [0, 1]) writeFileSync(join(dir, `rotated-${k + 1}.pcap.gz`), gzipSync(readFileSync(join(dir, `day1-0${k}.pcap`))));
});

describe("README command lines", () => {
  it("are there: a scan, csv, parquet, a pipe, partition and reduce", () => {
    expect(lines.length).toBeGreaterThanOrEqual(9);
    for (const needle of ["--format csv", "--format parquet", LIVE, "partition --buckets", "--from-partitions"]) {
      expect(lines.some((line) => line.includes(needle)), needle).toBe(true);
    }
  });

  for (const line of lines) {
    const query = /^duckdb -c "(.*)"$/.exec(line)?.[1];
    if (query !== undefined && !has("duckdb")) {
      it(`runs: ${line} (through DuckDB's Node API)`, async () => {
        const duck = await (await DuckDBInstance.create(":memory:")).connect();
        const counted = (await (await duck.runAndReadAll(runnable(query))).getRowObjectsJson()).map((row) => Number(Object.values(row)[1]));
        // The bucket's connections, counted again from its records.
        const reduce = lines.find((l) => l.includes("--from-partitions"))!.replace(/--format parquet -o \S+/, "--format ndjson");
        const r = spawnSync(process.execPath, [BIN, ...runnable(reduce).split(/\s+/).slice(1)], { cwd: dir, encoding: "utf8" });
        expect(r.status).toBe(0);
        expect(counted.length).toBeGreaterThan(0);
        expect(counted.reduce((a, b) => a + b, 0)).toBe(r.stdout.split("\n").length - 1);
      });
      continue;
    }
    const missing = tools(line).filter((tool) => tool !== "tcpdump" && !has(tool));
    it.skipIf(missing.length > 0)(`runs: ${line}${missing.length ? ` (no ${missing.join(", ")} here)` : ""}`, () => {
      const r = spawnSync("bash", ["-c", runnable(line)], {
        cwd: dir, encoding: "utf8", timeout: 60_000,
        env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}` },
      });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      for (const out of outputs(line)) expect(statSync(out.startsWith("/") ? out : join(dir, out)).size, out).toBeGreaterThan(0);
      // Every line that prints (no -o, or a map task naming its directory) prints something.
      if (!line.startsWith("mkdir ") && (!line.includes("-o ") || line.startsWith("tcp-handshake-scan partition "))) expect(r.stdout.length).toBeGreaterThan(0);
    });
  }
});
