// The filter language's measures: numeric predicates with units ("retransmissions > 0",
// "rtt > 100ms", "duration >= 30s", "bytes > 1MB") and the flags that stand alone
// ("zero-window", "capture-loss"). A measure a connection does not have (no RTT measured) makes
// every comparison false, so "not rtt > 100ms" keeps it.

import type { FilterFields } from "./filter-fields.js";
import type { CountName } from "../connections/analysis/analysis-result.js";

export type Unit = "count" | "time" | "size";

interface Measure { unit: Unit; get: (c: FilterFields) => number | null; about: string }

const both = (name: CountName) => (c: FilterFields) => c.origAnalysis[name] + c.respAnalysis[name];
// Times are compared in microseconds (the record's unit) made of a whole number of nanoseconds,
// as a value is (parseQuantity), so that "rtt <= 20500us" is exact. A duration in seconds times
// 1e6, or a sum of two RTTs, is not always that number: a 123 µs duration read 123.00000000000001
// µs, and 345.1 + 28.6 µs of RTT 373.70000000000005, outside "<= 123us" and "<= 373.7us".
const seconds = (v: number) => Math.round(v * 1e9) / 1000;
const sumUs = (a: number, b: number) => Math.round((a + b) * 1000) / 1000;

// The handshake's RTT (both legs) when seen, else the two sides' smallest ack-RTT samples
// together: the round trip through the capture point either way.
function rtt(c: FilterFields): number | null {
  if (c.rttSynToSynAckUs !== null && c.rttSynAckToAckUs !== null) return sumUs(c.rttSynToSynAckUs, c.rttSynAckToAckUs);
  const o = c.origAnalysis.ackRttUs.min, r = c.respAnalysis.ackRttUs.min;
  return o === null || r === null ? null : sumUs(o, r);
}

function maxAckRtt(c: FilterFields): number | null {
  const o = c.origAnalysis.ackRttUs.max, r = c.respAnalysis.ackRttUs.max;
  return o === null ? r : r === null ? o : Math.max(o, r);
}

export const MEASURES: Record<string, Measure> = {
  "retransmissions": { unit: "count", get: both("retransmission"), about: "retransmitted packets, both sides (tcp.analysis.retransmission)" },
  "fast-retransmissions": { unit: "count", get: both("fastRetransmission"), about: "fast retransmissions" },
  "spurious-retransmissions": { unit: "count", get: both("spuriousRetransmission"), about: "spurious retransmissions" },
  "out-of-order": { unit: "count", get: both("outOfOrder"), about: "out-of-order segments" },
  "dup-acks": { unit: "count", get: both("dupAck"), about: "duplicate ACKs" },
  "lost-segments": { unit: "count", get: both("lostSegment"), about: "\"previous segment not captured\"" },
  "acked-unseen": { unit: "count", get: both("ackedUnseen"), about: "\"ACKed unseen segment\"" },
  "zero-windows": { unit: "count", get: both("zeroWindow"), about: "zero-window advertisements" },
  "keep-alives": { unit: "count", get: both("keepAlive"), about: "keep-alives" },
  "packets": { unit: "count", get: (c) => c.orig.pkts + c.resp.pkts, about: "packets, both sides" },
  "bytes": { unit: "size", get: (c) => c.orig.bytes + c.resp.bytes, about: "payload bytes, both sides" },
  "retransmitted-bytes": {
    unit: "size", get: (c) => c.origAnalysis.retransmittedBytes + c.respAnalysis.retransmittedBytes, about: "payload bytes retransmitted",
  },
  "duration": { unit: "time", get: (c) => seconds(c.duration), about: "the connection's duration" },
  "rtt": { unit: "time", get: rtt, about: "round-trip time: the handshake's, else the two sides' smallest ack-RTTs together" },
  "max-ack-rtt": { unit: "time", get: maxAckRtt, about: "the largest ack-RTT sample of either side" },
  "gap": { unit: "time", get: (c) => c.maxGapUs, about: "the largest silence between two packets" },
  "first-payload": { unit: "time", get: (c) => c.respAnalysis.firstPayloadUs, about: "handshake end to the responder's first payload byte" },
};

/** The marks (true or false), each the measure it is: true when that counts one or more. */
export const MARKS: Record<string, string> = { "zero-window": "zero-windows", "retransmitted": "retransmissions", "capture-loss": "acked-unseen" };

export const FLAGS: Record<string, (c: FilterFields) => boolean> = Object.fromEntries(
  Object.entries(MARKS).map(([mark, measure]) => {
    const count = MEASURES[measure]!.get;
    return [mark, (c: FilterFields) => count(c)! > 0];
  }),
);

export const COMPARISONS = [">=", "<=", "==", "!=", ">", "<", "="] as const;
export type Comparison = (typeof COMPARISONS)[number];

const TIME_UNITS: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, ms: 1e6, s: 1e9, m: 60e9, min: 60e9, h: 3600e9 }; // in ns
const SIZE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
};

/** A value in the measure's unit (microseconds, bytes, a count), or the reason it is not one. */
export function parseQuantity(text: string, unit: Unit, measure: string): number | string {
  // The micro sign (U+00B5) or the Greek letter mu (U+03BC, what many keyboards give): both "µs".
  const m = /^(\d+(?:\.\d+)?|\.\d+)([a-zµ]*)$/i.exec(text.replace(/[\u03bc\u039c]/g, "µ"));
  if (!m) return `"${text}" is not a ${unit === "time" ? "time like 100ms" : unit === "size" ? "size like 1MB" : "count"} (for ${measure})`;
  const n = Number(m[1]), suffix = m[2]!;
  if (unit === "count") {
    if (suffix !== "") return `"${text}": ${measure} is a count, without a unit`;
    return Number.isInteger(n) ? n : `"${text}" is not a whole number (${measure} is a count)`;
  }
  if (unit === "time") {
    if (suffix === "") return `"${text}" needs a unit: ${measure} is a time (ns, us, ms, s, min, h)`;
    const f = TIME_UNITS[suffix.toLowerCase() === "µs" ? "µs" : suffix.toLowerCase()];
    if (f === undefined) return `unknown time unit "${suffix}" (ns, us, ms, s, min, h)`;
    // Rounded to the nanosecond ("0.1s" is not exact in binary) only when that is float noise:
    // "1.4ns" rounded would make ">= 1.4ns" match 1 ns.
    if (!wholeNanoseconds(m[1]!, f)) return `"${text}" is a fraction of a nanosecond, finer than a capture's times (for ${measure})`;
    return Math.round(n * f) / 1000;
  }
  if (suffix === "") return n;
  const f = SIZE_UNITS[suffix.toLowerCase()];
  return f === undefined ? `unknown size unit "${suffix}" (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)` : n * f;
}

/** Whether the decimal `digits` times `nsPerUnit` (a whole number) is a whole number of nanoseconds: exact, on the text. */
function wholeNanoseconds(digits: string, nsPerUnit: number): boolean {
  const fraction = digits.split(".")[1] ?? "";
  return (BigInt(fraction || "0") * BigInt(nsPerUnit)) % 10n ** BigInt(fraction.length) === 0n;
}

export function compare(op: Comparison, a: number, b: number): boolean {
  switch (op) {
    case ">": return a > b;
    case ">=": return a >= b;
    case "<": return a < b;
    case "<=": return a <= b;
    case "!=": return a !== b;
    default: return a === b;
  }
}
