// A one-thread line scan's output with and without the lines written in WebAssembly
// (sdk/lines/wasm-lines.ts), and how many lines the WebAssembly wrote, for the format tests.

import { createLineScanner } from "../../sdk/index.js";
import { setWasmLines, type WasmLineFormat } from "../../sdk/lines/wasm-lines.js";
import { trackConnections } from "../../sdk/connections/track.js";
import type { CaptureInput } from "../../sdk/decoder/capture-input.js";
import "../../cli/format/line-formats.js"; // the command's csv and zeek formats

/** The scan's text in `format`, and its error if it failed. */
export async function scanText(input: CaptureInput, format: WasmLineFormat, wasm: boolean, threads = 1): Promise<string> {
  setWasmLines(wasm);
  const parts: Buffer[] = [];
  try {
    for await (const chunk of createLineScanner(input, { threads }, { format }).chunks()) parts.push(Buffer.from(chunk));
  } catch (error) {
    parts.push(Buffer.from(`error: ${(error as Error).message}`));
  } finally {
    setWasmLines(true);
  }
  return Buffer.concat(parts).toString("utf8");
}

/** Lines written in WebAssembly, and lines in all. */
export async function wasmWritten(input: CaptureInput, format: WasmLineFormat = "ndjson"): Promise<{ wasm: number; all: number }> {
  let wasm = 0, all = 0;
  for await (const group of trackConnections([input], { wasmLines: format }, [])) {
    wasm += group.wasmLines;
    all += group.count;
  }
  return { wasm, all };
}
