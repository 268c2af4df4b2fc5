// `npm run bench:track-builds` compares the tracker alone across built checkouts. Run on this
// checkout against itself over a generated short mix, every pass must read every packet and
// end every connection the generator made, in every round, and the table must name both builds.

import { describe, it, expect, afterAll } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCapture } from "../../bench/generate.js";
import { trackBuilds, describeTrackBuilds } from "../../bench/track-builds.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ths-track-builds-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!existsSync(join(ROOT, "dist", "sdk", "connections", "wasm-tracker.js")))("track-builds", () => {
  it("tracks the whole capture in every pass of every build", async () => {
    const path = join(dir, "short.pcap");
    const g = generateCapture(path, { bytes: 2e6, snaplen: 96, mix: "short", concurrency: 50, seed: 7 });
    const result = await trackBuilds(path, [ROOT], 2);
    expect(result.packets).toBe(g.packets);
    expect(result.connections).toBe(g.connections);
    expect(result.builds).toHaveLength(2);
    for (const b of result.builds) {
      expect(b.decode).toHaveLength(2);
      expect(b.track).toHaveLength(2);
    }
    const lines = describeTrackBuilds(result);
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^this build \/ .*median of 2 pair ratios \d+\.\d{3}/);
  }, 120_000);
});
