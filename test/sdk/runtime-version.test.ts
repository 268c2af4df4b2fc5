import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { ENGINES_NODE, unsupportedRuntime } from "../../sdk/runtime-version.js";

describe("the Node versions the package runs on", () => {
  it("are package.json's engines", () => {
    const engines = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).engines.node as string;
    expect(engines).toBe(ENGINES_NODE);
  });

  it("refuses others in one line (21.x and 22.0-22.11 too: no zlib.crc32 before 22.2), takes the rest", () => {
    const needs = "needs Node 20.19 or later 20.x, or 22.12 or later";
    for (const old of ["18.20.8", "20.12.2", "20.18.3", "21.7.3", "22.1.0", "22.11.0"]) expect(unsupportedRuntime(old), old).toBe(`${needs}; this is Node ${old}`);
    for (const ok of ["20.19.0", "20.20.2", "22.12.0", "23.0.0", "24.11.1"]) expect(unsupportedRuntime(ok), ok).toBeNull();
    expect(unsupportedRuntime(undefined)).toBeNull(); // a runtime that names no Node version
    expect(unsupportedRuntime()).toBeNull(); // this one
  });

  it("checks the API it needs as well, whatever the version says (a runtime's compatibility claim)", () => {
    expect(unsupportedRuntime("24.0.0", false)).toBe("needs Node 20.19 or later 20.x, or 22.12 or later: this runtime has no zlib.crc32");
    expect(unsupportedRuntime(undefined, false)).toMatch(/no zlib\.crc32$/);
  });
});
