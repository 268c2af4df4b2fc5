// The one pass (a stream) hands ladders on as they become due: held here to what collecting
// every match and sorting by id gives (a scan of every record, filtered), and to the file's two
// passes, on captures built to catch a ladder handed on too early: connections that begin early
// and end late, one-packet connections promoted late, reused endpoints, --max-* evictions, and a
// stream fed in pieces of a few bytes so that every packet or two is a batch of its own.

import { describe, it, expect } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drawLadders, compileFilter, createScanner, type ScanOptions, type ConnectionLadder } from "../../../sdk/index.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";
import { rng, generateCapture } from "../../../bench/generate.js";
import { readFileSync } from "node:fs";

const { SYN, ACK, FIN, RST, PSH } = F;

/** `bytes` as a stream of pieces of 1 to `most` bytes (seeded). */
async function* inPieces(bytes: Uint8Array, seed: number, most = 200): AsyncGenerator<Uint8Array> {
  const random = rng(seed);
  for (let at = 0; at < bytes.length;) {
    const n = 1 + Math.floor(random() * most);
    yield bytes.slice(at, at + n);
    at += n;
  }
}

/** Every record of a full scan that matches, by id: what collecting all and sorting gives. */
async function bruteForce(bytes: Uint8Array | Uint8Array[], selection: string, options: ScanOptions): Promise<number[]> {
  const filter = compileFilter(selection);
  const ids: number[] = [];
  for await (const records of createScanner(bytes, { ...options, tracker: "typescript" }).batches()) {
    for (const c of records) if (filter.matches(c)) ids.push(c.id);
  }
  return ids.sort((a, b) => a - b);
}

async function drawn(input: Uint8Array | AsyncIterable<Uint8Array> | (Uint8Array | AsyncIterable<Uint8Array>)[], selection: string, options: ScanOptions, limit: number) {
  const ladders: ConnectionLadder[] = [];
  const count = await drawLadders(input, compileFilter(selection), options, limit, (l) => { ladders.push(l); });
  return { ladders, ...count };
}

/** The stream's ladders are the first `limit` matches by id, in id order, and the file's. */
async function expectExact(bytes: Uint8Array | Uint8Array[], selection: string, options: ScanOptions, limit: number, seed: number): Promise<void> {
  const name = `${selection} / ${limit} / ${JSON.stringify(options)} / seed ${seed}`;
  const all = await bruteForce(bytes, selection, options);
  const streams = Array.isArray(bytes) ? bytes.map((b, k) => inPieces(b, seed + k)) : inPieces(bytes, seed);
  const stream = await drawn(streams, selection, options, limit);
  expect(stream.matched, name).toBe(all.length);
  expect(stream.ladders.map((l) => l.connection.id), name).toEqual(all.slice(0, limit));
  const file = await drawn(bytes, selection, options, limit);
  expect(stream.ladders, name).toEqual(file.ladders);
}

/** Conversations of random kinds, starts and lengths on few ports (so endpoints are reused). */
function randomTraffic(seed: number, n: number): Uint8Array {
  const random = rng(seed);
  const pick = (k: number) => Math.floor(random() * k);
  const convs: Conversation[] = [];
  for (let k = 0; k < n; k++) {
    const c = new Conversation({ clientPort: 47000 + pick(6), serverPort: 80 + pick(2), start: 1_700_000_000 + random() * 20, clientIsn: 1000 + pick(1e6) });
    switch (pick(6)) {
      case 0: c.c(SYN); break; // held as one packet until it times out or is evicted
      case 1: c.c(SYN).c({ flags: SYN, dt: 1000 + pick(3000) }).s({ flags: SYN | ACK, dt: pick(2000) }).c(ACK); break; // promoted late
      case 2: c.c(SYN).s(RST | ACK); break;
      case 3: c.c({ flags: ACK | PSH, payload: 10 }).s(ACK); break; // mid-stream
      default: {
        c.c(SYN).s(SYN | ACK).c(ACK);
        const packets = pick(30);
        for (let p = 0; p < packets; p++) c.c({ flags: ACK | PSH, payload: 50, dt: pick(800) }).s(ACK);
        if (random() < 0.7) c.c(FIN | ACK).s(FIN | ACK).c(ACK);
      }
    }
    convs.push(c);
  }
  return writePcap(merge(...convs));
}

describe("one-pass ladders: the first `limit` matches by id, in id order", () => {
  it("an early connection that ends last, with later ones ending before it", async () => {
    const long = new Conversation({ clientPort: 48000 }).c(SYN).s(SYN | ACK).c(ACK);
    for (let k = 0; k < 20; k++) long.c({ flags: ACK | PSH, payload: 10, dt: 300 }).s(ACK);
    long.c(FIN | ACK).s(FIN | ACK).c(ACK);
    const short = Array.from({ length: 30 }, (_, k) => new Conversation({ clientPort: 48100 + k, start: 1_700_000_000.05 + k * 0.1 })
      .c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK));
    const lone = Array.from({ length: 5 }, (_, k) => new Conversation({ clientPort: 48200 + k, start: 1_700_000_000.02 + k * 0.7 }).c(SYN));
    const bytes = writePcap(merge(long, ...short, ...lone));
    for (const limit of [1, 2, 5, 31, Infinity]) {
      for (const selection of ["tcp", "not port 48000", "outcome complete", "outcome unanswered or port 48000"]) await expectExact(bytes, selection, {}, limit, limit);
    }
  });

  it("random traffic on reused endpoints, with and without --max-* bounds, for several limits", async () => {
    const optionSets: ScanOptions[] = [{}, { maxHalfOpen: 64 }, { maxConnections: 64 }, { maxHalfOpen: 64, maxConnections: 128, timeouts: { attempt: 1 } }];
    for (const seed of [1, 2, 3]) {
      const bytes = randomTraffic(seed, 120);
      for (const options of optionSets) {
        for (const [selection, limit] of [["tcp", 1], ["tcp", 7], ["tcp", Infinity], ["not outcome complete", 3], ["port 80", 10], ["teardown evicted or outcome unanswered", 4]] as const) {
          await expectExact(bytes, selection, options, limit, seed);
        }
      }
    }
  });

  it("two inputs, frame numbers running on from one to the next", async () => {
    const inputs = [randomTraffic(21, 60), randomTraffic(22, 60)];
    for (const [selection, limit] of [["tcp", 70], ["tcp", Infinity], ["not outcome complete", 5]] as const) await expectExact(inputs, selection, {}, limit, 21);
  });

  it("more ready ladders than memory holds, behind one long early connection (the temporary file)", async () => {
    const long = new Conversation({ clientPort: 49000 }).c(SYN).s(SYN | ACK).c(ACK).c({ flags: ACK | PSH, payload: 10, dt: 100_000 });
    const short = Array.from({ length: 300 }, (_, k) => new Conversation({ clientPort: 49100 + k, start: 1_700_000_000.01 + k * 0.2 })
      .c(SYN).s(SYN | ACK).c(ACK).c(RST));
    const bytes = writePcap(merge(long, ...short));
    for (const limit of [299, 301, Infinity]) await expectExact(bytes, "tcp", {}, limit, 7);
  });

  it("a generated capture of the short mix", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "one-pass-order-")), "short.pcap");
    generateCapture(path, { bytes: 400_000, mix: "short", seed: 11, concurrency: 40 });
    const bytes = new Uint8Array(readFileSync(path));
    for (const [selection, limit] of [["tcp", 25], ["not outcome complete", Infinity], ["port 443", 5]] as const) {
      await expectExact(bytes, selection, {}, limit, 3);
    }
  });
});
