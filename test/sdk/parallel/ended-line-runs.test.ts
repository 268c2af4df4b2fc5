// Lines written in WebAssembly at two threads (sdk/parallel/ended-line-runs.ts, ended-lines.ts):
// the worker sends its connections as bytes and the main thread writes their lines in
// WebAssembly, or, while the main thread is behind, the worker writes them itself; both merged
// in the canonical order. The same bytes as one thread's JS writer whichever thread writes each
// message (always the main thread, always the worker, or as the load goes; with one worker and
// with two), in each format with a WebAssembly writer: ndjson and the command's csv and zeek rows
// (its worker script registers them: dist/cli/scan-worker.cjs).

import { describe, it, expect, beforeAll, afterAll, vi } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { wasmLinesFromWorkers } from "../../../sdk/parallel/parallel-tracker.js";
import { EndedLinesWriter } from "../../../sdk/parallel/ended-lines.js";
import { useScanWorkerScript } from "../../../sdk/parallel/worker-pool.js";
import type { WasmLineFormat } from "../../../sdk/lines/wasm-lines.js";
import type { CaptureInput } from "../../../sdk/decoder/capture-input.js";
import { generateCapture } from "../../../bench/generate.js";
import { capturesUnder, corpusDir } from "../../helpers/decode.js";
import { scanText } from "../../helpers/wasm-line-scan.js";
import { Conversation } from "../../helpers/conversation.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { F } from "../../helpers/packets.js";
import { longHistoryCapture, mixedCapture, tunnelCapture } from "../../helpers/wasm-line-fixtures.js";

const FORMATS: WasmLineFormat[] = ["ndjson", "csv", "zeek"];
const dir = mkdtempSync(join(tmpdir(), "ended-line-runs-"));
const CLI_WORKER = new URL("../../../dist/cli/scan-worker.cjs", import.meta.url);
beforeAll(() => useScanWorkerScript(CLI_WORKER));
afterAll(() => {
  useScanWorkerScript(null);
  rmSync(dir, { recursive: true, force: true });
});

/** One thread, every line by the format's JS writer. */
const jsLines = (input: CaptureInput, format: WasmLineFormat) => scanText(input, format, false);

async function fromWorkers(input: CaptureInput, format: WasmLineFormat, workers: number, behind: number): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of wasmLinesFromWorkers([input], {}, workers, [], { format }, format, { behind })) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString("utf8");
}

for (const format of FORMATS) {
  describe(`${format} lines from the workers' bytes`, () => {
    it("are one thread's bytes whichever thread writes them, on a capture of thousands of connections", async () => {
      // short connections at 96 bytes: many messages of 512 connections, and some still open at the end
      const path = join(dir, `short-${format}.pcap`);
      const g = generateCapture(path, { bytes: 8e6, snaplen: 96, seed: 7, mix: "short" });
      expect(g.connections).toBeGreaterThan(1000);
      const expected = await jsLines(path, format);
      expect(expected.split("\n").length).toBe(g.connections + 1);
      // This thread's writes (the worker's are not seen here): from the worker's ended ring, where
      // the one worker's tracker left them (its tracker is in the decoder's memory), or from bytes sent.
      const inPlace = vi.spyOn(EndedLinesWriter.prototype, "linesFromRuns");
      const sent = vi.spyOn(EndedLinesWriter.prototype, "lines");
      try {
        for (const behind of [0, Infinity, 512, 1]) {
          inPlace.mockClear();
          sent.mockClear();
          expect(await fromWorkers(path, format, 1, behind), `one worker, behind ${behind}`).toBe(expected);
          if (behind === 0) expect(inPlace.mock.calls.length + sent.mock.calls.length).toBe(0); // the worker wrote every line
          if (behind === Infinity) {
            expect(inPlace.mock.calls.length).toBeGreaterThan(2); // this thread wrote them all
            expect(sent).not.toHaveBeenCalled();
          }
        }
      } finally {
        inPlace.mockRestore();
        sent.mockRestore();
      }
      expect(await fromWorkers(path, format, 2, 0), "two workers writing").toBe(expected);
      expect(await fromWorkers(path, format, 2, Infinity), "two workers sending bytes").toBe(expected);
    }, 120_000);

    it("are one thread's bytes on tunnels, long histories (one past what WebAssembly writes) and times past 2^31 s", async () => {
      const late = writePcap(new Conversation({ start: 2_200_000_000 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK).frames);
      for (const [name, capture] of [["mixed", mixedCapture()], ["tunnels", tunnelCapture()], ["history 120", longHistoryCapture(60)],
        ["history 1 200", longHistoryCapture(600)], ["late", late]] as const) {
        const expected = await jsLines(capture, format);
        expect(expected.length, name).toBeGreaterThan(0);
        expect(await fromWorkers(capture, format, 1, 0), `${name}, worker writes`).toBe(expected);
        expect(await fromWorkers(capture, format, 1, Infinity), `${name}, main thread writes`).toBe(expected);
      }
    }, 120_000);

    it("are written by the main thread when the worker's script does not register the format", async () => {
      // The SDK's own worker script knows ndjson only: for csv and zeek its worker sends bytes throughout.
      const capture = longHistoryCapture(600); // a line WebAssembly declines: the JS writer's
      const expected = await jsLines(capture, format);
      const onMain = vi.spyOn(EndedLinesWriter.prototype, "linesFromRuns");
      useScanWorkerScript(null);
      try {
        expect(await fromWorkers(capture, format, 1, 0)).toBe(expected);
        if (format === "ndjson") expect(onMain).not.toHaveBeenCalled();
        else expect(onMain).toHaveBeenCalled();
      } finally {
        useScanWorkerScript(CLI_WORKER);
        onMain.mockRestore();
      }
    });

    it("are one thread's bytes on corpus captures, lines written by the worker or the main thread", async (ctx) => {
      const corpus = corpusDir();
      if (!corpus) return ctx.skip();
      // every fifth capture: each scan here boots a worker
      for (const file of capturesUnder(corpus).filter((_, i) => i % 5 === 0)) {
        const expected = await jsLines(file, format);
        expect(await fromWorkers(file, format, 1, 0), `${file}, worker writes`).toBe(expected);
        expect(await fromWorkers(file, format, 1, Infinity), `${file}, main thread writes`).toBe(expected);
      }
    }, 600_000);
  });
}
