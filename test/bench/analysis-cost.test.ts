// `npm run bench:analysis` compares the tracker alone across built checkouts. Run on this
// checkout against its own build over a generated short mix, every counted pass of both must read
// every packet and end every connection the generator made, and the lines must name both builds.

import { describe, it, expect, afterAll } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCapture } from "../../bench/generate.js";
import { compareTrackers, describeComparison } from "../../bench/analysis-cost.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ths-analysis-cost-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!existsSync(join(ROOT, "dist", "sdk", "connections", "wasm-tracker.js")))("bench:analysis", () => {
  it("tracks the whole capture in every counted pass of every build", async () => {
    const path = join(dir, "short.pcap");
    const g = generateCapture(path, { bytes: 2e6, snaplen: 96, mix: "short", concurrency: 50, seed: 7 });
    const c = await compareTrackers([ROOT], path, 3);
    expect(c.packets).toBe(g.packets);
    expect(c.connections).toBe(g.connections);
    expect(c.builds.map((b) => b.name)).toEqual(["this build", ROOT]);
    for (const b of c.builds) {
      expect(b.decode).toHaveLength(2); // the first round warms up
      expect(b.track).toHaveLength(2);
    }
    const lines = describeComparison(c);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(/^ {2}decode \+ track, this build \/ .*: \d+\.\d{3}x \(median of the rounds' ratios; /);
  }, 120_000);
});
