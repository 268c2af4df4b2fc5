// A capture whose clock steps back: durations are never negative (Zeek's conn.log leaves a
// non-positive duration unset, and our zeek output writes "-" as for 0 s), an RTT that would be
// negative is not measurable (null), and the timeline counts the backward steps.

import { describe, it, expect } from "vitest";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";
import { scanWithBothTrackers } from "../../helpers/both-trackers.js";
import { epochString } from "../../../sdk/index.js";
import { zeekRow } from "../../../cli/format/zeek-log.js";

const { SYN, ACK, FIN, PSH } = F;

describe("timestamps stepping back", () => {
  it("a connection whose last packet is stamped 2 000 s before its first lasts 0 s", async () => {
    const back = new Conversation({ clientPort: 40001 }).c(SYN).s({ flags: SYN | ACK, dt: 5 })
      .c({ flags: ACK, dt: -2_000_000 }).c({ flags: ACK | PSH, payload: 100 }).c(FIN | ACK).s(FIN | ACK).c(ACK);
    const forward = new Conversation({ clientPort: 40002, start: 1_700_000_100 }).c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
    const { connections, report } = await scanWithBothTrackers(writePcap([...back.frames, ...forward.frames]));
    const stepped = connections.find((c) => c.orig.port === 40001)!;
    expect(stepped.duration).toBe(0);
    expect(Object.is(stepped.duration, -0)).toBe(false);
    expect(stepped.handshake.rttSynToSynAckUs).toBe(5000);
    // The ACK is stamped 2 000 s before the SYN/ACK: a time is a time (issue 13), only a leg not seen is null.
    expect(stepped.handshake.rttSynAckToAckUs).toBe(-2_000_000_000);
    expect(stepped.connState).toBe("SF");
    // Zeek's conn.log: duration and byte counts unset ("-") when the duration is not positive.
    const row = zeekRow(stepped).split("\t");
    expect(row.slice(8, 11)).toEqual(["-", "-", "-"]);
    const normal = connections.find((c) => c.orig.port === 40002)!;
    expect(normal.duration).toBeGreaterThan(0);
    expect(report.quality.findings.map((q) => q.id)).toContain("time-backwards");
    expect(report.timeline.backwardsSteps).toBe(1);
  });

  it("one packet stamped back among others: the duration still ends at the last packet's time", async () => {
    const c = new Conversation().c(SYN).s(SYN | ACK).c(ACK).c({ flags: ACK | PSH, payload: 10, dt: -3 }).c({ flags: ACK | PSH, payload: 10, dt: 500 });
    const { connections } = await scanWithBothTrackers(writePcap(merge(c)));
    expect(connections[0]!.duration).toBeGreaterThan(0.5);
  });
});

describe("epochString", () => {
  it("prints nine digits of nanoseconds, also for negative and carried values", () => {
    expect(epochString(1_700_000_000, 5)).toBe("1700000000.000000005");
    expect(epochString(-2, 500_000_000)).toBe("-1.500000000");
    expect(epochString(-1, 0)).toBe("-1.000000000");
    expect(epochString(1, 1_000_000_000)).toBe("2.000000000");
    expect(epochString(0, 999_999_999)).toBe("0.999999999");
  });
});
