// peekFirstTimestamp: the first packet's time, from the start of the capture only, whether or
// not that packet (or any packet) is TCP.

import { describe, it, expect } from "vitest";
import { gzipSync } from "node:zlib";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { peekFirstTimestamp, peekInput, scan, PEEK_LIMIT_BYTES } from "../../../sdk/index.js";
import { ethernet, ipv4, tcpIp, F } from "../../helpers/packets.js";
import { writePcap, writePcapng } from "../../helpers/capture-writer.js";
import { decodeAll } from "../../helpers/decode.js";
import { peekInputs, PEEK_BUDGET_BYTES, beyondLookAheadWarning } from "../../../sdk/decoder/peek.js";

function udpOnly(count: number): Uint8Array {
  const frames = Array.from({ length: count }, (_, i) => ({
    data: ethernet(ipv4({ protocol: 17 }, new Uint8Array(8 + 1000))),
    sec: 1_700_000_100 + i,
    nsec: 250_000,
  }));
  return writePcap(frames);
}

async function* chunks(bytes: Uint8Array, size: number, pulled: { count: number }): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) {
    pulled.count++;
    yield bytes.subarray(at, at + size);
  }
}

describe("peekFirstTimestamp", () => {
  it("reads only the start of a capture without any TCP", async () => {
    const bytes = udpOnly(4000); // ~4 MB
    const pulled = { count: 0 };
    const first = await peekFirstTimestamp(chunks(bytes, 64 << 10, pulled));
    expect(first).toEqual({ sec: 1_700_000_100, nsec: 250_000 });
    expect(pulled.count).toBeLessThanOrEqual(2);
  });

  it("gives the first packet's time when it is TCP, and null for an empty capture", async () => {
    const tcp = writePcap([{ data: ethernet(tcpIp({ flags: F.SYN })), sec: 1_600_000_000, nsec: 5_000 }]);
    expect(await peekFirstTimestamp(tcp)).toEqual({ sec: 1_600_000_000, nsec: 5_000 });
    expect(await peekFirstTimestamp(writePcap([]))).toBeNull();
  });
});

describe("peekInput", () => {
  it("peeks at a once-only stream and gives back every byte it read, then the rest, once", async () => {
    const bytes = writePcap(Array.from({ length: 500 }, (_, i) => ({ data: ethernet(tcpIp({ sport: 3000 + i, flags: F.ACK, payload: 700 })), sec: 1_650_000_000 + i, nsec: 7000 })));
    const reference = await decodeAll(bytes);
    let iterations = 0;
    const pulled = { count: 0 };
    const once: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]() {
        if (++iterations > 1) throw new Error("opened twice");
        return chunks(bytes, 4096, pulled)[Symbol.asyncIterator]();
      },
    };
    const { first, input } = await peekInput(once);
    expect(first).toEqual({ sec: 1_650_000_000, nsec: 7000 });
    expect(pulled.count).toBeLessThanOrEqual(2); // the peek read the start only
    const read = await decodeAll(input);
    expect(read.records).toEqual(reference.records);
    expect(read.summary.source).toBe("<stream>");
    expect(iterations).toBe(1);
  });

  it("keeps a file that can be read again as it is, and names what it replays", async () => {
    const bytes = writePcap([{ data: ethernet(tcpIp({ flags: F.SYN })), sec: 1_600_000_000 }]);
    expect((await peekInput(bytes)).input).toBe(bytes);
    const gz = gzipSync(bytes);
    const { first, input } = await peekInput((async function* () { yield gz.subarray(0, 1); yield gz.subarray(1); })());
    expect(first).toEqual({ sec: 1_600_000_000, nsec: 0 });
    expect((await decodeAll(input)).records).toHaveLength(1);
  });

  it("throws for a file that cannot be opened, as scan() does, naming it; a file that is no capture peeks as null", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-peek-"));
    try {
      const missing = join(dir, "missing.pcap");
      for (const [path, code] of [[missing, "ENOENT"], [dir, "EISDIR"]] as const) {
        const scanned = await scan(path).then(() => null, (error: NodeJS.ErrnoException) => error);
        expect(scanned?.code, path).toBe(code);
        await expect(peekInput(path), path).rejects.toMatchObject({ code, message: scanned!.message });
        await expect(peekInput(path), path).rejects.toThrow(path);
      }
      const words = join(dir, "words.txt");
      writeFileSync(words, "not a capture at all, only words");
      expect(await peekInput(words)).toEqual({ first: null, input: words, beyondLookAhead: false, peekedBytes: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives up the peek after PEEK_LIMIT_BYTES of no packet, keeping what it read", async () => {
    // A pcapng section whose first block is a large unknown block: no packet in the first 16 MiB.
    const big = writePcapng([{ blocks: [
      { type: "unknown", blockType: 0x0bad, body: new Uint8Array(PEEK_LIMIT_BYTES - 100) },
      { type: "unknown", blockType: 0x0bad, body: new Uint8Array(1000) },
      { type: "epb", frame: { data: ethernet(tcpIp({ flags: F.SYN })), sec: 1_600_000_000 } },
    ] }]);
    const { first, input, beyondLookAhead } = await peekInput(chunks(big, 1 << 20, { count: 0 }));
    expect(first).toBeNull();
    expect(beyondLookAhead).toBe(true); // its place in time order is not known
    // A stream that ends within the limit with no packet is no such case.
    expect((await peekInput(chunks(big.subarray(0, 1 << 20), 1 << 16, { count: 0 }))).beyondLookAhead).toBe(false);
    const read = await decodeAll(input);
    expect(read.records).toHaveLength(1);
    expect(read.summary.error).toBeNull();
  });

  it("keeps at most PEEK_BUDGET_BYTES of many such streams together (peekInputs), each replayed whole", async () => {
    // Six pipes with no packet in their first 20 MiB: 16 MiB each was 96 MiB kept at once.
    const far = (sec: number) => writePcapng([{ blocks: [
      ...Array.from({ length: 20 }, () => ({ type: "unknown" as const, blockType: 0x0bad, body: new Uint8Array(1 << 20) })),
      { type: "epb" as const, frame: { data: ethernet(tcpIp({ flags: F.SYN })), sec } },
    ] }]);
    const pulled = Array.from({ length: 6 }, () => ({ count: 0 }));
    const bytes = pulled.map((_, k) => far(1_600_000_000 + k));
    const peeked = await peekInputs(bytes.map((b, k) => chunks(b, 1 << 20, pulled[k]!)));
    const kept = peeked.reduce((sum, p) => sum + p.peekedBytes, 0);
    expect(kept).toBeLessThanOrEqual(PEEK_BUDGET_BYTES + 6 * (1 << 20)); // a chunk each past the budget at most
    expect(pulled.reduce((sum, p) => sum + p.count, 0) << 20).toBe(kept);
    for (const p of peeked) {
      expect(p.first).toBeNull();
      expect(p.beyondLookAhead).toBe(true);
      expect(p.peekedBytes).toBeLessThanOrEqual(PEEK_LIMIT_BYTES);
    }
    // Those cut short by the budget say so; each is still read whole from its replay.
    expect(peeked.some((p) => p.peekedBytes < PEEK_LIMIT_BYTES)).toBe(true);
    expect(beyondLookAheadWarning("p", 3 << 20)).toMatch(/^p: warning: no packet in its first 3 MiB, as far as pipes are read ahead, 32 MiB for all of them: read after/);
    expect(beyondLookAheadWarning("p", PEEK_LIMIT_BYTES)).toMatch(/^p: warning: no packet in its first 16 MiB, as far as a pipe is read ahead: read after/);
    for (const [k, p] of peeked.entries()) {
      const read = await decodeAll(p.input);
      expect(read.records.map((r) => r.tsSec)).toEqual([1_600_000_000 + k]);
      expect(read.summary.error).toBeNull();
    }
  });

  it("replays a stream that failed during the peek as failing where it did, as reading it directly does", async () => {
    // The replay once pulled on the failed source, which then ended: the failure was lost (a
    // stream failing before any byte read as an empty capture, one failing mid-record as cut).
    const bytes = writePcap([1, 2, 3].map((i) => ({ data: ethernet(tcpIp({ flags: F.SYN, sport: 1000 + i })), sec: 1_600_000_000 + i })));
    const failing = (n: number) => (async function* () {
      if (n > 0) yield bytes.subarray(0, n);
      throw new Error("disk gone");
    })();
    for (const n of [0, 1, 30, bytes.length - 10]) {
      const direct = await decodeAll(failing(n));
      const { input } = await peekInput(failing(n));
      const read = await decodeAll(input);
      expect(direct.summary.error, `after ${n} bytes`).toMatchObject({ code: "input.read_failed", offset: n });
      expect(read.summary.error, `after ${n} bytes`).toEqual(direct.summary.error);
      expect(read.records).toEqual(direct.records);
    }
  });

  it("refuses a stream of strings as scan() does, and takes any typed-array chunk as its bytes", async () => {
    // The peek once made each chunk `new Uint8Array(chunk)`: a string or a DataView became no
    // bytes, and the capture read as empty.
    const bytes = writePcap([{ data: ethernet(tcpIp({ flags: F.SYN })), sec: 1_600_000_000 }]);
    const strings = (async function* () { yield "abc"; })();
    await expect(peekInput(strings as unknown as AsyncIterable<Uint8Array>)).rejects.toThrow(/must yield bytes .* not a string/);
    const views = (async function* () { yield new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength); })();
    const { first, input } = await peekInput(views as AsyncIterable<Uint8Array>);
    expect(first).toEqual({ sec: 1_600_000_000, nsec: 0 });
    expect((await scan(input)).connections).toHaveLength(1);
  });
});
