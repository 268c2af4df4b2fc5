// The summary a person reads at a glance: connections by handshake outcome and by teardown
// kind with counts and shares, RTT percentiles per leg, the worst servers and SYN-scan
// suspects, connection health (TCP analysis), capture-quality warnings, then the connections most worth a look.

import type { CaptureReport, CaptureSummary, ConnectionRecord, RttSummary } from "../../sdk/index.js";
import { CONN_STATE_DESCRIPTIONS, formatEndpoint } from "../../sdk/index.js";
import { InterestingConnections, handshakeTime } from "./interesting.js";

function pct(n: number, total: number): string {
  return total ? `${((100 * n) / total).toFixed(1)}%`.padStart(6) : "";
}

function ms(us: number | null): string {
  if (us === null) return "-";
  return us >= 1000 ? `${(us / 1000).toFixed(us >= 100000 ? 0 : 2)} ms` : `${us.toFixed(0)} µs`;
}

function table(title: string, counts: Record<string, number | undefined>, total: number, describe?: (k: string) => string): string[] {
  const rows = Object.entries(counts).filter(([, n]) => n).sort((a, b) => b[1]! - a[1]!);
  if (rows.length === 0) return [];
  return [title, ...rows.map(([k, n]) => `  ${k.padEnd(20)}${String(n).padStart(9)} ${pct(n!, total)}${describe ? `   ${describe(k)}` : ""}`), ""];
}

function rttRow(label: string, r: RttSummary): string {
  return `  ${label.padEnd(16)}${String(r.count).padStart(8)}  ${[r.p50, r.p90, r.p99, r.max].map((v) => ms(v).padStart(10)).join("")}`;
}

function connectionLine(c: ConnectionRecord): string {
  const rtt = handshakeTime(c);
  return `  #${String(c.id).padEnd(6)} ${formatEndpoint(c.orig.addr, c.orig.port).padEnd(24)} -> ${formatEndpoint(c.resp.addr, c.resp.port).padEnd(24)} ${c.handshake.outcome.padEnd(12)} ${c.teardown.kind.padEnd(14)} ${c.connState.padEnd(6)} ${c.history.padEnd(12)} ${rtt === null ? "" : ms(rtt)}`.trimEnd();
}

export function renderSummary(captures: CaptureSummary[], report: CaptureReport, interesting: InterestingConnections): string {
  const out: string[] = [];
  const packets = captures.reduce((n, c) => n + c.stats.packets, 0);
  const tcp = captures.reduce((n, c) => n + c.stats.tcp, 0);
  const names = captures.map((c) => c.source).join(", ");
  out.push(`${names}: ${packets} packets (${tcp} TCP), ${report.connections} TCP connections`, "");
  const n = report.connections;
  out.push(...table("Handshakes", report.byOutcome, n));
  out.push(...table("Teardowns", report.byTeardown, n));
  out.push(...table("Zeek conn_state", report.byConnState, n, (k) => CONN_STATE_DESCRIPTIONS[k as keyof typeof CONN_STATE_DESCRIPTIONS] ?? ""));
  const r = report.rttUs;
  if (r.synToSynAck.count || r.synAckToAck.count) {
    out.push(`Handshake RTT   ${"count".padStart(8)}  ${["p50", "p90", "p99", "max"].map((h) => h.padStart(10)).join("")}`);
    out.push(rttRow("SYN -> SYN/ACK", r.synToSynAck), rttRow("SYN/ACK -> ACK", r.synAckToAck), "");
  }
  if (report.topFailedServers.length) {
    out.push("Servers with failed handshakes");
    for (const s of report.topFailedServers) {
      const how = Object.entries(s.outcomes).map(([k, v]) => `${v} ${k}`).join(", ");
      out.push(`  ${formatEndpoint(s.server, s.port).padEnd(40)} ${String(s.failed).padStart(6)} of ${s.attempts} attempts (${how})`);
    }
    out.push("");
  }
  if (report.scanSuspects.length) {
    out.push("SYN scan / flood suspects");
    for (const s of report.scanSuspects) {
      out.push(`  ${s.source.padEnd(40)} ${s.kind.padEnd(10)} ${s.syns} SYNs, ${s.answered} answered, ${s.distinctPorts} ports, ${s.distinctHosts} hosts`);
    }
    out.push("");
  }
  out.push(...interesting.health.render(ms, (c, extra) => `  #${String(c.id).padEnd(6)} ${formatEndpoint(c.orig.addr, c.orig.port).padEnd(24)} -> ${formatEndpoint(c.resp.addr, c.resp.port).padEnd(24)} ${extra}`));
  const lossFinding = interesting.health.qualityFinding();
  out.push(`Capture quality: ${lossFinding && report.quality.verdict === "good" ? "degraded" : report.quality.verdict}`);
  for (const f of report.quality.findings) out.push(`  ! ${f.message}`);
  if (lossFinding) out.push(`  ! ${lossFinding}`);
  out.push("");
  const section = (title: string, list: ConnectionRecord[], total: number) => {
    if (!list.length) return;
    out.push(`${title}${total > list.length ? ` (first ${list.length} of ${total})` : ""}`);
    out.push(...list.map(connectionLine), "");
  };
  section("Failed handshakes", interesting.failed, interesting.failedTotal);
  section("Reset connections", interesting.reset, interesting.resetTotal);
  section("Slowest handshakes", interesting.slowest, interesting.slowest.length);
  if (interesting.failed.length || interesting.reset.length || interesting.slowest.length) {
    out.push("Draw one: tcp-handshake-scan --ladder <id> <capture>");
  }
  return out.join("\n").replace(/\n+$/, "") + "\n";
}
