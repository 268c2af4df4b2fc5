// The SDK in Deno 2 (installed from the npm registry as the `deno` package).

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writePcap } from "../helpers/capture-writer.js";
import { Conversation, merge } from "../helpers/conversation.js";
import { F } from "../helpers/packets.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DENO = fileURLToPath(new URL("../../node_modules/.bin/deno", import.meta.url));

describe("Deno", () => {
  it("imports the SDK and scans the sample with only --allow-read, on one thread, two, and three (workers writing lines)", () => {
    expect(existsSync(DENO), "deno is a devDependency: npm install puts it in node_modules/.bin").toBe(true);
    const r = spawnSync(DENO, ["run", "--allow-read", "test/deno/scan-sample.ts", "examples/sample.pcap"], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      linesAgree: true,
      threadsAgree: true,
      workerLinesAgree: true,
      connections: 9,
      states: { SF: 4, REJ: 1, RSTR: 1, RSTO: 1, S0: 1, S1: 1 },
      first: { history: "ShADadFf", outcome: "complete" },
    });
  });

  it("imports the SDK by its path from a script outside the package, as the README says (no bare specifier left to resolve)", () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-deno-path-"));
    const script = join(dir, "by-path.mjs");
    writeFileSync(script, `import { scan } from ${JSON.stringify(join(ROOT, "dist/sdk/index.js"))};
const r = await scan(${JSON.stringify(join(ROOT, "examples/sample.pcap"))}, { threads: 2 });
console.log(r.connections.length, r.report.connections);
`);
    const r = spawnSync(DENO, ["run", "--allow-read", script], { cwd: dir, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect([r.status, r.stdout]).toEqual([0, "9 9\n"]);
  });

  it("the command: the summary and ndjson as under Node with -A; a permission missing is one line and exit 2, no stack", () => {
    const BIN = "dist/cli/bin.cjs";
    const deno = (...args: string[]) => spawnSync(DENO, ["run", "--no-prompt", ...args], { cwd: ROOT, encoding: "utf8" });
    const node = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8" });
    for (const args of [["examples/sample.pcap"], ["--format", "ndjson", "--threads", "2", "examples/sample.pcap"]]) {
      const r = deno("-A", BIN, ...args);
      expect([r.status, r.stderr]).toEqual([0, ""]);
      expect(r.stdout).toBe(node(...args).stdout);
      expect(deno("--allow-read", "--allow-env", BIN, ...args).stdout).toBe(r.stdout);
    }
    // Read scoped to the checkout (its own files and the capture) is enough.
    expect(deno(`--allow-read=${ROOT}`, "--allow-env", BIN, "examples/sample.pcap")).toMatchObject({ status: 0, stdout: node("examples/sample.pcap").stdout });
    const needs = "give --allow-read and --allow-env, and --allow-write for -o, partition or ladders held in a temporary file (or -A)";
    expect(deno("--allow-read", BIN, "examples/sample.pcap")).toMatchObject({ status: 2, stdout: "", stderr: `tcp-handshake-scan: under Deno the command needs --allow-env: ${needs}\n` });
    expect(deno(BIN, "examples/sample.pcap")).toMatchObject({ status: 2, stdout: "", stderr: `tcp-handshake-scan: under Deno the command needs --allow-read and --allow-env: ${needs}\n` });
    const out = join(mkdtempSync(join(tmpdir(), "ths-deno-cli-")), "out.ndjson");
    const refused = deno("--allow-read", "--allow-env", BIN, "--format", "ndjson", "-o", out, "examples/sample.pcap");
    expect([refused.status, refused.stdout]).toEqual([2, ""]);
    // Deno's own words, naming the file it refused (the output's temporary name beside it).
    expect(refused.stderr).toMatch(/^tcp-handshake-scan: Requires write access to "[^"]*out\.ndjson[^"]*", run again with the --allow-write flag\n$/);
    expect(existsSync(out)).toBe(false);
  });

  it("without --allow-read, says that read permission is needed (not that the build is missing)", () => {
    const r = spawnSync(DENO, ["run", "--no-prompt", "test/deno/scan-sample.ts", "examples/sample.pcap"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/cannot read (tracker|decoder)\.wasm: read permission is needed \(under Deno, run with --allow-read\)/);
    expect(r.stderr).not.toContain("npm run build");
  });

  it("draws more ladders than memory holds back with --allow-env and --allow-write; with --allow-read alone, says so in a LadderSpillError", () => {
    // The first connection stays open to the end: the 300 after it wait for its ladder, past the 256 kept in memory.
    const first = new Conversation({ clientPort: 30000, start: 1_700_000_000 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK);
    const after = Array.from({ length: 300 }, (_, k) => new Conversation({ clientPort: 30001 + k, start: 1_700_000_001 + k / 100 })
      .c(F.SYN).s(F.SYN | F.ACK).c(F.ACK).c(F.FIN | F.ACK).s(F.FIN | F.ACK).c(F.ACK));
    const capture = join(mkdtempSync(join(tmpdir(), "ths-deno-ladders-")), "held-back.pcap");
    writeFileSync(capture, writePcap(merge(first, ...after)));
    const run = (...permissions: string[]) => {
      const r = spawnSync(DENO, ["run", "--no-prompt", ...permissions, "test/deno/draw-ladders.ts", capture], { cwd: ROOT, encoding: "utf8" });
      expect(r.stderr).toBe("");
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    expect(run("--allow-read", "--allow-env", "--allow-write")).toEqual({ drawn: 301, handed: 301 });
    const refused = run("--allow-read");
    expect(refused.name).toBe("LadderSpillError");
    expect(refused.message).toMatch(/^cannot keep the ladders waiting for their turn in the temporary directory: .*TMPDIR.* \(under Deno, ladders held back need --allow-env and --allow-write\)$/);
  });
});
