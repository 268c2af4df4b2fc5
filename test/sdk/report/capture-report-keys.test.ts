import { describe, it, expect } from "vitest";
import { CaptureReportBuilder } from "../../../sdk/report/capture-report.js";
import type { ConnectionRecord } from "../../../sdk/index.js";
import { rng } from "../../helpers/decode.js";

// A side's TCP analysis as the connection's facts read it: nothing to say.
const QUIET = { retransmission: 0, zeroWindow: 0, ackedUnseen: 0, lostSegment: 0, ackRttUs: { samples: 0, mean: null } };

// The fields the report reads, for a connection from `client` to `server`:`port`.
function connection(client: string, server: string, port: number, outcome: string, answered: boolean): ConnectionRecord {
  return {
    handshake: { outcome, rttSynToSynAckUs: answered ? 100 : null, rttSynAckToAckUs: null },
    teardown: { kind: answered ? "fin" : "timeout" },
    connState: answered ? "SF" : "S0",
    anomalies: {},
    orig: { addr: client, port: 40000, pkts: 1, flags: { syn: 1, synAck: 0 } },
    resp: { addr: server, port, pkts: answered ? 1 : 0, flags: { syn: 0, synAck: answered ? 1 : 0 } },
    analysis: { orig: QUIET, resp: QUIET }, // read with the rest (report/connection-facts.ts), not by the report
  } as unknown as ConnectionRecord;
}

describe("capture report keys", () => {
  it("reports the same whether addresses are keyed as numbers or as strings, pruning included", () => {
    // IPv4 addresses are keyed by value; the same addresses written as IPv4-mapped IPv6 are
    // keyed by their bytes (ipv6Key). Far more servers and sources than the report keeps at once (its
    // maps are pruned many times), with scanners and heavy servers among them.
    const random = rng(16);
    const ipv4 = () => `10.${Math.floor(random() * 4)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`;
    const heavy = Array.from({ length: 50 }, ipv4);
    const byValue = new CaptureReportBuilder(), byString = new CaptureReportBuilder();
    const mapped = (addr: string) => `::ffff:${addr}`;
    for (let k = 0; k < 120_000; k++) {
      const scanner = random() < 0.05;
      const client = scanner ? heavy[Math.floor(random() * 5)]! : ipv4();
      const server = random() < 0.3 ? heavy[Math.floor(random() * heavy.length)]! : ipv4();
      const port = scanner ? 1 + Math.floor(random() * 2000) : [80, 443, 53][Math.floor(random() * 3)]!;
      const failed = scanner || random() < 0.2;
      const outcome = failed ? (random() < 0.5 ? "rejected" : "unanswered") : "complete";
      byValue.add(connection(client, server, port, outcome, !failed));
      byString.add(connection(mapped(client), mapped(server), port, outcome, !failed));
    }
    const timeline = { maxGapSec: 0, backwardsSteps: 0 };
    const a = byValue.finish([], timeline), b = byString.finish([], timeline);
    expect(a.scanSuspects.length).toBeGreaterThan(0);
    expect(a.topFailedHosts.length).toBe(10);
    // More failing servers than kept at once: the total is a lower bound, and says so.
    expect(a.totals.failedServers.exact).toBe(false);
    expect(a.totals.failedServers.count).toBeGreaterThanOrEqual(10_000);
    expect(JSON.stringify(b).replaceAll("::ffff:", "")).toBe(JSON.stringify(a));
  });

  it("says its lists' totals are exact until entries of their kind are forgotten", () => {
    const report = new CaptureReportBuilder();
    const timeline = { maxGapSec: 0, backwardsSteps: 0 };
    // 20 000 hosts refused once each: all kept, the count exact.
    for (let k = 0; k < 20_000; k++) report.add(connection("10.9.0.1", `10.${k >> 16}.${(k >> 8) & 255}.${k & 255}`, 80, "rejected", false));
    expect(report.finish([], timeline).totals.failedHosts).toEqual({ count: 20_000, exact: true });
    // One more: the least active half is forgotten, and the count is a lower bound.
    report.add(connection("10.9.0.1", "10.200.0.1", 80, "rejected", false));
    const totals = report.finish([], timeline).totals;
    expect(totals.failedHosts.exact).toBe(false);
    expect(totals.failedHosts.count).toBeLessThan(20_001);
    // The one source sent every SYN: never forgotten, its count exact.
    expect(totals.scanSuspects).toEqual({ count: 1, exact: true });
  });
});
