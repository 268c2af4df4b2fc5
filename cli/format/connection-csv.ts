// Connection records as CSV (RFC 4180): one flat row per connection, a header row first.

import type { ConnectionRecord, HandshakeOptions } from "../../sdk/index.js";

const opt = (o: HandshakeOptions | null, pick: (o: HandshakeOptions) => unknown) => (o ? pick(o) : null);

const COLUMNS: [string, (c: ConnectionRecord) => unknown][] = [
  ["id", (c) => c.id],
  ["community_id", (c) => c.communityId],
  ["ts", (c) => c.ts],
  ["duration", (c) => c.duration],
  ["orig_addr", (c) => c.orig.addr],
  ["orig_port", (c) => c.orig.port],
  ["resp_addr", (c) => c.resp.addr],
  ["resp_port", (c) => c.resp.port],
  ["vlan", (c) => c.vlan],
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
  ["orig_mss", (c) => opt(c.handshake.options.orig, (o) => o.mss)],
  ["resp_mss", (c) => opt(c.handshake.options.resp, (o) => o.mss)],
  ["orig_wscale", (c) => opt(c.handshake.options.orig, (o) => o.windowScale)],
  ["resp_wscale", (c) => opt(c.handshake.options.resp, (o) => o.windowScale)],
  ["sack_permitted", (c) => both(c, (o) => o.sackPermitted)],
  ["timestamps", (c) => both(c, (o) => o.timestamps)],
  ["ecn", (c) => Boolean(c.handshake.options.orig?.ecn.ece && c.handshake.options.orig.ecn.cwr && c.handshake.options.resp?.ecn.ece)],
  ["tfo_cookie_len", (c) => opt(c.handshake.options.orig, (o) => o.tfo?.cookieLen ?? null)],
  ["tfo_data", (c) => opt(c.handshake.options.orig, (o) => o.tfo?.data ?? null)],
  ["mptcp", (c) => both(c, (o) => o.mptcp)],
  ["anomalies", (c) => Object.entries(c.anomalies).map(([k, n]) => `${k}=${n}`).join(";")],
  ["first_packet", (c) => c.firstPacket],
  ["last_packet", (c) => c.lastPacket],
];

function both(c: ConnectionRecord, pick: (o: HandshakeOptions) => boolean): boolean {
  const o = c.handshake.options;
  return Boolean(o.orig && o.resp && pick(o.orig) && pick(o.resp));
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(): string {
  return COLUMNS.map(([name]) => name).join(",") + "\r\n";
}

export function csvRow(c: ConnectionRecord): string {
  return COLUMNS.map(([, get]) => cell(get(c))).join(",") + "\r\n";
}
