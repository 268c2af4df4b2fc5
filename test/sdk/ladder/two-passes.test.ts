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
import { virtualShard } from "../../../sdk/connections/tracker-options.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F, ethernet } from "../../helpers/packets.js";
import { udpTunnel, vxlan } from "../../helpers/tunnels.js";
import type { Frame } from "../../helpers/capture-writer.js";
import { RING_INLINE, DEFAULT_RING_BLOCKS } from "../../../assembly/analysis-layout.js";
import { corpusDir, capturesUnder } from "../../helpers/decode.js";

const { SYN, ACK, FIN, RST, PSH } = F;
const root = corpusDir();
const SELECTIONS: [string, number][] = [
  ["tcp", 4], ["not outcome complete", 3], ["retransmissions > 0 or zero-window", 2], ["tcp", Infinity], ["id 1 or id 3 or id 5", 2],
];

type Input = string | Uint8Array | Uint8Array[];

/**
 * Both ways on `input` (or inputs): the two passes, with at most `maxWaiting` ladders held back
 * in memory (the rest wait in the temporary file), and the one pass.
 */
async function bothWays(input: Input, selection: string, limit: number, options: ScanOptions = {}, maxWaiting = 2) {
  const filter = compileFilter(selection);
  const one = await onePass(input, filter, options, limit);
  const inputs = Array.isArray(input) ? input : [input];
  const found = await findSelected(inputs, filter, options, limit);
  const ladders: ConnectionLadder[] = [];
  await drawSelected(inputs, filter, options, found, (l) => { ladders.push(l); }, maxWaiting);
  return { one, found, ladders, pinned: filter.onlyIds !== undefined };
}

/** The one pass's ladders, collected, with its count and the inputs' summaries. */
async function onePass(input: Input, filter: ConnectionFilter, options: ScanOptions, limit: number) {
  const ladders: ConnectionLadder[] = [];
  const count = await laddersInOnePass(Array.isArray(input) ? input : [input], filter, options, limit, (l) => { ladders.push(l); });
  expect(count.drawn).toBe(ladders.length);
  return { ladders, matched: count.matched, captures: count.captures };
}

/** A connection that closes at once on `port`, then 10 s later `packets` data segments of another, 1 ms apart. */
function closedThenBusy(port: number, packets: number): Uint8Array {
  const first = new Conversation({ clientPort: port }).c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
  const busy = new Conversation({ clientPort: port + 1, start: 1_700_000_010 }).c(SYN).s(SYN | ACK).c(ACK);
  for (let k = 0; k < packets; k++) busy.c({ flags: ACK | PSH, payload: 10, dt: 1 });
  return writePcap(merge(first, busy));
}

/** `capture` as a stream of `pieces` pieces, counting those it has given. */
function inPieces(capture: Uint8Array, pieces: number) {
  const size = Math.ceil(capture.length / pieces);
  const fed = {
    given: 0,
    async *stream() {
      for (let at = 0; at < capture.length; at += size) { fed.given++; yield capture.subarray(at, at + size); }
    },
  };
  return fed;
}

function expectSame(way: Awaited<ReturnType<typeof bothWays>>, name: string): void {
  const { one, found, ladders } = way;
  expect(found.matched, name).toBe(one.matched);
  expect(ladders, name).toEqual(one.ladders);
  expect(ladders.map(renderLadder), name).toEqual(one.ladders.map(renderLadder));
  // The first pass reads every input whole, but where the filter pins ids (it stops once they ended).
  if (!way.pinned) expect(found.captures, name).toEqual(one.captures);
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

  it("half-open connections held as their first packet, ended past --max-half-open, answered late or retried", async () => {
    // 200 lone SYNs (about three a virtual shard), among which conversations whose SYN waits a while for its answer.
    const lone = Array.from({ length: 200 }, (_, k) => new Conversation({ clientPort: 42000 + k, start: 1_700_000_000 + k * 0.005 }).c(SYN));
    const late = [0, 1, 2, 3].map((k) => new Conversation({ clientPort: 43000 + k, start: 1_700_000_000.3 + k * 0.1 })
      .c(SYN).c({ flags: SYN, dt: 900 }).s({ flags: SYN | ACK, dt: 300 }).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK));
    const capture = writePcap(merge(...lone, ...late));
    // (Each virtual shard has its share of the bound whatever the first pass's threads.)
    for (const options of [{ maxHalfOpen: 64 }, { maxHalfOpen: 64, maxConnections: 64, threads: 2 }, { maxHalfOpen: 128, timeouts: { attempt: 0.5 } }, {}] as ScanOptions[]) {
      for (const [selection, limit] of [["portrange 43000-43003", 4], ["teardown evicted", 3], ["tcp", Infinity]] as const) {
        const way = await bothWays(capture, selection, limit, options);
        expectSame(way, `${selection} / ${limit} / ${JSON.stringify(options)}`);
      }
    }
    const evicted = await bothWays(capture, "portrange 43000-43003", 4, { maxHalfOpen: 64 });
    expect(evicted.found.wholeShards.size).toBeGreaterThan(0);
    expect(evicted.one.ladders.length).toBeGreaterThan(0);
  });

  it("a clock that steps backwards: timers of the flows drawn fire as in the one pass", async () => {
    const a = new Conversation({ clientPort: 44000, start: 1_700_000_000 }).c(SYN).s(SYN | ACK).c(ACK).c({ flags: ACK | PSH, payload: 10, dt: 3000 });
    const b = new Conversation({ clientPort: 44001, start: 1_700_000_001 }).c(SYN).c({ flags: SYN, dt: 2000 });
    const c = new Conversation({ clientPort: 44002, start: 1_700_000_000.5 }).c(SYN).s(SYN | ACK).c(ACK).c(RST);
    // Frames in the order captured, with every fourth stamped 4 s before the one it follows.
    const frames: Frame[] = merge(a, b, c).map((f, k) => (k % 4 === 3 ? { ...f, sec: f.sec! - 4 } : f));
    const capture = writePcap(frames);
    const options = { timeouts: { attempt: 1, close: 1, handshakeInactivity: 2, inactivity: 2 } };
    for (const selection of ["port 44000", "port 44001", "port 44002", "tcp"]) expectSame(await bothWays(capture, selection, 3, options), selection);
    expect((await onePass(capture, compileFilter("tcp"), options, 3)).matched).toBeGreaterThan(3);
  });

  it("the same endpoints on two VLANs, and in two VXLAN tenants keyed by tunnel or not", async () => {
    const onVlan = (vlan: number, start: number) => new Conversation({ clientPort: 45000, vlan, start, clientIsn: 1000 * vlan })
      .c(SYN).s(SYN | ACK).c(ACK).c({ flags: ACK | PSH, payload: 20 }).c(FIN | ACK).s(FIN | ACK).c(ACK);
    const vlans = writePcap(merge(onVlan(10, 1_700_000_000), onVlan(20, 1_700_000_000.015)));
    for (const selection of ["port 45000", "tcp"]) expectSame(await bothWays(vlans, selection, 2), `vlans: ${selection}`);
    const inVni = (vni: number, start: number): Frame[] => onVlan(0, start).frames.map((f) => {
      const data = ethernet(udpTunnel({ src: "192.0.2.1", dst: "192.0.2.2" }, 50000, 4789, vxlan(vni, f.data), true));
      return { ...f, data, origLen: data.length };
    });
    const tenants = writePcap([...inVni(1, 1_700_000_000), ...inVni(2, 1_700_000_000.005)].sort((x, y) => x.sec! - y.sec! || x.nsec! - y.nsec!));
    for (const keyByTunnel of [false, true]) {
      for (const [selection, limit] of [["port 45000", 1], ["tcp", 5]] as const) {
        const way = await bothWays(tenants, selection, limit, { keyByTunnel });
        expectSame(way, `tenants, keyByTunnel ${keyByTunnel}: ${selection}`);
        if (keyByTunnel && limit === 5) expect(way.one.matched).toBe(2);
      }
    }
  });

  it("two inputs, the second reusing the first's endpoints: frame numbers run on and the flows go on", async () => {
    const first = writePcap(new Conversation({ clientPort: 46000, start: 1_700_000_000 }).c(SYN).s(SYN | ACK).c(ACK).frames);
    const second = writePcap(merge(
      new Conversation({ clientPort: 46000, start: 1_700_000_001, clientIsn: 1003 }).c({ flags: ACK | PSH, payload: 30 }).c(FIN | ACK),
      new Conversation({ clientPort: 46001, start: 1_700_000_001.5 }).c(SYN).s(SYN | ACK).c(ACK),
    ));
    for (const selection of ["port 46000", "port 46001", "tcp"]) {
      const way = await bothWays([first, second], selection, 2);
      expectSame(way, selection);
      expect(way.ladders.every((l) => l.packets.every((p) => p.frame >= l.connection.id))).toBe(true);
    }
  });

  it("checksums verified: a bad one on a drawn flow, and the scan's threads in the first pass", async () => {
    const a = new Conversation({ clientPort: 47000, start: 1_700_000_000 }).c(SYN).s(SYN | ACK).c(ACK).c({ flags: ACK | PSH, payload: 40 }).s(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
    const others = Array.from({ length: 40 }, (_, k) => new Conversation({ clientPort: 47100 + k, start: 1_700_000_000.001 * (k + 1) }).c(SYN).s(SYN | ACK).c(ACK).c(RST));
    const frames = merge(a, ...others);
    // The data segment of A (frame 4 of its conversation): its TCP checksum made wrong.
    const data = a.frames[3]!.data;
    const bad = frames.map((f) => (f === a.frames[3] ? { ...f, data: data.map((byte, k) => (k === 14 + 20 + 17 ? byte ^ 0xff : byte)) } : f));
    const capture = writePcap(bad);
    for (const options of [{ verifyChecksums: true }, { verifyChecksums: true, threads: 2 }, { threads: 3 }] as ScanOptions[]) {
      for (const [selection, limit] of [["port 47000", 1], ["tcp", 6]] as const) expectSame(await bothWays(capture, selection, limit, options), `${selection} ${JSON.stringify(options)}`);
    }
    const [drawn] = (await bothWays(capture, "port 47000", 1, { verifyChecksums: true })).ladders;
    expect(drawn!.connection.anomalies).toMatchObject({ "bad-checksum": 1 });
  });

  it("past the analysis pool (more sides with segments in flight than its blocks): the same diagrams, more RTT samples", async () => {
    // As test/sdk/parallel/analysis-pool.test.ts: every client holds RING_INLINE + 2 segments in
    // flight at once. Tracking every flow spends the flow groups' blocks, the drawn flows alone do
    // not (docs/tcp-analysis.md), so the records drawn keep the ack-RTT samples a scan drops.
    const segments = RING_INLINE + 2, connections = DEFAULT_RING_BLOCKS + 200;
    const conversations = Array.from({ length: connections }, (_, n) => {
      const c = new Conversation({ client: `10.${n >> 8}.${n & 255}.1`, clientPort: 40000 + (n % 1000) });
      c.c({ flags: SYN, dt: 0 }).s({ flags: SYN | ACK, dt: 1 }).c({ flags: ACK, dt: 1 });
      for (let k = 0; k < segments; k++) c.c({ flags: ACK | PSH, payload: 100, dt: 1 });
      for (let k = 1; k <= segments; k++) c.s({ flags: ACK, ack: 1001 + 100 * k, dt: 1 });
      return c;
    });
    const capture = writePcap(merge(...conversations));
    const filter = compileFilter("net 10.16.0.0/16"); // the last 200 to begin, once 4 096 hold blocks
    const one = await onePass(capture, filter, {}, Infinity);
    const two = await captureLadders(capture, filter, {}, Infinity);
    expect(two.matched).toBe(200);
    expect(two.matched).toBe(one.matched);
    expect(two.ladders.map(renderLadder)).toEqual(one.ladders.map(renderLadder));
    const samples = (l: typeof one.ladders) => l.map((x) => x.connection.analysis.orig.ackRttUs.samples);
    const [oneSamples, twoSamples] = [samples(one.ladders), samples(two.ladders)];
    expect(twoSamples.every((n) => n === segments + 1)).toBe(true);
    expect(oneSamples.filter((n, k) => n < twoSamples[k]!).length).toBeGreaterThan(0);
    const strip = (l: typeof one.ladders) => l.map((x) => ({ ...x, connection: { ...x.connection, analysis: undefined } }));
    expect(strip(two.ladders)).toEqual(strip(one.ladders));
  }, 120_000);

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

  it("past its bound of packets kept, lets the latest-begun go to further passes: the same ladders, in id order", async () => {
    // 60 connections open at once, 40 packets each, interleaved (2 400 kept at the peak), under a
    // bound of 200, read 1 KiB at a time (small batches: the cut comes down while packets still
    // come): each pass draws a few and lets the rest go to the next; ladders held back, in memory
    // or in the temporary file (maxWaiting 1), are forgotten past the cut and drawn again.
    const conversations = Array.from({ length: 60 }, (_, k) => {
      const c = new Conversation({ clientPort: 43000 + k, start: 1_700_000_000 + k / 1000 }).c(SYN).s(SYN | ACK).c(ACK);
      for (let p = 0; p < 16 + (k % 7) * 3; p++) c.c({ flags: ACK | PSH, payload: 10, dt: 7 + (k % 5) }).s({ flags: ACK, dt: 1 });
      return k % 3 === 0 ? c.c(RST) : c.c(FIN | ACK).s(FIN | ACK).c(ACK);
    });
    const capture = writePcap(merge(...conversations));
    const filter = compileFilter("tcp");
    const one = await onePass(capture, filter, {}, Infinity);
    for (const [bound, maxWaiting] of [[200, 1], [1_000, 4], [100_000, 2]] as const) {
      const found = await findSelected([capture], filter, { chunkSize: 1024 }, Infinity);
      const ladders: ConnectionLadder[] = [];
      const progress: { bytesRead: number; pass?: number }[] = [];
      const { passes } = await drawSelected([capture], filter, { chunkSize: 1024, onProgress: (p) => progress.push(p) }, found, (l) => { ladders.push(l); }, maxWaiting, bound);
      expect(ladders.map(renderLadder), `bound ${bound}`).toEqual(one.ladders.map(renderLadder));
      expect(ladders, `bound ${bound}`).toEqual(one.ladders);
      if (bound === 100_000) expect(passes).toBe(1);
      else expect(passes, `bound ${bound}`).toBeGreaterThan(bound === 200 ? 5 : 1);
      // Each pass reports from 0 with its number, 2 and on (the scan that found them is pass 1).
      const starts = progress.filter((p) => p.bytesRead === 0).map((p) => p.pass);
      expect(starts, `bound ${bound}`).toEqual(Array.from({ length: passes }, (_, k) => k + 2));
      expect(progress.every((p, k) => k === 0 || p.pass! >= progress[k - 1]!.pass!)).toBe(true);
    }
  });

  it("in passes past its bound, the same connections end as in one pass where --max-connections bites", async () => {
    // Found by a review: a pass that stopped following the flows left past the cut kept their
    // connections as records, their FIN or RST unseen, and a shard's --max-connections (here 2 a
    // shard) then ended a drawn connection the scan of every flow did not (evicted, not fin-3).
    const T0 = 1_700_000_000;
    const probe = writePcap(merge(...Array.from({ length: 300 }, (_, k) => new Conversation({ clientPort: 44000 + k, start: T0 + k / 1000 }).c(SYN))));
    const seen = await findSelected([probe], compileFilter("tcp"), {}, Infinity);
    const byShard = new Map<number, number[]>();
    seen.ids.forEach((id, k) => { const s = virtualShard(seen.flowHashes[k]!); byShard.set(s, [...(byShard.get(s) ?? []), 44000 + id - 1]); });
    const [pX, pW, pL] = [...byShard.values()].find((ports) => ports.length >= 3)!;
    const x = new Conversation({ clientPort: pX, start: T0 }).c(SYN).s(SYN | ACK).c(ACK).c({ flags: ACK | PSH, payload: 10 }).s(ACK)
      .wait(60_000).c(FIN | ACK).s(FIN | ACK).c(ACK);
    const w = new Conversation({ clientPort: pW, start: T0 + 0.1 }).c(SYN).s(SYN | ACK).c(ACK).c(RST);
    const l = new Conversation({ clientPort: pL, start: T0 + 20 }).c(SYN).s(SYN | ACK).c(ACK);
    for (let p = 0; p < 60; p++) l.c({ flags: ACK | PSH, payload: 10, dt: 10 }).s({ flags: ACK, dt: 1 });
    l.c(FIN | ACK).s(FIN | ACK).c(ACK);
    const n = new Conversation({ clientPort: pW, start: T0 + 40, clientIsn: 90000 }).c(SYN).s(SYN | ACK).c(ACK)
      .c({ flags: ACK | PSH, payload: 10, dt: 1000 }).s(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
    const capture = writePcap(merge(x, w, l, n));
    const options: ScanOptions = { maxConnections: 128, chunkSize: 1024 }, filter = compileFilter("tcp");
    const one = await onePass(capture, filter, options, Infinity);
    expect(one.ladders[0]!.connection.teardown.kind).toBe("fin-3");
    const found = await findSelected([capture], filter, options, Infinity);
    for (const bound of [100_000, 50]) {
      const ladders: ConnectionLadder[] = [];
      const { passes } = await drawSelected([capture], filter, options, found, (ladder) => { ladders.push(ladder); }, 2, bound);
      expect(passes, `bound ${bound}`).toBe(bound === 50 ? 2 : 1);
      expect(ladders.map(renderLadder), `bound ${bound}`).toEqual(one.ladders.map(renderLadder));
    }
  });

  it("from a stream, in one pass, hands a ladder on while reading, once no connection that began before it can be drawn", async () => {
    const pieces = 20, fed = inPieces(closedThenBusy(44000, 6000), pieces);
    const handedAt: number[] = [];
    const count = await drawLadders(fed.stream(), compileFilter("tcp"), {}, Infinity, (l) => { handedAt.push(l.connection.orig.port === 44000 ? fed.given : -1); });
    expect(count).toMatchObject({ drawn: 2, matched: 2 });
    expect(handedAt[0]).toBeGreaterThan(0);
    expect(handedAt[0]).toBeLessThan(pieces); // the first, closed 5 s before the busy flow's packets, came before the input ended
  });

  it("from a stream, with ids pinned, stops reading once they have ended (a live capture's --ladder 42 ends by itself)", async () => {
    const pieces = 40, capture = closedThenBusy(44100, 20_000);
    const drawn: number[] = [];
    const both = inPieces(capture, pieces);
    const count = await drawLadders(both.stream(), compileFilter("id 1 or id 2"), {}, 5, (l) => { drawn.push(l.connection.id); });
    expect(drawn).toEqual([1]); // no connection begins at frame 2 (a SYN/ACK): the reading goes on to the end
    expect(count).toMatchObject({ drawn: 1, matched: 1 });
    expect(both.given).toBe(pieces); // id 2 never ends: read to the end
    const fed = inPieces(capture, pieces);
    const one = await drawLadders(fed.stream(), compileFilter("id 1"), {}, 5, (l) => { drawn.push(l.connection.id); });
    expect(one).toMatchObject({ drawn: 1, matched: 1 });
    expect(fed.given).toBeLessThan(pieces / 2);
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
    // A pinned id that ends unselected stops the reading too: nothing else can match.
    furthest = 0;
    const unselected = await captureLadders(file, compileFilter(`id ${first.connection.id} and port 81`), { onProgress }, 5);
    expect(unselected).toMatchObject({ ladders: [], matched: 0 });
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
