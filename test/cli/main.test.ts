// The command's entry as Node may run it: without WebAssembly (node --jitless), the decoder
// cannot run, and the command says so in one line, not as a bug with a stack to report.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
const SAMPLE = fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url));

describe("the command under a Node without WebAssembly", () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ["--jitless", BIN, ...args], { encoding: "utf8", timeout: 20_000 });

  it("a scan or info is one line naming the cause, exit 1; --version still answers", () => {
    for (const args of [[SAMPLE], [SAMPLE, "--threads", "2", "--format", "ndjson"], ["info", SAMPLE]]) {
      const r = run(...args);
      // V8 itself warns that --jitless turns WebAssembly off; then our one line.
      const ours = r.stderr.split("\n").filter((l) => l.startsWith("tcp-handshake-scan:"));
      expect(ours, args.join(" ")).toEqual(["tcp-handshake-scan: this Node runs without WebAssembly (--jitless?), which the decoder needs"]);
      expect(r.stderr, args.join(" ")).not.toMatch(/internal error|\n\s+at /);
      expect([r.status, r.stdout], args.join(" ")).toEqual([1, ""]);
    }
    const v = run("--version");
    expect([v.status, v.stdout]).toEqual([0, expect.stringMatching(/^tcp-handshake-scan \d/)]);
  });
});
