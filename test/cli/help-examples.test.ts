// The examples `--help` prints, run as a user types them: each command's Examples lines, in
// order, by the shell, in a folder holding the captures they name, with `tcp-handshake-scan` on
// the PATH (the built command). A live capture (`tcpdump -i eth0 -U -w -`) is replaced by a file's
// bytes, and zeek-cut, when this machine lacks it, by a small reader of the #fields header of
// our own (in the test's folder), so that the pipeline's columns are checked either way.

import { describe, it, expect, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { generateCapture } from "../../bench/generate.js";
import { writePcapng } from "../helpers/capture-writer.js";
import { readPcapFrames } from "../helpers/read-pcap.js";
import { writeRotatedCaptures } from "../helpers/rotated-captures.js";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ths-help-examples-"));
const LIVE = "tcpdump -i eth0 -U -w -";
const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;

/** The Examples lines of a command's --help, without their trailing "(a map task)" remarks. */
function examples(command: string[]): string[] {
  const help = spawnSync(process.execPath, [BIN, ...command, "--help"], { encoding: "utf8" }).stdout;
  const block = help.slice(help.indexOf("\nExamples:\n") + "\nExamples:\n".length);
  return block.slice(0, block.indexOf("\n\n")).split("\n").map((line) => line.replace(/\s{2,}\(.*\)$/, "").trim());
}

function shell(line: string) {
  return spawnSync("bash", ["-c", line.replace(LIVE, "cat big.pcap")], {
    cwd: dir, encoding: "utf8", timeout: 60_000, maxBuffer: 1 << 28,
    env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}` },
  });
}

beforeAll(() => {
  mkdirSync(join(dir, "bin"));
  const shim = join(dir, "bin", "tcp-handshake-scan");
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(shim, 0o755);
  if (!has("zeek-cut")) {
    // Prints the named columns of a Zeek log, tab-separated, as zeek-cut does without options.
    const cut = join(dir, "bin", "zeek-cut");
    writeFileSync(cut, `#!/bin/sh\nexec awk -v want="$*" 'BEGIN { FS = OFS = "\\t"; n = split(want, names, " ") }
/^#fields/ { for (i = 2; i <= NF; i++) col[$i] = i - 1; next }
/^#/ { next }
{ line = ""; for (k = 1; k <= n; k++) line = line (k > 1 ? OFS : "") $(col[names[k]]); print line }'\n`);
    chmodSync(cut, 0o755);
  }
  generateCapture(join(dir, "big.pcap"), { bytes: 2e6, snaplen: 96, seed: 5 });
  const frames = readPcapFrames(readFileSync(join(dir, "big.pcap")));
  const pcapng = writePcapng([{ blocks: frames.map((frame) => ({ type: "epb" as const, frame })) }]);
  writeFileSync(join(dir, "trace.pcapng"), pcapng);
  writeFileSync(join(dir, "trace.pcapng.gz"), gzipSync(pcapng));
  const rotated = writeRotatedCaptures(dir, { bytes: 1e6, files: 2 });
  rotated.forEach((path, k) => {
    renameSync(path, join(dir, `day1-0${k}.pcap`));
    writeFileSync(join(dir, `rotated-${k + 1}.pcap`), readFileSync(join(dir, `day1-0${k}.pcap`)));
    writeFileSync(join(dir, `rotated-${k + 1}.pcap.gz`), gzipSync(readFileSync(join(dir, `day1-0${k}.pcap`))));
  });
});

describe("--help examples", () => {
  const scan = examples([]);
  it("are there for every command", () => {
    expect(scan).toEqual(expect.arrayContaining(["tcp-handshake-scan big.pcap", expect.stringContaining(LIVE)]));
    expect(examples(["info"]).length).toBeGreaterThanOrEqual(2);
    expect(examples(["partition"]).length).toBeGreaterThanOrEqual(2);
  });

  it("partition's: the formats it names for a reduce are those a reduce writes (it named text, refused)", () => {
    const help = spawnSync(process.execPath, [BIN, "partition", "--help"], { encoding: "utf8" }).stdout.replace(/\s+/g, " ");
    const named = /\(F: ([^)]+)\)/.exec(help)?.[1];
    expect(named, "partition --help: the reduce's formats").toBeDefined();
    const formats = named!.replace(/, the default/, "").split(/, | or /);
    expect(formats).toEqual(["ndjson", "csv", "zeek", "parquet"]);
    const parts = join(dir, "formats-parts");
    expect(shell(`tcp-handshake-scan partition --buckets 2 -o ${parts} big.pcap`).status).toBe(0);
    for (const format of formats) {
      const r = shell(`tcp-handshake-scan --from-partitions ${parts} --bucket 1 --format ${format} -o b1.${format}`);
      expect(r.stderr, format).toBe("");
      expect(r.status, format).toBe(0);
    }
    // Without --format: ndjson, as the help says.
    const plain = shell(`tcp-handshake-scan --from-partitions ${parts} --bucket 1`);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toBe(readFileSync(join(dir, "b1.ndjson"), "utf8"));
    expect(shell(`tcp-handshake-scan --from-partitions ${parts} --bucket 1 --format text`).status).toBe(2);
  });

  for (const line of [...scan, ...examples(["info"]), ...examples(["partition"])]) {
    it(`runs: ${line}`, () => {
      const r = shell(line);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      for (const out of [...line.matchAll(/(?:-o|>) (\S+)/g)].map((m) => m[1]!)) {
        expect(statSync(join(dir, out)).size, out).toBeGreaterThan(0);
      }
      if (!/(?:-o|>) /.test(line) || line.includes(" partition ")) expect(r.stdout.length).toBeGreaterThan(0);
      if (line.includes("zeek-cut")) {
        // The columns it names on every row: the responder's address and the state.
        const rows = r.stdout.trimEnd().split("\n").map((row) => row.split("\t"));
        expect(rows.length).toBeGreaterThan(10);
        const address = expect.stringMatching(/^(\d+\.\d+\.\d+\.\d+|[0-9a-f:]+)$/);
        for (const row of rows) expect(row).toEqual([address, expect.stringMatching(/^[A-Z0-9]+$/)]);
      }
    });
  }
});
