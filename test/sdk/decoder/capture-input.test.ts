// A caller's byte stream as every SDK entry point reads it: one that fails before its first
// byte is damaged input at byte 0 (as one failing later is at its offset), not a thrown error;
// one that yields something other than bytes is an InputTypeError, with its stable code; one that
// yields nothing is an empty capture (capture.empty), as an empty file is.

import { describe, it, expect } from "vitest";
import { Readable } from "node:stream";
import {
  decodeCapture, scan, createScanner, createLineScanner, captureLadders, peekInput, compileFilter, InputTypeError,
  type CaptureInput, type DecodeError,
} from "../../../sdk/index.js";
import { ethernet, tcpIp, F } from "../../helpers/packets.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";

const later = () => new Promise((resolve) => setTimeout(resolve, 5));
const diskGone = () => Object.assign(new Error("disk gone"), { code: "EIO" });

// Streams that fail before they give a byte: at once, or after an await; of each kind a caller has.
const failingAtOnce: [string, () => CaptureInput][] = [
  ["an async iterable failing at once", () => (async function* () { throw diskGone(); })()],
  ["an async iterable failing after an await", () => (async function* () { await later(); throw diskGone(); })()],
  ["a Node Readable destroyed at its first read", () => new Readable({ read() { this.destroy(diskGone()); } })],
  ["a Node Readable destroyed after an await", () => new Readable({ read() { void later().then(() => this.destroy(diskGone())); } })],
  ["a web ReadableStream erroring at its start", () => new ReadableStream<Uint8Array>({ start(c) { c.error(diskGone()); } })],
  ["a web ReadableStream erroring in a later pull", () => new ReadableStream<Uint8Array>({ async pull(c) { await later(); c.error(diskGone()); } })],
];

// Each entry point, down to the error the capture's summary carries.
const entryPoints: [string, (input: CaptureInput) => Promise<DecodeError | null | undefined>][] = [
  ["decodeCapture", async (input) => {
    const capture = decodeCapture(input);
    for await (const _batch of capture) { /* read */ }
    return capture.summary().error;
  }],
  ["scan", async (input) => (await scan(input)).captures[0]?.error],
  ["scan on 3 threads", async (input) => (await scan(input, { threads: 3 })).captures[0]?.error],
  ["createScanner", async (input) => {
    const scanner = createScanner(input);
    for await (const _c of scanner) { /* read */ }
    return scanner.captures()[0]?.error;
  }],
  ["createLineScanner", async (input) => {
    const lines = createLineScanner(input, {}, { format: "ndjson" });
    for await (const _chunk of lines.chunks()) { /* read */ }
    return lines.captures()[0]?.error;
  }],
  ["captureLadders", async (input) => (await captureLadders(input, compileFilter("port 80"))).captures[0]?.error],
  ["peekInput, then decodeCapture", async (input) => {
    const peeked = await peekInput(input);
    expect(peeked.first).toBeNull();
    const capture = decodeCapture(peeked.input);
    for await (const _batch of capture) { /* read */ }
    return capture.summary().error;
  }],
];

const synPcap = writePcap([{ data: ethernet(tcpIp({ flags: F.SYN, sport: 40000, dport: 80 })), sec: 1_600_000_000 }]);

describe("a stream that fails before its first byte", () => {
  for (const [entry, read] of entryPoints) {
    it(`is damage at byte 0 for ${entry}, whatever the stream`, async () => {
      for (const [kind, make] of failingAtOnce) {
        const error = await read(make());
        expect(error, kind).toEqual({ code: "input.read_failed", message: "reading the input failed: disk gone", offset: 0, packet: 1 });
      }
    });
  }

  it("does not stop the inputs after it: the next is read, as after any damaged input", async () => {
    const { connections, captures } = await scan([failingAtOnce[0]![1](), synPcap]);
    expect(captures.map((c) => c.error?.code ?? null)).toEqual(["input.read_failed", null]);
    expect(captures[0]!.source).toBe("<stream>");
    expect(connections).toHaveLength(1);
  });
});

describe("InputTypeError", () => {
  const notBytes: [string, () => CaptureInput, RegExp][] = [
    ["strings", () => (async function* () { yield "abc"; })() as unknown as CaptureInput, /not a string/],
    ["a number after bytes", () => (async function* () { yield synPcap.subarray(0, 30); yield 42; })() as unknown as CaptureInput, /not number/],
    ["a Node Readable with an encoding", () => Readable.from([Buffer.from(synPcap)]).setEncoding("latin1") as unknown as CaptureInput, /not a string/],
    ["a web ReadableStream of strings", () => new ReadableStream({ start(c) { c.enqueue("x"); c.close(); } }) as unknown as CaptureInput, /not a string/],
  ];

  for (const [entry, read] of entryPoints) {
    it(`is what ${entry} throws for a stream that yields something other than bytes: a TypeError with code input.not_bytes`, async () => {
      for (const [kind, make, message] of notBytes) {
        const thrown = await read(make()).then(() => null, (error: unknown) => error);
        expect(thrown, kind).toBeInstanceOf(InputTypeError);
        expect(thrown, kind).toBeInstanceOf(TypeError);
        expect(thrown, kind).toMatchObject({ name: "InputTypeError", code: "input.not_bytes", message: expect.stringMatching(message) });
        expect(String(thrown), kind).toMatch(/^InputTypeError: a capture stream must yield bytes/);
      }
    });
  }
});

describe("a stream that yields bytes, then something else", () => {
  // Thirty short exchanges a second apart, most of them over (their close delay past) before the
  // capture's end; then the stream yields a string. Every record that ended before the mistake
  // comes first, then the InputTypeError: at two and three threads as at one (at two, the
  // decoder's records held for a fuller batch and the batches the workers had not yet reported
  // were lost).
  const exchanges = Array.from({ length: 30 }, (_, k) => new Conversation({ clientPort: 31000 + k, start: 1_700_000_000 + k })
    .c(F.SYN).s(F.SYN | F.ACK).c(F.ACK).c(F.ACK | F.PSH, 100).s(F.ACK | F.PSH, 700).c(F.FIN | F.ACK).s(F.FIN | F.ACK).c(F.ACK));
  const capture = writePcap(merge(...exchanges));

  it("hands on every record before it, then throws, at any thread count", async () => {
    const seen: number[][] = [];
    for (const threads of [1, 2, 3]) {
      const ids: number[] = [];
      const stream = (async function* () { yield capture; yield "not bytes"; })() as unknown as CaptureInput;
      await expect((async () => { for await (const c of createScanner(stream, { threads })) ids.push(c.id); })())
        .rejects.toMatchObject({ name: "InputTypeError", code: "input.not_bytes" });
      seen.push(ids);
    }
    expect(seen[0]!.length).toBeGreaterThan(20);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
  });
});

describe("a stream that yields nothing", () => {
  const empty: [string, () => CaptureInput][] = [
    ["an async iterable", () => (async function* () { /* nothing */ })()],
    ["a Node Readable", () => Readable.from([])],
    ["a web ReadableStream", () => new ReadableStream<Uint8Array>({ start(c) { c.close(); } })],
  ];

  for (const [entry, read] of entryPoints) {
    it(`is an empty capture for ${entry}, not a throw`, async () => {
      for (const [kind, make] of empty) {
        expect(await read(make()), kind).toMatchObject({ code: "capture.empty", offset: 0 });
      }
    });
  }
});
