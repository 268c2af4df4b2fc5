import { describe, it, expect } from "vitest";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
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
    expect([loaded.exports.which(), loaded.exports.file]).toEqual(["a", file]);
    expect(loaded.codeCache()!.length).toBeGreaterThan(4);
  });

  it("uses a cache made from the same bundle, and never one made from another of the same length", () => {
    const { url, file } = folder(bundle("a"));
    const first = loadMain<{ which: () => string }>(url);
    first.exports.which(); // compiled, so in the cache
    writeFileSync(file + ".cache", first.codeCache()!);
    expect(loadMain<{ which: () => string }>(url).exports.which()).toBe("a");
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
});
