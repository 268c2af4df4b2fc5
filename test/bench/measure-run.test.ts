// A measured command that fails says why in one line: its exit code and the last line it wrote.

import { describe, it, expect } from "vitest";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { measureRun } from "../../bench/measure-run.js";
import { BenchFailure } from "../../bench/bench-main.js";

const CLI = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));

describe.skipIf(!existsSync(CLI))("measureRun's failures", () => {
  it("the command's exit code and its last line of standard error", async () => {
    const run = measureRun("node", [CLI, "/no/such.pcap"], { node: true });
    await expect(run).rejects.toThrow(BenchFailure);
    await expect(run).rejects.toThrow(/^node .*bin\.cjs \/no\/such\.pcap exited 3: tcp-handshake-scan: \/no\/such\.pcap: no such file$/);
  });

  it("a command that cannot be started", async () => {
    await expect(measureRun("/no/such-tool", [], { node: false })).rejects.toThrow(/^\/no\/such-tool .*exited \d+|^\/no\/such-tool: /);
  });
});
