// Sharding the flows over worker threads changes nothing in the results: the same records, in
// the same order, and the same report, as one thread.

import { describe, it, expect } from "vitest";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { scan } from "../../../sdk/index.js";
import { trackInWorkers } from "../../../sdk/parallel/parallel-tracker.js";
import { generateCapture } from "../../../bench/generate.js";
import { corpusDir } from "../../helpers/decode.js";
import { writeSynFlood } from "../../../bench/flood.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";

const SAMPLE = fileURLToPath(new URL("../../../examples/sample.pcap", import.meta.url));

async function same(input: Parameters<typeof scan>[0]): Promise<number> {
  const one = await scan(input, { threads: 1 });
  for (const threads of [2, 3, 4]) {
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

  it("give the same output on tunnelled traffic, each record with its tunnel chain", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-par-"));
    const vxlan = join(dir, "vxlan.pcap");
    generateCapture(vxlan, { bytes: 2e6, concurrency: 200, seed: 7, vxlan: true });
    expect(await same(vxlan)).toBeGreaterThan(50);
    const { connections } = await scan(vxlan, { threads: 2 });
    for (const c of connections) expect(c.tunnel?.chain?.[0]).toMatchObject({ type: "vxlan", dport: 4789 });
  });

  it("give the same output with thousands of connections open at the end, and long histories", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-par-"));
    const flood = join(dir, "flood.pcap");
    writeSynFlood(flood, 12_000, 1_000_000); // all still open at the end: merged by id across workers
    expect(await same(flood)).toBe(12_000);
    const long = new Conversation().c(F.SYN).s(F.SYN | F.ACK).c(F.ACK);
    for (let k = 0; k < 40; k++) long.c({ flags: F.RST, seq: 90_000 + k * 7, dt: 1 });
    const short = new Conversation({ clientPort: 40001 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK);
    expect(await same(writePcap(merge(long, short)))).toBe(2);
  });

  it("fail the scan, not end it quietly, when a worker fails", async () => {
    // More packets than the decoder's output slots hold: this thread must wait for the workers
    // (a failed worker once left it waiting forever, and the process exited as if done).
    const dir = mkdtempSync(join(tmpdir(), "ths-par-"));
    const big = join(dir, "big.pcap");
    generateCapture(big, { bytes: 20e6, snaplen: 96, concurrency: 300, seed: 8 });
    // The workers build their trackers from the options; the 257th prefix is refused there
    // (createScanner refuses it up front: the workers are driven directly here).
    const nets = Array.from({ length: 257 }, (_, k) => `10.${k >> 8}.${k & 255}.0/24`);
    await expect(scan(big, { threads: 2, ignoreChecksumsNets: nets })).rejects.toThrow(RangeError);
    const run = async () => { for await (const _group of trackInWorkers([big], { ignoreChecksumsNets: nets }, 1, [])) { /* until it fails */ } };
    await expect(run()).rejects.toThrow(/at most 256 ignore-checksums prefixes/);
  });

  const root = corpusDir();
  it.runIf(root)("give the same output as one thread on the Zeek traces", async () => {
    const traces = join(root!, "zeek", "traces");
    for (const name of readdirSync(traces).filter((n) => /ssh|pop3|llc|wikipedia|irc/.test(n))) await same(join(traces, name));
  });
});
