// Plain ndjson at two threads (sdk/parallel/ended-line-runs.ts, ended-lines.ts): the worker sends
// its connections as bytes and the main thread writes their lines in WebAssembly, or, while the
// main thread is behind, the worker writes them itself; both merged in the canonical order. The
// same bytes as one thread's JS writer whichever thread writes each message: always the main
// thread, always the worker, or as the load goes; with one worker and with two.

import { describe, it, expect, afterAll, vi } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLineScanner } from "../../../sdk/index.js";
import { lineWriter } from "../../../sdk/lines/line-formats.js";
import { setWasmLines } from "../../../sdk/lines/wasm-lines.js";
import { wasmLinesFromWorkers } from "../../../sdk/parallel/parallel-tracker.js";
import { EndedLinesWriter } from "../../../sdk/parallel/ended-lines.js";
import type { CaptureInput } from "../../../sdk/decoder/capture-input.js";
import { generateCapture } from "../../../bench/generate.js";
import { capturesUnder, corpusDir } from "../../helpers/decode.js";

const dir = mkdtempSync(join(tmpdir(), "ended-line-runs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function jsLines(input: CaptureInput): Promise<string> {
  setWasmLines(false);
  try {
    const parts: Buffer[] = [];
    for await (const chunk of createLineScanner(input, {}, { format: "ndjson" }).chunks()) parts.push(Buffer.from(chunk));
    return Buffer.concat(parts).toString("utf8");
  } finally {
    setWasmLines(true);
  }
}

async function fromWorkers(input: CaptureInput, workers: number, behind: number): Promise<string> {
  const parts: Buffer[] = [];
  const source = wasmLinesFromWorkers([input], {}, workers, [], lineWriter({ format: "ndjson" }), behind);
  for await (const chunk of source) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString("utf8");
}

describe("ndjson lines from the workers' bytes", () => {
  it("are one thread's bytes whichever thread writes them, on a capture of thousands of connections", async () => {
    // short connections at 96 bytes: many messages of 512 connections, and some still open at the end
    const path = join(dir, "short.pcap");
    const g = generateCapture(path, { bytes: 8e6, snaplen: 96, seed: 7, mix: "short" });
    expect(g.connections).toBeGreaterThan(1000);
    const expected = await jsLines(path);
    expect(expected.split("\n").length).toBe(g.connections + 1);
    const onMain = vi.spyOn(EndedLinesWriter.prototype, "lines"); // this thread's writes (the worker's are not seen here)
    try {
      for (const behind of [0, Infinity, 512, 1]) {
        onMain.mockClear();
        expect(await fromWorkers(path, 1, behind), `one worker, behind ${behind}`).toBe(expected);
        if (behind === 0) expect(onMain).not.toHaveBeenCalled(); // the worker wrote every line
        if (behind === Infinity) expect(onMain.mock.calls.length).toBeGreaterThan(2); // this thread wrote them all
      }
    } finally {
      onMain.mockRestore();
    }
    expect(await fromWorkers(path, 2, 0), "two workers writing").toBe(expected);
    expect(await fromWorkers(path, 2, Infinity), "two workers sending bytes").toBe(expected);
  }, 120_000);

  it("are one thread's bytes on corpus captures, lines written by the worker or the main thread", async (ctx) => {
    const corpus = corpusDir();
    if (!corpus) return ctx.skip();
    // every fifth capture: each scan here boots a worker
    for (const file of capturesUnder(corpus).filter((_, i) => i % 5 === 0)) {
      const expected = await jsLines(file);
      expect(await fromWorkers(file, 1, 0), `${file}, worker writes`).toBe(expected);
      expect(await fromWorkers(file, 1, Infinity), `${file}, main thread writes`).toBe(expected);
    }
  }, 600_000);
});
