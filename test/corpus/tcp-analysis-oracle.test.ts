// tshark's TCP analysis as the oracle (../shared/corpus/real/oracle-analysis, and the captures
// recorded over impaired paths in test/fixtures/impaired with their own oracle files): stream by
// stream, every verdict count of both sides equals tshark's, and so do the ack-RTT sample counts,
// with min and max within 2 µs. Streams inside tunnels included: the oracle names their sides
// by the outer addresses, and so does the comparison (tsharkSender). Every other difference is named in tcp-analysis-exclusions.json with its reason, and an exclusion
// that starts to match fails the test, so that the list never hides a fixed case.

import { describe, it, expect } from "vitest";
import { decodeAll } from "../helpers/decode.js";
import { analyseStreams, type StreamAnalysis } from "../helpers/tshark-streams.js";
import {
  oracleCaptures, readOracle, exclusions, sideDifferences, type OracleStream,
} from "../helpers/analysis-oracle.js";

const captures = oracleCaptures();

/** What differs between tshark's stream and ours; empty when they agree. */
function differences(want: OracleStream, got: StreamAnalysis | undefined): string[] {
  if (!got) return ["not decoded"];
  const out: string[] = [];
  if (got.tsharkA !== want.a) out.push(`side a is ${got.tsharkA}, tshark's ${want.a}`);
  for (const side of ["a", "b"] as const) out.push(...sideDifferences(want, side, { counts: got.sides[side], rtt: got.ackRtt[side] }));
  return out;
}

const tally = { streams: 0, tunnelled: 0, equal: 0, excluded: 0 };

describe.runIf(captures.length > 0)("TCP analysis: tshark's verdicts stream by stream", () => {
  for (const c of captures) {
    it(c.name, async () => {
      const oracle = readOracle(c);
      const { records } = await decodeAll(c.path);
      const ours = new Map(analyseStreams(records).map((s) => [s.firstFrame, s]));
      const excluded = exclusions[c.name] ?? {};
      const unexpected: string[] = [], fixed: string[] = [];
      for (const want of oracle) {
        tally.streams++;
        const got = ours.get(want.first_frame);
        if (got && got.tsharkA !== got.a) tally.tunnelled++;
        const diff = differences(want, got);
        const reason = excluded[String(want.stream)];
        if (reason) {
          tally.excluded++;
          if (diff.length === 0) fixed.push(`stream ${want.stream} now matches: remove its exclusion ("${reason}")`);
        } else if (diff.length > 0) {
          unexpected.push(`stream ${want.stream} (${want.a} > ${want.b}, frame ${want.first_frame}): ${diff.join("; ")}`);
        } else {
          tally.equal++;
        }
      }
      for (const stream of Object.keys(excluded)) {
        if (!oracle.some((s) => String(s.stream) === stream)) fixed.push(`stream ${stream} is excluded but tshark has no such stream`);
      }
      expect(unexpected).toEqual([]);
      expect(fixed).toEqual([]);
    });
  }
  it("agreement figures", () => {
    console.log(`tcp analysis vs tshark: ${tally.equal} of ${tally.streams} streams equal (${tally.excluded} excluded; ${tally.tunnelled} named by tunnel addresses)`);
    expect(tally.equal).toBeGreaterThanOrEqual(Math.ceil(tally.streams * 0.99));
  });
});
