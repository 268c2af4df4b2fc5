import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadMain } from "../../cli/load-main.js";

// A bundle that says which it is: two of the same length (V8 checks only the length).
const bundle = (which: string) => `"use strict"; module.exports = { which: () => "${which}", file: __filename };\n`;

function folder(source: string): { url: URL; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "load-main-"));
  const file = join(dir, "main.cjs");
  writeFileSync(file, source);
  return { url: pathToFileURL(file), file };
}

describe("loadMain", () => {
  it("loads a bundle without a cache, as require() would, and makes one", () => {
    const { url, file } = folder(bundle("a"));
    const loaded = loadMain<{ which: () => string; file: string }>(url);
    expect([loaded.exports.which(), loaded.exports.file, loaded.cacheAccepted]).toEqual(["a", file, false]);
    expect(loaded.codeCache()!.length).toBeGreaterThan(4);
  });

  it("uses a cache made from the same bundle, and never one made from another of the same length", () => {
    const { url, file } = folder(bundle("a"));
    const first = loadMain<{ which: () => string }>(url);
    first.exports.which(); // compiled, so in the cache
    writeFileSync(file + ".cache", first.codeCache()!);
    const again = loadMain<{ which: () => string }>(url);
    expect([again.exports.which(), again.cacheAccepted]).toEqual(["a", true]);
    writeFileSync(file, bundle("b"));
    expect(readFileSync(file).length).toBe(bundle("a").length);
    expect(loadMain<{ which: () => string }>(url).exports.which()).toBe("b");
  });

  it("ignores a damaged or empty cache", () => {
    const { url, file } = folder(bundle("a"));
    for (const cache of [new Uint8Array(), new Uint8Array(3), new Uint8Array(100).fill(7)]) {
      writeFileSync(file + ".cache", cache);
      expect(loadMain<{ which: () => string }>(url).exports.which()).toBe("a");
    }
  });

  it("takes the built command's cache in a process that has set no V8 flag, as the command loads it (bin.ts); not after a flag is set", () => {
    // The build makes the cache under the default flags (scripts/code-cache.mjs), and the command
    // sets its garbage collection flags only after loading its main bundle (cli/gc-flags.ts): a
    // flag set before changes V8's hash of its flags, and the cache is then compiled around.
    const loadMainJs = new URL("../../dist/cli/load-main.js", import.meta.url).href;
    const mainCjs = new URL("../../dist/cli/main.cjs", import.meta.url).href;
    const accepted = (flag: string) => spawnSync(process.execPath, ["--input-type=module", "-e", `
      import { setFlagsFromString } from "node:v8";
      const { loadMain } = await import(${JSON.stringify(loadMainJs)});
      ${flag ? `setFlagsFromString(${JSON.stringify(flag)});` : ""}
      console.log(loadMain(new URL(${JSON.stringify(mainCjs)})).cacheAccepted);`], { encoding: "utf8" }).stdout.trim();
    expect(accepted("")).toBe("true");
    expect(accepted("--heap-growing-percent=20")).toBe("false");
  });

  it("the command ignores a cache whose V8 data is damaged though its bundle's CRC-32 is right (V8 itself stopped the process)", () => {
    // The built command copied as it ships, its cache's V8 data overwritten part-way: V8's
    // deserializer (which checks no checksum in a release build) ended the process with a fatal
    // error, even for --version. It must run as without a cache, the same output.
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), "load-main-damaged-"));
    mkdirSync(join(dir, "dist", "cli"), { recursive: true });
    mkdirSync(join(dir, "build"));
    for (const f of ["dist/cli/bin.cjs", "dist/cli/main.cjs", "dist/cli/scan-worker.cjs", "build/decoder.wasm", "build/tracker.wasm", "package.json"]) copyFileSync(join(root, f), join(dir, f));
    const cache = readFileSync(join(root, "dist/cli/main.cjs.cache"));
    const at = cache.length >> 1;
    cache.fill(0xff, at, at + 1000);
    writeFileSync(join(dir, "dist/cli/main.cjs.cache"), cache);
    const run = (bin: string, ...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
    const sample = join(root, "examples/sample.pcap");
    const expected = run(join(root, "dist/cli/bin.cjs"), sample, "--format", "ndjson");
    for (const args of [["--version"], [sample, "--format", "ndjson"]]) {
      const r = run(join(dir, "dist/cli/bin.cjs"), ...args);
      expect([r.status, r.signal, r.stderr], args.join(" ")).toEqual([0, null, ""]);
      if (args[0] === sample) expect(r.stdout).toBe(expected.stdout);
    }
  });
});
