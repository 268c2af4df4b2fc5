// Connection records as a Zeek conn.log (ASCII TSV with #-header lines, as Zeek's ASCII writer
// writes them), so that zeek-cut and other Zeek tooling read it. service, which Zeek fills from
// analyzers we do not run, is unset; local_orig and local_resp are Zeek's by its local nets
// (zeek-local.ts: its default's and the scan's localNets); tunnel_parents names the
// tunnel chains the connection came through (record.tunnel.parents) by uids of their own;
// missed_bytes is both sides' content gaps, unset when a side's were not measured exactly.
// ip_proto is Zeek's (6.1+) last base column, community_id the column of Zeek's community-id
// policy script (policy/protocols/conn/community-id-logging). The TCP analysis columns
// (analysis-columns.ts) come after all of Zeek's, so that zeek-cut and scripts that read Zeek's
// columns by name or position still work.

import { digest } from "../../sdk/builtins.js";
import type { ConnectionRecord, RecordValues } from "../../sdk/index.js";
import type { ByteSink } from "../../sdk/lines/byte-sink.js";
import { ANALYSIS_COLUMNS, takesDotZero } from "./analysis-columns.js";
import { writeZeekValues, type ZeekTexts } from "./zeek-values-row.js";
import { zeekBool, DEFAULT_LOCAL_NETS, LocalNets } from "./zeek-local.js";
import type { ScanOptions } from "../../sdk/scan.js";
import { zeekDuration } from "./zeek-duration.js";

/** Name, Zeek type, value of a record (given what counts as local); null is unset ("-"). */
type ZeekColumn = [string, string, (c: ConnectionRecord, local: LocalNets) => unknown];

const column = (name: string, type: string, get: (c: ConnectionRecord, local: LocalNets) => unknown): ZeekColumn => [name, type, get];
/** A count Zeek leaves unset for a connection that lasted 0 s by its clock (as it does the duration). */
const unlessZero = (get: (c: ConnectionRecord) => unknown) => (c: ConnectionRecord) => (zeekDuration(c.ts, c.duration) === null ? null : get(c));

const COLUMNS: ZeekColumn[] = [
  column("ts", "time", (c) => micro(c.ts)),
  column("uid", "string", (c) => zeekUid(c)),
  column("id.orig_h", "addr", (c) => c.orig.addr),
  column("id.orig_p", "port", (c) => c.orig.port),
  column("id.resp_h", "addr", (c) => c.resp.addr),
  column("id.resp_p", "port", (c) => c.resp.port),
  column("proto", "enum", () => "tcp"),
  column("service", "string", () => null),
  column("duration", "interval", (c) => zeekDuration(c.ts, c.duration)),
  column("orig_bytes", "count", unlessZero((c) => c.orig.bytes)),
  column("resp_bytes", "count", unlessZero((c) => c.resp.bytes)),
  column("conn_state", "string", (c) => c.connState),
  column("local_orig", "bool", (c, local) => zeekBool(local.hasText(c.orig.addr))),
  column("local_resp", "bool", (c, local) => zeekBool(local.hasText(c.resp.addr))),
  column("missed_bytes", "count", (c) => (c.orig.missedBytes === null || c.resp.missedBytes === null ? null : c.orig.missedBytes + c.resp.missedBytes)),
  column("history", "string", (c) => (c.history === "" ? null : c.history)),
  column("orig_pkts", "count", (c) => c.orig.pkts),
  column("orig_ip_bytes", "count", (c) => c.orig.ipBytes),
  column("resp_pkts", "count", (c) => c.resp.pkts),
  column("resp_ip_bytes", "count", (c) => c.resp.ipBytes),
  column("tunnel_parents", "set[string]", (c) => (c.tunnel ? c.tunnel.parents.map(zeekTunnelUid).join(",") : null)),
  column("ip_proto", "count", () => 6),
  column("community_id", "string", (c) => c.communityId),
  // Zeek's writer gives a whole double ".0" (ODesc::Add: "disambiguate from integer").
  ...ANALYSIS_COLUMNS.map(([name, type, get]): ZeekColumn => [name, type, type === "double" ? (c) => wholeDot(get(c)) : (c) => get(c)]),
];

/** A double as Zeek writes it: String()'s text, ".0" after a whole number (takesDotZero). */
export function wholeDot(v: number | null): string | null {
  return v === null ? null : takesDotZero(v) ? `${v}.0` : String(v);
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** The wall-clock time in local time, as Zeek's #open and #close lines give it (%Y-%m-%d-%H-%M-%S). */
export function zeekTime(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}-${p(date.getHours())}-${p(date.getMinutes())}-${p(date.getSeconds())}`;
}

/** A Zeek-style connection uid ("C" + 17 base-62 characters), stable for a given record. */
export function zeekUid(c: Pick<ConnectionRecord, "communityId" | "ts" | "id">): string {
  return uidOf(`${c.communityId}|${c.ts}|${c.id}`);
}

function uidOf(text: string): string {
  const hashed = digest("sha256", text, "buffer");
  let uid = "C";
  for (let k = 0; k < 17; k++) uid += BASE62[hashed[k]! % 62];
  return uid;
}

/**
 * The uid of a tunnel chain (record.tunnel.parents) in tunnel_parents: stable for a given
 * identity, so that the connections of one tunnel name the same parent, as in Zeek (whose
 * parent is the tunnel's outer UDP connection or its IP tunnel; we log TCP only, so the uid
 * names no row of ours).
 */
export function zeekTunnelUid(identity: string): string {
  return uidOf(`tunnel|${identity}`);
}

export function zeekHeader(now = new Date()): string {
  return [
    "#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-", "#path\tconn",
    `#open\t${zeekTime(now)}`, `#fields\t${COLUMNS.map(([name]) => name).join("\t")}`, `#types\t${COLUMNS.map(([, type]) => type).join("\t")}`,
  ].join("\n") + "\n";
}

export function zeekFooter(now = new Date()): string {
  return `#close\t${zeekTime(now)}\n`;
}

/** Zeek prints times and intervals with microsecond precision. */
function micro(ts: string): string {
  const dot = ts.indexOf(".");
  // The record's own form (nine decimals, tshark's frame.time_epoch) needs no more than a cut.
  if (dot >= 0 && ts.length - dot > 6 && ts.indexOf(".", dot + 1) < 0) return ts.slice(0, dot + 7);
  const sec = dot < 0 ? ts : ts.slice(0, dot), frac = dot < 0 ? "" : ts.slice(dot + 1);
  return `${sec}.${(frac + "000000").slice(0, 6)}`;
}

/** The row of `c`, by Zeek's default local nets. */
export function zeekRow(c: ConnectionRecord): string {
  return rowOf(c, DEFAULT_LOCAL_NETS);
}

/** zeekRow for a scan with `options` (its localNets). */
export function zeekRowFor(options: ScanOptions): (c: ConnectionRecord) => string {
  if (!options.localNets?.length) return zeekRow;
  const local = new LocalNets(options.localNets);
  return (c) => rowOf(c, local);
}

// `local`: what local_orig and local_resp count as local.
function rowOf(c: ConnectionRecord, local: LocalNets): string {
  return COLUMNS.map(([, , get]) => cell(get(c, local))).join("\t") + "\n";
}

const cell = (v: unknown): string => (v === null ? "-" : String(v));

const texts = (local: LocalNets): ZeekTexts => ({
  micro,
  uid: zeekUid,
  tunnelParents: (v) => v.tunnel!.parents.map(zeekTunnelUid).join(","),
  local,
});
const DEFAULT_TEXTS = texts(DEFAULT_LOCAL_NETS);

/** zeekRow of the record built from `v`, written into `out` (zeek-values-row.ts). */
export function zeekValuesRow(out: ByteSink, v: RecordValues): void {
  writeZeekValues(out, v, DEFAULT_TEXTS);
}

/** zeekValuesRow for a scan with `options` (its localNets). */
export function zeekValuesRowFor(options: ScanOptions): (out: ByteSink, v: RecordValues) => void {
  if (!options.localNets?.length) return zeekValuesRow;
  const own = texts(new LocalNets(options.localNets));
  return (out, v) => writeZeekValues(out, v, own);
}
