// The packet estimate the default thread count goes by (sdk/decoder/packet-estimate.ts): exact on
// captures that fit in the sample, close on larger ones, and null where it cannot be told.

import { describe, it, expect } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { bytesPerRecord, estimatedPackets, recordsIn } from "../../../sdk/decoder/packet-estimate.js";
import { scanThreads, SMALL_CAPTURE_PACKETS } from "../../../cli/threads.js";
import { writePcap, writePcapng, type Frame } from "../../helpers/capture-writer.js";
import { generateCapture } from "../../../bench/generate.js";

const dir = mkdtempSync(join(tmpdir(), "ths-estimate-"));
const SAMPLE = fileURLToPath(new URL("../../../examples/sample.pcap", import.meta.url));
const frames = (n: number, size: number): Frame[] => Array.from({ length: n }, (_, k) => ({ data: new Uint8Array(size).fill(k & 255) }));

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe("estimatedPackets", () => {
  it("counts the packets of a capture that fits in the sample, in either byte order and in pcapng", () => {
    expect(estimatedPackets([file("le.pcap", writePcap(frames(300, 60)))])).toBe(300);
    expect(estimatedPackets([file("be.pcap", writePcap(frames(300, 1500), { bigEndian: true, nanosecond: true }))])).toBe(300);
    const blocks = frames(200, 90).map((frame, k) => ({ type: k % 2 ? "epb" as const : "spb" as const, frame }));
    expect(estimatedPackets([file("a.pcapng", writePcapng([{ blocks }]))])).toBe(200);
    expect(estimatedPackets([file("b.pcapng", writePcapng([{ blocks, bigEndian: true }]))])).toBe(200);
    expect(estimatedPackets([SAMPLE, SAMPLE])).toBeGreaterThan(0);
  });

  it("estimates larger captures from their first MiB, within a few per cent", () => {
    const full = join(dir, "short-full.pcap"), cut = join(dir, "short-96.pcap");
    const a = generateCapture(full, { bytes: 12e6, seed: 3, mix: "short" });
    const b = generateCapture(cut, { bytes: 6e6, snaplen: 96, seed: 4, mix: "short" });
    for (const [path, packets] of [[full, a.packets], [cut, b.packets]] as const) {
      expect(Math.abs(estimatedPackets([path])! / packets - 1), path).toBeLessThan(0.15);
    }
    expect(Math.abs(estimatedPackets([full, cut])! / (a.packets + b.packets) - 1)).toBeLessThan(0.15);
  });

  it("is null for standard input, a missing file, gzip, an unknown format and a file without a whole record", () => {
    const pcap = writePcap(frames(10, 60));
    expect(estimatedPackets(["-"])).toBeNull();
    expect(estimatedPackets([join(dir, "missing.pcap")])).toBeNull();
    expect(estimatedPackets([file("c.pcap.gz", gzipSync(pcap))])).toBeNull();
    expect(estimatedPackets([file("text.txt", new TextEncoder().encode("not a capture at all, just text"))])).toBeNull();
    expect(estimatedPackets([file("cut.pcap", pcap.subarray(0, 24 + 16 + 10))])).toBeNull();
    expect(recordsIn(new Uint8Array(10))).toBeNull();
  });

  it("samples a file written anew at the same path again, and gives its bytes a record", () => {
    const path = file("rewritten.pcap", writePcap(frames(300, 60)));
    expect(estimatedPackets([path])).toBe(300);
    expect(bytesPerRecord([path])).toBeCloseTo((24 + 300 * (16 + 60)) / 300, 6);
    writeFileSync(path, writePcap(frames(120, 1500)));
    expect(estimatedPackets([path])).toBe(120);
    expect(bytesPerRecord([path])).toBeCloseTo((24 + 120 * (16 + 1500)) / 120, 6);
    expect(bytesPerRecord(["-"])).toBeNull();
    expect(bytesPerRecord([join(dir, "missing.pcap")])).toBeNull();
  });
});

describe("the default thread count by packets", () => {
  it("is one thread below SMALL_CAPTURE_PACKETS whatever the bytes, and goes by the bytes when the packets are unknown", () => {
    expect(scanThreads(undefined, 300e6, 2, 2, SMALL_CAPTURE_PACKETS - 1)).toBe(1); // 300 MB of large packets
    expect(scanThreads(undefined, 40e6, 2, 2, SMALL_CAPTURE_PACKETS)).toBe(2); // 40 MB of small ones
    expect(scanThreads(undefined, 40e6, 2, 2, null)).toBe(1);
    expect(scanThreads(undefined, 300e6, 2, 2, null)).toBe(2);
    expect(scanThreads("2", 1e6, 2, 2, 10)).toBe(2); // --threads given: as given
  });
});
