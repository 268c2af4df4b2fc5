// Connection records as CSV (RFC 4180): one flat row per connection, a header row first.
// Every column is described in the README ("csv columns"); an empty cell is a value not
// known (no SYN seen for that side's options, no VLAN tag, an RTT not measurable).
// Each column reads a record (csvRow, and parquet) and the same field of the record's values
// (csvValuesRow: a scan's rows, written as bytes with no record object in between).

import { tunnelChainText, type ConnectionRecord, type HandshakeOptions, type OptionValues, type RecordValues } from "../../sdk/index.js";
import type { ByteSink } from "../../sdk/lines/byte-sink.js";
import { ANALYSIS_COLUMNS } from "./analysis-columns.js";
import { QUOTED, writeCsvValues, type CsvCells } from "./csv-values-row.js";

/** Name, value of a record, value of its values. */
export type CsvColumn = [string, (c: ConnectionRecord) => unknown, (v: RecordValues) => unknown];

/** A column whose field has the same name and place in the record and in its values. */
const same = (name: string, get: (c: ConnectionRecord | RecordValues) => unknown): CsvColumn => [name, get, get];

/** One side's handshake option: null when that side sent no SYN (record: options null; values: seen false). */
const option = (name: string, role: "orig" | "resp", pick: (o: HandshakeOptions) => unknown, pickValues: (o: OptionValues) => unknown): CsvColumn => {
  const values = role === "orig" ? (v: RecordValues) => v.origOptions : (v: RecordValues) => v.respOptions;
  return [
    name,
    (c) => { const o = c.handshake.options[role]; return o ? pick(o) : null; },
    (v) => { const o = values(v); return o.seen ? pickValues(o) : null; },
  ];
};

function anomalyText(v: RecordValues): string {
  let text = "";
  for (let k = 0; k < v.anomalyCount; k++) text += `${k ? ";" : ""}${v.anomalyNames[k]}=${v.anomalyCounts[k]}`;
  return text;
}

export const CSV_COLUMNS: CsvColumn[] = [
  same("id", (c) => c.id),
  same("community_id", (c) => c.communityId),
  same("ts", (c) => c.ts),
  same("duration", (c) => c.duration),
  same("orig_addr", (c) => c.orig.addr),
  same("orig_port", (c) => c.orig.port),
  same("resp_addr", (c) => c.resp.addr),
  same("resp_port", (c) => c.resp.port),
  same("vlan", (c) => c.vlan),
  same("inner_vlan", (c) => c.innerVlan),
  // What carried it (record.tunnel): the chain outermost first, its identity, the chains seen.
  same("tunnel", (c) => c.tunnel?.types.join(">")),
  same("tunnel_identity", (c) => c.tunnel?.identity),
  same("tunnel_parents", (c) => c.tunnel?.parents.join(";")),
  same("tunnel_changes", (c) => c.tunnel?.changes),
  same("tunnel_chain", (c) => (c.tunnel?.chain ? tunnelChainText(c.tunnel.chain) : null)),
  same("conn_state", (c) => c.connState),
  same("history", (c) => c.history),
  ["outcome", (c) => c.handshake.outcome, (v) => v.outcome],
  ["syn_count", (c) => c.handshake.synCount, (v) => v.synCount],
  ["syn_ack_count", (c) => c.handshake.synAckCount, (v) => v.synAckCount],
  ["rtt_syn_synack_us", (c) => c.handshake.rttSynToSynAckUs, (v) => v.rttSynToSynAckUs],
  ["rtt_synack_ack_us", (c) => c.handshake.rttSynAckToAckUs, (v) => v.rttSynAckToAckUs],
  ["teardown", (c) => c.teardown.kind, (v) => v.teardown],
  ["first_closer", (c) => c.teardown.firstCloser, (v) => v.firstCloser],
  same("orig_pkts", (c) => c.orig.pkts),
  same("orig_bytes", (c) => c.orig.bytes),
  same("orig_ip_bytes", (c) => c.orig.ipBytes),
  same("orig_missed_bytes", (c) => c.orig.missedBytes),
  same("resp_pkts", (c) => c.resp.pkts),
  same("resp_bytes", (c) => c.resp.bytes),
  same("resp_ip_bytes", (c) => c.resp.ipBytes),
  same("resp_missed_bytes", (c) => c.resp.missedBytes),
  ["orig_syn", (c) => c.orig.flags.syn, (v) => v.orig.syn],
  ["orig_fin", (c) => c.orig.flags.fin, (v) => v.orig.fin],
  ["orig_rst", (c) => c.orig.flags.rst, (v) => v.orig.rst],
  ["resp_syn_ack", (c) => c.resp.flags.synAck, (v) => v.resp.synAck],
  ["resp_fin", (c) => c.resp.flags.fin, (v) => v.resp.fin],
  ["resp_rst", (c) => c.resp.flags.rst, (v) => v.resp.rst],
  option("orig_mss", "orig", (o) => o.mss, (o) => o.mss),
  option("resp_mss", "resp", (o) => o.mss, (o) => o.mss),
  option("orig_wscale", "orig", (o) => o.windowScale, (o) => o.windowScale),
  option("resp_wscale", "resp", (o) => o.windowScale, (o) => o.windowScale),
  option("orig_sack_permitted", "orig", (o) => o.sackPermitted, (o) => o.sackPermitted),
  option("resp_sack_permitted", "resp", (o) => o.sackPermitted, (o) => o.sackPermitted),
  option("orig_timestamps", "orig", (o) => o.timestamps, (o) => o.timestamps),
  option("resp_timestamps", "resp", (o) => o.timestamps, (o) => o.timestamps),
  // ECN setup (RFC 3168): ECE and CWR on the SYN; ECE without CWR on the SYN/ACK.
  option("orig_ecn", "orig", (o) => o.ecn.ece && o.ecn.cwr, (o) => o.ece && o.cwr),
  option("resp_ecn", "resp", (o) => o.ecn.ece && !o.ecn.cwr, (o) => o.ece && !o.cwr),
  option("orig_mptcp", "orig", (o) => o.mptcp, (o) => o.mptcp),
  option("resp_mptcp", "resp", (o) => o.mptcp, (o) => o.mptcp),
  option("orig_tfo_cookie_len", "orig", (o) => o.tfo?.cookieLen ?? null, (o) => (o.tfo ? o.cookieLen : null)),
  option("orig_tfo_data", "orig", (o) => o.tfo?.data ?? null, (o) => (o.tfo ? o.data : null)),
  option("resp_tfo_cookie_len", "resp", (o) => o.tfo?.cookieLen ?? null, (o) => (o.tfo ? o.cookieLen : null)),
  ["anomalies", (c) => Object.entries(c.anomalies).map(([k, n]) => `${k}=${n}`).join(";"), anomalyText],
  same("first_packet", (c) => c.firstPacket),
  same("last_packet", (c) => c.lastPacket),
  // Wireshark's TCP analysis, per side (analysis-columns.ts).
  ...ANALYSIS_COLUMNS.map(([name, , get, getValues]): CsvColumn => [name, get, getValues]),
];

const NEEDS_QUOTES = /[",\r\n]/;

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(): string {
  return CSV_COLUMNS.map(([name]) => name).join(",") + "\r\n";
}

export function csvRow(c: ConnectionRecord): string {
  return CSV_COLUMNS.map(([, get]) => cell(get(c))).join(",") + "\r\n";
}

const COMMA = 0x2c;

/** cell(v), written as bytes: numbers and plain text without a string in between. */
function writeCell(out: ByteSink, v: unknown): void {
  if (typeof v === "number") out.numText(v);
  else if (typeof v === "string") {
    // Plain ASCII (nearly every cell) in one pass; the rest quoted or encoded as cell() does.
    if (!out.plainUnless(v, QUOTED)) out.utf8(cell(v));
  } else if (v !== null && v !== undefined) out.plain(String(v));
}

// The tunnel's five columns, through the table (few connections are tunnelled).
const TUNNEL_AT = CSV_COLUMNS.findIndex(([name]) => name === "tunnel");
const CELLS: CsvCells = {
  tunnel: (out, v) => {
    for (let i = TUNNEL_AT; i < TUNNEL_AT + 5; i++) {
      out.byte(COMMA);
      writeCell(out, CSV_COLUMNS[i]![2](v));
    }
  },
  quote: cell,
};

/** csvRow of the record built from `v`, written into `out` (csv-values-row.ts). */
export function csvValuesRow(out: ByteSink, v: RecordValues): void {
  writeCsvValues(out, v, CELLS);
}
