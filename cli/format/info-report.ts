// The `info` report of one capture: a JSON-ready object and its text rendering.

import type { CaptureSummary, InterfaceInfo } from "../../sdk/index.js";
import { epochString, isoString, durationString } from "./timestamp.js";
import { errorWhere } from "../report-error.js";

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
    ["tunnelled", p.tunnelled], ["non-IP", p.nonIp], ["later IP fragments", p.fragments],
    ["IP unreadable", p.ipUnreadable], ["link header bad", p.linkInvalid], ["unsupported link", p.unsupportedLink],
  ];
  for (const [label, n] of kinds) if (n || label === "TCP") lines.push(`  ${label.padEnd(20)}${n}${share(n, p.total)}`);
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
  for (const e of r.errors) lines.push(`Error: ${errorWhere(e)}: ${e.message} [${e.code}]`);
  return lines.join("\n") + "\n";
}
