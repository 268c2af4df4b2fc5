// The report's timeline.maxGapSec comes from the records' integer seconds and nanoseconds, not
// from a difference of float seconds: the nearest double to the exact decimal gap.

import { describe, it, expect } from "vitest";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";
import { scanWithBothTrackers } from "../../helpers/both-trackers.js";
import { scan } from "../../../sdk/index.js";

const { SYN, ACK } = F;
const BASE = 1_700_000_000;

// Three packets at BASE + 0, 3.3 and 8.166037 s: on the capture clock (seconds since the first
// packet, as floats) the second gap is 8.166037 - 3.3 = 4.8660369999999995.
function capture(): Uint8Array {
  const frames = new Conversation().c(SYN).s(SYN | ACK).c(ACK).frames;
  const times: [number, number][] = [[BASE, 0], [BASE + 3, 300_000_000], [BASE + 8, 166_037_000]];
  return writePcap(frames.map((f, k) => ({ ...f, sec: times[k]![0], nsec: times[k]![1] })), { nanosecond: true });
}

describe("timeline.maxGapSec", () => {
  it("is the exact decimal gap, where the float clock's difference carries binary noise", async () => {
    expect(8.166037 - 3.3).not.toBe(4.866037); // what the float clock gave
    const { report } = await scanWithBothTrackers(capture());
    expect(report.timeline.maxGapSec).toBe(4.866037);
    expect(JSON.stringify(report.timeline)).toBe('{"maxGapSec":4.866037,"backwardsSteps":0}');
  });

  it("is the same through worker threads", async () => {
    const { report } = await scan(capture(), { threads: 3 });
    expect(report.timeline).toEqual({ maxGapSec: 4.866037, backwardsSteps: 0 });
  });

  it("a gap of 100 days less a nanosecond is the nearest double to its decimal (exact up to 2^53 ns, 104 days)", async () => {
    const frames = new Conversation().c(SYN).s(SYN | ACK).frames;
    const times: [number, number][] = [[BASE, 1], [BASE + 100 * 86400, 0]];
    const { report } = await scanWithBothTrackers(writePcap(frames.map((f, k) => ({ ...f, sec: times[k]![0], nsec: times[k]![1] })), { nanosecond: true }));
    expect(report.timeline.maxGapSec).toBe(8639999.999999999);
  });
});
