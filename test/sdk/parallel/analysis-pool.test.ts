// The TCP analysis keeps a side's unacknowledged segments for ack-RTT matching: RING_INLINE in
// the side's own state, more in a block borrowed from a pool of DEFAULT_RING_BLOCKS. The pool is
// the tracker's, not a virtual shard's: each tracking worker has its own, so whether it runs out
// depends on --threads (docs/tcp-analysis.md, "the pool exhausted"). This holds the documented
// exception to "the same output for any thread count" to what it says.

import { describe, it, expect } from "vitest";
import { scan } from "../../../sdk/index.js";
import { RING_INLINE, DEFAULT_RING_BLOCKS } from "../../../assembly/analysis-layout.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";

const SEGMENTS = RING_INLINE + 2; // in flight at once: each side needs a pool block
const CONNECTIONS = DEFAULT_RING_BLOCKS + 200; // more such sides at once than one pool has blocks

// Every connection's client sends SEGMENTS segments, all connections' in step, and the server
// then acknowledges them one by one: a sample per segment while the client side holds a block.
function capture(): Uint8Array {
  const conversations: Conversation[] = [];
  for (let n = 0; n < CONNECTIONS; n++) {
    const c = new Conversation({ client: `10.${n >> 8}.${n & 255}.1`, clientPort: 40000 + (n % 1000) });
    c.c({ flags: F.SYN, dt: 0 }).s({ flags: F.SYN | F.ACK, dt: 1 }).c({ flags: F.ACK, dt: 1 });
    for (let k = 0; k < SEGMENTS; k++) c.c({ flags: F.ACK | F.PSH, payload: 100, dt: 1 });
    for (let k = 1; k <= SEGMENTS; k++) c.s({ flags: F.ACK, ack: 1001 + 100 * k, dt: 1 });
    conversations.push(c);
  }
  return writePcap(merge(...conversations));
}

const samples = (result: Awaited<ReturnType<typeof scan>>) =>
  result.connections.reduce((n, c) => n + c.analysis.orig.ackRttUs.samples, 0);

describe("the analysis pool of unacknowledged segments", () => {
  it("is each tracker's: one thread runs out where two tracking workers do not", async () => {
    const input = capture();
    const one = await scan(input, { threads: 1 });
    const three = await scan(input, { threads: 3 }); // two tracking workers, two pools
    expect(one.connections).toHaveLength(CONNECTIONS);
    expect(three.connections).toHaveLength(CONNECTIONS);
    // Two pools hold every side's segments: a sample for each, and the SYN's.
    expect(samples(three)).toBe(CONNECTIONS * (SEGMENTS + 1));
    // One pool runs out: the sides past its blocks lose the samples of segments past the inline ring.
    const short = samples(three) - samples(one);
    expect(short).toBeGreaterThan(0);
    expect(short).toBeLessThanOrEqual((CONNECTIONS - DEFAULT_RING_BLOCKS) * (SEGMENTS - RING_INLINE));
    // Everything else is the same.
    const strip = (r: typeof one) => r.connections.map((c) => ({ ...c, analysis: undefined }));
    expect(strip(three)).toEqual(strip(one));
  }, 60_000);
});
