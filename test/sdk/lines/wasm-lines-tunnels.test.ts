// The ndjson lines the WebAssembly writer writes for tunnelled connections (the record's tunnel
// object: types, identity, parents, changes, the first packet's chain) and for histories past
// the record's 32 inline letters (read from the ended bytes' history block), byte for byte the
// JS writer's; past 1 024 letters it declines and the JS writer writes the line.

import { describe, it, expect } from "vitest";
import { basename } from "node:path";
import { capturesUnder, corpusDir } from "../../helpers/decode.js";
import { scanText, wasmWritten } from "../../helpers/wasm-line-scan.js";
import { longHistoryCapture, tunnelCapture, TUNNEL_CAPTURE_NAMES } from "../../helpers/wasm-line-fixtures.js";

const records = (text: string) => text.trim().split("\n").map((line) => JSON.parse(line) as Record<string, any>);

describe("ndjson lines written in WebAssembly: tunnels and long histories", () => {
  it("write every tunnelled connection's line, the JS writer's bytes", async () => {
    const capture = tunnelCapture();
    const js = await scanText(capture, "ndjson", false);
    expect(await scanText(capture, "ndjson", true)).toBe(js);
    expect(await scanText(capture, "ndjson", true, 2)).toBe(js); // the main thread's writer, from the worker's bytes
    expect(await scanText(capture, "ndjson", true, 3)).toBe(js); // the workers' writers
    const tunnels = records(js).map((r) => r.tunnel);
    expect(tunnels.filter((t) => t?.chain?.length === 2)).toHaveLength(1); // VXLAN in GRE
    expect(new Set(tunnels.flatMap((t) => t.types))).toEqual(new Set(["vxlan", "gre", "geneve", "gtpu", "ip"]));
    expect(Math.max(...tunnels.map((t) => t.parents.length))).toBe(6);
    expect(tunnels.some((t) => t.chain === undefined && t.identity === "00000000")).toBe(true);
    expect(records(js).some((r) => r.history.includes("X"))).toBe(true);
    const { wasm, all } = await wasmWritten(capture);
    expect(all).toBe(8);
    expect(wasm).toBe(all);
  });

  it("write histories past the inline letters, and leave those past 1 024 to the JS writer", async () => {
    for (const [rounds, longest, declined] of [[60, 100, 0], [600, 1024, 1]] as const) {
      const capture = longHistoryCapture(rounds);
      const js = await scanText(capture, "ndjson", false);
      expect(await scanText(capture, "ndjson", true)).toBe(js);
      expect(await scanText(capture, "ndjson", true, 2)).toBe(js);
      expect(await scanText(capture, "ndjson", true, 3)).toBe(js);
      expect(Math.max(...records(js).map((r) => r.history.length))).toBeGreaterThan(longest);
      const { wasm, all } = await wasmWritten(capture);
      expect(wasm).toBe(all - declined);
    }
  });

  it("write the corpus's tunnelled connections, the JS writer's bytes", async (ctx) => {
    const dir = corpusDir();
    if (!dir) return ctx.skip();
    const files = capturesUnder(dir).filter((file) => TUNNEL_CAPTURE_NAMES.test(basename(file)));
    expect(files.length).toBeGreaterThan(5);
    let tunnelled = 0, wasm = 0, all = 0;
    for (const file of files) {
      const js = await scanText(file, "ndjson", false);
      expect(await scanText(file, "ndjson", true), file).toBe(js);
      tunnelled += js.split("\n").filter((line) => line.includes('"tunnel":')).length;
      const counts = await wasmWritten(file).catch(() => ({ wasm: 0, all: 0 }));
      wasm += counts.wasm;
      all += counts.all;
    }
    expect(tunnelled).toBeGreaterThan(10);
    expect(wasm).toBeGreaterThanOrEqual(all - 2); // a number only String() writes, at most
  }, 300_000);
});
