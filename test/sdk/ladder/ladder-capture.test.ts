// Which connections a ladder draws and counts: the first `limit` matches in the order they
// began, whatever order they end in, and every match counted.

import { describe, it, expect } from "vitest";
import { captureLadders, compileFilter, drawLadders } from "../../../sdk/index.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";
import { IdHeap } from "../../../sdk/ladder/id-heap.js";
import { wiresharkFlags } from "../../../sdk/ladder/tcp-flags.js";
import { renderLadder } from "../../../sdk/ladder/render-ladder.js";
import { generateCapture } from "../../../bench/generate.js";
import { acquireScanMemory, releaseScanMemory } from "../../../sdk/wasm-memory.js";
import { mkdtempSync, writeFileSync, appendFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const { SYN, ACK, FIN, PSH, RST } = F;

/** The records of a pcap file, without its header: what a capture still being written appends. */
const PCAP_HEADER = 24;
const recordsOf = (capture: Uint8Array) => capture.subarray(PCAP_HEADER);

describe("captureLadders", () => {
  it("draws the first matches by id although later ones end first, and counts them all", async () => {
    // Connection A begins first and ends last; B, C and D begin and end in between.
    const a = new Conversation({ clientPort: 40001, start: 1_700_000_000 }).c(SYN).s(SYN | ACK).c(ACK).c({ flags: ACK | PSH, payload: 10, dt: 5000 }).c(FIN | ACK).s(FIN | ACK).c(ACK);
    const others = [40002, 40003, 40004].map((port, k) =>
      new Conversation({ clientPort: port, start: 1_700_000_001 + k * 0.1 }).c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK));
    const capture = writePcap(merge(a, ...others));
    const all = await captureLadders(capture, compileFilter("port 80"), {}, Infinity);
    expect(all.matched).toBe(4);
    const ids = all.ladders.map((l) => l.connection.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    const two = await captureLadders(capture, compileFilter("port 80"), {}, 2);
    expect(two.matched).toBe(4);
    expect(two.ladders.map((l) => l.connection.id)).toEqual(ids.slice(0, 2));
    expect(two.ladders[0]!.connection.orig.port).toBe(40001);
    expect(two.ladders[0]!.packets.map((p) => p.frame)).toEqual(all.ladders[0]!.packets.map((p) => p.frame));
    const none = await captureLadders(capture, compileFilter("port 81"), {}, 2);
    expect(none).toMatchObject({ matched: 0, ladders: [] });
  });

  it("keeps each packet's frame number and a SYN's options", async () => {
    const conv = new Conversation({ clientPort: 40010 }).c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
    const { ladders } = await captureLadders(writePcap(conv.frames), compileFilter("tcp"));
    expect(ladders[0]!.packets.map((p) => p.frame)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ladders[0]!.packets[0]!.synOptions).toBeDefined();
    expect(ladders[0]!.packets[2]!.synOptions).toBeUndefined();
  });

  it("draws times with nine decimals when the packets' timestamps carry nanoseconds, else six", async () => {
    const frames = new Conversation({ clientPort: 40020, start: 1_700_000_000 }).c(SYN).s(SYN | ACK).c(ACK).frames;
    // 10 ms apart, as the conversation writes them, plus 350 and 770 ns.
    const ns = frames.map((f, k) => ({ ...f, nsec: f.nsec! + [0, 350, 770][k]! }));
    const nano = (await captureLadders(writePcap(ns, { nanosecond: true }), compileFilter("tcp"))).ladders[0]!;
    expect(nano.nanoseconds).toBe(true);
    const times = renderLadder(nano).split("\n").filter((l) => /^ +\d+ +\d/.test(l)).map((l) => l.trim().split(/ +/)[1]);
    expect(times).toEqual(["0.000000000", "0.010000350", "0.020000770"]);
    // Whole microseconds, in a nanosecond file or a microsecond one: six decimals, as before.
    for (const nanosecond of [true, false]) {
      const micro = (await captureLadders(writePcap(frames, { nanosecond }), compileFilter("tcp"))).ladders[0]!;
      expect(micro.nanoseconds).toBe(false);
      expect(renderLadder(micro)).toMatch(/^ +1 +0\.000000 +SYN-SENT/m);
    }
  });

  it("refuses a limit below 1", async () => {
    await expect(captureLadders(new Uint8Array(0), compileFilter("tcp"), {}, 0)).rejects.toThrow(RangeError);
  });

  it("takes undefined options, as captureLadders does (drawLadders read their signal from undefined)", async () => {
    const capture = writePcap(new Conversation().c(F.SYN).s(F.SYN | F.ACK).c(F.ACK).frames);
    const drawn: string[] = [];
    const count = await drawLadders(capture, compileFilter("tcp"), undefined, 3, (ladder) => { drawn.push(renderLadder(ladder)); });
    expect(count.matched).toBe(1);
    expect(drawn).toEqual([renderLadder((await captureLadders(capture, compileFilter("tcp"))).ladders[0]!)]);
    expect(drawn[0]).toMatch(/SYN-SENT/);
  });
});

describe("IdHeap", () => {
  it("gives up the highest id first", () => {
    const heap = new IdHeap<string>();
    for (const id of [5, 1, 9, 3, 7, 2, 8]) heap.push(id, `c${id}`);
    expect(heap.maxId()).toBe(9);
    const out: string[] = [];
    while (heap.size) out.push(heap.popMax()!);
    expect(out).toEqual(["c9", "c8", "c7", "c5", "c3", "c2", "c1"]);
    expect(heap.maxId()).toBe(-Infinity);
  });
});

describe("wiresharkFlags", () => {
  it("names flags in Wireshark's order", () => {
    expect(wiresharkFlags(0x12)).toBe("SYN, ACK");
    expect(wiresharkFlags(0x11)).toBe("FIN, ACK");
    expect(wiresharkFlags(0x18)).toBe("PSH, ACK");
    expect(wiresharkFlags(0x19)).toBe("FIN, PSH, ACK");
    expect(wiresharkFlags(0x1c2)).toBe("SYN, ECE, CWR, AE");
    expect(wiresharkFlags(0)).toBe("<None>");
  });
});

describe("captureLadders stopped by its signal", () => {
  it("stops part-way through a regular file when the signal aborts from a timer (what Ctrl-C's handler does)", async () => {
    const big = join(mkdtempSync(join(tmpdir(), "ths-ladder-abort-")), "big.pcap");
    generateCapture(big, { bytes: 12e6, snaplen: 96, seed: 3 });
    const controller = new AbortController();
    let armed = false;
    // Armed once reading is under way; the timer runs only when the read lets the event loop in.
    const onProgress = (p: { bytesRead: number }) => {
      if (!armed && p.bytesRead > 1e6) { armed = true; setTimeout(() => controller.abort(), 0); }
    };
    await expect(captureLadders(big, compileFilter("port 80"), { signal: controller.signal, onProgress })).rejects.toMatchObject({ name: "AbortError" });
    expect(armed).toBe(true);
  });

  it("stops in the second pass of a file, once the first has found the connections", async () => {
    const big = join(mkdtempSync(join(tmpdir(), "ths-ladder-abort2-")), "big.pcap");
    generateCapture(big, { bytes: 4e6, snaplen: 96, seed: 5 });
    const controller = new AbortController();
    // The second pass starts the file again: fewer bytes read than the first pass's last report.
    let last = 0, pass = 1;
    const onProgress = (p: { storedBytesRead: number }) => {
      if (p.storedBytesRead < last) pass++;
      last = p.storedBytesRead;
      if (pass === 2 && p.storedBytesRead > 1e6) controller.abort();
    };
    await expect(captureLadders(big, compileFilter("tcp"), { signal: controller.signal, onProgress })).rejects.toMatchObject({ name: "AbortError" });
    expect(pass).toBe(2);
  });

  it("stops handing on ladders once the signal aborts, also those the end of the input made due (bytes and a stream)", async () => {
    // Three connections still open at the end: their ladders are all due at once, after the last packet.
    const capture = writePcap(merge(...[40031, 40032, 40033].map((port, k) =>
      new Conversation({ clientPort: port, start: 1_700_000_000 + k }).c(SYN).s(SYN | ACK).c(ACK))));
    const stream = async function* () { yield capture; };
    for (const input of [capture, stream()]) {
      const controller = new AbortController();
      const handed: number[] = [];
      const drawing = drawLadders(input, compileFilter("tcp"), { signal: controller.signal }, Infinity, (ladder) => {
        handed.push(ladder.connection.id);
        controller.abort(new Error("enough"));
      });
      await expect(drawing).rejects.toThrow("enough");
      expect(handed).toHaveLength(1);
    }
  });
});

describe("captureLadders whose first pass fails", () => {
  it("turns the pooling of scan memories back on (a filter that throws, on one thread or two)", async () => {
    const capture = writePcap(merge(...[50001, 50002, 50003].map((port, k) =>
      new Conversation({ clientPort: port, start: 1_700_000_000 + k }).c(SYN).s(SYN | ACK).c(ACK))));
    const tcp = compileFilter("tcp");
    for (const threads of [1, 2]) {
      let calls = 0;
      const failing = { mayMatch: tcp.mayMatch, matches: (c: Parameters<typeof tcp.matches>[0]) => { if (++calls > 1) throw new Error("filter failed"); return tcp.matches(c); } };
      await expect(captureLadders(capture, failing, { threads })).rejects.toThrow("filter failed");
      const memory = acquireScanMemory();
      releaseScanMemory(memory);
      const again = acquireScanMemory();
      releaseScanMemory(again);
      expect(again).toBe(memory);
    }
  });
});

describe("captureLadders of a file that changes between its two passes", () => {
  // The first pass counts and selects; the second draws those it selected as the file is then.
  // A selected connection that then ends otherwise is an input.changed error (two-passes.test.ts).
  /** The one pass over the file as it is now (read as a stream). */
  const readOnce = (file: string, limit: number) => captureLadders((async function* () { yield readFileSync(file); })(), compileFilter("tcp"), {}, limit);

  it("a file that grew: the connections the first pass selected, drawn as the file has become, and its count", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ths-ladder-grows-")), "live.pcap");
    // A, open when the first pass reads; then A's reset, and B.
    const a = new Conversation({ clientPort: 40500, start: 1_700_000_000 }).c(SYN).s(SYN | ACK).c(ACK);
    const before = writePcap(a.frames);
    writeFileSync(file, before);
    const later = [...a.c({ flags: RST, dt: 1000 }).frames.slice(3), ...new Conversation({ clientPort: 40501, start: 1_700_000_002 }).c(SYN).s(SYN | ACK).c(ACK).frames];
    // Appended once the first pass has read to the end of the file (its last report, the read that found nothing more).
    let ends = 0;
    const onProgress = (p: { storedBytesRead: number }) => {
      if (p.storedBytesRead === before.length && ++ends === 2) appendFileSync(file, recordsOf(writePcap(later)));
    };
    const got = await captureLadders(file, compileFilter("tcp"), { onProgress }, 5);
    expect(ends).toBeGreaterThanOrEqual(2);
    const now = await readOnce(file, 5);
    expect(now.matched).toBe(2);
    expect(got.matched).toBe(1);
    expect(got.ladders).toEqual(now.ladders.slice(0, 1)); // A with its reset
    expect(got.captures.map((c) => c.stats.packets)).toEqual([3]);
  });

  it("a file cut short after the connections drawn: those drawn as they were, the count of the first reading", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ths-ladder-cut-")), "cut.pcap");
    const a = new Conversation({ clientPort: 40510, start: 1_700_000_000 }).c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
    const b = new Conversation({ clientPort: 40511, start: 1_700_000_002 }).c(SYN).s(SYN | ACK).c(ACK);
    const whole = writePcap(merge(a, b)), aOnly = writePcap(a.frames);
    writeFileSync(file, whole);
    let ends = 0;
    const onProgress = (p: { storedBytesRead: number }) => {
      if (p.storedBytesRead === whole.length && ++ends === 2) writeFileSync(file, aOnly);
    };
    // The first pass counts A and B and selects A; the second finds A as it was.
    const got = await captureLadders(file, compileFilter("tcp"), { onProgress }, 1);
    expect(ends).toBeGreaterThanOrEqual(2);
    const now = await readOnce(file, 1);
    expect(now.matched).toBe(1);
    expect(got.matched).toBe(2);
    expect(got.ladders).toEqual(now.ladders);
  });
});
