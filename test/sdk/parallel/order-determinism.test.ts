// The records come out in the same order for any thread count and any chunking of the input,
// also when the capture's clock misbehaves: a jump far ahead, timestamps stepping back. The
// canonical order sorts what ended within a batch; the batches are 4 096 TCP packets whatever
// the thread count (the one-thread scan fills its batches as a parallel one does), so the
// order cannot depend on where chunks of input happened to end.

import { describe, it, expect, beforeAll } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scan, type ScanOptions } from "../../../sdk/index.js";
import { generateCapture } from "../../../bench/generate.js";
import { chunked, rng } from "../../helpers/decode.js";

/** The capture with its timestamps rewritten: `jump` puts one packet 2^25 s ahead; `back` steps every 5 000th 2 000 s back. */
function warp(pcap: Uint8Array, jump: boolean, back: boolean): Uint8Array {
  const bytes = new Uint8Array(pcap);
  const view = new DataView(bytes.buffer);
  for (let at = 24, k = 0; at + 16 <= bytes.length; k++) {
    if (jump && k === 20_000) view.setUint32(at, view.getUint32(at, true) + 2 ** 25, true);
    if (back && k % 5000 === 4999) view.setUint32(at, view.getUint32(at, true) - 2000, true);
    at += 16 + view.getUint32(at + 8, true);
  }
  return bytes;
}

let plain: Uint8Array;
beforeAll(() => {
  const path = join(mkdtempSync(join(tmpdir(), "ths-order-")), "g.pcap");
  generateCapture(path, { bytes: 12e6, snaplen: 96, seed: 11 }); // ~115 000 packets: ~28 batches
  plain = readFileSync(path);
});

async function records(input: Parameters<typeof scan>[0], options: ScanOptions): Promise<string[]> {
  return (await scan(input, options)).connections.map((c) => JSON.stringify(c));
}

describe("order of the records", () => {
  for (const [name, jump, back] of [["a clock jump", true, false], ["timestamps stepping back", false, true], ["both", true, true]] as const) {
    it(`${name}: the same for 1 to 4 threads, for any chunking, with either tracker`, async () => {
      const bytes = warp(plain, jump, back);
      const one = await records(bytes, { threads: 1 });
      expect(one.length).toBeGreaterThan(3000);
      for (const threads of [2, 3, 4]) expect(await records(bytes, { threads }), `${threads} threads`).toEqual(one);
      const random = rng(jump ? 1 : 2);
      const sizes = Array.from({ length: 40 }, () => 1 + Math.floor(random() * 300_000));
      for (const threads of [1, 2]) expect(await records(chunked(bytes, sizes), { threads }), `chunked, ${threads}`).toEqual(one);
      expect(await records(bytes, { threads: 1, chunkSize: 65_536 })).toEqual(one);
      expect(await records(bytes, { tracker: "typescript" })).toEqual(one);
    });
  }
});
