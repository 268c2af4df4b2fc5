// An ACK that covers a side's whole ring of unacknowledged segments while they are in order:
// the WebAssembly engine takes them all out without looking at each (segments.ts acknowledge),
// and its RTT sample must still be the one the rules give: from the oldest transmission of
// the segment the ACK ends at, across sequence numbers that wrap. Both engines, the same results.

import { describe, it, expect, beforeAll } from "vitest";
import { typescriptEngine, wasmEngine, wasmModule, type AnalysisEngine } from "../../../helpers/analysis-engines.js";

const SYN = 0x02, ACK = 0x10;

beforeAll(() => { wasmModule(); }, 120_000);

type Packet = [side: number, t: number, seq: number, ack: number, flags: number, payload: number];

// The packets into slot 0; returns the verdicts.
function run(engine: AnalysisEngine, packets: Packet[]): number[] {
  engine.reset(0);
  return packets.map(([side, t, seq, ack, flags, payload]) => engine.packet(0, side, t, seq >>> 0, ack >>> 0, flags, 65535, -1, payload));
}

// The packets through both engines, which must give the same verdicts and results; the results.
function bothEngines(packets: Packet[]) {
  const engines = [typescriptEngine(), wasmEngine()];
  const verdicts = engines.map((e) => run(e, packets));
  expect(verdicts[1]).toEqual(verdicts[0]);
  const [ts, wasm] = engines.map((e) => e.read(0));
  expect(wasm).toStrictEqual(ts);
  return ts!;
}

describe("TCP analysis: an ACK covering the whole ring in order", () => {
  it("samples from the oldest of the entries ending at the ACK (a SYN sent twice)", () => {
    const packets: Packet[] = [
      [0, 0, 1000, 0, SYN, 0],
      [0, 0.5, 1000, 0, SYN, 0], // the same end again: the ring stays in order
      [1, 2, 7000, 1001, SYN | ACK, 0],
    ];
    const ts = bothEngines(packets);
    expect(ts.sides[0].ackRttUs.samples).toBe(1);
    expect(ts.sides[0].ackRttUs.max).toBe(2_000_000); // from the first SYN, not the second (1.5 s)
  });

  it("covers entries whose ends wrap past 2^32", () => {
    const isn = 0xfffffeff;
    const packets: Packet[] = [
      [0, 0, isn, 0, SYN, 0],
      [1, 0.01, 5000, isn + 1, SYN | ACK, 0],
      [0, 0.02, isn + 1, 5001, ACK, 0],
      [0, 0.03, isn + 1, 5001, ACK, 0x80], //  ends at 0xffffff80
      [0, 0.04, isn + 1 + 0x80, 5001, ACK, 0x100], // ends at 0x80, past the wrap
      [0, 0.045, isn + 1 + 0x180, 5001, ACK, 0x10], // ends at 0x90
      [1, 0.05, 5001, isn + 1 + 0x190, ACK, 0], // all three covered, the newest exactly
    ];
    const ts = bothEngines(packets);
    // The SYN's sample (10 ms) and the last segment's (5 ms), none from the two before it.
    expect(ts.sides[0].ackRttUs.samples).toBe(2);
    expect(ts.sides[0].ackRttUs.min).toBeCloseTo(5000, 3);
    expect(ts.sides[0].ackRttUs.max).toBeCloseTo(10000, 3);
  });
});
