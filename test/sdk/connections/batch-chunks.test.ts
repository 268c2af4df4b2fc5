// A decoded batch holds up to 4 096 records plus the subframes of one last 802.11 A-MSDU frame
// (4 160), more than the WebAssembly tracker's records area (4 096): a tracker on a memory of its
// own (processBatch: the main thread's share at two threads, the SDK's copies) takes such a batch
// in two chunks, each copied in with its tunnel records only when one of its records came
// through a tunnel (anyTunnelled). Here the tunnelled records are all in the second chunk, and
// the connections must be those the tracker reading the decoder's memory in place makes.

import { describe, it, expect } from "vitest";
import { writePcap } from "../../helpers/capture-writer.js";
import { ethernet, tcpIp, F } from "../../helpers/packets.js";
import { outerIp, gre, amsdu } from "../../helpers/tunnels.js";
import { GroupingTracker } from "../../../sdk/connections/track.js";
import { decodeInputs } from "../../../sdk/decoder/decode-inputs.js";
import { acquireScanMemory, releaseScanMemory } from "../../../sdk/wasm-memory.js";
import type { ConnectionRecord } from "../../../sdk/index.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const OUTER = { src: "192.0.2.1", dst: "192.0.2.2" };
const aruba = (ips: Uint8Array[]) => ethernet(outerIp(OUTER, 47, gre(0x8200, amsdu(ips))));
const syn = (sport: number) => tcpIp({ flags: F.SYN, sport, dport: 80 });

async function connections(path: string, inPlace: boolean): Promise<ConnectionRecord[]> {
  const memory = acquireScanMemory();
  try {
    const tracker = new GroupingTracker({}, inPlace ? memory : undefined);
    const out: ConnectionRecord[] = [];
    const placement = { memory, outputSlot: () => 0, fill: true };
    let batches = 0, largest = 0;
    for await (const { batch, packetBase } of decodeInputs([path], {}, [], placement)) {
      batches++;
      largest = Math.max(largest, batch.count);
      tracker.tracker.packetBase = packetBase;
      for (const group of tracker.process(batch)) out.push(...group.records);
    }
    for (const group of tracker.finishAll()) out.push(...group.records);
    expect(largest).toBeGreaterThan(4096); // the case: one batch past the records area
    expect(batches).toBeGreaterThan(0);
    return out;
  } finally {
    releaseScanMemory(memory);
  }
}

describe("a batch past the tracker's records area", () => {
  it("its second chunk's tunnelled records keep their tunnels when the batch is copied in", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-chunks-"));
    try {
      // 4 095 plain SYNs, then one frame of 60 tunnelled ones: records 4 095-4 154 of one batch.
      const plain = Array.from({ length: 4095 }, (_, k) => ({ data: ethernet(syn(10000 + k)) }));
      const tunnelled = { data: aruba(Array.from({ length: 60 }, (_, k) => syn(2000 + k))) };
      const path = join(dir, "chunks.pcap");
      writeFileSync(path, writePcap([...plain, tunnelled]));
      const copied = await connections(path, false);
      const inPlace = await connections(path, true);
      expect(copied).toHaveLength(4095 + 60);
      expect(copied).toEqual(inPlace);
      const ofFrame = copied.filter((c) => c.orig.port >= 2000 && c.orig.port < 2060);
      expect(ofFrame).toHaveLength(60);
      for (const c of ofFrame) {
        expect(c.tunnel?.chain, String(c.orig.port)).toEqual([{ type: "gre", src: OUTER.src, dst: OUTER.dst, sport: 0, dport: 0 }]);
      }
      for (const c of copied.filter((c) => c.orig.port >= 10000)) expect(c.tunnel).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
