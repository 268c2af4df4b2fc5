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
