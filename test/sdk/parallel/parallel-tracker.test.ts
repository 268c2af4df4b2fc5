// Sharding the flows over worker threads changes nothing in the results: the same records, in
// the same order, and the same report, as one thread.

import { describe, it, expect } from "vitest";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { scan } from "../../../sdk/index.js";
import { generateCapture } from "../../../bench/generate.js";
import { corpusDir } from "../../helpers/decode.js";

const SAMPLE = fileURLToPath(new URL("../../../examples/sample.pcap", import.meta.url));

async function same(input: string | string[]): Promise<number> {
  const one = await scan(input, { threads: 1 });
  for (const threads of [2, 3]) {
    const many = await scan(input, { threads });
    expect(many.connections).toEqual(one.connections);
    expect(many.report).toEqual(one.report);
    expect(many.captures).toEqual(one.captures);
  }
  return one.connections.length;
}

describe("worker threads", () => {
  it("give the same output as one thread on the sample and on generated traffic", async () => {
    expect(await same(SAMPLE)).toBe(9);
    const dir = mkdtempSync(join(tmpdir(), "ths-par-"));
    const full = join(dir, "full.pcap"), cut = join(dir, "cut.pcap");
    generateCapture(full, { bytes: 6e6, concurrency: 300, seed: 5 });
    generateCapture(cut, { bytes: 3e6, snaplen: 96, concurrency: 300, seed: 6 });
    expect(await same(full)).toBeGreaterThan(100);
    expect(await same([full, cut])).toBeGreaterThan(100);
  });

  const root = corpusDir();
  it.runIf(root)("give the same output as one thread on the Zeek traces", async () => {
    const traces = join(root!, "zeek", "traces");
    for (const name of readdirSync(traces).filter((n) => /ssh|pop3|llc|wikipedia|irc/.test(n))) await same(join(traces, name));
  });
});
