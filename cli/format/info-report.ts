// The `info` report of one capture: a JSON-ready object and its text rendering.

import type { CaptureSummary, InterfaceInfo, SectionInfo, ReassemblyStats, TunnelStats, Timestamp } from "../../sdk/index.js";
import { epochString, isoString, durationString } from "./timestamp.js";
import { errorWhere } from "../report-error.js";
import { escapeControls } from "../error-lines.js";
import { CAPTURE_TEXT_CHARS } from "../../sdk/decoder/pcapng-options.js";

export interface InfoReport {
  file: string;
  /** Bytes on disk (compressed, for a gzip file); null for standard input. */
  fileSize: number | null;
  compression: "gzip" | null;
  container: string | null;
  /** The first 1 000 sections and interfaces, and how many there are in all. */
  sections: CaptureSummary["sections"];
  interfaces: InterfaceInfo[];
  sectionCount: number;
  interfaceCount: number;
  /** Text options left out (CaptureSummary's, 0 when none): a capture's are kept to 64 K characters. */
  optionTextsNotKept: number;
  packets: {
    total: number; tcp: number; tcpUnreadable: number; udp: number; icmp: number; otherIp: number;
    nonIp: number; fragments: number; truncated: number; unsupportedLink: number; tunnelled: number;
    ipUnreadable: number; ipLenPastWire: number; linkInvalid: number; badChecksum: number;
    /** pcapng blocks numbered as frames but no packets (not in total): journal entries, custom blocks, Sysdig events. */
    nonPacketFrames: number;
  };
  /** Packets per tunnel type and level, by deepest level, and what was not decapsulated. */
  tunnels: TunnelStats;
  /** IP datagrams reassembled, and the fragments not trusted. */
  reassembly: ReassemblyStats;
  bytes: { read: number; captured: number; original: number };
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  duration: string | null;
  /** As capinfos computes them: over the original packet lengths and first to last packet. */
  rates: { dataBytesPerSec: number; dataBitsPerSec: number; packetsPerSec: number } | null;
  averagePacketSize: number | null;
  errors: { code: string; message: string; offset: number; packet: number }[];
  warnings: CaptureSummary["warnings"];
}

/** The earliest and latest packet's timestamps (CaptureDecoding.timeSpan()). */
export type TimeSpan = { earliest: Timestamp; latest: Timestamp } | null;

function ends(s: CaptureSummary, span: TimeSpan | undefined): { first: Timestamp | null; last: Timestamp | null } {
  if (span === undefined) return { first: s.stats.firstTimestamp, last: s.stats.lastTimestamp };
  return { first: span?.earliest ?? null, last: span?.latest ?? null };
}

/**
 * `span`: the earliest and latest timestamps, as capinfos takes them; without it, the file's
 * first packet and the latest (the same for a capture in time order).
 */
export function infoReport(file: string, s: CaptureSummary, fileSize: number | null = null, span?: TimeSpan): InfoReport {
  const st = s.stats;
  const { first, last } = ends(s, span);
  // The rates' time span as capinfos takes it: each time as one double, then the difference (near
  // 1.7e9 s that is off by up to ~2e-7 s, which moves the rates' last digits: computed exactly,
  // they differed from capinfos's on 4 corpus captures' text and ~30 captures' --json). The
  // duration printed is exact (durationString).
  const seconds = first && last ? (last.sec + last.nsec / 1e9) - (first.sec + first.nsec / 1e9) : 0;
  return {
    file,
    fileSize,
    compression: s.compression,
    container: s.container,
    sections: s.sections,
    interfaces: s.interfaces,
    sectionCount: s.sectionCount,
    interfaceCount: s.interfaceCount,
    optionTextsNotKept: s.optionTextsNotKept ?? 0,
    packets: {
      total: st.packets, tcp: st.tcp, tcpUnreadable: st.tcpUnreadable, udp: st.udp, icmp: st.icmp,
      otherIp: st.otherIp, nonIp: st.nonIp, fragments: st.fragments, truncated: st.truncated,
      unsupportedLink: st.unsupportedLink, tunnelled: st.tunnelled, ipUnreadable: st.ipUnreadable,
      ipLenPastWire: st.ipLenPastWire, linkInvalid: st.linkInvalid, badChecksum: st.badChecksum,
      nonPacketFrames: st.nonPacketFrames,
    },
    tunnels: st.tunnels,
    reassembly: st.reassembly,
    bytes: { read: s.bytesRead, captured: st.bytesCaptured, original: st.bytesOriginal },
    firstTimestamp: first ? epochString(first) : null,
    lastTimestamp: last ? epochString(last) : null,
    duration: first && last ? durationString(first, last) : null,
    rates: seconds > 0
      ? { dataBytesPerSec: st.bytesOriginal / seconds, dataBitsPerSec: (8 * st.bytesOriginal) / seconds, packetsPerSec: st.packets / seconds }
      : null,
    averagePacketSize: st.packets ? st.bytesOriginal / st.packets : null,
    errors: s.error ? [s.error] : [],
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

/**
 * capinfos's way with large numbers: "1402 bytes/s", "377 kBps", "3017 kbps" (SI prefixes). Its
 * format_size() takes the value as a whole number and divides by 1000 in integers: the figure
 * is cut, not rounded (18 755.8 B/s is "18 kBps").
 */
export function siValue(value: number, unit: string, prefixedUnit = unit): string {
  let v = value, k = 0;
  while (v >= 10000 && k < 4) { v /= 1000; k++; }
  return k === 0 ? `${Math.trunc(v)} ${unit}` : `${Math.trunc(v)} ${"kMGT"[k - 1]}${prefixedUnit}`;
}

/**
 * A non-negative number as C's printf("%.2f") prints it (capinfos's average packet size):
 * toFixed() takes an exact tie away from zero, printf to the even digit. A double is an exact
 * two-decimal tie only when it is an odd number of eighths (x.125, x.375, x.625, x.875).
 */
export function capinfosFixed2(value: number): string {
  const eighths = value * 8;
  if (!Number.isInteger(eighths) || eighths % 2 === 0) return value.toFixed(2);
  const below = Math.floor(value * 100); // exact: an odd number of eighths times 100 ends in .5
  return ((below % 2 === 0 ? below : below + 1) / 100).toFixed(2);
}

function share(n: number, total: number): string {
  return total ? ` (${((100 * n) / total).toFixed(1)}%)` : "";
}

export function renderInfoText(r: InfoReport, summary: CaptureSummary, span?: TimeSpan): string {
  const lines: string[] = [];
  const row = (label: string, value: string | number) => lines.push(`${label.padEnd(22)}${value}`);
  row("File:", escapeControls(r.file)); // (a name's newline or terminal escape as text)
  if (r.fileSize !== null || r.compression) {
    const size = r.fileSize !== null ? `${r.fileSize} bytes` : "";
    row("File size:", r.compression ? `${size}${size ? ", " : ""}gzip-compressed (${r.bytes.read} bytes decompressed)` : size);
  }
  const s = summary.sections;
  if (r.container && s.length === 0) {
    row("Container:", r.container); // its header was cut short or damaged: no version or byte order read
  } else if (r.container) {
    const orders = [...new Set(s.map((x) => x.byteOrder))].join("+");
    const versions = [...new Set(s.map((x) => x.version))].join(", ");
    row("Container:", `${r.container} ${versions}, ${orders}-endian${r.sectionCount > 1 ? `, ${r.sectionCount} sections` : ""}${r.sectionCount > s.length ? ` (the first ${s.length} described)` : ""}`);
  }
  // The capturing machine, as the pcapng section headers say (capinfos's Capture hardware,
  // oper-sys, application and comment): once when every section says the same, else with
  // the section each value comes from. Text from the capture, escaped as the file name is: a
  // capture's newline or terminal escape must not forge a line or drive the terminal.
  const fields: [string, (x: SectionInfo) => string | undefined][] = [
    ["Capture hardware:", (x) => x.hardware], ["Capture OS:", (x) => x.os], ["Capture application:", (x) => x.application],
  ];
  for (const [label, get] of fields) {
    const values = new Set(s.map(get));
    if (values.size === 1) { const v = get(s[0]!); if (v) row(label, escapeControls(v)); continue; }
    s.forEach((x, k) => { const v = get(x); if (v) row(label, `${escapeControls(v)} (section ${k})`); });
  }
  s.forEach((x, k) => { for (const c of x.comments ?? []) row("Capture comment:", `${escapeControls(c.trimEnd())}${s.length > 1 ? ` (section ${k})` : ""}`); });
  row("Interfaces:", r.interfaceCount > r.interfaces.length ? `${r.interfaceCount} (the first ${r.interfaces.length} listed)` : r.interfaceCount);
  for (const i of r.interfaces) {
    const where = s.length > 1 ? `section ${i.section} ` : "";
    const extra = [i.tsOffsetSec ? `offset ${i.tsOffsetSec} s` : "", i.fcsBytes ? `${i.fcsBytes}-byte FCS` : ""].filter(Boolean).join(", ");
    const name = escapeControls(i.name ? `${i.name}${i.description ? ` (${i.description})` : ""}  ` : i.description ? `${i.description}  ` : "");
    lines.push(`  ${where}#${i.id}  ${name}${i.linkTypeName} (${i.linkType}), snaplen ${i.snaplen}, ${resolution(i.tsUnitsPerSec)}${extra ? ", " + extra : ""}`);
    const more = [i.filter ? `filter "${i.filter}"` : "", i.os ? `OS ${i.os}` : "", i.hardware ? `hardware ${i.hardware}` : "", ...(i.comments ?? []).map((c) => `comment "${c}"`)].filter(Boolean);
    if (more.length) lines.push(`      ${escapeControls(more.join(", "))}`);
  }
  if (r.optionTextsNotKept) row("Option texts:", `${r.optionTextsNotKept} not shown (a capture's are kept to ${CAPTURE_TEXT_CHARS / 1024} K characters)`);
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
  if (p.nonPacketFrames) row("Non-packet frames:", `${p.nonPacketFrames} (pcapng journal, custom or Sysdig blocks: numbered as frames, as Wireshark does)`);
  if (p.ipLenPastWire) row("IP length past wire:", `${p.ipLenPastWire} (dropped, counted as IP unreadable)`);
  if (p.badChecksum) row("Bad checksums:", p.badChecksum);
  row("Bytes:", `${r.bytes.captured} captured of ${r.bytes.original} on the wire; ${r.bytes.read} read`);
  const { first, last } = ends(summary, span);
  if (first && last) {
    row("First packet:", `${isoString(first)} (${r.firstTimestamp})`);
    row("Last packet:", `${isoString(last)} (${r.lastTimestamp})`);
    row("Duration:", `${r.duration} s`);
  }
  row("Data size:", `${r.bytes.original} bytes (original packet lengths)`);
  // A capture of one instant, or of no packet: capinfos prints its rates and size as 0 (--json:
  // null). Packets without a time (Simple Packet Blocks alone): no rate at all, as capinfos.
  const timed = first !== null && last !== null;
  const rates = r.rates ?? { dataBytesPerSec: 0, dataBitsPerSec: 0, packetsPerSec: 0 };
  if (timed || p.total === 0) {
    row("Data byte rate:", siValue(rates.dataBytesPerSec, "bytes/s", "Bps"));
    row("Data bit rate:", siValue(rates.dataBitsPerSec, "bits/s", "bps"));
  }
  row("Average packet size:", `${capinfosFixed2(r.averagePacketSize ?? 0)} bytes`);
  if (timed || p.total === 0) row("Average packet rate:", siValue(rates.packetsPerSec, "packets/s"));
  for (const w of r.warnings) {
    lines.push(`Warning: ${w.message} — ${w.count}x, first at byte ${w.offset} (packet ${w.packet}) [${w.code}]`);
  }
  for (const e of r.errors) lines.push(`Error: ${errorWhere(e)}: ${e.message} [${e.code}]`);
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
    t.amsduDropped ? `${t.amsduDropped} A-MSDU subframes past a batch's room` : "",
  ].filter(Boolean);
  if (!types.length && !skipped.length && !t.ipcomp) return;
  row("Tunnels:", types.length ? types.join("; ") : "none decapsulated");
  if (types.length) lines.push(`  ${"deepest level".padEnd(20)}${t.byDepth.map((n, k) => `${k + 1}: ${n}`).join(", ")}`);
  if (t.ipcomp) lines.push(`  ${"IPComp inflated".padEnd(20)}${t.ipcomp}`);
  if (t.amsduSubframes) lines.push(`  ${"A-MSDU subframes".padEnd(20)}${t.amsduSubframes} past each frame's first, decoded as packets`);
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
