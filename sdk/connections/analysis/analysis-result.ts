// What the TCP analysis says about one connection, per side: Wireshark's verdict counts, the
// ack-RTT of the side's segments, retransmitted bytes, gaps and the time to its first payload
// byte. Read from the TypeScript engine's columns (readAnalysis) or from a WebAssembly engine's
// block (unpackAnalysis, layout: assembly/analysis-layout.ts); both go through one builder.

import * as A from "../../../assembly/analysis-layout.js";
import type { AnalysisState } from "./analysis-state.js";
import { QUANTILE_HEIGHTS } from "./analysis-state.js";
import { quantileValue } from "./rtt-quantiles.js";

/** The counts, in the order of the verdict bits (V_* in assembly/analysis-layout.ts). */
export const COUNT_NAMES = [
  "retransmission", "fastRetransmission", "spuriousRetransmission", "outOfOrder", "dupAck", "lostSegment",
  "ackedUnseen", "zeroWindow", "zeroWindowProbe", "zeroWindowProbeAck", "windowFull", "windowUpdate",
  "keepAlive", "keepAliveAck",
] as const;
export type CountName = (typeof COUNT_NAMES)[number];

export interface AckRtt {
  /** RTT samples of the side's segments, measured at the peer's acknowledgement. */
  samples: number;
  /** Microseconds (to the nanosecond); null without samples. p50 and p95 are estimates past five samples. */
  min: number | null;
  mean: number | null;
  max: number | null;
  p50: number | null;
  p95: number | null;
}

export type SideAnalysis = Record<CountName, number> & {
  ackRttUs: AckRtt;
  /** Payload bytes of the side's packets that Wireshark calls retransmissions (of any kind). */
  retransmittedBytes: number;
  /** Largest gap between two packets the side sent, in microseconds; null below two packets. */
  maxGapUs: number | null;
  /**
   * From the end of the handshake (the SYN sender's ACK of the SYN/ACK) to the side's first
   * payload byte, in microseconds: 0 when the payload came earlier (TCP Fast Open); null when no
   * handshake was seen or the side sent no payload.
   */
  firstPayloadUs: number | null;
};

export interface ConnectionAnalysis {
  /** By the tracker's side index (0: the endpoint that sent the connection's first packet). */
  sides: [SideAnalysis, SideAnalysis];
  /** Largest gap between two packets of the connection, in microseconds; null below two packets. */
  maxGapUs: number | null;
}

const us = (seconds: number) => Math.round(seconds * 1e9) / 1000;

interface RawSide {
  counts: ArrayLike<number>;
  countsAt: number;
  rttSamples: number;
  rttMin: number;
  rttMax: number;
  rttSum: number;
  heights: Float32Array;
  heightsAt: number;
  retransmittedBytes: number;
  maxGap: number;
  firstPayloadTime: number;
}

function sampled(raw: RawSide, n: number, min: number, max: number): AckRtt {
  const p50 = reportedQuantile(raw.heights, raw.heightsAt, n, 500, min, max);
  return { samples: n, min, mean: us(raw.rttSum / n), max, p50, p95: reportedQuantile(raw.heights, raw.heightsAt + 5, n, 950, p50, max) };
}

// An estimate as records give it: to the nanosecond, and within what was seen: p50 from min to
// max, p95 from p50 to max. The heights are 32-bit floats (a sample of 1.2e5 µs is kept within
// ~0.008 µs, one of 1.2e8 within 4 µs) and the two estimators run apart, so an estimate alone
// could read a hair past max, or p95 below p50. (assembly/lines/row-cells.ts does the same.)
function reportedQuantile(heights: Float32Array, at: number, n: number, perMille: number, lo: number, hi: number): number {
  const x = Math.round(quantileValue(heights, at, n, perMille) * 1000) / 1000;
  return x < lo ? lo : x > hi ? hi : x;
}

function side(raw: RawSide, handshakeTime: number): SideAnalysis {
  const n = raw.rttSamples;
  const ackRttUs: AckRtt = n === 0
    ? { samples: 0, min: null, mean: null, max: null, p50: null, p95: null }
    : sampled(raw, n, us(raw.rttMin), us(raw.rttMax));
  const fp = raw.firstPayloadTime;
  // One literal, the counts in COUNT_NAMES' order (test/sdk/connections/analysis/result-order.test.ts
  // holds the two together): set by computed name, they were a third of unpacking a connection.
  const c = raw.counts, i = raw.countsAt;
  return {
    retransmission: c[i]!, fastRetransmission: c[i + 1]!, spuriousRetransmission: c[i + 2]!, outOfOrder: c[i + 3]!,
    dupAck: c[i + 4]!, lostSegment: c[i + 5]!, ackedUnseen: c[i + 6]!, zeroWindow: c[i + 7]!, zeroWindowProbe: c[i + 8]!,
    zeroWindowProbeAck: c[i + 9]!, windowFull: c[i + 10]!, windowUpdate: c[i + 11]!, keepAlive: c[i + 12]!,
    keepAliveAck: c[i + 13]!,
    ackRttUs,
    retransmittedBytes: raw.retransmittedBytes,
    maxGapUs: raw.maxGap < 0 ? null : us(raw.maxGap),
    firstPayloadUs: fp !== fp || handshakeTime !== handshakeTime ? null : us(fp > handshakeTime ? fp - handshakeTime : 0),
  };
}

/** The results of the TypeScript engine for the connection in `slot`. */
export function readAnalysis(s: AnalysisState, slot: number): ConnectionAnalysis {
  const hs = s.handshakeTime[slot]!;
  const sides = [0, 1].map((k) => {
    const e = slot * 2 + k;
    return side({
      counts: s.counts, countsAt: e * A.COUNTS, rttSamples: s.rttSamples[e]!, rttMin: s.rttMin[e]!,
      rttMax: s.rttMax[e]!, rttSum: s.rttSum[e]!, heights: s.qHeights, heightsAt: e * QUANTILE_HEIGHTS,
      retransmittedBytes: s.retransmittedBytes[e]!, maxGap: s.sideMaxGap[e]!, firstPayloadTime: s.firstPayloadTime[e]!,
    }, hs);
  }) as [SideAnalysis, SideAnalysis];
  const gap = s.maxGap[slot]!;
  return { sides, maxGapUs: gap < 0 ? null : us(gap) };
}

/**
 * The few figures of a side the text summary's health reads (cli/format/health.ts), with no
 * object made: its retransmissions, zero windows, ACKed-unseen and lost segments, and its
 * ack-RTT samples and mean (µs, rounded as SideAnalysis' mean; null without samples).
 */
export interface SideFigures {
  retransmissions: number;
  zeroWindows: number;
  ackedUnseen: number;
  lostSegments: number;
  rttSamples: number;
  rttMeanUs: number | null;
}

/** Figures all zero, to be filled by sideFigures or rawSideFigures. */
export function newSideFigures(): SideFigures {
  return { retransmissions: 0, zeroWindows: 0, ackedUnseen: 0, lostSegments: 0, rttSamples: 0, rttMeanUs: null };
}

/** `a`'s figures into `out`. */
export function sideFigures(a: SideAnalysis, out: SideFigures): void {
  out.retransmissions = a.retransmission;
  out.zeroWindows = a.zeroWindow;
  out.ackedUnseen = a.ackedUnseen;
  out.lostSegments = a.lostSegment;
  out.rttSamples = a.ackRttUs.samples;
  out.rttMeanUs = a.ackRttUs.mean;
}

// Where side k's counts and RTT statistics lie in the block at `at`.
const countsOf = (at: number, k: number) => at + A.A_COUNTS + k * A.COUNTS_STRIDE;
const rttOf = (at: number, k: number) => at + A.A_RTT + k * A.RTT_STRIDE;

// The counts' places in a side's block, in COUNT_NAMES' order.
const RETRANSMISSION = COUNT_NAMES.indexOf("retransmission"), LOST_SEGMENT = COUNT_NAMES.indexOf("lostSegment");
const ACKED_UNSEEN = COUNT_NAMES.indexOf("ackedUnseen"), ZERO_WINDOW = COUNT_NAMES.indexOf("zeroWindow");

/** Side `k`'s figures of the WebAssembly engine's block at byte `at` of `v`, the same as sideFigures of its unpacked side. */
export function rawSideFigures(v: DataView, at: number, k: number, out: SideFigures): void {
  const c = countsOf(at, k), r = rttOf(at, k);
  out.retransmissions = v.getUint32(c + RETRANSMISSION * 4, true);
  out.zeroWindows = v.getUint32(c + ZERO_WINDOW * 4, true);
  out.ackedUnseen = v.getUint32(c + ACKED_UNSEEN * 4, true);
  out.lostSegments = v.getUint32(c + LOST_SEGMENT * 4, true);
  const n = out.rttSamples = v.getUint32(r + A.R_SAMPLES, true);
  out.rttMeanUs = n === 0 ? null : us(v.getFloat64(r + A.R_SUM, true) / n);
}

// Scratch for unpackAnalysis: the side builder copies out of them.
const COUNTS_SCRATCH = new Uint32Array(A.COUNTS);
const HEIGHTS_SCRATCH = new Float32Array(10);

/**
 * The results in a WebAssembly engine's block at byte offset `at` of `bytes` (`view`: a DataView
 * over the same buffer, or one is made). Reads field by field into scratch arrays: this runs once
 * per connection, and a DataView made per call or an array built per side showed in profiles.
 */
export function unpackAnalysis(bytes: Uint8Array, at: number, view?: DataView): ConnectionAnalysis {
  const v = view ?? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hs = v.getFloat64(at + A.A_HANDSHAKE_TIME, true);
  const side0 = unpackSide(v, at, 0, hs);
  const side1 = unpackSide(v, at, 1, hs);
  const gap = v.getFloat64(at + A.A_MAX_GAP, true);
  return { sides: [side0, side1], maxGapUs: gap < 0 ? null : us(gap) };
}

function unpackSide(v: DataView, at: number, k: number, hs: number): SideAnalysis {
  const c = countsOf(at, k), r = rttOf(at, k);
  const qs = at + A.A_QUANTILES + k * A.QUANTILES_STRIDE;
  for (let i = 0; i < A.COUNTS; i++) COUNTS_SCRATCH[i] = v.getUint32(c + i * 4, true);
  const samples = v.getUint32(r + A.R_SAMPLES, true);
  // The quantile estimates are read only where there are samples (most short connections' sides have none).
  if (samples !== 0) {
    for (let q = 0; q < 2; q++) {
      for (let i = 0; i < 5; i++) HEIGHTS_SCRATCH[q * 5 + i] = v.getFloat32(qs + q * A.QUANTILE_STRIDE + A.Q_HEIGHTS + i * 4, true);
    }
  }
  const raw = RAW_SCRATCH;
  raw.rttSamples = samples;
  raw.rttMin = v.getFloat64(r + A.R_MIN, true);
  raw.rttMax = v.getFloat64(r + A.R_MAX, true);
  raw.rttSum = v.getFloat64(r + A.R_SUM, true);
  raw.retransmittedBytes = v.getFloat64(c + A.C_RETRANSMITTED_BYTES, true);
  raw.maxGap = v.getFloat64(at + k * A.SIDE_STRIDE + A.S_MAX_GAP, true);
  raw.firstPayloadTime = v.getFloat64(at + A.A_FIRST_PAYLOAD_TIME + k * 8, true);
  return side(raw, hs);
}

// The figures of the side unpackSide reads, reused (a literal per side showed in profiles).
const RAW_SCRATCH: RawSide = {
  counts: COUNTS_SCRATCH, countsAt: 0, rttSamples: 0, rttMin: 0, rttMax: 0, rttSum: 0, heights: HEIGHTS_SCRATCH,
  heightsAt: 0, retransmittedBytes: 0, maxGap: 0, firstPayloadTime: 0,
};
