import { describe, it, expect } from "vitest";
import { ANOMALY_RAW_WORDS, ConnectionStore, KEY_WORDS } from "../../../sdk/connections/connection-store.js";
import { ANOMALY_ONE_SIDED, ANOMALY_SNAPLEN_TRUNCATED, ANOMALY_ZERO_WINDOW } from "../../../assembly/connection-layout.js";
import { TUNNEL_MAX_PARENTS } from "../../../assembly/connection-layout.js";
import { ANALYSIS_SIZE, A_COUNTS, COUNTS, COUNTS_STRIDE, A_RTT, RTT_STRIDE, R_SAMPLES, R_SUM, R_MIN, R_MAX } from "../../../assembly/analysis-layout.js";
import { newSideFigures, rawSideFigures, sideFigures } from "../../../sdk/connections/analysis/analysis-result.js";

// The per-slot columns; the raw analysis blocks (sized for the unpacked slots on first use, and
// their view) are tested on their own below.
function columns(s: ConnectionStore): [string, ArrayLike<number> & { length: number }][] {
  return Object.entries(s).filter(([name, v]) => ArrayBuffer.isView(v) && !name.startsWith("analysis")) as [string, Uint32Array][];
}

describe("ConnectionStore", () => {
  it("hands out a cleared slot every time, whatever the previous connection left", () => {
    const s = new ConnectionStore(4);
    const slot = s.allocate();
    for (const [name, column] of columns(s)) {
      const width = column.length / s.capacity;
      for (let k = 0; k < width; k++) (column as Uint32Array)[slot * width + k] = name === "windowScale" ? 7 : 3;
    }
    s.history[slot] = "ShAD";
    s.release(slot);
    const again = s.allocate();
    expect(again).toBe(slot);
    for (const [name, column] of columns(s)) {
      if (name === "generation") continue;
      const width = column.length / s.capacity;
      const values = Array.from({ length: width }, (_, k) => (column as Uint32Array)[again * width + k]);
      const expected = name === "windowScale" ? [0xff, 0xff] : name === "tfoCookieLen" ? [-1, -1] : name === "handshakeAckTime" ? [-1] : values.map(() => 0);
      if (name === "inUse") expect(values, name).toEqual([1]);
      else expect(values, name).toEqual(expected);
    }
    expect(s.history[again]).toBe("");
  });

  it("keeps a connection's raw analysis block, makes its results from it once asked, and forgets it with the slot", () => {
    // A block as the WebAssembly engine leaves it, 8 bytes into its buffer: side 0 has two
    // ack-RTT samples summing 0.005 s, side 1 three summing 0.0001 s.
    const block = new DataView(new ArrayBuffer(8 + ANALYSIS_SIZE));
    block.setUint32(8 + A_RTT + R_SAMPLES, 2, true);
    block.setFloat64(8 + A_RTT + R_SUM, 0.005, true);
    block.setFloat64(8 + A_RTT + R_MIN, 0.002, true);
    block.setFloat64(8 + A_RTT + R_MAX, 0.003, true);
    // Every count of both sides distinct, so that a figure read from the wrong place shows.
    for (let k = 0; k < 2; k++) for (let i = 0; i < COUNTS; i++) block.setUint32(8 + A_COUNTS + k * COUNTS_STRIDE + i * 4, 100 * k + i + 1, true);
    block.setUint32(8 + A_RTT + RTT_STRIDE + R_SAMPLES, 3, true);
    block.setFloat64(8 + A_RTT + RTT_STRIDE + R_SUM, 0.0001, true);
    const s = new ConnectionStore(2);
    const slots = Array.from({ length: 3 }, () => s.allocate()); // grown to 4 slots
    s.setRawAnalysis(slots[2]!, block, 8);
    expect(s.rawAnalysisAt(slots[0]!)).toBe(-1);
    const raw = newSideFigures(), fromObjects = newSideFigures();
    rawSideFigures(s.rawAnalysisView, s.rawAnalysisAt(slots[2]!), 0, raw);
    // retransmission, lostSegment, ackedUnseen and zeroWindow are counts 0, 5, 6 and 7 (COUNT_NAMES)
    expect(raw).toEqual({ retransmissions: 1, zeroWindows: 8, ackedUnseen: 7, lostSegments: 6, rttSamples: 2, rttMeanUs: 2500 });
    const made = s.analysisAt(slots[2]!)!;
    for (const k of [0, 1]) {
      rawSideFigures(s.rawAnalysisView, s.rawAnalysisAt(slots[2]!), k, raw);
      sideFigures(made.sides[k], fromObjects);
      expect(raw, `side ${k}`).toEqual(fromObjects);
    }
    expect(raw).toEqual({ retransmissions: 101, zeroWindows: 108, ackedUnseen: 107, lostSegments: 106, rttSamples: 3, rttMeanUs: 33.333 });
    expect(s.analysisAt(slots[2]!)).toBe(made); // made once
    s.allocate(); s.allocate(); // grown again: the block stays
    expect(s.analysisAt(slots[2]!)!.sides[1].retransmission).toBe(101);
    s.release(slots[2]!);
    expect([s.rawAnalysisAt(slots[2]!), s.analysisAt(slots[2]!)]).toEqual([-1, undefined]);
  });

  it("grows every column together and keeps what it held", () => {
    const s = new ConnectionStore(2);
    const slots = Array.from({ length: 9 }, () => s.allocate());
    slots.forEach((slot) => { s.id[slot] = slot * 10; s.key[slot * KEY_WORDS + 9] = slot; s.pkts[slot * 2 + 1] = slot; });
    expect(s.capacity).toBe(16);
    for (const [name, column] of columns(s)) {
      const width = name === "key" ? KEY_WORDS : column.length / s.capacity;
      expect([1, 2, KEY_WORDS, TUNNEL_MAX_PARENTS, ANOMALY_RAW_WORDS], name).toContain(width);
      expect(column.length, name).toBe(s.capacity * width);
    }
    slots.forEach((slot) => {
      expect(s.id[slot]).toBe(slot * 10);
      expect(s.key[slot * KEY_WORDS + 9]).toBe(slot);
      expect(s.pkts[slot * 2 + 1]).toBe(slot);
    });
  });

  it("reads an unpacked connection's anomalies from its raw words, in the order they first appeared, or the tracker's Map", () => {
    const s = new ConnectionStore(2);
    const slot = s.allocate(), other = s.allocate();
    expect([s.anomalyCountsAt(slot), s.anomalyCountOf(slot, ANOMALY_ONE_SIDED)]).toEqual([undefined, 0]);
    // Snaplen-truncated (index 11) first, then one-sided (10): fields of index + 1, lowest first.
    const at = slot * ANOMALY_RAW_WORDS;
    s.anomalyRaw[at] = (ANOMALY_SNAPLEN_TRUNCATED + 1) | ((ANOMALY_ONE_SIDED + 1) << 4);
    s.anomalyRaw[at + 2 + ANOMALY_SNAPLEN_TRUNCATED] = 5;
    s.anomalyRaw[at + 2 + ANOMALY_ONE_SIDED] = 2;
    expect([...s.anomalyCountsAt(slot)!]).toEqual([["snaplen-truncated", 5], ["one-sided", 2]]);
    expect([s.anomalyCountOf(slot, ANOMALY_ONE_SIDED), s.anomalyCountOf(slot, 0)]).toEqual([2, 0]);
    // The TypeScript tracker's Map, where it counted.
    s.anomalyCounts[other] = new Map([["zero-window", 3]]);
    expect([s.anomalyCountsAt(other)!.get("zero-window"), s.anomalyCountOf(other, ANOMALY_ZERO_WINDOW)]).toEqual([3, 3]);
    s.release(slot);
    expect(s.anomalyCountsAt(s.allocate())).toBeUndefined();
  });

  it("copies a raw analysis block byte for byte from any view: offset, unaligned, or over a buffer that grew", () => {
    // A growable SharedArrayBuffer (Node 20 has them; this project's TypeScript lib does not say so).
    type Growable = SharedArrayBuffer & { grow(bytes: number): void };
    const Growable = SharedArrayBuffer as unknown as new (bytes: number, options: { maxByteLength: number }) => Growable;
    const source = new Growable(4 * ANALYSIS_SIZE, { maxByteLength: 16 * ANALYSIS_SIZE });
    const bytes = new Uint8Array(source);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 3) & 255;
    const s = new ConnectionStore(2);
    const slot = s.allocate();
    const expectCopied = (view: DataView, at: number) => {
      s.setRawAnalysis(slot, view, at);
      const from = view.byteOffset + at;
      const copied = new Uint8Array(s.rawAnalysisView.buffer, s.rawAnalysisAt(slot), ANALYSIS_SIZE);
      expect([...copied], `offset ${view.byteOffset} at ${at}`).toEqual([...new Uint8Array(source, from, ANALYSIS_SIZE)]);
    };
    for (const offset of [0, 4, 6]) for (const at of [0, 8, 13]) expectCopied(new DataView(source, offset), at);
    // The same length-tracking view after its buffer grew: blocks past the old end.
    const view = new DataView(source);
    expectCopied(view, 0);
    source.grow(8 * ANALYSIS_SIZE);
    new Uint8Array(source).fill(9, 4 * ANALYSIS_SIZE);
    expectCopied(view, 6 * ANALYSIS_SIZE);
  });
});
