// The summary's connection-health section, from each record's TCP analysis, in bounded memory:
// how many connections retransmitted, stalled on a zero window, or lack packets in the capture
// (a capture-quality finding, not a network one); the worst connections by retransmission rate
// and by ack-RTT; and ack-RTT percentiles per server.

import type { ConnectionRecord } from "../../sdk/index.js";
import { formatEndpoint } from "../../sdk/index.js";
import { ConnectionFacts } from "../../sdk/report/connection-facts.js";
import { endpointKey } from "../../sdk/report/address-keys.js";
import { KeyTable } from "../../sdk/report/key-table.js";
import { renderTable } from "./text-table.js";
import { RTT_TABLE_BYTES, RttTableBudget, ServerRtts } from "./server-rtts.js";
import { TopList } from "./top-list.js";
import { plural } from "../../sdk/plural.js";
import { parseIPv4, parseIPv6 } from "../../sdk/connections/cidr.js";

/** "10.0.0.2:80", "[2001:db8::5]:443" as text that sorts in the addresses' and ports' order. */
function endpointOrder(endpoint: string): string {
  const colon = endpoint.lastIndexOf(":");
  const v6 = endpoint.startsWith("[");
  const address = v6 ? endpoint.slice(1, colon - 1) : endpoint.slice(0, colon);
  const bytes = (v6 ? parseIPv6(address) : parseIPv4(address)) ?? new Uint8Array(16);
  return `${v6 ? 6 : 4}${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}${endpoint.slice(colon + 1).padStart(5, "0")}`;
}

/** Servers whose ack-RTTs are kept (the first seen). */
const MAX_SERVERS = 10_000;

// Each figure from the two sides' retransmission counts and ack-RTT samples (a record's, or a
// connection's facts': connection-facts.ts, from the unpacked bytes or the result objects).
function rateOf(retransmitted: number, pkts: number): number {
  return pkts ? retransmitted / pkts : 0;
}

/** Mean of both sides' ack-RTT samples together, µs; null without samples. */
function meanOf(samplesA: number, meanA: number | null, samplesB: number, meanB: number | null): number | null {
  const n = samplesA + samplesB;
  return n === 0 ? null : ((meanA ?? 0) * samplesA + (meanB ?? 0) * samplesB) / n;
}

const retransmissions = (c: ConnectionRecord) => c.analysis.orig.retransmission + c.analysis.resp.retransmission;
const retransmissionRate = (c: ConnectionRecord) => rateOf(retransmissions(c), c.orig.pkts + c.resp.pkts);

/** Mean of both sides' ack-RTT samples together, µs; null without samples. */
export function meanAckRtt(c: ConnectionRecord): number | null {
  const a = c.analysis.orig.ackRttUs, b = c.analysis.resp.ackRttUs;
  return meanOf(a.samples, a.mean, b.samples, b.mean);
}

/** The columns a listed connection starts with, as in the summary's other connection lists. */
const ENDPOINT_COLUMNS = [{ header: "  id" }, { header: "client" }, { header: "" }, { header: "server" }];

function endpoints(c: ConnectionRecord): string[] {
  return [`#${c.id}`, formatEndpoint(c.orig.addr, c.orig.port), "->", formatEndpoint(c.resp.addr, c.resp.port)];
}

export class ConnectionHealth {
  connections = 0;
  retransmitting = 0;
  zeroWindow = 0;
  captureLoss = 0;
  notCaptured = 0;
  private readonly worstRate: TopList;
  private readonly worstRtt: TopList;
  /** Per server endpoint, keyed as the report keys them (address-keys.ts; a table, not a Map: key-table.ts says why): its text and its connections' ack-RTTs. */
  private readonly servers = new KeyTable();
  private readonly serverEntries: { server: string; rtts: ServerRtts }[] = [];
  private serversDropped = 0;
  private readonly rttBudget = new RttTableBudget();
  private readonly facts = new ConnectionFacts();

  constructor(private readonly limit: number) {
    this.worstRate = new TopList(limit);
    this.worstRtt = new TopList(limit);
  }

  add(c: ConnectionRecord): void {
    this.addFacts(this.facts.ofRecord(c));
  }

  addFacts(c: ConnectionFacts): void {
    const o = c.orig, r = c.resp;
    this.connections++;
    const retransmitted = o.retransmissions + r.retransmissions;
    if (retransmitted > 0) {
      this.retransmitting++;
      this.worstRate.add(c, rateOf(retransmitted, c.origPkts + c.respPkts));
    }
    if (o.zeroWindows + r.zeroWindows > 0) this.zeroWindow++;
    if (o.ackedUnseen + r.ackedUnseen > 0) this.captureLoss++;
    if (o.lostSegments + r.lostSegments > 0) this.notCaptured++;
    const mean = meanOf(o.rttSamples, o.rttMeanUs, r.rttSamples, r.rttMeanUs);
    if (mean !== null) this.worstRtt.add(c, mean);
    // The server's RTT: the originator's segments, acknowledged by the server.
    const rtt = o.rttMeanUs;
    if (rtt === null) return;
    const key = endpointKey(c.respHost(), c.respPort);
    let e = this.servers.find(key);
    if (e < 0) {
      if (this.servers.size >= MAX_SERVERS) { this.serversDropped++; return; }
      e = this.servers.add(key);
      this.serverEntries.push({ server: formatEndpoint(c.respAddr(), c.respPort), rtts: new ServerRtts(this.rttBudget) });
    }
    this.serverEntries[e]!.rtts.add(rtt);
  }

  render(ms: (us: number | null) => string): string[] {
    if (this.connections === 0) return [];
    const n = this.connections;
    const share = (k: number) => `${String(k).padStart(9)} ${`${((100 * k) / n).toFixed(1)}%`.padStart(6)}`;
    const out = [
      "Connection health (Wireshark's TCP analysis)",
      `  with retransmissions    ${share(this.retransmitting)}`,
      `  with zero-window stalls ${share(this.zeroWindow)}`,
      `  with loss in the capture${share(this.captureLoss)}   ACKed unseen: a capture-quality finding, not a network one`,
    ];
    if (this.notCaptured) out.push(`  with segments not captured${share(this.notCaptured).slice(2)}   lost before the capture point, or by the capture`);
    out.push("");
    const right = { align: "right" as const };
    if (this.worstRate.list.length) {
      const rows = this.worstRate.list.map((c) => [...endpoints(c), `${(100 * retransmissionRate(c)).toFixed(1)}%`, `${retransmissions(c)} of ${c.orig.pkts + c.resp.pkts}`]);
      out.push(`Most retransmissions (share of the connection's packets${this.worstRate.cut()})`,
        ...renderTable([...ENDPOINT_COLUMNS, { header: "share", ...right }, { header: "retransmitted", ...right }], rows), "");
    }
    if (this.worstRtt.list.length) {
      const rows = this.worstRtt.list.map((c) => [...endpoints(c), ms(meanAckRtt(c))]);
      out.push(`Highest ack-RTT (mean over both sides' samples${this.worstRtt.cut()})`, ...renderTable([...ENDPOINT_COLUMNS, { header: "ack-RTT", ...right }], rows), "");
    }
    // Ties by address, IPv4 first, and port, as numbers (10.5.0.9 before 10.5.0.100, 80 before 443), not as text.
    const order = new Map(this.serverEntries.map((e) => [e, endpointOrder(e.server)]));
    const servers = this.serverEntries.filter((e) => e.rtts.count > 0)
      .sort((a, b) => b.rtts.count - a.rtts.count || (order.get(a)! < order.get(b)! ? -1 : 1)).slice(0, this.limit);
    if (servers.length) {
      const rows = servers.map(({ server, rtts }) =>
        [server, `${rtts.count}${rtts.notCounted ? "+" : ""}`, ...[rtts.quantile(0.5), rtts.quantile(0.9), rtts.quantile(0.99), rtts.max].map(ms)]);
      // The title on a line of its own, as the connection lists have it: as the first column's
      // header it made the column, and the table, 60 characters wider than any server.
      out.push("Ack-RTT per server (mean of a connection's client segments)");
      out.push(...renderTable([{ header: "  server" }, { header: "conns", ...right }, { header: "p50", ...right }, { header: "p90", ...right },
        { header: "p99", ...right }, { header: "max", ...right }], rows));
      const notes: string[] = [];
      // Connections to servers past the first MAX_SERVERS are not kept: how many servers they went to is not known.
      const more = this.serverEntries.length - servers.length, dropped = this.serversDropped, unkept = this.rttBudget.notCounted;
      if (more > 0 || dropped) notes.push(`${dropped ? "at least " : ""}${plural(more, "more server")}`);
      if (dropped) notes.push(`${plural(dropped, "connection")} to servers past the first ${MAX_SERVERS} not counted`);
      if (unkept) notes.push(`${plural(unkept, "connection")} past the table's ${RTT_TABLE_BYTES >> 20} MiB of RTTs not counted: conns N+, percentiles of those counted`);
      if (notes.length) out.push(`  (${notes.join("; ")})`);
      out.push("");
    }
    return out;
  }
}
