// The ndjson scan's lines written in WebAssembly at one, two and three threads (sdk/lines/wasm-lines.ts,
// assembly/lines/ndjson.ts, whose rules are a third copy of record-values.ts's): the same bytes
// as the JS writer's on every corpus capture and on the project's own captures (handshakes of
// every outcome, teardowns, options, VLANs, IPv6, retransmissions, a tunnel, times past 2^31 s;
// tunnels and long histories in wasm-lines-tunnels.test.ts), and most lines written in
// WebAssembly, those it does not cover by the JS writer in their place.

import { describe, it, expect, vi } from "vitest";
import { WasmLineWriter } from "../../../sdk/lines/wasm-lines.js";
import { Conversation } from "../../helpers/conversation.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { F } from "../../helpers/packets.js";
import { mixedCapture } from "../../helpers/wasm-line-fixtures.js";
import { capturesUnder, corpusDir } from "../../helpers/decode.js";
import { scanText, wasmWritten as written } from "../../helpers/wasm-line-scan.js";

const ndjson = (input: Parameters<typeof scanText>[0], wasm: boolean, threads = 1) => scanText(input, "ndjson", wasm, threads);

describe("ndjson lines written in WebAssembly", () => {
  it("are the JS writer's bytes on the project's own captures, most written in wasm", async () => {
    const capture = mixedCapture();
    const js = await ndjson(capture, false);
    expect(js.split("\n").length).toBeGreaterThan(9);
    expect(await ndjson(capture, true)).toBe(js);
    const { wasm, all } = await written(capture);
    expect(wasm).toBeGreaterThan(all / 2);
    expect(wasm).toBe(all); // the tunnel's line too
  });

  it("are the same bytes at two threads (written on the main thread from the worker's bytes) and at three (in the workers)", async () => {
    const capture = mixedCapture();
    const js = await ndjson(capture, false);
    const write = vi.spyOn(WasmLineWriter.prototype, "write");
    try {
      expect(await ndjson(capture, true, 2)).toBe(js);
      expect(write).toHaveBeenCalled(); // the main thread's writer, at two threads
      write.mockClear();
      expect(await ndjson(capture, true, 3)).toBe(js);
      expect(write).not.toHaveBeenCalled(); // the workers' writers, at three
    } finally {
      write.mockRestore();
    }
  });

  it("are the JS writer's bytes past 2^31 seconds, where the JS writes every line", async () => {
    const late = new Conversation({ start: 2_200_000_000 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK);
    const capture = writePcap(late.frames);
    expect(await ndjson(capture, true)).toBe(await ndjson(capture, false));
    expect((await written(capture)).wasm).toBe(0);
  });

  it("are the JS writer's bytes on every corpus capture", async (ctx) => {
    const dir = corpusDir();
    if (!dir) return ctx.skip();
    let wasm = 0;
    const files = capturesUnder(dir);
    for (const file of files) {
      const js = await ndjson(file, false);
      expect(await ndjson(file, true), file).toBe(js);
      expect(await ndjson(file, true, 2), `${file}, two threads`).toBe(js);
    }
    // three threads: the workers write the lines (every tenth capture: each scan boots two workers)
    for (const file of files.filter((_, i) => i % 10 === 0)) expect(await ndjson(file, true, 3), `${file}, three threads`).toBe(await ndjson(file, false));
    for (const file of capturesUnder(dir).slice(0, 40)) wasm += (await written(file).catch(() => ({ wasm: 0 }))).wasm;
    expect(wasm).toBeGreaterThan(0);
  }, 600_000);
});
