// The pending FIFO's sequence numbers run past the 28 bits the flow index keeps of them (after
// 268 M one-packet connections): a pending connection's second packet, found through the flow
// index, must still end it as the FIFO's head, so that the head is looked for again. The same
// capture, its numbers started there (startPendingAt, a test export), gives what it gives from 0.

import { describe, it, expect } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeCapture } from "../../../sdk/index.js";
import { WasmConnectionTracker } from "../../../sdk/connections/wasm-tracker.js";
import { buildConnectionRecord } from "../../../sdk/connections/connection-record.js";
import { writeFlood } from "../../../bench/flood.js";

async function track(path: string, firstSeq: number): Promise<string[]> {
  const out: string[] = [];
  const tracker = new WasmConnectionTracker({}, (store, slot) => { out.push(JSON.stringify(buildConnectionRecord(store, slot))); });
  if (firstSeq > 0) tracker.wasm.startPendingAt(firstSeq);
  for await (const batch of decodeCapture(path)) tracker.processBatch(batch);
  tracker.finish();
  return out;
}

describe("the pending FIFO's numbers past the flow index's 28 bits", () => {
  it("a pending connection's second packet ends it as the head: every connection once, as numbered from 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-pending-numbers-"));
    try {
      const path = join(dir, "pairs.pcap");
      // 20 s of SYNs, each flow's sent twice: the second finds the first pending, as the head.
      writeFlood(path, 8_000, 400, 0x02, 2);
      const fromZero = await track(path, 0);
      expect(fromZero).toHaveLength(8_000); // the second SYN's sequence number differs: an attempt of its own
      expect(await track(path, 2 ** 28)).toEqual(fromZero);
      expect(await track(path, 2 ** 28 + 2 ** 27)).toEqual(fromZero);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
