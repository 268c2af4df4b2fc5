// The README's SDK examples, as a user copies them: every ```ts block of "The SDK" section,
// type-checked in strict mode against the package's published declarations (imported by the
// package's name) and then run, in a folder that holds the captures they name.

import { describe, it, expect, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import ts from "typescript";
import { generateCapture } from "../../bench/generate.js";
import { between } from "../helpers/doc-section.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SAMPLE = join(ROOT, "examples", "sample.pcap");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const section = between(readme, "\n## The SDK\n", "\n## Benchmarks\n");
const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const dir = mkdtempSync(join(tmpdir(), "ths-readme-sdk-"));
const PARTS = join(dir, "parts");

// The shared directory of the partition example is made a folder of this run.
const runnable = (code: string) => code.replaceAll('"/shared/parts"', JSON.stringify(PARTS));

beforeAll(() => {
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module", private: true }));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules", "tcp-handshake-scan"), "dir");
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      strict: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", noEmit: true,
      typeRoots: [join(ROOT, "node_modules", "@types")], types: ["node"],
    },
    include: ["*.ts"],
  }));
  for (const name of ["trace.pcapng", "rotated-1.pcap", "rotated-2.pcap", "day1-00.pcap", "day1-01.pcap", "day1-02.pcap", "day1-03.pcap"]) copyFileSync(SAMPLE, join(dir, name));
  writeFileSync(join(dir, "trace.pcapng.gz"), gzipSync(readFileSync(SAMPLE)));
  generateCapture(join(dir, "big.pcap"), { bytes: 4e6, snaplen: 96, seed: 3 });
  blocks.forEach((code, k) => writeFileSync(join(dir, `example-${k}.ts`), runnable(code)));
});

describe("README SDK examples", () => {
  it("are there: scanning, decoding, partitioning", () => {
    expect(blocks.map((b) => /createScanner|decodeCapture|partitionCaptures/.exec(b)?.[0])).toEqual(["createScanner", "decodeCapture", "partitionCaptures"]);
  });

  it("type-check in strict mode against the package's declarations", () => {
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const r = spawnSync(process.execPath, [tsc, "-p", dir], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  for (let k = 0; k < 3; k++) {
    it(`run: example ${k + 1}`, () => {
      const js = ts.transpileModule(runnable(blocks[k]!), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      writeFileSync(join(dir, `example-${k}.mjs`), js);
      const r = spawnSync(process.execPath, [`example-${k}.mjs`], { cwd: dir, encoding: "utf8", timeout: 60_000 });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    });
  }
});
