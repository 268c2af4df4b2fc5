// Connection records as CSV (RFC 4180): one flat row per connection, a header row first.
// Every column is described in docs/columns.md ("csv columns"); an empty cell is a value not
// known (no SYN seen for that side's options, no VLAN tag, an RTT not measurable).
// Each column reads a record (csvRow, and parquet); a scan's rows are written as bytes from the
// record's values with no record object in between (csvValuesRow, csv-values-row.ts).

import { tunnelChainText, type ConnectionRecord, type HandshakeOptions, type RecordValues } from "../../sdk/index.js";
import type { ByteSink } from "../../sdk/lines/byte-sink.js";
import { ANALYSIS_COLUMNS } from "./analysis-columns.js";
import { writeCsvValues } from "./csv-values-row.js";
import { plainNumber } from "./plain-number.js";

/** Name, value of a record. */
export type CsvColumn = [string, (c: ConnectionRecord) => unknown];

/** One side's handshake option: null when that side sent no SYN. */
const option = (name: string, role: "orig" | "resp", pick: (o: HandshakeOptions) => unknown): CsvColumn =>
  [name, (c) => { const o = c.handshake.options[role]; return o ? pick(o) : null; }];

export const CSV_COLUMNS: CsvColumn[] = [
  ["id", (c) => c.id],
  ["community_id", (c) => c.communityId],
  ["ts", (c) => c.ts],
  ["duration", (c) => c.duration],
  ["orig_addr", (c) => c.orig.addr],
  ["orig_port", (c) => c.orig.port],
  ["resp_addr", (c) => c.resp.addr],
  ["resp_port", (c) => c.resp.port],
  ["vlan", (c) => c.vlan],
  ["inner_vlan", (c) => c.innerVlan],
  // What carried it (record.tunnel): the chain outermost first, its identity, the chains seen.
  ["tunnel", (c) => (c.tunnel?.types.length ? c.tunnel.types.join(">") : null)],
  ["tunnel_identity", (c) => c.tunnel?.identity],
  ["tunnel_parents", (c) => c.tunnel?.parents.join(";")],
  ["tunnel_changes", (c) => c.tunnel?.changes],
  ["tunnel_chain", (c) => (c.tunnel?.chain ? tunnelChainText(c.tunnel.chain) : null)],
  ["conn_state", (c) => c.connState],
  ["history", (c) => c.history],
  ["outcome", (c) => c.handshake.outcome],
  ["syn_count", (c) => c.handshake.synCount],
  ["syn_ack_count", (c) => c.handshake.synAckCount],
  ["rtt_syn_synack_us", (c) => c.handshake.rttSynToSynAckUs],
  ["rtt_synack_ack_us", (c) => c.handshake.rttSynAckToAckUs],
  ["teardown", (c) => c.teardown.kind],
  ["first_closer", (c) => c.teardown.firstCloser],
  ["orig_pkts", (c) => c.orig.pkts],
  ["orig_bytes", (c) => c.orig.bytes],
  ["orig_ip_bytes", (c) => c.orig.ipBytes],
  ["orig_missed_bytes", (c) => c.orig.missedBytes],
  ["resp_pkts", (c) => c.resp.pkts],
  ["resp_bytes", (c) => c.resp.bytes],
  ["resp_ip_bytes", (c) => c.resp.ipBytes],
  ["resp_missed_bytes", (c) => c.resp.missedBytes],
  ["orig_syn", (c) => c.orig.flags.syn],
  ["orig_fin", (c) => c.orig.flags.fin],
  ["orig_rst", (c) => c.orig.flags.rst],
  ["resp_syn_ack", (c) => c.resp.flags.synAck],
  ["resp_fin", (c) => c.resp.flags.fin],
  ["resp_rst", (c) => c.resp.flags.rst],
  option("orig_mss", "orig", (o) => o.mss),
  option("resp_mss", "resp", (o) => o.mss),
  option("orig_wscale", "orig", (o) => o.windowScale),
  option("resp_wscale", "resp", (o) => o.windowScale),
  option("orig_sack_permitted", "orig", (o) => o.sackPermitted),
  option("resp_sack_permitted", "resp", (o) => o.sackPermitted),
  option("orig_timestamps", "orig", (o) => o.timestamps),
  option("resp_timestamps", "resp", (o) => o.timestamps),
  // ECN setup (RFC 3168): ECE and CWR on the SYN; ECE without CWR on the SYN/ACK.
  option("orig_ecn", "orig", (o) => o.ecn.ece && o.ecn.cwr),
  option("resp_ecn", "resp", (o) => o.ecn.ece && !o.ecn.cwr),
  option("orig_mptcp", "orig", (o) => o.mptcp),
  option("resp_mptcp", "resp", (o) => o.mptcp),
  option("orig_tfo_cookie_len", "orig", (o) => o.tfo?.cookieLen ?? null),
  option("orig_tfo_data", "orig", (o) => o.tfo?.data ?? null),
  option("resp_tfo_cookie_len", "resp", (o) => o.tfo?.cookieLen ?? null),
  // null (an empty cell; Parquet's null) when there is none
  ["anomalies", (c) => Object.entries(c.anomalies).map(([k, n]) => `${k}=${n}`).join(";") || null],
  ["first_packet", (c) => c.firstPacket],
  ["last_packet", (c) => c.lastPacket],
  // Wireshark's TCP analysis, per side (analysis-columns.ts).
  ...ANALYSIS_COLUMNS.map(([name, , get]): CsvColumn => [name, get]),
];

const NEEDS_QUOTES = /[",\r\n]/;

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "number" ? plainNumber(v) : String(v);
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(): string {
  return CSV_COLUMNS.map(([name]) => name).join(",") + "\r\n";
}

export function csvRow(c: ConnectionRecord): string {
  return CSV_COLUMNS.map(([, get]) => cell(get(c))).join(",") + "\r\n";
}

/** csvRow of the record built from `v`, written into `out` (csv-values-row.ts). */
export function csvValuesRow(out: ByteSink, v: RecordValues): void {
  writeCsvValues(out, v, cell);
}
