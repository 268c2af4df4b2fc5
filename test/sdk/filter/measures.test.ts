// The filter's measures: numeric predicates with units over the record (its TCP analysis,
// handshake RTT, duration, bytes) and the flags that stand alone; and their mistakes, each
// reported with its token and column.

import { describe, it, expect } from "vitest";
import { compileFilter } from "../../../sdk/filter/connection-filter.js";
import { COUNT_NAMES, type SideAnalysis } from "../../../sdk/connections/analysis/analysis-result.js";
import type { ConnectionRecord } from "../../../sdk/index.js";

function side(p: Partial<Record<string, number>> = {}, rtt: [number, number] | null = null, firstPayloadUs: number | null = null): SideAnalysis {
  const s = {} as SideAnalysis;
  for (const n of COUNT_NAMES) s[n] = p[n] ?? 0;
  s.ackRttUs = rtt
    ? { samples: 3, min: rtt[0], mean: (rtt[0] + rtt[1]) / 2, max: rtt[1], p50: rtt[0], p95: rtt[1] }
    : { samples: 0, min: null, mean: null, max: null, p50: null, p95: null };
  s.retransmittedBytes = p.retransmittedBytes ?? 0;
  s.maxGapUs = null;
  s.firstPayloadUs = firstPayloadUs;
  return s;
}

function conn(id: number, p: {
  hs?: [number, number] | null; orig?: SideAnalysis; resp?: SideAnalysis; duration?: number; bytes?: [number, number]; gapUs?: number | null;
}): ConnectionRecord {
  return {
    id, duration: p.duration ?? 1,
    orig: { addr: "10.0.0.1", port: 40000 + id, pkts: 10, bytes: p.bytes?.[0] ?? 100 },
    resp: { addr: "10.0.0.2", port: 443, pkts: 10, bytes: p.bytes?.[1] ?? 1000 },
    handshake: { outcome: "complete", rttSynToSynAckUs: p.hs?.[0] ?? null, rttSynAckToAckUs: p.hs?.[1] ?? null },
    teardown: { kind: "fin" }, connState: "SF",
    analysis: { orig: p.orig ?? side(), resp: p.resp ?? side(), maxGapUs: p.gapUs ?? null },
  } as unknown as ConnectionRecord;
}

const clean = conn(1, { hs: [20_000, 500], duration: 0.5, bytes: [300, 2_000_000], gapUs: 120_000 });
const lossy = conn(2, {
  hs: [150_000, 1_000], duration: 45, orig: side({ retransmission: 3, fastRetransmission: 1, retransmittedBytes: 4380 }),
  resp: side({ dupAck: 4, ackedUnseen: 1 }, [140_000, 900_000], 250_000), gapUs: 31_000_000,
});
const stalled = conn(3, { resp: side({ zeroWindow: 2, keepAlive: 1 }, [300, 2_000]), orig: side({}, [90_000, 95_000]), duration: 600, bytes: [5e9, 10] });
const noRtt = conn(4, { duration: 0 });
const all = [clean, lossy, stalled, noRtt];
const select = (expr: string) => all.filter(compileFilter(expr).matches).map((c) => c.id);

describe("filter measures", () => {
  it("counts of Wireshark's verdicts, both sides together", () => {
    expect(select("retransmissions > 0")).toEqual([2]);
    expect(select("retransmissions >= 3")).toEqual([2]);
    expect(select("retransmissions == 0")).toEqual([1, 3, 4]);
    expect(select("retransmissions != 0")).toEqual([2]);
    expect(select("fast-retransmissions = 1")).toEqual([2]);
    expect(select("dup-acks > 3 and acked-unseen > 0")).toEqual([2]);
    expect(select("zero-windows >= 2 or keep-alives > 5")).toEqual([3]);
    expect(select("packets = 20")).toEqual([1, 2, 3, 4]);
  });

  it("times with units: rtt from the handshake, else from the ack-RTTs; unknown never matches", () => {
    expect(select("rtt > 100ms")).toEqual([2]);
    expect(select("rtt < 100ms")).toEqual([1, 3]); // 3: no handshake, 300 µs + 90 ms of ack-RTT
    expect(select("not rtt < 100ms")).toEqual([2, 4]);
    expect(select("rtt > 0.1s")).toEqual([2]);
    expect(select("rtt <= 20500us")).toEqual([1]);
    expect(select("rtt <= 20500µs")).toEqual([1]);
    expect(select("rtt <= 20500\u03bcs")).toEqual([1]); // the Greek mu, as many keyboards type it
    expect(select("rtt <= 20500\u039cS")).toEqual([1]);
    expect(select("max-ack-rtt > 500ms")).toEqual([2]);
    expect(select("duration > 30s")).toEqual([2, 3]);
    expect(select("duration >= 10min")).toEqual([3]);
    expect(select("duration<1s")).toEqual([1, 4]); // no spaces needed
    expect(select("gap > 30s")).toEqual([2]);
    expect(select("first-payload > 200ms")).toEqual([2]);
  });

  it("times as whole nanoseconds, on both sides: a value's own duration or RTT matches it exactly", () => {
    // A duration in seconds times 1e6 and a sum of two RTT legs carried float noise: 123 µs read
    // 123.00000000000001 and 345.1 + 28.6 µs 373.70000000000005, so "<=" and "==" missed them
    // (6.641753986 s is a duration of the corpus's ssh.pcap).
    const short = conn(5, { duration: 123e-6, hs: [345.1, 28.6] });
    const long = conn(6, { duration: 6.641753986, orig: side({}, [0.1, 1]), resp: side({}, [0.2, 1]) });
    const ok = (expr: string, c: ConnectionRecord) => compileFilter(expr).matches(c);
    expect(ok("duration <= 123us", short) && ok("duration == 123us", short) && ok("duration >= 0.123ms", short)).toBe(true);
    expect(ok("rtt <= 373.7us", short) && ok("rtt == 373700ns", short) && ok("rtt >= 373.7us", short)).toBe(true);
    expect(ok("duration == 6.641753986s", long) && ok("duration <= 6641753986ns", long)).toBe(true);
    expect(ok("rtt == 0.3us", long)).toBe(true); // the sides' smallest ack-RTTs together: 0.1 + 0.2
    expect(ok("duration < 123us", short) || ok("rtt > 373.7us", short) || ok("duration > 6.641753986s", long)).toBe(false);
  });

  it("refuses a time finer than a nanosecond, which would be rounded, and takes any whole one", () => {
    // "1.4ns" was rounded to 1 ns: ">= 1.4ns" then matched a 1 ns duration.
    const oneNs = conn(7, { duration: 1e-9 });
    expect(compileFilter("duration >= 1ns").matches(oneNs)).toBe(true);
    expect(compileFilter("duration >= 2ns").matches(oneNs)).toBe(false);
    expect(compileFilter("duration >= 0.0000000010s").matches(oneNs)).toBe(true);
    expect(compileFilter("duration == 0.001us").matches(oneNs)).toBe(true);
    for (const [expr, token] of [["duration >= 1.4ns", "1.4ns"], ["rtt > 0.0005us", "0.0005us"], ["gap < 1.0000000001s", "1.0000000001s"], ["duration == .5ns", ".5ns"]]) {
      expect(() => compileFilter(expr!), expr).toThrow(`"${token}" is a fraction of a nanosecond, finer than a capture's times (for ${expr!.split(" ")[0]})`);
    }
    // Whole nanoseconds however written: minutes and hours of them too.
    expect(compileFilter("duration == 0.0000000001min").matches(conn(8, { duration: 6e-9 }))).toBe(true);
    expect(select("duration >= 0.1h")).toEqual([3]); // 360 s
    expect(() => compileFilter("duration >= 0.1666666666666667h")).toThrow(/fraction of a nanosecond/); // 600 000 000 000.00012 ns
  });

  it("sizes with decimal and binary units", () => {
    expect(select("bytes > 1MB")).toEqual([1, 3]);
    expect(select("bytes > 2MB")).toEqual([1, 3]);
    expect(select("bytes > 2.1MB")).toEqual([3]);
    expect(select("bytes > 1.9MiB")).toEqual([1, 3]);
    expect(select("bytes >= 5GB")).toEqual([3]);
    expect(select("bytes > 1000")).toEqual([1, 2, 3, 4]);
    expect(select("retransmitted-bytes >= 4380B")).toEqual([2]);
  });

  it("flags alone, with the rest of the language", () => {
    expect(select("zero-window")).toEqual([3]);
    expect(select("retransmitted")).toEqual([2]);
    expect(select("capture-loss")).toEqual([2]);
    expect(select("not zero-window and port 443 and duration > 1s")).toEqual([2]);
    expect(select("(zero-window or retransmitted) and not rtt > 1s")).toEqual([2, 3]);
  });

  it("reports each mistake with its token and column", () => {
    const message = (expr: string) => { try { compileFilter(expr); } catch (e) { return (e as Error).message; } throw new Error(`no error for ${expr}`); };
    const cases: [string, string][] = [
      ["rtt > 100", '"100" needs a unit: rtt is a time (ns, us, ms, s, min, h) at column 7'],
      ["rtt > 100parsecs", 'unknown time unit "parsecs" (ns, us, ms, s, min, h) at column 7'],
      ["bytes > 1XB", 'unknown size unit "XB" (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB) at column 9'],
      ["retransmissions > 2ms", '"2ms": retransmissions is a count, without a unit at column 19'],
      ["retransmissions > lots", '"lots" is not a count (for retransmissions) at column 19'],
      ["packets > 1.5", '"1.5" is not a whole number (packets is a count) at column 11'],
      ["rtt > -5ms", '"-5ms" is not a time like 100ms (for rtt) at column 7'],
      ["rtt", 'expected a comparison after "rtt" (e.g. rtt > 100ms) but the expression ended at column 4'],
      ["rtt 100ms", 'expected a comparison (>, >=, <, <=, ==, !=) after "rtt", found "100ms" at column 5'],
      ["duration >", 'expected a value after "duration >" but the expression ended at column 11'],
      ["> 5", 'unexpected ">"'],
      ["constructor", 'unexpected "constructor"'],
    ];
    for (const [expr, want] of cases) expect(message(expr)).toContain(want);
  });
});
