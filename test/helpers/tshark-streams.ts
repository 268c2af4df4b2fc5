// Runs the TCP analysis engine over decoded packets grouped the way tshark 4.0 groups them into
// streams (tcp.stream), and gives the results in the shape of the analysis oracle
// (../shared/tools/oracle/tshark_analysis.py): per stream, side "a" (the source of its first
// packet) and side "b", the count of each verdict and the ack-RTT samples of each side's segments.
//
// tshark's streams: one per address/port pair (VLANs and interfaces do not separate them), in
// the order of their first packets; a pure SYN whose sequence number differs from the one its
// sender started the stream with starts a new stream on the same pair.

import * as L from "../../assembly/layout.js";
import type { TcpPacketRecord } from "../../sdk/index.js";
import { COUNT_NAMES, type ConnectionAnalysis } from "../../sdk/connections/analysis/index.js";
import { typescriptEngine, type AnalysisEngine } from "./analysis-engines.js";
import { tsharkSender } from "./analysis-oracle.js";

export type Counts = Record<(typeof COUNT_NAMES)[number], number>;

export interface StreamAnalysis {
  a: string;
  /** Side a as the oracle names it: by a tunnelled first packet's outer address (analysis-oracle.ts, tsharkSender). */
  tsharkA: string;
  b: string | null;
  firstFrame: number;
  lastFrame: number;
  packets: number;
  sides: { a: Counts; b: Counts };
  ackRtt: { a: RttSamples; b: RttSamples };
  analysis: ConnectionAnalysis;
  /** Per packet of the stream, in order: frame number, side ("a" / "b") and verdict bits. */
  verdicts: { frame: number; side: "a" | "b"; v: number }[];
}

export interface RttSamples { samples: number; min?: number; max?: number; mean?: number }

export function endpoint(addr: string, port: number): string {
  return addr.includes(":") ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/**
 * Analyses every TCP packet the tracker would accept (a whole 20-byte header at least), with
 * the TypeScript engine unless another is given.
 */
export function analyseStreams(records: TcpPacketRecord[], engine: AnalysisEngine = typescriptEngine()): StreamAnalysis[] {
  const bySlot: StreamAnalysis[] = [];
  const current = new Map<string, number>(); // pair -> slot of its latest stream
  const baseSec: number[] = []; // per slot: whole seconds of its first packet
  for (const r of records) {
    if (r.stopLayer === L.LAYER_TCP) continue;
    const src = endpoint(r.src, r.srcPort), dst = endpoint(r.dst, r.dstPort);
    const pair = src < dst ? `${src}|${dst}` : `${dst}|${src}`;
    const frame = r.packetIndex + 1;
    let slot = current.get(pair);
    let side = slot === undefined ? 0 : bySlot[slot]!.a === src ? 0 : 1;
    if (slot === undefined || engine.startsNewStream(slot, side, r.flags, r.seq)) {
      slot = bySlot.length;
      engine.reset(slot);
      current.set(pair, slot);
      bySlot.push({
        a: src, tsharkA: tsharkSender(r.tunnel, r.src, r.srcPort), b: null, firstFrame: frame, lastFrame: frame, packets: 0,
        sides: { a: zeroCounts(), b: zeroCounts() }, ackRtt: { a: { samples: 0 }, b: { samples: 0 } },
        analysis: undefined as unknown as ConnectionAnalysis, verdicts: [],
      });
      side = 0;
      baseSec[slot] = r.tsSec;
    }
    // Seconds since the stream's first second: a capture clock far from the stream's (one
    // corpus capture has interfaces 580 000 years apart) would cost nanoseconds in an f64.
    const t = r.tsSec - baseSec[slot]! + r.tsNsec * 1e-9;
    const s = bySlot[slot]!;
    if (side === 1 && s.b === null) s.b = src;
    s.lastFrame = frame;
    s.packets++;
    const v = engine.packet(slot, side, t, r.seq, r.ack, r.flags, r.window, r.windowScale ?? -1, r.payloadLen);
    s.verdicts.push({ frame, side: side === 0 ? "a" : "b", v });
  }
  for (let slot = 0; slot < bySlot.length; slot++) {
    const s = bySlot[slot]!;
    s.analysis = engine.read(slot);
    for (const [k, side] of [["a", 0], ["b", 1]] as const) {
      const x = s.analysis.sides[side];
      for (const name of COUNT_NAMES) s.sides[k][name] = x[name];
      const rtt = x.ackRttUs;
      s.ackRtt[k] = rtt.samples === 0 ? { samples: 0 } : { samples: rtt.samples, min: rtt.min!, max: rtt.max!, mean: rtt.mean! };
    }
  }
  return bySlot;
}

function zeroCounts(): Counts {
  return Object.fromEntries(COUNT_NAMES.map((n) => [n, 0])) as Counts;
}
