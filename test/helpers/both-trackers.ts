// Scans with both connection trackers — the WebAssembly one and the TypeScript reference — and
// asserts they agree: the same records in the same order, and the same capture report.

import { expect } from "vitest";
import { scan, type ScanOptions, type ScanResult } from "../../sdk/index.js";

export async function scanWithBothTrackers(input: Parameters<typeof scan>[0], options: ScanOptions = {}): Promise<ScanResult> {
  const reference = await scan(input, { ...options, tracker: "typescript" });
  const wasm = await scan(input, { ...options, tracker: "wasm" });
  expect(wasm.connections.length).toBe(reference.connections.length);
  for (let i = 0; i < wasm.connections.length; i++) expect(wasm.connections[i]).toStrictEqual(reference.connections[i]);
  expect(wasm.report).toStrictEqual(reference.report);
  return wasm;
}
