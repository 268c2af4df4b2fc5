// The csv and zeek scans' rows at two and three threads (sdk/lines/scan-lines.ts): at two, the
// worker tracks and the main thread writes the rows in WebAssembly from its connections' bytes
// (parallel/ended-line-runs.ts); at three, each worker writes its own rows in WebAssembly
// (parallel/lines-worker.ts). The same bytes as one thread's JS writer, and as every thread
// count's with the WebAssembly writers turned off (the command's TCP_SCAN_WASM_LINES=0), on the
// project's own captures and the corpus. The workers run the command's worker script, which
// registers its csv and zeek formats (dist/cli/scan-worker.cjs).

import { describe, it, expect, beforeAll, afterAll, vi } from "vitest";
import { EndedLinesWriter } from "../../../sdk/parallel/ended-lines.js";
import { useScanWorkerScript } from "../../../sdk/parallel/worker-pool.js";
import { WasmLineWriter } from "../../../sdk/lines/wasm-lines.js";
import { capturesUnder, corpusDir } from "../../helpers/decode.js";
import { scanText } from "../../helpers/wasm-line-scan.js";
import { longHistoryCapture, mixedCapture, tunnelCapture } from "../../helpers/wasm-line-fixtures.js";

beforeAll(() => useScanWorkerScript(new URL("../../../dist/cli/scan-worker.cjs", import.meta.url)));
afterAll(() => useScanWorkerScript(null));

for (const format of ["csv", "zeek"] as const) {
  describe(`${format} rows at two and three threads`, () => {
    it("are written in WebAssembly by the main thread at two threads, by the workers at three, the same bytes", async () => {
      // The main thread's writes from the worker's connections: sent as bytes, or read in place
      // in the worker's ended ring (at two threads, the one worker's tracker is in the decoder's memory).
      const sent = vi.spyOn(EndedLinesWriter.prototype, "lines");
      const inPlace = vi.spyOn(EndedLinesWriter.prototype, "linesFromRuns");
      const onMain = { mockClear: () => { sent.mockClear(); inPlace.mockClear(); }, get calls() { return sent.mock.calls.length + inPlace.mock.calls.length; } };
      const inWasm = vi.spyOn(WasmLineWriter.prototype, "write"); // any WebAssembly writer on this thread
      try {
        for (const capture of [mixedCapture(), tunnelCapture(), longHistoryCapture(60), longHistoryCapture(600)]) {
          const js = await scanText(capture, format, false);
          expect(js.split("\n").length).toBeGreaterThan(2);
          onMain.mockClear();
          expect(await scanText(capture, format, true, 2)).toBe(js);
          expect(onMain.calls).toBeGreaterThan(0);
          onMain.mockClear();
          expect(await scanText(capture, format, false, 2)).toBe(js);
          expect(onMain.calls).toBe(0); // turned off: the JS rows, as before
          inWasm.mockClear();
          onMain.mockClear();
          expect(await scanText(capture, format, true, 3)).toBe(js);
          expect(inWasm).not.toHaveBeenCalled(); // the workers wrote them
          expect(await scanText(capture, format, false, 3)).toBe(js);
          expect(onMain.calls).toBe(0); // their script has the format's registration: none came as bytes
        }
      } finally {
        sent.mockRestore();
        inPlace.mockRestore();
        inWasm.mockRestore();
      }
    }, 60_000);

    it("are one thread's bytes on corpus captures at two and three threads, with and without WebAssembly", async (ctx) => {
      const dir = corpusDir();
      if (!dir) return ctx.skip();
      // a share of the captures: each scan boots its workers
      const files = capturesUnder(dir);
      for (const file of files.filter((_, i) => i % 4 === 0)) {
        const js = await scanText(file, format, false);
        expect(await scanText(file, format, true), `${file}, one thread`).toBe(js);
        expect(await scanText(file, format, true, 2), `${file}, two threads`).toBe(js);
        expect(await scanText(file, format, false, 2), `${file}, two threads, no WebAssembly`).toBe(js);
      }
      for (const file of files.filter((_, i) => i % 8 === 1)) {
        const js = await scanText(file, format, false);
        expect(await scanText(file, format, true, 3), `${file}, three threads`).toBe(js);
        expect(await scanText(file, format, false, 3), `${file}, three threads, no WebAssembly`).toBe(js);
      }
    }, 600_000);
  });
}
