// The npm package as users get it: `npm pack`, installed into an empty folder, where
// `npx tcp-handshake-scan` runs with no compiler (the .wasm and JS ship built).

import { describe, it, expect } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SAMPLE = join(ROOT, "examples", "sample.pcap");

describe("npm package", () => {
  it("packs, installs into an empty folder and runs the installed command", () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-pack-"));
    // The test run has just built dist/ and build/: pack them as they are.
    execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", dir], { cwd: ROOT, stdio: "pipe" });
    const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
    const listing = execFileSync("tar", ["-tzf", join(dir, tarball)], { encoding: "utf8" });
    expect(listing).toContain("package/build/decoder.wasm");
    expect(listing).toContain("package/dist/sdk/index.js");
    expect(listing).toContain("package/dist/sdk/index.d.ts");
    expect(listing).toContain("package/dist/cli/bin.js");
    expect(listing).toContain("package/dist/cli/scan-worker.js"); // the bundled command's worker
    expect(listing).not.toContain("package/test/");

    const app = join(dir, "app");
    mkdirSync(app);
    execFileSync("npm", ["init", "-y"], { cwd: app, stdio: "pipe" });
    execFileSync("npm", ["install", "--no-audit", "--no-fund", join(dir, tarball)], { cwd: app, stdio: "pipe" });
    for (const threads of ["1", "2"]) {
      const r = spawnSync("npx", ["--no-install", "tcp-handshake-scan", "--threads", threads, SAMPLE], { cwd: app, encoding: "utf8" });
      expect(r.stderr.replace(/npm warn[^\n]*\n/gi, "")).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("9 TCP connections");
    }
    // And the SDK imports from the installed package (with its own worker script too).
    const sdk = spawnSync(process.execPath, ["--input-type=module", "-e",
      `import { scan } from "tcp-handshake-scan"; const r = await scan(${JSON.stringify(SAMPLE)}, { threads: 2 }); console.log(r.connections.length);`],
      { cwd: app, encoding: "utf8" });
    expect(sdk.stdout.trim()).toBe("9");
  });
});
