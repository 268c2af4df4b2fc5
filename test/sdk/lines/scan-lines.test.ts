// Lines written by the scan's workers (sdk/lines/scan-lines.ts, parallel/lines-worker.ts) are
// byte for byte what one thread writes, and what JSON.stringify makes of scan()'s records: on
// the short-connection mix (full and 96-byte snaplen), with a filter, with thousands of
// connections open at the end (merged by id across workers), and on the Zeek traces.

import { describe, it, expect } from "vitest";
import { createReadStream, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { scan } from "../../../sdk/index.js";
import { createLineScanner } from "../../../sdk/lines/scan-lines.js";
import { registerLineFormat } from "../../../sdk/lines/line-formats.js";
import { linesInWorkers } from "../../../sdk/parallel/parallel-tracker.js";
import type { LineSpec } from "../../../sdk/lines/line-formats.js";
import type { CaptureInput } from "../../../sdk/decoder/capture-input.js";
import { generateCapture } from "../../../bench/generate.js";
import { writeSynFlood } from "../../../bench/flood.js";
import { corpusDir } from "../../helpers/decode.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";

const SAMPLE = fileURLToPath(new URL("../../../examples/sample.pcap", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ths-lines-"));

async function lines(input: CaptureInput | CaptureInput[], threads: number, spec: LineSpec = { format: "ndjson" }): Promise<string> {
  const scanner = createLineScanner(input, { threads }, spec);
  const parts: string[] = [];
  for await (const chunk of scanner.chunks()) parts.push(Buffer.from(chunk).toString("utf8"));
  expect(scanner.timeline().backwardsSteps).toBeGreaterThanOrEqual(0);
  return parts.join("");
}

/** Checks every thread count against scan()'s records; returns the line count. */
async function same(input: CaptureInput | CaptureInput[], spec: LineSpec = { format: "ndjson" }): Promise<number> {
  const one = await lines(input, 1, spec);
  if (spec.filter === undefined) {
    const { connections } = await scan(input, { threads: 1 });
    expect(one).toBe(connections.map((c) => JSON.stringify(c) + "\n").join(""));
  }
  for (const threads of [2, 3, 4]) expect(await lines(input, threads, spec), `${threads} threads`).toBe(one);
  return one === "" ? 0 : one.split("\n").length - 1;
}

describe("lines written by the workers", () => {
  it("are one thread's, on the sample and on the short-connection mix at full and 96-byte snaplen", async () => {
    expect(await same(SAMPLE)).toBe(9);
    const full = join(dir, "short-full.pcap"), cut = join(dir, "short-96.pcap");
    generateCapture(full, { bytes: 8e6, seed: 3, mix: "short", concurrency: 400 });
    generateCapture(cut, { bytes: 3e6, snaplen: 96, seed: 4, mix: "short", concurrency: 400 });
    expect(await same(full)).toBeGreaterThan(150);
    expect(await same(cut)).toBeGreaterThan(500);
    expect(await same([full, cut])).toBeGreaterThan(650);
  });

  it("are one thread's on VXLAN traffic, with each connection's tunnel chain", async () => {
    const vxlan = join(dir, "vxlan.pcap");
    generateCapture(vxlan, { bytes: 2e6, seed: 8, mix: "short", concurrency: 200, vxlan: true });
    expect(await same(vxlan)).toBeGreaterThan(50);
    expect(await lines(vxlan, 2)).toContain('"chain":[{"type":"vxlan"');
  });

  it("are one thread's on short connections written by the test helpers: closed, refused, unanswered, reset, mid-stream", async () => {
    const { SYN, ACK, FIN, RST, PSH } = F;
    const conversations = Array.from({ length: 3000 }, (_, k) => {
      const c = new Conversation({
        client: k % 7 === 0 ? "2001:db8::c" : `10.0.${(k >> 8) & 255}.${k & 255}`, server: k % 7 === 0 ? "2001:db8::5" : "10.9.0.2",
        v6: k % 7 === 0, vlan: k % 9 === 0 ? 100 + (k % 3) : undefined, clientPort: 20000 + k, start: 1_700_000_000 + k * 0.003,
      });
      switch (k % 5) {
        case 0: return c.c(SYN).s(SYN | ACK).c(ACK).c(ACK | PSH, 200).s(ACK | PSH, 1400).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
        case 1: return c.c(SYN).s({ flags: RST | ACK, seq: 0 });
        case 2: return c.c(SYN).c({ flags: SYN, seq: 1000, dt: 1000 });
        case 3: return c.c(SYN).s(SYN | ACK).c(ACK).c(ACK | PSH, 100).s(ACK | PSH, 1400).s(RST | ACK);
        default: return c.c(ACK | PSH, 300).s(ACK | PSH, 1400).c(ACK); // seen from mid-stream
      }
    });
    const capture = writePcap(merge(...conversations));
    expect(await same(capture)).toBe(3000);
  });

  it("apply the filter where they are written", async () => {
    const cut = join(dir, "short-96-filter.pcap");
    generateCapture(cut, { bytes: 2e6, snaplen: 96, seed: 7, mix: "short", concurrency: 300 });
    const { connections } = await scan(cut);
    const rejected = connections.filter((c) => c.connState === "REJ");
    expect(rejected.length).toBeGreaterThan(0);
    const spec = { format: "ndjson", filter: "state REJ" };
    expect(await same(cut, spec)).toBe(rejected.length);
    expect(await lines(cut, 2, spec)).toBe(rejected.map((c) => JSON.stringify(c) + "\n").join(""));
    expect(await same(cut, { format: "ndjson", filter: "port 1" })).toBe(0);
  });

  it("merge thousands of connections still open at the end by id", async () => {
    const flood = join(dir, "flood.pcap");
    writeSynFlood(flood, 12_000, 1_000_000);
    expect(await same(flood)).toBe(12_000);
  });

  it("take undefined options, as scan() and createScanner() do", async () => {
    const parts: Buffer[] = [];
    for await (const chunk of createLineScanner(SAMPLE, undefined, { format: "ndjson" }).chunks()) parts.push(Buffer.from(chunk));
    expect(Buffer.concat(parts).toString("utf8").trim().split("\n")).toHaveLength(9);
  });

  it("refuse a format no one registered, before starting any worker", () => {
    expect(() => createLineScanner(SAMPLE, { threads: 2 }, { format: "yaml" })).toThrow(/no line format "yaml"/);
    expect(() => createLineScanner(SAMPLE, { threads: 2 }, { format: "ndjson", filter: "port x" })).toThrow();
  });

  it("fail the scan when a worker fails", async () => {
    // The workers build their trackers from the options; the 257th prefix is refused there
    // (createLineScanner refuses it up front: the workers are driven directly here). The error
    // comes back, the scan does not hang.
    const nets = Array.from({ length: 257 }, (_, k) => `10.${k >> 8}.${k & 255}.0/24`);
    const run = async () => {
      for await (const _ of linesInWorkers([SAMPLE], { ignoreChecksumsNets: nets }, 2, [], { format: "ndjson" })) { /* until it fails */ }
    };
    await expect(run()).rejects.toThrow(/at most 256 ignore-checksums prefixes/);
  });

  it("a format registered on the main thread alone: written at any thread count (from 3, by this thread from the workers' bytes)", async () => {
    // More in registered-format-threads.test.ts.
    registerLineFormat("id-state", () => (c) => `${c.id}\t${c.connState}\n`);
    const { connections } = await scan(SAMPLE);
    const expected = connections.map((c) => `${c.id}\t${c.connState}\n`).join("");
    for (const threads of [1, 2, 3, 4]) expect(await lines(SAMPLE, threads, { format: "id-state" })).toBe(expected);
  });

  it("stop the workers when the caller leaves early", async () => {
    const cut = join(dir, "short-96-stop.pcap");
    generateCapture(cut, { bytes: 4e6, snaplen: 96, seed: 9, mix: "short", concurrency: 300 });
    let chunks = 0;
    for await (const _ of createLineScanner(cut, { threads: 3 }, { format: "ndjson" }).chunks()) if (++chunks === 2) break;
    expect(chunks).toBe(2);
    expect(await lines(cut, 3)).toBe(await lines(cut, 1)); // the memory and workers came back
  });

  it("stop at the chunk during which the signal aborted, at any thread count: no chunk after it", async () => {
    const cut = join(dir, "short-96-abort.pcap");
    generateCapture(cut, { bytes: 4e6, snaplen: 96, seed: 9, mix: "short", concurrency: 300 });
    for (const threads of [1, 2, 3]) {
      const controller = new AbortController();
      let chunks = 0;
      const reading = (async () => {
        for await (const _ of createLineScanner(cut, { threads, signal: controller.signal }, { format: "ndjson" }).chunks()) {
          chunks++;
          controller.abort(new Error("enough"));
        }
      })();
      await expect(reading, `${threads} threads`).rejects.toThrow("enough");
      expect(chunks, `${threads} threads`).toBe(1);
    }
  });

  it("come once: a second chunks() throws, as a scanner iterated again does, for any thread count", async () => {
    // A second pass once read the stream already read, as no lines, and added its summary.
    for (const threads of [1, 2, 3]) {
      const scanner = createLineScanner(createReadStream(SAMPLE), { threads }, { format: "ndjson" });
      let bytes = 0;
      for await (const chunk of scanner.chunks()) bytes += chunk.length;
      expect(bytes).toBeGreaterThan(0);
      expect(() => scanner.chunks()).toThrow("chunks() can be iterated only once");
      expect(scanner.captures()).toHaveLength(1);
    }
  });

  it("with chunks({ reuse }) come as the same bytes, each chunk written over the one before it", async () => {
    const cut = join(dir, "short-96-reuse.pcap");
    generateCapture(cut, { bytes: 12e6, snaplen: 96, seed: 11, mix: "short", concurrency: 300 });
    const expected = await lines(cut, 1);
    for (const threads of [1, 2, 3]) {
      const parts: string[] = [];
      const buffers = new Set<ArrayBufferLike>();
      for await (const chunk of createLineScanner(cut, { threads }, { format: "ndjson" }).chunks({ reuse: true })) {
        parts.push(Buffer.from(chunk).toString("utf8")); // copied before the next chunk is asked for
        buffers.add(chunk.buffer);
      }
      expect(parts.join(""), `${threads} threads`).toBe(expected);
      // One buffer serves many chunks (it is replaced only when a chunk outgrows it).
      expect(parts.length, `${threads} threads`).toBeGreaterThan(4);
      expect(buffers.size, `${threads} threads`).toBeLessThan(parts.length / 2);
    }
  });

  const root = corpusDir();
  it.runIf(root)("are one thread's on the Zeek traces", async () => {
    const traces = join(root!, "zeek", "traces");
    for (const name of readdirSync(traces).filter((n) => /ssh|pop3|llc|wikipedia|irc/.test(n))) await same(join(traces, name));
  });
});
