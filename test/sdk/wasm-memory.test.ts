// One memory for a decoder and a tracker (sdk/wasm-memory.ts): the decoder's regions end below
// TRACKER_MEMORY_BASE, the tracker neither reads nor writes below it, and a tracker reading the
// decoder's output slots in place ends the same connections, in the same order, as one that
// copies each batch into a memory of its own.

import { describe, it, expect } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateCapture } from "../../bench/generate.js";
import { decodeCapture } from "../../sdk/decoder/decode-capture.js";
import { createDecoderMemory, instantiateDecoder } from "../../sdk/decoder/wasm.js";
import { WasmConnectionTracker } from "../../sdk/connections/wasm-tracker.js";
import { CONN_SIZE } from "../../assembly/connection-layout.js";
import { RECORD_SIZE } from "../../assembly/layout.js";
import { TRACKER_MEMORY_BASE, createSharedMemory, ensurePages } from "../../sdk/wasm-memory.js";

const capture = join(mkdtempSync(join(tmpdir(), "ths-wasm-memory-")), "gen.pcap");
generateCapture(capture, { bytes: 4e6, snaplen: 96, seed: 11, concurrency: 3000 });

/** A tracker whose ended connections are collected as their bytes. */
function collecting(memory?: WebAssembly.Memory) {
  const ended: Uint8Array[] = [];
  const tracker = new WasmConnectionTracker({}, null, (bytes, _view, at) => ended.push(bytes.slice(at, at + CONN_SIZE)), memory);
  return { tracker, ended };
}

describe("a decoder and a tracker on one memory", () => {
  it("the decoder's regions end below the tracker's base", async () => {
    const decoder = await instantiateDecoder(createDecoderMemory());
    expect(decoder.memoryEnd()).toBeGreaterThan(decoder.inputPtr() + decoder.inputCapacity());
    expect(decoder.memoryEnd()).toBeLessThanOrEqual(TRACKER_MEMORY_BASE);
  });

  it("the tracker leaves every byte below its base as it found it", async () => {
    const memory = createSharedMemory();
    ensurePages(memory, TRACKER_MEMORY_BASE >>> 16);
    const below = new Uint8Array(memory.buffer, 0, TRACKER_MEMORY_BASE);
    below.fill(0xa5);
    const shared = collecting(memory), own = collecting();
    for await (const batch of decodeCapture(capture)) {
      shared.tracker.processBatch(batch); // copies into its records area: its heap, above the base
      own.tracker.processBatch(batch);
    }
    shared.tracker.finish();
    own.tracker.finish();
    expect(shared.ended.length).toBeGreaterThan(3000);
    expect(shared.ended.length).toBe(own.ended.length);
    expect(Buffer.concat(shared.ended).equals(Buffer.concat(own.ended))).toBe(true);
    expect(Buffer.from(below.buffer, 0, TRACKER_MEMORY_BASE).equals(Buffer.alloc(TRACKER_MEMORY_BASE, 0xa5))).toBe(true);
  });

  it("tracking the output slots in place ends the same connections as copying them", async () => {
    const memory = createDecoderMemory();
    let slot = 0;
    const placement = { memory, outputSlot: () => slot, fill: true };
    const layout = await instantiateDecoder(memory);
    const inPlace = collecting(memory), copying = collecting();
    let batches = 0;
    for await (const batch of decodeCapture(capture, {}, placement)) {
      const at = layout.outputPtr() + slot * layout.recordCapacity() * RECORD_SIZE;
      expect(batch.u8.byteOffset).toBe(at); // the records the decoder wrote, where it wrote them
      inPlace.tracker.processInPlace(at, batch.count);
      copying.tracker.processBatch(batch);
      slot = (slot + 1) % layout.outputSlots();
      batches++;
    }
    inPlace.tracker.finish();
    copying.tracker.finish();
    expect(batches).toBeGreaterThan(2);
    expect(inPlace.ended.length).toBeGreaterThan(3000);
    expect(inPlace.ended.length).toBe(copying.ended.length);
    expect(Buffer.concat(inPlace.ended).equals(Buffer.concat(copying.ended))).toBe(true);
  });
});
