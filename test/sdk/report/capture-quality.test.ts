// The report's verdict on the capture (capture-quality.ts): connections that acknowledged data
// the capture lacks are a finding of the report itself (the json report and the text summary
// say the same); a filter's left-out connections still count for the capture's quality; the
// timeline's findings say they are about TCP packets.

import { describe, it, expect } from "vitest";
import { scan, CaptureReportBuilder, compileFilter } from "../../../sdk/index.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";

const { SYN, ACK, FIN, PSH } = F;

/** A complete connection on `port` whose client sent 100 bytes the capture lost, which the server acknowledged. */
const lossy = (port: number) => new Conversation({ clientPort: port, start: 1_700_000_000 + port / 1000 })
  .c(SYN).s(SYN | ACK).c(ACK).c({ flags: ACK | PSH, payload: 100, lost: true }).c({ flags: ACK | PSH, payload: 50 }).s(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
const plain = (port: number) => new Conversation({ clientPort: port, start: 1_700_000_000 + port / 1000 }).c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
/** A connection whose handshake the capture began after. */
const midStream = (port: number) => new Conversation({ clientPort: port, start: 1_700_000_000 + port / 1000 })
  .c({ flags: ACK | PSH, payload: 10 }).s(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);

describe("the capture's quality", () => {
  it("counts connections that acknowledged data the capture lacks as a finding of the report", async () => {
    const { connections, report } = await scan(writePcap(merge(lossy(1000), lossy(1001), plain(1002))));
    expect(connections.filter((c) => c.analysis.resp.ackedUnseen + c.analysis.orig.ackedUnseen > 0)).toHaveLength(2);
    expect(report.quality).toEqual({
      verdict: "degraded",
      findings: [{ id: "capture-loss", message: "2 connections acknowledged data the capture does not hold (ACKed unseen segments): the capture lost packets, the network did not" }],
    });
    expect((await scan(writePcap(merge(plain(1000))))).report.quality).toEqual({ verdict: "good", findings: [] });
  });

  it("judges every connection given, those a filter left out of the report too", async () => {
    // 5 of 25 mid-stream: under the 30 % that makes "missing-handshakes".
    const capture = writePcap(merge(...Array.from({ length: 25 }, (_, k) => (k < 5 ? midStream(2000 + k) : plain(2000 + k)))));
    const { connections, report } = await scan(capture);
    expect(report.quality.verdict).toBe("good");
    const filter = compileFilter("outcome mid-stream");
    const selected = new CaptureReportBuilder();
    for (const c of connections) {
      if (filter.matches(c)) selected.add(c); else selected.addUnselected(c);
    }
    const filtered = selected.finish([], { maxGapSec: 0, backwardsSteps: 0 });
    expect(filtered.connections).toBe(5);
    expect(filtered.byOutcome).toEqual({ "mid-stream": 5 });
    expect(filtered.quality).toEqual({ verdict: "good", findings: [] });
    // Without the left-out ones (as before): 100 % mid-stream and one-sided-looking, "poor".
    const only = new CaptureReportBuilder();
    for (const c of connections) if (filter.matches(c)) only.add(c);
    expect(only.finish([], { maxGapSec: 0, backwardsSteps: 0 }).quality.findings.map((f) => f.id)).toContain("missing-handshakes");
  });

  it("says the timeline's findings are about the TCP packets (the trackers' clock steps on those)", () => {
    const report = new CaptureReportBuilder().finish([], { maxGapSec: 120, backwardsSteps: 2 });
    expect(report.quality.findings).toEqual([
      { id: "time-gap", message: "the TCP packets have a gap of 120 s (an interrupted or merged capture, or a quiet spell): connections whose timers ran out across it ended there" },
      { id: "time-backwards", message: "timestamps step backwards 2 times between TCP packets" },
    ]);
  });
});
