// One memory for a decoder and a tracker (sdk/wasm-memory.ts): the decoder's regions end below
// TRACKER_MEMORY_BASE, the tracker neither reads nor writes below it, and a tracker reading the
// decoder's output slots in place ends the same connections, in the same order, as one that
// copies each batch into a memory of its own. Scans reuse their memories: a memory given back
// is zeroed above the base and a tracker on it works as on a new one, and many small scans in
// a row do not pile up memory.

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
import {
  TRACKER_MEMORY_BASE, createSharedMemory, ensurePages, acquireScanMemory, releaseScanMemory, poolScanMemories,
} from "../../sdk/wasm-memory.js";
import { scan } from "../../sdk/index.js";

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
      inPlace.tracker.processInPlace(at, batch.count, batch.latestSec, batch.latestNsec);
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

describe("scan memories", () => {
  /** The ended connections of the capture, tracked on `memory` (copying each batch into it). */
  async function endedOn(memory: WebAssembly.Memory): Promise<Buffer> {
    const run = collecting(memory);
    for await (const batch of decodeCapture(capture)) run.tracker.processBatch(batch);
    run.tracker.finish();
    return Buffer.concat(run.ended);
  }

  it("come back zeroed above the tracker's base, and a tracker there works as on a new memory", async () => {
    const memory = acquireScanMemory();
    const first = await endedOn(memory);
    releaseScanMemory(memory);
    const again = acquireScanMemory();
    expect(again).toBe(memory);
    const above = new Uint8Array(again.buffer, TRACKER_MEMORY_BASE);
    expect(above.every((b) => b === 0)).toBe(true);
    expect((await endedOn(again)).equals(first)).toBe(true);
    expect(first.equals(await endedOn(createSharedMemory()))).toBe(true);
    releaseScanMemory(again);
  });

  it("are zeroed when taken again, not when given back (a scan that ends the process never pays for it)", () => {
    const memory = acquireScanMemory();
    const above = new Uint8Array(memory.buffer, TRACKER_MEMORY_BASE);
    above[above.length - 1] = 7; // the last page: one no tracker touches on a small scan
    releaseScanMemory(memory);
    expect(above[above.length - 1]).toBe(7);
    const again = acquireScanMemory();
    expect(again).toBe(memory);
    expect(new Uint8Array(again.buffer, TRACKER_MEMORY_BASE).every((b) => b === 0)).toBe(true);
    releaseScanMemory(again);
  });

  it("keep many small scans in a row from piling up memory", async () => {
    // Each scan once left its memory to V8's next full collection: ~5 MB of touched pages a
    // scan, hundreds of scans before one came (RSS in the GB). Counted, not timed or weighed:
    // after the first scans every scan runs on a pooled memory, none is created, and none grows.
    const small = join(mkdtempSync(join(tmpdir(), "ths-wasm-memory-")), "small.pcap");
    generateCapture(small, { bytes: 2e5, snaplen: 96, seed: 3 });
    const Memory = WebAssembly.Memory;
    const created: WebAssembly.Memory[] = [];
    WebAssembly.Memory = class extends Memory {
      constructor(descriptor: WebAssembly.MemoryDescriptor) {
        super(descriptor);
        created.push(this);
      }
    } as typeof WebAssembly.Memory;
    try {
      while (created.length === 0) acquireScanMemory(); // the pool emptied: the scans make their own
      created.length = 0;
      const WARM_UP = 10;
      let createdByWarmUp = 0, bytesAfterWarmUp = 0;
      const totalBytes = () => created.reduce((n, m) => n + m.buffer.byteLength, 0);
      for (let i = 0; i < 300; i++) {
        const result = await scan(small);
        expect(result.connections.length).toBeGreaterThan(10);
        if (i === WARM_UP - 1) { createdByWarmUp = created.length; bytesAfterWarmUp = totalBytes(); }
      }
      expect(createdByWarmUp).toBeGreaterThan(0); // (the count sees the scans' memories)
      expect(created.length).toBe(createdByWarmUp);
      expect(totalBytes()).toBe(bytesAfterWarmUp);
    } finally {
      WebAssembly.Memory = Memory;
    }
  }, 60_000);

  it("are kept when the tracker doubled its memory (scans of many connections), so a loop of them does not pile up memory either", async () => {
    // 20 000 connections open at once outgrow the tracker's initial pages: its heap doubles
    // them. Such a memory once went to V8's next full collection, 150 MB a scan.
    const many = join(mkdtempSync(join(tmpdir(), "ths-wasm-memory-")), "many.pcap");
    generateCapture(many, { bytes: 4e6, snaplen: 96, seed: 11, concurrency: 20000 });
    const pooled = acquireScanMemory();
    releaseScanMemory(pooled);
    const initialBytes = pooled.buffer.byteLength;
    await scan(many);
    const after = acquireScanMemory();
    expect(after).toBe(pooled); // the scan ran on it and gave it back
    expect(after.buffer.byteLength).toBe(2 * initialBytes); // grown once: what this test is about
    expect(new Uint8Array(after.buffer, TRACKER_MEMORY_BASE).every((b) => b === 0)).toBe(true);
    releaseScanMemory(after);
  }, 60_000);
});

describe("scan memories unpooled while a ladder's first pass runs (poolScanMemories)", () => {
  /** Whether a memory given back is handed out again. */
  function pooled(): boolean {
    const memory = acquireScanMemory();
    releaseScanMemory(memory);
    const again = acquireScanMemory();
    releaseScanMemory(again);
    return again === memory;
  }

  it("stays off until each caller that turned it off has turned it on again (two ladders at once)", () => {
    expect(pooled()).toBe(true);
    poolScanMemories(false);
    poolScanMemories(false);
    expect(pooled()).toBe(false);
    poolScanMemories(true); // the first ladder's pass ended; the second's still runs
    expect(pooled()).toBe(false);
    poolScanMemories(true);
    expect(pooled()).toBe(true);
  });
});
