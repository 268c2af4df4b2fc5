// The ladder of a file is drawn in two passes: a scan finds the selected connections and their
// flow hashes, then the reference tracker follows only those flows. Held here to the one pass
// over every flow (what a pipe gets): the same ladders and the same count on every corpus
// capture and on traffic where the flows' other connections and other flows' packets matter.

import { describe, it, expect } from "vitest";
import { readFileSync, writeFileSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { captureLadders, drawLadders, compileFilter, renderLadder, type ScanOptions, type ConnectionLadder, type ConnectionFilter } from "../../../sdk/index.js";
import { findSelected } from "../../../sdk/ladder/find-selected.js";
import { drawSelected } from "../../../sdk/ladder/draw-selected.js";
import { laddersInOnePass } from "../../../sdk/ladder/ladder-one-pass.js";
import { readTwice } from "../../../sdk/ladder/ladder-capture.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";
import { corpusDir, capturesUnder } from "../../helpers/decode.js";

const { SYN, ACK, FIN, RST, PSH } = F;
const root = corpusDir();
const SELECTIONS: [string, number][] = [
  ["tcp", 4], ["not outcome complete", 3], ["retransmissions > 0 or zero-window", 2], ["tcp", Infinity], ["id 1 or id 3 or id 5", 2],
];

/**
 * Both ways on `input`: the two passes, with at most `maxWaiting` ladders held back in memory
 * (the rest wait in the temporary file), and the one pass.
 */
async function bothWays(input: string | Uint8Array, selection: string, limit: number, options: ScanOptions = {}, maxWaiting = 2) {
  const filter = compileFilter(selection);
  const one = await onePass(input, filter, options, limit);
  const found = await findSelected([input], filter, options, limit);
  const ladders: ConnectionLadder[] = [];
  await drawSelected([input], filter, options, found, (l) => { ladders.push(l); }, maxWaiting);
  return { one, found, ladders };
}

/** The one pass's ladders, collected, with its count. */
async function onePass(input: string | Uint8Array, filter: ConnectionFilter, options: ScanOptions, limit: number) {
  const ladders: ConnectionLadder[] = [];
  const count = await laddersInOnePass([input], filter, options, limit, (l) => { ladders.push(l); });
  expect(count.drawn).toBe(ladders.length);
  return { ladders, matched: count.matched };
}

function expectSame(way: Awaited<ReturnType<typeof bothWays>>, name: string): void {
  const { one, found, ladders } = way;
  expect(found.matched, name).toBe(one.matched);
  expect(ladders, name).toEqual(one.ladders);
  expect(ladders.map(renderLadder), name).toEqual(one.ladders.map(renderLadder));
}

describe.runIf(root)("ladders in two passes: the corpus", () => {
  const files = root ? [...capturesUnder(join(root, "real")), ...capturesUnder(join(root, "zeek", "traces"))] : [];
  it("has captures", () => expect(files.length).toBeGreaterThan(50));
  for (const file of files) {
    it(relative(root!, file), async () => {
      for (const [selection, limit] of SELECTIONS) expectSame(await bothWays(file, selection, limit), `${selection} / ${limit}`);
    });
  }
});

describe("ladders in two passes: traffic where other packets matter", () => {
  it("a connection that replaces an earlier one on the same ports inherits what it should (a SYN with a new ISN)", async () => {
    const retried = new Conversation({ clientPort: 40100 }).c(SYN).c({ flags: SYN, seq: 777777, dt: 1000 }).s({ flags: SYN | ACK }).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
    const other = new Conversation({ clientPort: 40101, start: 1_700_000_000.5 }).c(SYN).s(SYN | ACK).c(ACK);
    const capture = writePcap(merge(retried, other));
    const way = await bothWays(capture, "port 40100", 1);
    // The one drawn is the first; then the second, by its id, which carries the anomaly.
    expectSame(way, "first");
    const second = way.one.matched === 2 ? await bothWays(capture, `id ${(await onePass(capture, compileFilter("port 40100"), {}, 2)).ladders[1]!.connection.id}`, 1) : null;
    expect(second).not.toBeNull();
    expectSame(second!, "second");
    expect(second!.ladders[0]!.connection.anomalies).toMatchObject({ "syn-retransmit-different-isn": 1 });
  });

  it("timers fire by other flows' packets: an unanswered SYN ends at its attempt timer, a closed one lingers", async () => {
    const lone = new Conversation({ clientPort: 40200 }).c(SYN).c({ flags: SYN, seq: 1000, dt: 1000 });
    const closed = new Conversation({ clientPort: 40201, start: 1_700_000_000.2 }).c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK)
      .c({ flags: ACK | PSH, payload: 5, dt: 8000 }); // after its close timer: a new connection, mid-stream
    const busy = new Conversation({ clientPort: 40202, start: 1_700_000_000.1 }).c(SYN).s(SYN | ACK).c(ACK);
    for (let k = 0; k < 40; k++) busy.c({ flags: ACK | PSH, payload: 100, dt: 500 }).s(ACK);
    const capture = writePcap(merge(lone, closed, busy));
    for (const selection of ["port 40200", "port 40201", "outcome mid-stream"]) {
      const way = await bothWays(capture, selection, 5);
      expectSame(way, selection);
      expect(way.one.matched, selection).toBeGreaterThan(0);
    }
    const [unanswered] = (await bothWays(capture, "port 40200", 1)).ladders;
    expect(unanswered!.connection.teardown.kind).toBe("timeout");
  });

  it("where a --max-* bound ended connections early, tracks the selected flows' whole virtual shards, with the same result", async () => {
    const convs = Array.from({ length: 300 }, (_, k) => new Conversation({ clientPort: 41000 + k, start: 1_700_000_000 + k * 0.01 }).c(SYN).s(SYN | ACK).c(ACK));
    const capture = writePcap(merge(...convs));
    const options = { maxConnections: 64 }; // one a virtual shard
    for (const [selection, limit] of [["tcp", 3], ["tcp", Infinity], ["teardown evicted", 5], ["not teardown evicted", 5]] as const) {
      const way = await bothWays(capture, selection, limit, options);
      expectSame(way, `${selection} / ${limit}`);
      if (limit === Infinity) expect(way.one.ladders.map((l) => l.connection.teardown.kind)).toContain("evicted");
      if (selection === "tcp" && limit === 3) expect(way.found.wholeShards.size).toBeGreaterThan(0);
    }
  });

  it("hands the ladders on in id order during the second pass, a long first connection holding the rest back", async () => {
    const long = new Conversation({ clientPort: 42000 }).c(SYN).s(SYN | ACK).c(ACK);
    for (let k = 0; k < 30; k++) long.c({ flags: ACK | PSH, payload: 10, dt: 1000 }).s(ACK);
    const short = Array.from({ length: 25 }, (_, k) => new Conversation({ clientPort: 42001 + k, start: 1_700_000_001 + k })
      .c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK));
    const capture = writePcap(merge(long, ...short));
    const way = await bothWays(capture, "tcp", Infinity, {}, 3);
    expectSame(way, "tcp");
    expect(way.ladders.map((l) => l.connection.orig.port)).toEqual([42000, ...short.map((_, k) => 42001 + k)]);
    const handed: number[] = [];
    const count = await drawLadders(capture, compileFilter("port 42000 or port 42003"), {}, Infinity, async (l) => {
      await new Promise((r) => setTimeout(r, 1));
      handed.push(l.connection.orig.port);
    });
    expect(handed).toEqual([42000, 42003]);
    expect(count).toMatchObject({ drawn: 2, matched: 2 });
  });

  it("from a stream, in one pass, hands a ladder on while reading, once no connection that began before it can be drawn", async () => {
    const first = new Conversation({ clientPort: 44000 }).c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
    const busy = new Conversation({ clientPort: 44001, start: 1_700_000_010 }).c(SYN).s(SYN | ACK).c(ACK);
    for (let k = 0; k < 6000; k++) busy.c({ flags: ACK | PSH, payload: 10, dt: 1 });
    const capture = writePcap(merge(first, busy));
    const pieces = 20, size = Math.ceil(capture.length / pieces);
    let given = 0;
    async function* stream() {
      for (let at = 0; at < capture.length; at += size) { given++; yield capture.subarray(at, at + size); }
    }
    const handedAt: number[] = [];
    const count = await drawLadders(stream(), compileFilter("tcp"), {}, Infinity, (l) => { handedAt.push(l.connection.orig.port === 44000 ? given : -1); });
    expect(count).toMatchObject({ drawn: 2, matched: 2 });
    expect(handedAt[0]).toBeGreaterThan(0);
    expect(handedAt[0]).toBeLessThan(pieces); // the first, closed 5 s before the busy flow's packets, came before the input ended
  });

  it("with ids pinned (--ladder 42), stops reading once they have ended, in both passes", async () => {
    // The connection drawn closes at once; another flow then runs for 80 s over most of the file.
    const closes = new Conversation({ clientPort: 45000 }).c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
    const busy = new Conversation({ clientPort: 45001, start: 1_700_000_001 }).c(SYN).s(SYN | ACK).c(ACK);
    for (let k = 0; k < 40_000; k++) busy.c({ flags: ACK | PSH, payload: 100, dt: 1 }).s({ flags: ACK, dt: 1 });
    const file = join(mkdtempSync(join(tmpdir(), "ths-ladder-pinned-")), "big.pcap");
    writeFileSync(file, writePcap(merge(closes, busy)));
    let furthest = 0;
    const onProgress = (p: { storedBytesRead: number }) => { furthest = Math.max(furthest, p.storedBytesRead); };
    const first = (await onePass(file, compileFilter("tcp"), {}, 1)).ladders[0]!;
    const pinned = await captureLadders(file, compileFilter(`id ${first.connection.id}`), { onProgress }, 5);
    expect(pinned.ladders).toEqual([first]);
    expect(pinned.matched).toBe(1);
    expect(furthest).toBeLessThan(statSync(file).size / 2);
  });

  it("says the capture changed between the passes when a selected connection ends otherwise in the second", async () => {
    const convs = Array.from({ length: 4 }, (_, k) => new Conversation({ clientPort: 43000 + k, start: 1_700_000_000 + k }).c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK));
    const frames = merge(...convs);
    const whole = writePcap(frames), cut = writePcap(frames.slice(0, frames.length - 5));
    const filter = compileFilter("state SF");
    const found = await findSelected([whole], filter, {}, Infinity);
    expect(found.matched).toBe(4);
    await expect(drawSelected([cut], filter, {}, found, () => {})).rejects.toMatchObject({ code: "input.changed" });
  });

  it("reads files and bytes twice, and a pipe, stdin or a stream once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-ladder-twice-"));
    const file = join(dir, "c.pcap");
    const capture = writePcap(new Conversation({ clientPort: 40300 }).c(SYN).s(SYN | ACK).c(ACK).c(RST).frames);
    writeFileSync(file, capture);
    expect(readTwice([file, capture])).toBe(true);
    expect(readTwice(["-"])).toBe(false);
    expect(readTwice([file, "/dev/stdin"])).toBe(false);
    expect(readTwice([dir])).toBe(false);
    expect(readTwice([(async function* () { yield capture; })()])).toBe(false);
    const fromFile = await captureLadders(file, compileFilter("tcp"));
    const fromStream = await captureLadders((async function* () { yield readFileSync(file); })(), compileFilter("tcp"));
    expect(fromFile.ladders).toEqual(fromStream.ladders);
    expect(fromFile.matched).toBe(fromStream.matched);
  });
});
