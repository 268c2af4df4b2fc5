// The ack-RTT estimates a record reports (analysis-result.ts reportedQuantile, and the
// WebAssembly line writers' twin in assembly/lines/row-cells.ts): p50 within min and max, p95
// within p50 and max. The P-square heights are 32-bit floats and the two estimators run apart,
// so a raw estimate could read past max (a 58 251 516 µs p95 over a max of 58 251 515 on the
// corpus) or p95 below p50 (the side below: 2 000 against 2 083 µs).

import { describe, it, expect } from "vitest";
import { scan, createLineScanner } from "../../../../sdk/index.js";
import type { CaptureInput } from "../../../../sdk/decoder/capture-input.js";
import { writePcap } from "../../../helpers/capture-writer.js";
import { Conversation } from "../../../helpers/conversation.js";
import { F } from "../../../helpers/packets.js";
import { capturesUnder, corpusDir } from "../../../helpers/decode.js";

interface Estimates { samples: number; min: number | null; max: number | null; p50: number | null; p95: number | null }

// The server's segments, each acknowledged after these many ms: with the SYN/ACK's sample
// (1 ms) before them and the FIN's (10 ms) after, the raw P-square p95 of the eight samples
// (2 000 µs) falls below their p50 (2 083 µs).
const RTTS_MS = [3, 3, 2, 2, 1, 1];

function apartEstimates(): Uint8Array {
  const c = new Conversation({ start: 1_700_000_000 });
  c.c(F.SYN).s({ flags: F.SYN | F.ACK }).c({ flags: F.ACK, dt: 1 });
  for (const rtt of RTTS_MS) c.s({ flags: F.ACK | F.PSH, payload: 100 }).c({ flags: F.ACK, dt: rtt });
  c.c(F.FIN | F.ACK).s(F.FIN | F.ACK).c(F.ACK);
  return writePcap(c.frames);
}

function offBounds(e: Estimates): string | null {
  if (e.samples === 0) return null;
  const { min, max, p50, p95 } = e as { min: number; max: number; p50: number; p95: number };
  return min <= p50 && p50 <= p95 && p95 <= max ? null : JSON.stringify(e);
}

/** Each side's estimates that break the order, from the records and from the WebAssembly ndjson lines. */
async function broken(input: CaptureInput): Promise<string[]> {
  const out: string[] = [];
  for (const c of (await scan(input, { threads: 1 })).connections) {
    for (const side of [c.analysis.orig, c.analysis.resp]) {
      const bad = offBounds(side.ackRttUs);
      if (bad) out.push(`record #${c.id}: ${bad}`);
    }
  }
  const parts: Buffer[] = [];
  for await (const chunk of createLineScanner(input, { threads: 1 }, { format: "ndjson" }).chunks()) parts.push(Buffer.from(chunk));
  for (const line of Buffer.concat(parts).toString("utf8").split("\n").filter(Boolean)) {
    const r = JSON.parse(line) as { id: number; analysis: { orig: { ackRttUs: Estimates }; resp: { ackRttUs: Estimates } } };
    for (const side of [r.analysis.orig, r.analysis.resp]) {
      const bad = offBounds(side.ackRttUs);
      if (bad) out.push(`line #${r.id}: ${bad}`);
    }
  }
  return out;
}

describe("ack-RTT estimates as reported", () => {
  it("p95 is never below p50: the two estimators' raw estimates crossed on these samples", async () => {
    const capture = apartEstimates();
    const [record] = (await scan(capture)).connections;
    const server = record!.analysis.resp.ackRttUs;
    expect(server.samples).toBe(RTTS_MS.length + 2); // the SYN/ACK's, the segments', the FIN's
    expect(server.p50).toBeGreaterThan(2000);
    expect(server.p95).toBe(server.p50); // raised to p50 (the raw p95 is 2 000 µs)
    expect(await broken(capture)).toEqual([]);
  });

  const root = corpusDir();
  it.runIf(root)("min <= p50 <= p95 <= max on every corpus capture, in records and in WebAssembly lines", async () => {
    const files = capturesUnder(root!);
    const bad: string[] = [];
    for (const file of files) for (const b of await broken(file)) bad.push(`${file} ${b}`);
    expect(bad).toEqual([]);
  }, 300_000);
});
