// The command's main thread stops its young generation's growth at YOUNG_CAP_BYTES
// (cli/young-generation.ts). Run in a child process: the growth factor is process-wide, and the
// young generation grows only under a steady stream of objects that survive a scavenge or two.

import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { YOUNG_CAP_BYTES } from "../../cli/young-generation.js";

const MODULE = new URL("../../dist/cli/young-generation.js", import.meta.url).href;

// Objects kept in a window of 200 000, in bursts that yield to the event loop (as a scan does
// between batches), then the young generation's size.
const script = (cap: boolean) => `
  const { capYoungGeneration, youngGenerationBytes } = await import(${JSON.stringify(MODULE)});
  ${cap ? "capYoungGeneration(undefined, 5);" : ""}
  let keep = [];
  for (let burst = 0; burst < 60; burst++) {
    for (let i = 0; i < 50_000; i++) { keep.push({ i, list: [i] }); if (keep.length > 200_000) keep = []; }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  console.log(youngGenerationBytes());
`;

const youngBytes = (cap: boolean) =>
  Number(execFileSync(process.execPath, ["--input-type=module", "-e", script(cap)], { encoding: "utf8" }).trim());

describe("capYoungGeneration", () => {
  it("holds the young generation at the cap, where it would grow past it", () => {
    expect(youngBytes(false)).toBeGreaterThan(YOUNG_CAP_BYTES);
    const capped = youngBytes(true);
    expect(capped).toBeGreaterThan(0);
    expect(capped).toBeLessThanOrEqual(YOUNG_CAP_BYTES);
  }, 60_000);
});
