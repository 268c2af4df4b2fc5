// A stream that keeps still part-way (a live capture: tcpdump -w - | ...): the connections that
// end before the pause are handed on during it, at two threads as at one. Before, at two threads
// the decoder held its records for a fuller batch and the worker its ended connections for the
// next batch, so nothing came out until the stream wrote again or ended.

import { describe, it, expect, beforeAll } from "vitest";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createScanner, createLineScanner } from "../../../sdk/index.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";

const BIN = fileURLToPath(new URL("../../../dist/cli/bin.cjs", import.meta.url));
const PAUSE_MS = 1500;
let bytes: Uint8Array;

beforeAll(() => {
  // 60 short exchanges a second apart (a request, a reply, a FIN each way): over a minute of
  // capture time, most end (their close delay past) well before its middle.
  const exchanges = Array.from({ length: 60 }, (_, k) => new Conversation({ clientPort: 30000 + k, start: 1_700_000_000 + k })
    .c(F.SYN).s(F.SYN | F.ACK).c(F.ACK).c(F.ACK | F.PSH, 120).s(F.ACK | F.PSH, 900).c(F.ACK)
    .c(F.FIN | F.ACK).s(F.FIN | F.ACK).c(F.ACK));
  bytes = writePcap(merge(...exchanges));
});

/** The capture's first `cut` bytes in 4 kB chunks, a pause with the stream open, then the rest. */
async function* pausing(cut: number, paused: { over: boolean }): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < cut; at += 4096) yield bytes.subarray(at, Math.min(cut, at + 4096));
  await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  paused.over = true;
  for (let at = cut; at < bytes.length; at += 4096) yield bytes.subarray(at, at + 4096);
}

describe("a stream that keeps still part-way", () => {
  it("hands on the records that ended before the pause during it, at two threads as at one", async () => {
    const cut = Math.floor(bytes.length / 2);
    const during: number[] = [], all: number[][] = [];
    for (const threads of [1, 2]) {
      const paused = { over: false };
      const ids: number[] = [];
      let before = 0;
      for await (const c of createScanner(pausing(cut, paused), { threads })) {
        ids.push(c.id);
        if (!paused.over) before = ids.length;
      }
      during.push(before);
      all.push(ids);
    }
    expect(during[0]).toBeGreaterThan(10);
    expect(during[1]).toBe(during[0]);
    expect(all[1]).toEqual(all[0]);
  });

  it("hands on lines during the pause too (the command's path), the same bytes as one thread", async () => {
    const cut = Math.floor(bytes.length / 2);
    const outputs: string[] = [];
    for (const threads of [1, 2]) {
      const paused = { over: false };
      const chunks: string[] = [];
      let before = 0;
      const lines = createLineScanner(pausing(cut, paused), { threads }, { format: "ndjson" });
      for await (const chunk of lines.chunks()) {
        chunks.push(Buffer.from(chunk).toString());
        if (!paused.over) before = chunks.join("").length;
      }
      expect(before, `threads ${threads}`).toBeGreaterThan(0);
      outputs.push(chunks.join(""));
    }
    expect(outputs[1]).toBe(outputs[0]);
  });

  it("the command reading standard input at two threads writes lines before the writer ends it", async () => {
    const child = spawn(process.execPath, [BIN, "-", "--format", "ndjson", "--threads", "2", "-q"], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "", err = "", firstAt = -1;
    const started = Date.now();
    child.stdout!.on("data", (d) => { if (firstAt < 0) firstAt = Date.now() - started; out += d; });
    child.stderr!.on("data", (d) => { err += d; });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.stdin!.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
    // Held open until the first line comes (or 10 s: the test then fails), then the rest and the end.
    for (let waited = 0; firstAt < 0 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    const sawLineWhileOpen = firstAt >= 0;
    child.stdin!.end(bytes.subarray(Math.floor(bytes.length / 2)));
    expect(await exited, err).toBe(0);
    expect(sawLineWhileOpen).toBe(true);
    expect(out.split("\n").filter(Boolean).length).toBe(60);
  }, 30_000);
});

// A capture whose clock steps back (a jump ahead, then earlier times again: files merged
// out of order, a clock reset). The records handed on during a pause had their batch's clock step
// taken there, at the latest time so far: a connection under way past the step back was ended by
// its inactivity timer at the pause and split in two, so the records depended on where the stream
// kept still. Now the batch's time comes with its rest, where the whole batch would have had it.
describe("a stream that keeps still, with a clock that stepped back", () => {
  it("gives the records of the file read whole, at one thread and at two", async () => {
    // One SYN a day ahead, then a conversation from the start, 40 data packets 20 s apart.
    const ahead = new Conversation({ clientPort: 20000, start: 1_700_086_400 }).c(F.SYN);
    const under = new Conversation({ clientPort: 20001, start: 1_700_000_000 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK);
    for (let k = 0; k < 40; k++) under.c({ flags: F.ACK | F.PSH, payload: 100, dt: 20_000 }).s(F.ACK);
    under.c(F.FIN | F.ACK).s(F.FIN | F.ACK).c(F.ACK);
    const capture = writePcap([...ahead.frames, ...under.frames]);
    async function* pausedAt(cut: number): AsyncGenerator<Uint8Array> {
      yield capture.subarray(0, cut);
      await new Promise((resolve) => setTimeout(resolve, 400));
      yield capture.subarray(cut);
    }
    const cut = Math.floor(capture.length / 2);
    for (const threads of [1, 2]) {
      const whole: string[] = [], paused: string[] = [];
      for await (const c of createScanner(capture, { threads })) whole.push(JSON.stringify(c));
      for await (const c of createScanner(pausedAt(cut), { threads })) paused.push(JSON.stringify(c));
      expect(whole).toHaveLength(2);
      expect(paused, `threads ${threads}`).toEqual(whole);
    }
  });
});
