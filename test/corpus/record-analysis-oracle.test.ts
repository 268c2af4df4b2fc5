// The TCP analysis as the records carry it, against tshark's, per record: a connection record
// (Zeek's boundaries) and a tshark stream coincide when they have the same endpoints and the same
// first and last frame; then the record's analysis.orig / analysis.resp must equal tshark's
// stream sides (every count, the ack-RTT sample count, min and max within 2 µs). This holds the
// tracker's wiring (which packets reach the engine, with which side, time and fields, and the
// orig/resp mapping through flips) where tcp-analysis-oracle.test.ts holds the engine alone.
// The oracle names a tunnelled stream's sides by outer addresses: a tunnelled record's first
// packet's sender is so named from record.tunnel.chain (tsharkSender), and its other side is
// matched by port. The streams named in tcp-analysis-exclusions.json are excluded for the
// reasons given there.

import { describe, it, expect } from "vitest";
import { scan } from "../../sdk/index.js";
import type { ConnectionRecord } from "../../sdk/connections/connection-record.js";
import type { SideAnalysis } from "../../sdk/connections/analysis/analysis-result.js";
import { endpoint } from "../helpers/tshark-streams.js";
import { corpusDir } from "../helpers/decode.js";
import { oracleCaptures, readOracle, exclusions, tsharkSender, sideDifferences, type SideResult } from "../helpers/analysis-oracle.js";

const captures = oracleCaptures();

function result(side: SideAnalysis): SideResult {
  return { counts: side as unknown as Record<string, number>, rtt: side.ackRttUs };
}

const tally = { records: 0, coinciding: 0, tunnelled: 0, excluded: 0, equal: 0 };

// Which of the record's sides is the stream's side a, or null when they do not coincide.
function aIsOrig(r: ConnectionRecord, a: string, b: string | null): boolean | null {
  const orig = endpoint(r.orig.addr, r.orig.port), resp = endpoint(r.resp.addr, r.resp.port);
  const chain = r.tunnel?.chain;
  if (!chain) {
    const isOrig = a === orig;
    if (!isOrig && a !== resp) return null;
    return b === null || b === (isOrig ? resp : orig) ? isOrig : null;
  }
  // The chain is the first packet's (the first frame's, as the stream's): its sender is side a.
  // Its inner address is the one whose port side a has; the other side has b's port.
  const port = (e: string) => Number(e.slice(e.lastIndexOf(":") + 1));
  for (const isOrig of [true, false]) {
    const sender = isOrig ? r.orig : r.resp, other = isOrig ? r.resp : r.orig;
    if (tsharkSender(chain, sender.addr, sender.port) !== a) continue;
    if (b === null || port(b) === other.port) return isOrig;
  }
  return null;
}

describe.runIf(captures.length > 0)("TCP analysis in the records: tshark's counts where record and stream coincide", () => {
  for (const c of captures) {
    it(c.name, async () => {
      const streams = readOracle(c);
      const byFirst = new Map(streams.map((s) => [s.first_frame, s]));
      const { connections } = await scan(c.path);
      const excluded = exclusions[c.name] ?? {};
      const unexpected: string[] = [];
      for (const r of connections as ConnectionRecord[]) {
        tally.records++;
        const want = byFirst.get(r.firstPacket);
        if (!want || want.last_frame !== r.lastPacket) continue;
        const isOrig = aIsOrig(r, want.a, want.b);
        if (isOrig === null) continue;
        tally.coinciding++;
        if (r.tunnel) tally.tunnelled++;
        if (excluded[String(want.stream)]) { tally.excluded++; continue; }
        const a = isOrig ? r.analysis.orig : r.analysis.resp, b = isOrig ? r.analysis.resp : r.analysis.orig;
        const diff = [...sideDifferences(want, "a", result(a)), ...sideDifferences(want, "b", result(b))];
        if (diff.length > 0) unexpected.push(`record ${r.id} = stream ${want.stream} (${want.a} > ${want.b}): ${diff.join("; ")}`);
        else tally.equal++;
      }
      expect(unexpected).toEqual([]);
    });
  }
  it("agreement figures", () => {
    const compared = tally.coinciding;
    console.log(
      `record analysis vs tshark: ${tally.records} records, ${tally.coinciding} coincide with a tshark stream `
      + `(${tally.tunnelled} tunnelled); ${tally.equal} of ${compared} equal (${tally.excluded} excluded)`,
    );
    if (corpusDir()) expect(tally.tunnelled).toBeGreaterThan(5);
    // The real corpus gives most of them; without it, only the ten recordings the repo ships.
    expect(tally.coinciding).toBeGreaterThan(corpusDir() ? 500 : 5);
    expect(tally.equal).toBeGreaterThanOrEqual(Math.ceil(compared * 0.99));
  });
});
