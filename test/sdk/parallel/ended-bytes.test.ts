import { describe, it, expect } from "vitest";
import { EndedBytesWriter, endedRecords } from "../../../sdk/parallel/ended-bytes.js";
import { CONN_SIZE, C_HISTORY_MORE, C_ID, C_TUNNEL_CHAIN } from "../../../assembly/connection-layout.js";

// A stand-in for the tracker's memory: connection `id` at `at`, with `more` history bytes and
// `chain` tunnel chain bytes stored elsewhere in the same memory when more than 0.
function trackerMemory(connections: { id: number; more: number; chain?: number }[]) {
  const bytes = new Uint8Array(1 << 16), view = new DataView(bytes.buffer);
  const at: number[] = [];
  let free = 0;
  for (const c of connections) {
    const conn = free;
    at.push(conn);
    view.setFloat64(conn + C_ID, c.id, true);
    const history = conn + CONN_SIZE;
    free += CONN_SIZE;
    if (c.more > 0) {
      view.setUint32(conn + C_HISTORY_MORE, history, true);
      view.setUint32(history, c.more, true);
      for (let k = 0; k < c.more; k++) bytes[history + 8 + k] = 65 + (k % 26);
      free += (8 + c.more + 7) & ~7;
    }
    if (c.chain) {
      const chain = free;
      view.setUint32(conn + C_TUNNEL_CHAIN, chain, true);
      view.setUint32(chain, c.chain, true);
      bytes.fill(c.id, chain + 8, chain + 8 + c.chain);
      free += 8 + c.chain;
    }
  }
  return { bytes, view, at };
}

describe("EndedBytesWriter", () => {
  const connections = [{ id: 1, more: 0 }, { id: 2, more: 13, chain: 48 }, { id: 3, more: 0, chain: 96 }, { id: 4, more: 200 }];
  const memory = trackerMemory(connections);

  it("copies each connection with its history bytes, pointing into the copy", () => {
    const out = new EndedBytesWriter();
    for (const at of memory.at) out.add(memory.bytes, memory.view, at);
    expect(out.count).toBe(4);
    const { buffer, length } = out.take();
    const view = new DataView(buffer, 0, length);
    const offsets = endedRecords(view, 0, 4);
    expect(offsets.map((o) => view.getFloat64(o + C_ID, true))).toEqual([1, 2, 3, 4]);
    const more = view.getUint32(offsets[3]! + C_HISTORY_MORE, true);
    expect(more).toBe(offsets[3]! + CONN_SIZE);
    expect(view.getUint32(more, true)).toBe(200);
    expect(new Uint8Array(buffer, more + 8, 3)).toEqual(new Uint8Array([65, 66, 67]));
    expect(out.count).toBe(0);
    // The tunnel chains follow, after the history bytes when there are both.
    const chain2 = view.getUint32(offsets[1]! + C_TUNNEL_CHAIN, true), chain3 = view.getUint32(offsets[2]! + C_TUNNEL_CHAIN, true);
    expect(chain2).toBe(offsets[1]! + CONN_SIZE + 24);
    expect(chain3).toBe(offsets[2]! + CONN_SIZE);
    expect([view.getUint32(chain2, true), view.getUint32(chain3, true)]).toEqual([48, 96]);
    expect(new Uint8Array(buffer, chain2 + 8, 48).every((b) => b === 2)).toBe(true);
    expect(new Uint8Array(buffer, chain3 + 8, 96).every((b) => b === 3)).toBe(true);
    expect(view.getUint32(offsets[0]! + C_TUNNEL_CHAIN, true)).toBe(0);
  });

  it("goes on in a spare buffer after take(), or a new one when there is none", () => {
    const spare = new ArrayBuffer(8 * CONN_SIZE);
    const spares = [spare];
    const out = new EndedBytesWriter(() => spares.pop());
    out.add(memory.bytes, memory.view, memory.at[0]!);
    const first = out.take().buffer;
    out.add(memory.bytes, memory.view, memory.at[2]!);
    const second = out.take();
    expect(second.buffer).toBe(spare);
    expect(second.buffer).not.toBe(first);
    expect(new DataView(second.buffer).getFloat64(C_ID, true)).toBe(3);
    out.add(memory.bytes, memory.view, memory.at[0]!);
    expect(out.take().buffer).not.toBe(spare); // the spares ran out: a new buffer
  });
});
