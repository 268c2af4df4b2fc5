// A format the workers' script has under the same name, registered again on the main thread with
// other code (sdk/lines/line-formats.ts: lineFormatRegistration): the workers must not write
// theirs. ndjson replaced by a program (the SDK's worker script has the built-in one), and the
// command's csv replaced while the workers run the command's worker script (which registers its
// own csv and zeek); the command's zeek, registered alike on both, is still written by the workers.
// In a file of its own: a format replaced stays so for the rest of the file.

import { describe, it, expect, vi, afterAll } from "vitest";
import { createLineScanner, registerLineFormat, scan } from "../../../sdk/index.js";
import type { LineSpec } from "../../../sdk/lines/line-formats.js";
import type { CaptureInput } from "../../../sdk/decoder/capture-input.js";
import { EndedLinesWriter } from "../../../sdk/parallel/ended-lines.js";
import { useScanWorkerScript } from "../../../sdk/parallel/worker-pool.js";
import { mixedCapture } from "../../helpers/wasm-line-fixtures.js";
import "../../../cli/format/line-formats.js"; // the command's csv and zeek, as its worker script registers them

afterAll(() => useScanWorkerScript(null));

async function lines(input: CaptureInput, threads: number, spec: LineSpec): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of createLineScanner(input, { threads }, spec).chunks()) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString("utf8");
}

describe("a format registered again on the main thread", () => {
  const capture = mixedCapture();

  it("keeps the workers' zeek rows written by the workers when it is registered alike on both", async () => {
    useScanWorkerScript(new URL("../../../dist/cli/scan-worker.cjs", import.meta.url));
    const onMain = vi.spyOn(EndedLinesWriter.prototype, "lines");
    try {
      const one = await lines(capture, 1, { format: "zeek" });
      onMain.mockClear();
      expect(await lines(capture, 3, { format: "zeek" })).toBe(one);
      expect(onMain).not.toHaveBeenCalled();
    } finally {
      onMain.mockRestore();
    }
  });

  it("is written with the main thread's code at any thread count: the command's csv replaced", async () => {
    useScanWorkerScript(new URL("../../../dist/cli/scan-worker.cjs", import.meta.url));
    registerLineFormat("csv", () => (c) => `${c.id};${c.connState}\n`);
    const { connections } = await scan(capture);
    const expected = connections.map((c) => `${c.id};${c.connState}\n`).join("");
    expect(connections.length).toBeGreaterThan(3);
    for (const threads of [1, 2, 3, 4]) expect(await lines(capture, threads, { format: "csv" }), `${threads} threads`).toBe(expected);
  });

  it("is written with the main thread's code at any thread count: ndjson replaced", async () => {
    useScanWorkerScript(null);
    registerLineFormat("ndjson", () => (c) => `${c.id} ${c.history}\n`);
    const { connections } = await scan(capture);
    const expected = connections.map((c) => `${c.id} ${c.history}\n`).join("");
    for (const threads of [1, 2, 3, 4]) {
      expect(await lines(capture, threads, { format: "ndjson" }), `${threads} threads`).toBe(expected);
      expect(await lines(capture, threads, { format: "ndjson", filter: "state SF" }), `${threads} threads, filtered`)
        .toBe(connections.filter((c) => c.connState === "SF").map((c) => `${c.id} ${c.history}\n`).join(""));
    }
  });
});
