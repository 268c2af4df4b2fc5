// The tracker's anyTunnelled export (assembly/tracker/index.ts): whether a run of records copied
// into its memory holds one that came through a tunnel, which decides whether the batch's tunnel
// records are copied in beside them (WasmConnectionTracker.processBatch).

import { describe, it, expect } from "vitest";
import { instantiateTracker } from "../../../sdk/connections/tracker-module.js";
import * as L from "../../../assembly/layout.js";

describe("anyTunnelled", () => {
  const wasm = instantiateTracker();
  const at = wasm.recordsPtr();
  const n = 300;
  const bytes = () => new Uint8Array(wasm.memory.buffer, at, n * L.RECORD_SIZE);

  it("is false for records of depth 0, whatever their other bytes", () => {
    const b = bytes();
    b.fill(0xff);
    for (let i = 0; i < n; i++) b[i * L.RECORD_SIZE + L.REC_TUNNEL_DEPTH] = 0;
    expect(wasm.anyTunnelled(at, n)).toBe(0);
    expect(wasm.anyTunnelled(at, 0)).toBe(0);
  });

  it("finds a tunnelled record at any place, and only within the count", () => {
    for (const k of [0, 1, 63, 64, 150, n - 1]) {
      const b = bytes();
      b.fill(0);
      b[k * L.RECORD_SIZE + L.REC_TUNNEL_DEPTH] = k % L.MAX_TUNNEL_DEPTH + 1;
      expect(wasm.anyTunnelled(at, n), `at ${k}`).toBe(1);
      expect(wasm.anyTunnelled(at, k + 1), `at ${k}, counted to it`).toBe(1);
      expect(wasm.anyTunnelled(at, k), `at ${k}, counted short of it`).toBe(0);
      expect(wasm.anyTunnelled(at + L.RECORD_SIZE * (k + 1), n - k - 1), `at ${k}, counted from past it`).toBe(0);
    }
  });
});
