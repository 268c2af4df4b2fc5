// A shard tracker that keeps no timeline (WasmConnectionTracker.dropTimeline: the main thread's
// share, workers past the first) passes over the other shards' packets in a loop of its own
// (passOverRun in assembly/tracker/track.ts) that keeps only their latest and largest times. It
// must end the same connections, at the same times, as the same shard stepping the clock at each
// of those packets: on captures with packets dropped for their header, with checksums verified
// (the loop's other branch), with the clock going backwards, with timers falling due between
// its own packets, and on every corpus capture.

import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeInputs } from "../../../sdk/decoder/decode-inputs.js";
import { acquireScanMemory, releaseScanMemory } from "../../../sdk/wasm-memory.js";
import { WasmConnectionTracker } from "../../../sdk/connections/wasm-tracker.js";
import { buildConnectionRecord } from "../../../sdk/connections/connection-record.js";
import type { TrackerShard } from "../../../sdk/connections/shard-groups.js";
import type { ScanOptions } from "../../../sdk/index.js";
import { generateCapture } from "../../../bench/generate.js";
import { writePcap, type Frame } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";
import { capturesUnder, corpusDir } from "../../helpers/decode.js";

const dir = mkdtempSync(join(tmpdir(), "pass-over-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { SYN, ACK, FIN, RST } = F;

interface ShardRun {
  lines: string[];
  maxGapSec: number;
  backwardsSteps: number;
}

// Decodes `file` and tracks it in place with one shard tracker, as a scan's threads do.
async function trackShard(file: string, options: ScanOptions, shard: TrackerShard | undefined, timeline: boolean): Promise<ShardRun> {
  const memory = acquireScanMemory();
  const lines: string[] = [];
  try {
    const tracker = new WasmConnectionTracker({ ...options, shard }, (store, slot) => {
      lines.push(JSON.stringify(buildConnectionRecord(store, slot)));
    }, null, memory);
    if (!timeline) tracker.dropTimeline();
    for await (const { batch, packetBase } of decodeInputs([file], options, [], { memory, outputSlot: () => 0, fill: true })) {
      tracker.packetBase = packetBase;
      tracker.processInPlace(batch.u8.byteOffset, batch.count, batch.latestSec, batch.latestNsec, batch.tunnels?.byteOffset ?? 0);
    }
    tracker.finish();
    return { lines, maxGapSec: tracker.maxGapSec, backwardsSteps: tracker.backwardsSteps };
  } finally {
    releaseScanMemory(memory);
  }
}

const SHARDS: TrackerShard[] = [
  { index: 0, count: 2 }, { index: 1, count: 2 },
  { index: 1, count: 2, weights: [0.75, 0.25] }, // the main thread's quarter at two threads
  { index: 0, count: 4 }, { index: 3, count: 4 },
];

// Every shard, with and without its timeline: the same connections; the timeline kept is the
// whole capture's, the one dropped is NaN.
async function expectSameWithoutTimeline(file: string, options: ScanOptions = {}): Promise<number> {
  const whole = await trackShard(file, options, undefined, true);
  let connections = 0;
  for (const shard of SHARDS) {
    const kept = await trackShard(file, options, shard, true);
    const dropped = await trackShard(file, options, shard, false);
    const what = `${file} ${JSON.stringify(options)} shard ${JSON.stringify(shard)}`;
    expect(dropped.lines.length, what).toBe(kept.lines.length);
    for (let k = 0; k < kept.lines.length; k++) expect(dropped.lines[k], `${what}, connection #${k}`).toBe(kept.lines[k]);
    expect(kept.maxGapSec, what).toBe(whole.maxGapSec);
    expect(kept.backwardsSteps, what).toBe(whole.backwardsSteps);
    expect(dropped.maxGapSec, what).toBeNaN();
    expect(dropped.backwardsSteps, what).toBeNaN();
    connections += kept.lines.length;
  }
  return connections;
}

// Conversations whose timers fall due between packets of other flows: attempts left
// unanswered, closes waited out, one connection's clock running backwards, and packets every
// tracker drops for their header (a data offset under 20 bytes).
function timerCapture(): Frame[] {
  const flows: Conversation[] = [];
  for (let k = 0; k < 40; k++) {
    const c = new Conversation({ start: 1_700_000_000 + k * 0.7, clientPort: 40_000 + k });
    if (k % 4 === 0) c.c(SYN).wait(400).c(SYN); // unanswered: its attempt timer ends it
    else if (k % 4 === 1) c.c(SYN).s(SYN | ACK).c(ACK).c(ACK, 100).s(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
    else if (k % 4 === 2) c.c(SYN).s(RST | ACK);
    else c.c(SYN).s(SYN | ACK).c(ACK).wait(9000).c(ACK, 10).s(ACK);
    flows.push(c);
  }
  const frames = merge(...flows);
  // A frame from the past in the middle (the clock steps back), and headers that cannot be read.
  frames.splice(30, 0, { ...frames[3]!, sec: frames[3]!.sec! - 5 });
  for (const at of [0, 17, 55, 90]) frames.splice(at, 0, badHeaderCopy(frames[at]!));
  return frames;
}

// Packets of other flows later than a tracker's next own packet (the clock steps back): the
// timers due by the later time fire first, and the clock's "now" is the later time. Pairs of
// flows, most of which fall in different shards: A's SYN, B's SYN 10 s later, then A's SYN
// again at +3 s, which finds A ended by its attempt timer (5 s) only if B's time was kept, and
// starts a connection whose attempt ends 5 s after "now" (+15 s, not +8): the server's SYN-ACK at
// +12 s joins it.
function laterForeignCapture(): Frame[] {
  const frames: Frame[] = [];
  for (let k = 0; k < 24; k++) {
    const t0 = 1_700_000_000 + k * 20;
    const a = new Conversation({ start: t0, clientPort: 41_000 + k }).c(SYN).wait(2990).c(SYN).wait(8990).s(SYN | ACK);
    const b = new Conversation({ start: t0 + 10, client: `10.0.1.${k + 1}`, clientPort: 42_000 + k }).c(SYN);
    frames.push(a.frames[0]!, b.frames[0]!, a.frames[1]!, a.frames[2]!);
  }
  return frames;
}

// The same frame with a TCP data offset of 4 (16 bytes): decoded, then dropped by the tracker.
function badHeaderCopy(frame: Frame): Frame {
  const data = Uint8Array.from(frame.data);
  const tcp = 14 + (data[14]! & 0x0f) * 4;
  data[tcp + 12] = (4 << 4) | (data[tcp + 12]! & 0x0f);
  return { ...frame, data };
}

describe("a shard without its timeline passes over the others' packets", () => {
  it("ending the same connections as with it, timers, dropped headers and a clock going back included", async () => {
    const file = join(dir, "timers.pcap");
    writeFileSync(file, writePcap(timerCapture()));
    expect(await expectSameWithoutTimeline(file)).toBeGreaterThan(0);
    expect(await expectSameWithoutTimeline(file, { verifyChecksums: true })).toBeGreaterThan(0);
  });

  it("firing the timers due by a later packet of another shard before its own earlier one, its time the clock's now", async () => {
    const file = join(dir, "later-foreign.pcap");
    writeFileSync(file, writePcap(laterForeignCapture()));
    expect(await expectSameWithoutTimeline(file)).toBeGreaterThan(0);
  });

  it("on generated short connections at a small snaplen, checksums verified or not", async () => {
    const file = join(dir, "short.pcap");
    generateCapture(file, { bytes: 3e6, snaplen: 96, seed: 23, mix: "short" });
    expect(await expectSameWithoutTimeline(file)).toBeGreaterThan(500);
    // The generator's checksums do not verify: most packets are then dropped.
    await expectSameWithoutTimeline(file, { verifyChecksums: true });
  }, 120_000);

  const corpus = corpusDir();
  it.skipIf(!corpus)("on every corpus capture", async () => {
    const files = capturesUnder(corpus!);
    expect(files.length).toBeGreaterThan(100);
    for (const file of files) await expectSameWithoutTimeline(file);
  }, 600_000);
});
