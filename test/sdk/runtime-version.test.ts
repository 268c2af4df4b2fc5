import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { OLDEST_NODE, unsupportedRuntime } from "../../sdk/runtime-version.js";

describe("the oldest Node the package runs on", () => {
  it("is package.json's engines", () => {
    const engines = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).engines.node as string;
    expect(engines).toBe(`>=${OLDEST_NODE.major}.${OLDEST_NODE.minor}`);
  });

  it("refuses older ones in one line, takes the rest and runtimes that name no Node version", () => {
    expect(unsupportedRuntime("18.20.8")).toBe("needs Node 20.19 or later; this is Node 18.20.8");
    expect(unsupportedRuntime("20.12.2")).toBe("needs Node 20.19 or later; this is Node 20.12.2");
    for (const ok of ["20.19.0", "20.20.2", "22.0.0", "24.11.1"]) expect(unsupportedRuntime(ok), ok).toBeNull();
    expect(unsupportedRuntime(undefined)).toBeNull();
    expect(unsupportedRuntime()).toBeNull(); // this one
  });
});
