// The TCP analysis keeps a side's unacknowledged segments for ack-RTT matching: RING_INLINE in
// the side's own state, more in a block borrowed from a pool. The sides of one flow group (the
// unit the threads' trackers share the flows by) hold at most RING_GROUP_BLOCKS blocks at once,
// so whether a side gets one depends only on its group: the same samples at any thread count.
// (With one pool of 1 024 blocks per tracker, the 1 025th such side of one thread got none while
// two tracking workers had room for it: an audit's fuzzing found the outputs differ.)

import { describe, it, expect } from "vitest";
import { scan } from "../../../sdk/index.js";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RING_INLINE, RING_BLOCK, RING_ENTRY, DEFAULT_RING_BLOCKS, RING_GROUPS, RING_GROUP_BLOCKS } from "../../../assembly/analysis-layout.js";
import { readDoc } from "../../helpers/doc-section.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";

const SEGMENTS = RING_INLINE + 2; // in flight at once: each side needs a pool block
const CONNECTIONS = DEFAULT_RING_BLOCKS + 200; // more such sides at once than the groups have blocks
// Small records (under 160 bytes): the command's main thread tracks a share of the groups at two threads.
const PAYLOAD = 40;
const BIN = fileURLToPath(new URL("../../../dist/cli/bin.cjs", import.meta.url));

// Every connection's client sends SEGMENTS segments, all connections' in step, and the server
// then acknowledges them one by one: a sample per segment while the client side holds a block.
function capture(): Uint8Array {
  const conversations: Conversation[] = [];
  for (let n = 0; n < CONNECTIONS; n++) {
    const c = new Conversation({ client: `10.${n >> 8}.${n & 255}.1`, clientPort: 40000 + (n % 1000) });
    c.c({ flags: F.SYN, dt: 0 }).s({ flags: F.SYN | F.ACK, dt: 1 }).c({ flags: F.ACK, dt: 1 });
    for (let k = 0; k < SEGMENTS; k++) c.c({ flags: F.ACK | F.PSH, payload: PAYLOAD, dt: 1 });
    for (let k = 1; k <= SEGMENTS; k++) c.s({ flags: F.ACK, ack: 1001 + PAYLOAD * k, dt: 1 });
    conversations.push(c);
  }
  return writePcap(merge(...conversations));
}

const samples = (result: Awaited<ReturnType<typeof scan>>) =>
  result.connections.reduce((n, c) => n + c.analysis.orig.ackRttUs.samples, 0);

describe("the analysis pool of unacknowledged segments", () => {
  it("is what docs/tcp-analysis.md says: its blocks by default, per flow group, and their memory", () => {
    const doc = readDoc("docs/tcp-analysis.md").replace(/\s+/g, " ");
    const spaced = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, " ");
    const mib = (DEFAULT_RING_BLOCKS * RING_BLOCK * RING_ENTRY) / (1 << 20);
    expect(doc).toContain(`a block of ${RING_BLOCK} entries (${spaced(DEFAULT_RING_BLOCKS)} blocks by default, ${RING_GROUP_BLOCKS} a flow group: ${mib} MiB)`);
    expect(doc).toContain(`of its ${spaced(DEFAULT_RING_BLOCKS)} blocks`);
  });

  it("is shared by flow group: the same samples at one thread, two (the command's share) and three, some lost past a group's blocks", async () => {
    expect(DEFAULT_RING_BLOCKS).toBe(RING_GROUPS * RING_GROUP_BLOCKS);
    const input = capture();
    const one = await scan(input, { threads: 1 });
    const three = await scan(input, { threads: 3 }); // two tracking workers
    expect(one.connections).toHaveLength(CONNECTIONS);
    expect(three.connections).toEqual(one.connections);
    // Groups past their blocks lose the samples of segments past the inline ring; the others keep all.
    const short = CONNECTIONS * (SEGMENTS + 1) - samples(one);
    expect(short).toBeGreaterThan(0);
    expect(short % (SEGMENTS - RING_INLINE)).toBe(0);
    // The command at one and two threads (the main thread tracking a share of the groups).
    const file = join(mkdtempSync(join(tmpdir(), "ths-pool-")), "pool.pcap");
    writeFileSync(file, input);
    const lines = (threads: string) => spawnSync(process.execPath, [BIN, "-q", "--format", "ndjson", "--threads", threads, file], { encoding: "utf8", maxBuffer: 1 << 30 }).stdout;
    const t1 = lines("1");
    expect(t1.trim().split("\n")).toHaveLength(CONNECTIONS);
    expect(lines("2")).toBe(t1);
  }, 120_000);
});
