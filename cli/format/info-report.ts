// The `info` report of one capture: a JSON-ready object and its text rendering.

import type { CaptureSummary, InterfaceInfo, ReassemblyStats, TunnelStats } from "../../sdk/index.js";
import { epochString, isoString, durationString } from "./timestamp.js";

export interface InfoReport {
  file: string;
  container: string | null;
  sections: CaptureSummary["sections"];
  interfaces: InterfaceInfo[];
  packets: {
    total: number; tcp: number; tcpUnreadable: number; udp: number; icmp: number; otherIp: number;
    nonIp: number; fragments: number; truncated: number; unsupportedLink: number; tunnelled: number;
    ipUnreadable: number; linkInvalid: number; badChecksum: number;
  };
  /** Packets per tunnel type and level, by deepest level, and what was not decapsulated. */
  tunnels: TunnelStats;
  /** IP datagrams reassembled, and the fragments not trusted. */
  reassembly: ReassemblyStats;
  bytes: { read: number; captured: number; original: number };
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  duration: string | null;
  errors: { code: string; message: string; offset: number; packet: number }[];
  warnings: CaptureSummary["warnings"];
}

export function infoReport(file: string, s: CaptureSummary, openError?: string): InfoReport {
  const st = s.stats;
  return {
    file,
    container: s.container,
    sections: s.sections,
    interfaces: s.interfaces,
    packets: {
      total: st.packets, tcp: st.tcp, tcpUnreadable: st.tcpUnreadable, udp: st.udp, icmp: st.icmp,
      otherIp: st.otherIp, nonIp: st.nonIp, fragments: st.fragments, truncated: st.truncated,
      unsupportedLink: st.unsupportedLink, tunnelled: st.tunnelled, ipUnreadable: st.ipUnreadable,
      linkInvalid: st.linkInvalid, badChecksum: st.badChecksum,
    },
    tunnels: st.tunnels,
    reassembly: st.reassembly,
    bytes: { read: s.bytesRead, captured: st.bytesCaptured, original: st.bytesOriginal },
    firstTimestamp: st.firstTimestamp ? epochString(st.firstTimestamp) : null,
    lastTimestamp: st.lastTimestamp ? epochString(st.lastTimestamp) : null,
    duration: st.firstTimestamp && st.lastTimestamp ? durationString(st.firstTimestamp, st.lastTimestamp) : null,
    errors: openError
      ? [{ code: "input.open_failed", message: openError, offset: 0, packet: 0 }]
      : s.error ? [s.error] : [],
    warnings: s.warnings,
  };
}

function resolution(units: number): string {
  if (units === 1e6) return "microseconds";
  if (units === 1e9) return "nanoseconds";
  const log2 = Math.log2(units);
  if (Number.isInteger(log2)) return `2^-${log2} s`;
  const log10 = Math.log10(units);
  return Number.isInteger(log10) ? `10^-${log10} s` : `1/${units} s`;
}

function share(n: number, total: number): string {
  return total ? ` (${((100 * n) / total).toFixed(1)}%)` : "";
}

export function renderInfoText(r: InfoReport, summary: CaptureSummary): string {
  const lines: string[] = [];
  const row = (label: string, value: string | number) => lines.push(`${label.padEnd(22)}${value}`);
  row("File:", r.file);
  if (r.container) {
    const s = summary.sections;
    const orders = [...new Set(s.map((x) => x.byteOrder))].join("+");
    const versions = [...new Set(s.map((x) => x.version))].join(", ");
    row("Container:", `${r.container} ${versions}, ${orders}-endian${s.length > 1 ? `, ${s.length} sections` : ""}`);
  }
  row("Interfaces:", r.interfaces.length);
  for (const i of r.interfaces) {
    const where = summary.sections.length > 1 ? `section ${i.section} ` : "";
    const extra = [i.tsOffsetSec ? `offset ${i.tsOffsetSec} s` : "", i.fcsBytes ? `${i.fcsBytes}-byte FCS` : ""].filter(Boolean).join(", ");
    lines.push(`  ${where}#${i.id}  ${i.linkTypeName} (${i.linkType}), snaplen ${i.snaplen}, ${resolution(i.tsUnitsPerSec)}${extra ? ", " + extra : ""}`);
  }
  const p = r.packets;
  row("Packets:", p.total);
  const kinds: [string, number][] = [
    ["TCP", p.tcp], ["TCP, header cut", p.tcpUnreadable], ["UDP", p.udp], ["ICMP", p.icmp], ["other IP", p.otherIp],
    ["tunnel not decoded", p.tunnelled], ["non-IP", p.nonIp], ["IP fragments", p.fragments],
    ["IP unreadable", p.ipUnreadable], ["link header bad", p.linkInvalid], ["unsupported link", p.unsupportedLink],
  ];
  for (const [label, n] of kinds) if (n || label === "TCP") lines.push(`  ${label.padEnd(20)}${n}${share(n, p.total)}`);
  tunnelLines(r.tunnels, row, lines);
  reassemblyLines(r.reassembly, row);
  if (p.truncated) row("Snaplen-truncated:", `${p.truncated}${share(p.truncated, p.total)}`);
  if (p.badChecksum) row("Bad checksums:", p.badChecksum);
  row("Bytes:", `${r.bytes.captured} captured of ${r.bytes.original} on the wire; ${r.bytes.read} read`);
  const st = summary.stats;
  if (st.firstTimestamp && st.lastTimestamp) {
    row("First packet:", `${isoString(st.firstTimestamp)} (${r.firstTimestamp})`);
    row("Last packet:", `${isoString(st.lastTimestamp)} (${r.lastTimestamp})`);
    row("Duration:", `${r.duration} s`);
  }
  for (const w of r.warnings) {
    lines.push(`Warning: ${w.message} — ${w.count}x, first at byte ${w.offset} (packet ${w.packet}) [${w.code}]`);
  }
  for (const e of r.errors) lines.push(`Error: byte ${e.offset} (packet ${e.packet}): ${e.message} [${e.code}]`);
  return lines.join("\n") + "\n";
}

type Row = (label: string, value: string | number) => void;

// "vxlan 12 (level 1); gre 100 (level 1), 20 (level 2)", then the deepest levels and what was
// not decapsulated.
function tunnelLines(t: TunnelStats, row: Row, lines: string[]): void {
  const types = Object.entries(t.byType).map(([type, levels]) =>
    `${type} ${levels!.map((n, k) => (n ? `${n} (level ${k + 1})` : "")).filter(Boolean).join(", ")}`);
  const skipped = [
    t.tooDeep ? `${t.tooDeep} too deep` : "", t.unsupported ? `${t.unsupported} GRE unsupported` : "",
    t.ipcompUnsupported ? `${t.ipcompUnsupported} IPComp not inflated` : "",
  ].filter(Boolean);
  if (!types.length && !skipped.length && !t.ipcomp) return;
  row("Tunnels:", types.length ? types.join("; ") : "none decapsulated");
  if (types.length) lines.push(`  ${"deepest level".padEnd(20)}${t.byDepth.map((n, k) => `${k + 1}: ${n}`).join(", ")}`);
  if (t.ipcomp) lines.push(`  ${"IPComp inflated".padEnd(20)}${t.ipcomp}`);
  if (skipped.length) lines.push(`  ${"not decapsulated".padEnd(20)}${skipped.join(", ")}`);
}

function reassemblyLines(r: ReassemblyStats, row: Row): void {
  const untrusted = [["overlapping", r.overlaps], ["duplicate", r.duplicates], ["oversize", r.oversize], ["invalid", r.invalid]]
    .filter(([, n]) => n).map(([k, n]) => `${n} ${k}`);
  const incomplete = [["timed out", r.timedOut], ["evicted", r.evicted], ["unfinished", r.unfinished]]
    .filter(([, n]) => n).map(([k, n]) => `${n} ${k}`);
  if (!r.reassembled && !untrusted.length && !incomplete.length) return;
  const parts = [`${r.reassembled} datagram${r.reassembled === 1 ? "" : "s"} reassembled${r.cut ? ` (${r.cut} with snaplen-cut fragments)` : ""}`];
  if (untrusted.length) parts.push(`fragments not trusted: ${untrusted.join(", ")}`);
  if (incomplete.length) parts.push(`never completed: ${incomplete.join(", ")}`);
  row("IP reassembly:", parts.join("; "));
}
