// The summary a person reads at a glance: connections by handshake outcome and by teardown
// kind with counts and shares, RTT percentiles per leg, the servers with the most failed
// handshakes (by host, so that a port scan of one host is one line) and SYN-scan suspects,
// connection health (TCP analysis), capture-quality warnings, then the connections most worth
// a look, each with the time of day it began and its frame number, to find it in Wireshark.

import type { CaptureReport, CaptureSummary, ConnectionRecord, ListTotal, RttSummary, Timestamp } from "../../sdk/index.js";
import { CONN_STATE_DESCRIPTIONS, formatEndpoint } from "../../sdk/index.js";
import { InterestingConnections, handshakeTime } from "./interesting.js";
import { renderTable } from "./text-table.js";
import { epochParts, isoSeconds } from "../../sdk/decoder/timestamp.js";
import { readableDuration } from "../../sdk/report/readable-duration.js";
import { escapeControls } from "../error-lines.js";
import { plural } from "../../sdk/plural.js";

export interface SummaryContext {
  /** With --filter: the expression, and how many connections there were in all. */
  filter?: { expression: string; total: number };
}

const OUTCOMES: Record<string, string> = {
  complete: "SYN, SYN/ACK and ACK",
  rejected: "SYN answered by RST",
  unanswered: "SYN never answered",
  aborted: "reset before the handshake's ACK",
  "syn-ack-only": "SYN/ACK seen, its SYN not captured",
  "simultaneous-open": "both sides sent a SYN",
  "mid-stream": "no handshake captured (began before the capture)",
  invalid: "answers acknowledge the wrong sequence numbers",
};

const TEARDOWNS: Record<string, string> = {
  fin: "closed by FIN on both sides, four packets",
  "fin-3": "closed by FIN, three packets (FIN rode on the ACK)",
  "simultaneous-close": "both sides sent FIN at once",
  "rst-orig": "reset by the client",
  "rst-resp": "reset by the server",
  "fin-then-rst": "FIN, then reset",
  "half-closed-orig": "the client closed, the server did not",
  "half-closed-resp": "the server closed, the client did not",
  open: "still open when the capture ended",
  timeout: "went silent and timed out",
  evicted: "ended early, past --max-half-open (one packet so far) or --max-connections",
  reused: "ended by a new connection's SYN on the same ports before it closed",
};

function pct(n: number, total: number): string {
  return total ? `${((100 * n) / total).toFixed(1)}%` : "";
}

export { readableDuration };

function counts(title: string, byKey: Record<string, number | undefined>, total: number, describe: (k: string) => string): string[] {
  const rows = Object.entries(byKey).filter(([, n]) => n).sort((a, b) => b[1]! - a[1]!);
  if (rows.length === 0) return [];
  return [...renderTable([{ header: title }, { header: "count", align: "right" }, { header: "share", align: "right" }, { header: "" }],
    rows.map(([k, n]) => [k, String(n), pct(n!, total), describe(k)])), ""];
}

function rttTable(r: CaptureReport["rttUs"]): string[] {
  const row = (label: string, s: RttSummary) => [label, String(s.count), ...[s.p50, s.p90, s.p99, s.max].map(readableDuration)];
  const right = { align: "right" as const };
  return [...renderTable([{ header: "Handshake RTT" }, { header: "count", ...right }, { header: "p50", ...right }, { header: "p90", ...right }, { header: "p99", ...right }, { header: "max", ...right }],
    [row("SYN -> SYN/ACK", r.synToSynAck), row("SYN/ACK -> ACK", r.synAckToAck)]), ""];
}

function outcomesText(outcomes: Record<string, number | undefined>): string {
  return Object.entries(outcomes).map(([k, v]) => `${v} ${k}`).join(", ");
}

/** "5 more servers", "at least 10 000 more servers" (some forgotten), or null when none were left out. */
function leftOut(shown: number, total: ListTotal, what: string): string | null {
  const more = total.count - shown;
  if (more <= 0 && total.exact) return null;
  return `${total.exact ? "" : "at least "}${more} more ${what}${more === 1 ? "" : "s"}`;
}

/** A count of distinct ports or hosts, "N+" where the report marks it a lower bound (DistinctBudget.atLeast: at the cap, or past the budget). */
const distinct = (n: number, atLeast: boolean | undefined) => (atLeast ? `${n}+` : String(n));

function failedServers(report: CaptureReport): string[] {
  if (!report.topFailedHosts.length) return [];
  const more = leftOut(report.topFailedHosts.length, report.totals.failedHosts, "server");
  const rows = report.topFailedHosts.map((h) => [
    h.port !== null ? formatEndpoint(h.server, h.port) : `${h.server.includes(":") ? `[${h.server}]` : h.server} (${distinct(h.ports, h.portsAtLeast)} ports)`,
    String(h.failed), String(h.attempts), outcomesText(h.outcomes),
  ]);
  return [...renderTable([{ header: "Servers with failed handshakes" }, { header: "failed", align: "right" }, { header: "attempts", align: "right" }, { header: "how" }], rows),
    `  (${more ? `${more}; ` : ""}${rows.length > 1 ? "most failures first; " : ""}a host with failures on several ports is one line)`, ""];
}

function scanSuspects(report: CaptureReport): string[] {
  if (!report.scanSuspects.length) return [];
  const rows = report.scanSuspects.map((s) => [s.source, s.kind, String(s.syns), String(s.answered), distinct(s.distinctPorts, s.distinctPortsAtLeast), distinct(s.distinctHosts, s.distinctHostsAtLeast)]);
  const right = { align: "right" as const };
  const more = leftOut(report.scanSuspects.length, report.totals.scanSuspects, "source");
  return [...renderTable([{ header: "SYN scan / flood suspects" }, { header: "kind" }, { header: "SYNs", ...right }, { header: "answered", ...right }, { header: "ports", ...right }, { header: "hosts", ...right }], rows),
    ...(more ? [`  (${more})`] : []), ""];
}

/** "05:20:08.935102" (UTC), with the date when the capture spans several days. */
function timeOfDay(ts: string, withDate: boolean): string {
  const { sec, nsec } = epochParts(ts);
  const iso = isoSeconds(sec);
  if (iso === null) return ts;
  return `${withDate ? iso.slice(0, 10) + " " : ""}${iso.slice(11, 19)}.${String(nsec).padStart(9, "0").slice(0, 6)}`;
}

function connectionList(title: string, list: ConnectionRecord[], withDate: boolean): string[] {
  const rows = list.map((c) => {
    const rtt = handshakeTime(c);
    // An unanswered SYN still within its attempt timeout is "open" only because the capture stopped.
    const teardown = c.teardown.kind === "open" && c.handshake.outcome === "unanswered" ? "capture ended" : c.teardown.kind;
    return [`#${c.id}`, timeOfDay(c.ts, withDate), formatEndpoint(c.orig.addr, c.orig.port), "->", formatEndpoint(c.resp.addr, c.resp.port),
      c.handshake.outcome, teardown, c.connState, c.history || "-", rtt === null ? "-" : readableDuration(rtt)];
  });
  return [title, ...renderTable([{ header: "  id" }, { header: "began (UTC)" }, { header: "client" }, { header: "" }, { header: "server" },
    { header: "outcome" }, { header: "teardown" }, { header: "state" }, { header: "history" }, { header: "handshake", align: "right" }], rows), ""];
}

function span(captures: CaptureSummary[]): { first: Timestamp; last: Timestamp } | null {
  let first: Timestamp | null = null, last: Timestamp | null = null;
  const before = (a: Timestamp, b: Timestamp) => a.sec < b.sec || (a.sec === b.sec && a.nsec < b.nsec);
  for (const c of captures) {
    // The earliest and the latest, as capinfos and `info` take them: a capture out of time order
    // (merged interfaces) has its first packet after others.
    const f = c.stats.earliestTimestamp, l = c.stats.lastTimestamp;
    if (f && (!first || before(f, first))) first = f;
    if (l && (!last || before(last, l))) last = l;
  }
  return first && last ? { first, last } : null;
}

const iso = (t: Timestamp) => isoSeconds(t.sec);

function headline(captures: CaptureSummary[], report: CaptureReport, context: SummaryContext): string[] {
  const packets = captures.reduce((n, c) => n + c.stats.packets, 0);
  const tcp = captures.reduce((n, c) => n + c.stats.tcp, 0);
  const names = escapeControls(captures.map((c) => c.source).join(", ")); // (a name's newline or terminal escape as text)
  const f = context.filter;
  // "1 of 1 TCP connection matches", "0 of 1 TCP connections match", "1 of 5 TCP connections matches".
  const matched = report.connections;
  const connections = f
    ? `${matched} of ${f.total} TCP connection${f.total === 1 && matched === 1 ? "" : "s"} ${matched === 1 ? "matches" : "match"} "${f.expression}"`
    : plural(matched, "TCP connection");
  const lines = [`${names}: ${plural(packets, "packet")} (${tcp} TCP), ${connections}`];
  const s = span(captures);
  if (s) {
    const from = iso(s.first), to = iso(s.last);
    const seconds = s.last.sec - s.first.sec + (s.last.nsec - s.first.nsec) / 1e9;
    // Past two days, in days too: "142449835 s" alone does not read as four and a half years.
    // One decimal below 10 s, as it rounds: 9.96 s is "10 s", not "10.0 s".
    const length = `${seconds < 9.95 ? seconds.toFixed(1) : seconds.toFixed(0)} s${seconds >= 2 * 86400 ? `, ${(seconds / 86400).toFixed(1)} days` : ""}`;
    if (from && to) {
      const sameDay = from.slice(0, 10) === to.slice(0, 10);
      lines.push(`Captured ${from.slice(0, 10)} ${from.slice(11, 19)} to ${sameDay ? "" : to.slice(0, 10) + " "}${to.slice(11, 19)} UTC (${length})`);
    } else {
      // A stamp past what a date can say (a damaged or wrapped 64-bit timestamp): its seconds as they are.
      const text = (t: Timestamp, date: string | null) => date ? `${date.slice(0, 10)} ${date.slice(11, 19)} UTC` : `${t.sec} s after 1970`;
      lines.push(`Captured ${text(s.first, from)} to ${text(s.last, to)} (${length})`);
    }
  }
  return [...lines, ""];
}

export function renderSummary(captures: CaptureSummary[], report: CaptureReport, interesting: InterestingConnections, context: SummaryContext = {}): string {
  const out: string[] = headline(captures, report, context);
  const n = report.connections;
  out.push(...counts("Handshakes", report.byOutcome, n, (k) => OUTCOMES[k] ?? ""));
  out.push(...counts("Teardowns", report.byTeardown, n, (k) => {
    const atEnd = interesting.unansweredAtEnd;
    const rejected = report.byOutcome.rejected ?? 0;
    if (k === "rst-resp" && rejected) {
      return `${TEARDOWNS[k]}, ${rejected === report.byTeardown[k] ? (rejected === 1 ? "a rejected SYN" : "all rejected SYNs") : `${rejected} of them ${rejected === 1 ? "a rejected SYN" : "rejected SYNs"}`}`;
    }
    if (k !== "open" || !atEnd) return TEARDOWNS[k] ?? "";
    return `${TEARDOWNS.open}, ${atEnd === report.byTeardown.open ? (atEnd === 1 ? "an unanswered SYN" : "all unanswered SYNs") : `${atEnd} of them ${atEnd === 1 ? "an unanswered SYN" : "unanswered SYNs"}`}`;
  }));
  out.push(...counts("Zeek conn_state", report.byConnState, n, (k) => CONN_STATE_DESCRIPTIONS[k as keyof typeof CONN_STATE_DESCRIPTIONS] ?? ""));
  if (report.rttUs.synToSynAck.count || report.rttUs.synAckToAck.count) out.push(...rttTable(report.rttUs));
  out.push(...failedServers(report), ...scanSuspects(report));
  out.push(...interesting.health.render(readableDuration));
  out.push(`Capture quality: ${report.quality.verdict}`);
  for (const f of report.quality.findings) out.push(`  ! ${escapeControls(f.message)}`);
  out.push("");
  const s = span(captures);
  const withDate = s !== null && isoSeconds(s.first.sec)?.slice(0, 10) !== isoSeconds(s.last.sec)?.slice(0, 10);
  // An order is named only for a list of more than one.
  const first = (what: string, shown: number, total: number) =>
    `${what} (${shown < total ? `the first ${shown} of ${total}` : total === 1 ? "1" : `all ${total}`}${shown > 1 ? ", in the order they began" : ""})`;
  if (interesting.failed.length) out.push(...connectionList(first("Failed handshakes", interesting.failed.length, interesting.failedTotal), interesting.failed, withDate));
  if (interesting.reset.length) out.push(...connectionList(first("Reset connections", interesting.reset.length, interesting.resetTotal), interesting.reset, withDate));
  const slow = interesting.slowest;
  if (slow.length) {
    const m = interesting.measured;
    const which = slow.length < m ? `the ${slow.length} slowest of ${m} measured` : m === 1 ? "the 1 measured" : `all ${m} measured`;
    const title = `Slowest handshakes (${which}${slow.length > 1 ? ", slowest first" : ""}; handshake: the round trips SYN to SYN/ACK plus SYN/ACK to ACK)`;
    out.push(...connectionList(title, slow, withDate));
  }
  if (interesting.failed.length || interesting.reset.length || slow.length) {
    out.push("Draw one: tcp-handshake-scan --ladder <id> <capture>   (the id is the frame number of its first packet)");
  }
  return out.join("\n").replace(/\n+$/, "") + "\n";
}
