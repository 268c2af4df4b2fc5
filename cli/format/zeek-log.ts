// Connection records as a Zeek conn.log (ASCII TSV with #-header lines, as Zeek's ASCII writer
// writes them), so that zeek-cut and other Zeek tooling read it. Columns Zeek fills from
// analyzers we do not run (service, local_orig/local_resp) are unset; tunnel_parents names the
// tunnel chains the connection came through (record.tunnel.parents) by uids of their own;
// missed_bytes is both sides' content gaps, unset when a side's were not measured exactly.
// ip_proto is Zeek's (6.1+) last base column, community_id the column of Zeek's community-id
// policy script (policy/protocols/conn/community-id-logging). The TCP analysis columns
// (analysis-columns.ts) come after all of Zeek's, so that zeek-cut and scripts that read Zeek's
// columns by name or position still work.

import { createHash } from "node:crypto";
import type { ConnectionRecord } from "../../sdk/index.js";
import { ANALYSIS_COLUMNS } from "./analysis-columns.js";

const FIELDS = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration",
  "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp", "missed_bytes", "history", "orig_pkts",
  "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "tunnel_parents", "ip_proto", "community_id",
  ...ANALYSIS_COLUMNS.map(([name]) => name)];
const TYPES = ["time", "string", "addr", "port", "addr", "port", "enum", "string", "interval", "count", "count",
  "string", "bool", "bool", "count", "string", "count", "count", "count", "count", "set[string]", "count", "string",
  ...ANALYSIS_COLUMNS.map(([, type]) => type)];

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** The wall-clock time in local time, as Zeek's #open and #close lines give it (%Y-%m-%d-%H-%M-%S). */
export function zeekTime(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}-${p(date.getHours())}-${p(date.getMinutes())}-${p(date.getSeconds())}`;
}

/** A Zeek-style connection uid ("C" + 17 base-62 characters), stable for a given record. */
export function zeekUid(c: ConnectionRecord): string {
  return uidOf(`${c.communityId}|${c.ts}|${c.id}`);
}

function uidOf(text: string): string {
  const digest = createHash("sha256").update(text).digest();
  let uid = "C";
  for (let k = 0; k < 17; k++) uid += BASE62[digest[k]! % 62];
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
    `#open\t${zeekTime(now)}`, `#fields\t${FIELDS.join("\t")}`, `#types\t${TYPES.join("\t")}`,
  ].join("\n") + "\n";
}

export function zeekFooter(now = new Date()): string {
  return `#close\t${zeekTime(now)}\n`;
}

/** Zeek prints times and intervals with microsecond precision. */
function micro(ts: string): string {
  const [sec, frac = ""] = ts.split(".");
  return `${sec}.${(frac + "000000").slice(0, 6)}`;
}

function missedBytes(c: ConnectionRecord): number | string {
  return c.orig.missedBytes === null || c.resp.missedBytes === null ? "-" : c.orig.missedBytes + c.resp.missedBytes;
}

export function zeekRow(c: ConnectionRecord): string {
  const zero = c.duration === 0;
  const values = [
    micro(c.ts), zeekUid(c), c.orig.addr, c.orig.port, c.resp.addr, c.resp.port, "tcp", "-",
    zero ? "-" : c.duration.toFixed(6), zero ? "-" : c.orig.bytes, zero ? "-" : c.resp.bytes, c.connState, "-", "-", missedBytes(c),
    c.history === "" ? "-" : c.history, c.orig.pkts, c.orig.ipBytes, c.resp.pkts, c.resp.ipBytes,
    c.tunnel ? c.tunnel.parents.map(zeekTunnelUid).join(",") : "-", 6, c.communityId,
  ];
  for (const [, , get] of ANALYSIS_COLUMNS) {
    const v = get(c);
    values.push(v === null ? "-" : v);
  }
  return values.join("\t") + "\n";
}
