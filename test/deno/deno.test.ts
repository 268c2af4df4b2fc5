// The SDK in Deno 2 (installed from the npm registry as the `deno` package).

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

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
});
