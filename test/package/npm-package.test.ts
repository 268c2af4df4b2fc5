// The npm package as users get it: `npm pack`, what the tarball holds (what a user runs, and
// nothing else), installed into an empty folder, where `npx tcp-handshake-scan` runs with no
// compiler (the .wasm and JS ship built).

import { describe, it, expect, beforeAll } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SAMPLE = join(ROOT, "examples", "sample.pcap");
const dir = mkdtempSync(join(tmpdir(), "ths-pack-"));
let tarball = "";
let files: string[] = [];

beforeAll(() => {
  // The test run has just built dist/ and build/: pack them as they are.
  execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", dir], { cwd: ROOT, stdio: "pipe" });
  tarball = join(dir, readdirSync(dir).find((f) => f.endsWith(".tgz"))!);
  files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n").map((f) => f.replace(/^package\//, ""));
});

describe("npm package", () => {
  it("holds what a user runs and nothing else", () => {
    const allowed = [
      /^package\.json$/, /^README\.md$/, /^LICENSE$/, /^docs\/(ARCHITECTURE|benchmarks|tcp-analysis|partitions|command|scale-out|conformance|columns|decoder|development)\.md$/, /^examples\/sample\.pcap$/, /^examples\/dask\/scan_on_dask\.py$/,
      /^build\/(decoder|tracker)\.wasm$/,
      /^dist\/assembly\/[\w-]*layout\.(js|d\.ts)$/,
      /^dist\/cli\/(bin\.cjs|main\.cjs|scan-worker\.cjs)(\.map)?$/, /^dist\/cli\/main\.cjs\.cache$/,
      /^dist\/sdk\/[\w/-]+\.(js|d\.ts)$/,
    ];
    for (const f of files) expect(allowed.some((re) => re.test(f)), `unexpected in the tarball: ${f}`).toBe(true);
    for (const f of ["package.json", "README.md", "LICENSE", "build/decoder.wasm", "build/tracker.wasm", "dist/sdk/index.js", "dist/sdk/index.d.ts",
      "dist/sdk/parallel/scan-worker.js", "dist/cli/bin.cjs", "dist/cli/bin.cjs.map", "dist/cli/main.cjs", "dist/cli/main.cjs.cache", "dist/cli/main.cjs.map", "dist/cli/scan-worker.cjs", "dist/cli/scan-worker.cjs.map",
      "docs/ARCHITECTURE.md", "docs/benchmarks.md", "docs/tcp-analysis.md", "docs/partitions.md",
      // The README's reference sections, moved out to keep it within what npm keeps of a README.
      "docs/command.md", "docs/scale-out.md", "docs/conformance.md", "docs/columns.md", "docs/decoder.md", "docs/development.md",
      "examples/sample.pcap"]) {
      expect(files, f).toContain(f);
    }
    // The command ships bundled only: none of tsc's unbundled output for it.
    expect(files.filter((f) => f.startsWith("dist/cli/") && !/^dist\/cli\/(bin\.cjs|main\.cjs|scan-worker\.cjs)(\.map)?$/.test(f) && f !== "dist/cli/main.cjs.cache")).toEqual([]);
    // Every SDK module has its declarations, and every module it imports is in the tarball.
    for (const f of files.filter((x) => x.startsWith("dist/sdk/") && x.endsWith(".js"))) {
      expect(files, `${f} without declarations`).toContain(f.replace(/\.js$/, ".d.ts"));
      const source = readFileSync(join(ROOT, f), "utf8");
      for (const m of source.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
        expect(files, `${f} imports ${m[1]}`).toContain(posix.normalize(posix.join(posix.dirname(f), m[1]!)));
      }
    }
  });

  it("builds once when packed, and its README links only to what ships", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(pkg.scripts.prepare).toBe("npm run build");
    expect(pkg.scripts.prepack).toBeUndefined(); // npm pack runs prepare: prepack too built it twice
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    for (const m of readme.matchAll(/\]\((?!https?:|#)([^)#]+)(#[^)]*)?\)/g)) expect(files, `README links to ${m[1]}`).toContain(m[1]);
    // So do the pages it links to, where they link to files beside them (docs/, examples/).
    for (const page of files.filter((f) => /^docs\/[\w-]+\.md$/.test(f))) {
      for (const m of readFileSync(join(ROOT, page), "utf8").matchAll(/\]\((?!https?:|#)([^)#]+)(#[^)]*)?\)/g)) {
        const target = posix.normalize(posix.join("docs", m[1]!));
        if (/^(README\.md|docs\/|examples\/)/.test(target)) expect(files, `${page} links to ${m[1]}`).toContain(target);
      }
    }
  });

  it("ships source maps that lead from the bundle back to the TypeScript sources", () => {
    for (const [bundle, fn, source] of [["dist/cli/bin.cjs", "function planStart(", "cli/early-start.ts"], ["dist/cli/main.cjs", "function renderSummary(", "cli/format/summary-text.ts"], ["dist/cli/scan-worker.cjs", "function run(", "sdk/parallel/scan-worker.ts"]] as const) {
      const code = readFileSync(join(ROOT, bundle), "utf8");
      expect(code.trimEnd().split("\n").at(-1)).toBe(`//# sourceMappingURL=${posix.basename(bundle)}.map`);
      const map = new SourceMap(JSON.parse(readFileSync(join(ROOT, `${bundle}.map`), "utf8")));
      const at = code.indexOf(fn);
      expect(at, fn).toBeGreaterThan(0);
      const line = code.slice(0, at).split("\n").length - 1;
      const entry = map.findEntry(line, at - code.lastIndexOf("\n", at) - 1) as { originalSource?: string };
      expect(entry.originalSource, bundle).toMatch(new RegExp(`${source.replace(/[./]/g, "\\$&")}$`));
    }
  });

  it("installs into an empty folder and runs the installed command and SDK", () => {
    const app = join(dir, "app");
    mkdirSync(app);
    execFileSync("npm", ["init", "-y"], { cwd: app, stdio: "pipe" });
    execFileSync("npm", ["install", "--no-audit", "--no-fund", tarball], { cwd: app, stdio: "pipe" });
    for (const threads of ["1", "2"]) {
      const r = spawnSync("npx", ["--no-install", "tcp-handshake-scan", "--threads", threads, SAMPLE], { cwd: app, encoding: "utf8" });
      expect(r.stderr.replace(/npm warn[^\n]*\n/gi, "")).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("9 TCP connections");
    }
    // The sample ships too, for a first run after installing.
    const shipped = spawnSync("npx", ["--no-install", "tcp-handshake-scan", "node_modules/tcp-handshake-scan/examples/sample.pcap"], { cwd: app, encoding: "utf8" });
    expect(shipped.stdout).toContain("9 TCP connections");
    // And the SDK imports from the installed package (with its own worker script too).
    const sdk = spawnSync(process.execPath, ["--input-type=module", "-e",
      `import { scan } from "tcp-handshake-scan"; const r = await scan(${JSON.stringify(SAMPLE)}, { threads: 2 }); console.log(r.connections.length);`],
    { cwd: app, encoding: "utf8" });
    expect(sdk.stdout.trim()).toBe("9");
  });
});
