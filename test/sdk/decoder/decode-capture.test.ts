import { describe, it, expect } from "vitest";
import { gzipSync } from "node:zlib";
import { writeFileSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { tcpIp, ethernet, F } from "../../helpers/packets.js";
import { writePcap, writePcapng } from "../../helpers/capture-writer.js";
import { decodeAll, chunked, rng, corpusDir } from "../../helpers/decode.js";
import { decodeCapture, type CaptureInput, type TcpPacketRecord } from "../../../sdk/index.js";
import { createDecoderMemory } from "../../../sdk/decoder/wasm.js";
import { generateCapture } from "../../../bench/generate.js";

// A capture with records of very different sizes, so chunk edges fall everywhere.
function mixedCapture(kind: "pcap" | "pcapng"): Uint8Array {
  const frames = Array.from({ length: 300 }, (_, i) => ({
    data: ethernet(tcpIp({ sport: 1000 + i, flags: F.ACK, payload: (i * 37) % 1500, v6: i % 3 === 0 }), { vlans: i % 5 ? [] : [[0x8100, i]] }),
    sec: 1700000000 + i,
    nsec: i * 1000,
  }));
  if (kind === "pcap") return writePcap(frames);
  return writePcapng([{ interfaces: [{ tsresol: 9 }], blocks: frames.map((frame) => ({ type: "epb" as const, frame })) }]);
}

describe("chunk-boundary invariance", () => {
  for (const kind of ["pcap", "pcapng"] as const) {
    it(`${kind}: identical records and statistics for any chunking`, async () => {
      const bytes = mixedCapture(kind);
      const reference = await decodeAll(bytes);
      expect(reference.records).toHaveLength(300);
      const random = rng(kind === "pcap" ? 1 : 2);
      const chunkings = [[1], [3, 1, 7], [16], [4095], Array.from({ length: 50 }, () => 1 + Math.floor(random() * 3000))];
      for (const sizes of chunkings) {
        const streamed = await decodeAll(chunked(bytes, sizes));
        expect(streamed.records).toEqual(reference.records);
        expect(streamed.summary.stats).toEqual(reference.summary.stats);
      }
      for (const chunkSize of [1, 13, 1000]) {
        const small = await decodeAll(bytes, { chunkSize });
        expect(small.records).toEqual(reference.records);
      }
    });
  }

  it("a truncated input gives the same error at the same offset for any chunking", async () => {
    const bytes = mixedCapture("pcapng").subarray(0, 50_000);
    const reference = await decodeAll(bytes);
    const streamed = await decodeAll(chunked(bytes, [777, 5]));
    expect(streamed.summary.error).toEqual(reference.summary.error);
    expect(streamed.records.length).toBe(reference.records.length);
  });

  it("damage mid-way: bytesRead is the bytes before it, for any chunking (not where a chunk ended)", async () => {
    const bytes = mixedCapture("pcap").slice();
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    let at = 24;
    for (let k = 0; k < 100; k++) at += 16 + view.getUint32(at + 8, true);
    view.setUint32(at + 8, 0x00ffffff, true); // record 101's length: impossible
    const reference = await decodeAll(bytes);
    expect(reference.summary.error).toMatchObject({ code: "capture.record_too_long", offset: at, packet: 101 });
    expect(reference.summary.bytesRead).toBe(at);
    for (const sizes of [[1], [777, 5], [at + 1], [65536]]) {
      const streamed = await decodeAll(chunked(bytes, sizes));
      expect(streamed.summary.error).toEqual(reference.summary.error);
      expect(streamed.summary.bytesRead, String(sizes)).toBe(at);
    }
  });
});

describe("inputs", () => {
  const bytes = mixedCapture("pcap");
  const dir = mkdtempSync(join(tmpdir(), "ths-"));

  it("reads a file path, a .gz file (by its magic, whatever its name), a Node stream and a web stream", async () => {
    const reference = await decodeAll(bytes);
    const plain = join(dir, "cap.pcap");
    writeFileSync(plain, bytes);
    const gz = join(dir, "cap.pcap.gz");
    writeFileSync(gz, gzipSync(bytes));
    const gzNoExt = join(dir, "cap-gz");
    writeFileSync(gzNoExt, gzipSync(bytes));
    for (const input of [plain, gz, gzNoExt]) {
      const { records, summary } = await decodeAll(input);
      expect(records).toEqual(reference.records);
      expect(summary.error).toBeNull();
    }
    expect((await decodeAll(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]))).records).toEqual(reference.records);
    const web = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(bytes); c.close(); } });
    expect((await decodeAll(web)).records).toEqual(reference.records);
    expect((await decodeAll(gzipSync(bytes))).records).toEqual(reference.records);
  });

  it("reports a truncated .gz as a damaged capture, with what was read before", async () => {
    const gz = gzipSync(bytes);
    const path = join(dir, "cut.pcap.gz");
    writeFileSync(path, gz.subarray(0, Math.floor(gz.length / 2)));
    const { records, summary } = await decodeAll(path);
    expect(records.length).toBeGreaterThan(0);
    expect(summary.error).toMatchObject({ code: "gzip.truncated", message: expect.stringMatching(/cut short/i) });
    expect(summary.error!.packet).toBe(summary.stats.packets + 1);
  });

  it("reports progress in the input's stored bytes too: a .gz file's compressed ones, which its size counts", async () => {
    const gz = join(dir, "progress.pcap.gz"), plain = join(dir, "progress.pcap");
    generateCapture(plain, { bytes: 4e6, seed: 7 }); // several chunks of the file stream
    const big = readFileSync(plain);
    writeFileSync(gz, gzipSync(big));
    const seen = async (input: CaptureInput) => {
      const progress: { bytesRead: number; storedBytesRead: number }[] = [];
      for await (const _batch of decodeCapture(input, { onProgress: (p) => progress.push({ ...p }) })) { /* read */ }
      return progress;
    };
    const fromGz = await seen(gz);
    expect(fromGz.length).toBeGreaterThan(1);
    expect(fromGz.at(-1)).toEqual({ bytesRead: big.length, storedBytesRead: readFileSync(gz).length });
    for (const p of fromGz) expect(p.storedBytesRead).toBeLessThanOrEqual(readFileSync(gz).length);
    // Never ahead of what was taken: a bar of it rises with the file, not to 100 % a third of the way.
    expect(fromGz.filter((p) => p.storedBytesRead < readFileSync(gz).length / 2).length).toBeGreaterThan(0);
    const fromPlain = await seen(plain);
    expect(fromPlain.at(-1)).toEqual({ bytesRead: big.length, storedBytesRead: big.length });
    for (const p of fromPlain) expect(p.storedBytesRead).toBe(p.bytesRead);
  });

  it("reports a stream that fails as damaged, wherever it fails, before its first byte too", async () => {
    // A failure is a read failure, at its offset: the first byte alone (before the two that tell
    // gzip from a capture) once threw the stream's error instead, and so did failing before any byte.
    const failing = (n: number) => (async function* () {
      if (n > 0) yield bytes.subarray(0, n);
      throw Object.assign(new Error("disk gone"), { code: "EIO" });
    })();
    for (const n of [0, 1, 2, 30, 1000]) {
      const { records, summary } = await decodeAll(failing(n));
      expect(summary.error, `after ${n} bytes`).toMatchObject({ code: "input.read_failed", message: "reading the input failed: disk gone", offset: n });
      expect(summary.bytesRead).toBe(n);
      if (n === 0) expect(records).toEqual([]);
    }
  });

  it("throws ENOENT for a missing file", async () => {
    await expect(decodeAll(join(dir, "missing.pcap"))).rejects.toThrow(/ENOENT/);
  });
});

describe("offsets beyond 4 GiB", () => {
  it("reports exact byte offsets and packet indices past 2^32", async () => {
    // 16 385 records of 256 KiB (not IP) then one TCP packet: the TCP record starts past 4 GiB.
    const filler = writePcap([{ data: new Uint8Array(262144 - 16).fill(0xee) }]).subarray(24);
    const tcp = writePcap([{ data: ethernet(tcpIp({ sport: 4242 })) }]);
    const count = 16385;
    async function* source() {
      yield tcp.subarray(0, 24);
      for (let i = 0; i < count; i++) yield filler;
      yield tcp.subarray(24);
    }
    const { records, summary } = await decodeAll(source());
    expect(records).toHaveLength(1);
    expect(records[0]!.fileOffset).toBe(24 + count * filler.length);
    expect(records[0]!.fileOffset).toBeGreaterThan(2 ** 32);
    expect(records[0]!.packetIndex).toBe(count);
    expect(summary.bytesRead).toBe(24 + count * filler.length + tcp.length - 24);
  });
});

describe("robustness: random damage never throws, traps or hangs", () => {
  const inputs: [string, Uint8Array][] = [["generated pcap", mixedCapture("pcap")], ["generated pcapng", mixedCapture("pcapng")]];
  const root = corpusDir();
  if (root) {
    for (const f of readdirSync(join(root, "real", "good")).filter((n) => /tcp|zeek__|pcapng|many/.test(n)).slice(0, 40)) {
      inputs.push([f, new Uint8Array(readFileSync(join(root, "real", "good", f)))]);
    }
  }
  for (const [name, bytes] of inputs) {
    it(name, async () => {
      const random = rng(bytes.length);
      for (let trial = 0; trial < 25; trial++) {
        const damaged = bytes.slice(0, Math.max(0, Math.floor(random() * (bytes.length + 1))));
        const flips = Math.floor(random() * 20);
        for (let k = 0; k < flips && damaged.length; k++) damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
        const { summary } = await decodeAll(damaged, { verifyChecksums: trial % 2 === 1 });
        if (summary.error) {
          expect(summary.error.offset).toBeLessThanOrEqual(damaged.length);
          // A frame number: pcapng's non-packet frames are numbered too.
          expect(summary.error.packet).toBeLessThanOrEqual(summary.stats.packets + summary.stats.nonPacketFrames + 1);
        }
        expect(summary.stats.tcp).toBeLessThanOrEqual(summary.stats.packets);
      }
    });
  }
});

describe("slots filled across chunks (DecoderPlacement.fill)", () => {
  // 9 000 small packets: several slots of 4 096 records, every chunk of 1 000 bytes short of one.
  const frames = Array.from({ length: 9000 }, (_, i) => ({ data: ethernet(tcpIp({ sport: 1 + (i % 60000), flags: F.ACK })) }));
  const bytes = writePcap(frames);

  async function placed(input: CaptureInput, chunkSize: number) {
    const memory = createDecoderMemory();
    let slot = 0;
    const placement = { memory, outputSlot: () => slot, fill: true };
    const capture = decodeCapture(input, { chunkSize }, placement);
    const counts: number[] = [];
    const records: TcpPacketRecord[] = [];
    for await (const batch of capture) {
      counts.push(batch.count);
      for (let i = 0; i < batch.count; i++) records.push(batch.toRecord(i));
      slot = (slot + 1) % 4;
    }
    return { counts, records, summary: capture.summary() };
  }

  it("hands on full slots only (the last excepted), with the same records as one chunk at a time", async () => {
    const reference = await decodeAll(bytes, { chunkSize: 1000 });
    expect(reference.records).toHaveLength(9000);
    for (const input of [bytes, chunked(bytes, [1000])]) {
      const { counts, records } = await placed(input, 1000);
      expect(counts).toEqual([4096, 4096, 808]);
      expect(records).toEqual(reference.records);
    }
  });

  it("still hands on what it holds when the input fails", async () => {
    const gz = gzipSync(bytes);
    const cut = gz.subarray(0, Math.floor(gz.length / 3));
    const { counts, summary } = await placed(cut, 1000);
    expect(summary.error).toMatchObject({ code: "gzip.truncated" });
    expect(counts.reduce((a, b) => a + b, 0)).toBe(summary.stats.tcp);
    expect(counts.at(-1)).toBeLessThan(4096);
  });
});

describe("an AbortSignal aborted from a timer (AbortSignal.timeout, a Ctrl-C handler)", () => {
  it("stops the decoding of a regular file part-way: the read lets the event loop in", async () => {
    const big = join(mkdtempSync(join(tmpdir(), "ths-decode-abort-")), "big.pcap");
    generateCapture(big, { bytes: 24e6, snaplen: 96, seed: 3 });
    let all = 0;
    for await (const batch of decodeCapture(big)) all += batch.count;
    const controller = new AbortController();
    let armed = false, seen = 0;
    // Armed once reading is under way; the timer runs only when the loop lets the event loop in.
    const onProgress = (p: { bytesRead: number }) => {
      if (!armed && p.bytesRead > 1e6) { armed = true; setTimeout(() => controller.abort(), 0); }
    };
    await expect((async () => {
      for await (const batch of decodeCapture(big, { signal: controller.signal, onProgress })) seen += batch.count;
    })()).rejects.toMatchObject({ name: "AbortError" });
    expect(armed).toBe(true);
    expect(seen).toBeLessThan(all);
  });
});

describe("an AbortSignal aborted while the batches of one stream chunk are handed on", () => {
  it("stops at the batch during which it aborted, as for bytes: a stream of one chunk holding the whole capture", async () => {
    const frames = Array.from({ length: 40_000 }, (_, i) => ({ data: ethernet(tcpIp({ sport: 1000 + (i % 5000), flags: F.ACK })), sec: 1_700_000_000 + i }));
    const bytes = writePcap(frames);
    async function* oneChunk() { yield bytes; }
    for (const input of [bytes, oneChunk()] as CaptureInput[]) {
      const controller = new AbortController();
      let batches = 0;
      await expect((async () => {
        for await (const _batch of decodeCapture(input, { signal: controller.signal })) {
          batches++;
          controller.abort(new Error("enough"));
        }
      })()).rejects.toThrow("enough");
      expect(batches).toBe(1);
    }
  });
});

describe("timeSpan(): the earliest and the latest packet, whatever their order in the file", () => {
  it("a capture out of time order: the earliest is not the first, the latest not the last", async () => {
    const frame = (sec: number) => ({ data: ethernet(tcpIp({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1000, dport: 80, flags: F.SYN })), sec, nsec: 500 });
    const bytes = writePcap([frame(1700000005), frame(1700000002), frame(1700000009), frame(1700000007)], { nanosecond: true });
    const capture = decodeCapture(bytes);
    for await (const _batch of capture) { /* read it all */ }
    expect(capture.timeSpan()).toEqual({ earliest: { sec: 1700000002, nsec: 500 }, latest: { sec: 1700000009, nsec: 500 } });
    expect(capture.summary().stats.firstTimestamp).toEqual({ sec: 1700000005, nsec: 500 }); // the file's first, as before
    const empty = decodeCapture(writePcap([]));
    for await (const _batch of empty) { /* nothing */ }
    expect(empty.timeSpan()).toBeNull();
  });

  it("before 1970 (a pcapng if_tsoffset below zero): the same first, earliest and latest, not none", async () => {
    const offset = -2_000_000_000; // the packets' times: -299 999 995.5 s and the like
    const frame = (sec: number) => ({ data: ethernet(tcpIp({ src: "10.0.0.1", dst: "10.0.0.2", sport: 1000, dport: 80, flags: F.SYN })), sec: sec + offset, nsec: 500_000_000 });
    const bytes = writePcapng([{ interfaces: [{ tsresol: 9, tsoffset: offset }], blocks: [1700000005, 1700000002, 1700000009, 1700000007].map((sec) => ({ type: "epb" as const, frame: frame(sec) })) }]);
    const capture = decodeCapture(bytes);
    for await (const _batch of capture) { /* read it all */ }
    const at = (sec: number) => ({ sec: sec + offset, nsec: 500_000_000 });
    expect(at(1700000002).sec).toBeLessThan(0);
    expect(capture.timeSpan()).toEqual({ earliest: at(1700000002), latest: at(1700000009) });
    const { stats, warnings } = capture.summary();
    expect(stats.firstTimestamp).toEqual(at(1700000005));
    expect(stats.lastTimestamp).toEqual(at(1700000009));
    expect(warnings).toEqual([]);
  });
});
