// The command's worker script (cli/scan-worker.ts) makes the same registerLineFormat calls, in the
// same order, as the command's main thread: from three threads the workers write csv and zeek rows
// only when they have the main thread's very registration of the format (lineFormatRegistration,
// sdk/lines/line-formats.ts), else the rows fall to the main thread (the same bytes, but all the
// writing on one thread). Read from the bundles the command runs (its main thread's is main.cjs,
// which its entry, bin.cjs, loads once it has started the workers).

import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";

const registered = (bundle: string) => {
  const text = readFileSync(new URL(`../../dist/cli/${bundle}`, import.meta.url), "utf8");
  return [...text.matchAll(/\bregisterLineFormat\("([^"]+)"/g)].map((m) => m[1]);
};

describe("the command's worker script", () => {
  it("registers the line formats the command's main thread registers, in the same order", () => {
    expect(registered("bin.cjs")).toEqual([]);
    const main = registered("main.cjs");
    expect(main).toEqual(["csv", "zeek"]);
    expect(registered("scan-worker.cjs")).toEqual(main);
  });
});
