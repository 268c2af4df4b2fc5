// The summary's connection-health section, from each record's TCP analysis, in bounded memory:
// how many connections retransmitted, stalled on a zero window, or lack packets in the capture
// (a capture-quality finding, not a network one); the worst connections by retransmission rate
// and by ack-RTT; and ack-RTT percentiles per server.

import type { ConnectionRecord } from "../../sdk/index.js";
import { formatEndpoint } from "../../sdk/index.js";
import { renderTable } from "./text-table.js";

/** Servers whose ack-RTTs are kept (the first seen), and per-connection values kept per server. */
const MAX_SERVERS = 10_000;
const MAX_PER_SERVER = 1_000;

function retransmissions(c: ConnectionRecord): number {
  return c.analysis.orig.retransmission + c.analysis.resp.retransmission;
}

function retransmissionRate(c: ConnectionRecord): number {
  const pkts = c.orig.pkts + c.resp.pkts;
  return pkts ? retransmissions(c) / pkts : 0;
}

/** Mean of both sides' ack-RTT samples together, µs; null without samples. */
export function meanAckRtt(c: ConnectionRecord): number | null {
  const o = c.analysis.orig.ackRttUs, r = c.analysis.resp.ackRttUs;
  const n = o.samples + r.samples;
  return n === 0 ? null : ((o.mean ?? 0) * o.samples + (r.mean ?? 0) * r.samples) / n;
}

/** The columns a listed connection starts with, as in the summary's other connection lists. */
const ENDPOINT_COLUMNS = [{ header: "  id" }, { header: "client" }, { header: "" }, { header: "server" }];

function endpoints(c: ConnectionRecord): string[] {
  return [`#${c.id}`, formatEndpoint(c.orig.addr, c.orig.port), "->", formatEndpoint(c.resp.addr, c.resp.port)];
}

/** The `limit` largest by `key`, ties to the earlier id. */
class Top {
  readonly list: ConnectionRecord[] = [];
  constructor(private readonly limit: number, private readonly key: (c: ConnectionRecord) => number) {}
  add(c: ConnectionRecord): void {
    if (this.limit === 0) return;
    const k = this.key(c), list = this.list;
    if (list.length === this.limit && k <= this.key(list[list.length - 1]!)) return;
    list.push(c);
    list.sort((a, b) => this.key(b) - this.key(a) || a.id - b.id);
    if (list.length > this.limit) list.pop();
  }
}

export class ConnectionHealth {
  connections = 0;
  retransmitting = 0;
  zeroWindow = 0;
  captureLoss = 0;
  notCaptured = 0;
  private readonly worstRate: Top;
  private readonly worstRtt: Top;
  private readonly servers = new Map<string, number[]>();
  private serversDropped = 0;

  constructor(private readonly limit: number) {
    this.worstRate = new Top(limit, retransmissionRate);
    this.worstRtt = new Top(limit, (c) => meanAckRtt(c) ?? -1);
  }

  add(c: ConnectionRecord): void {
    const a = c.analysis;
    this.connections++;
    if (retransmissions(c) > 0) {
      this.retransmitting++;
      this.worstRate.add(c);
    }
    if (a.orig.zeroWindow + a.resp.zeroWindow > 0) this.zeroWindow++;
    if (a.orig.ackedUnseen + a.resp.ackedUnseen > 0) this.captureLoss++;
    else if (a.orig.lostSegment + a.resp.lostSegment > 0) this.notCaptured++;
    if (meanAckRtt(c) !== null) this.worstRtt.add(c);
    // The server's RTT: the originator's segments, acknowledged by the server.
    const rtt = a.orig.ackRttUs.mean;
    if (rtt === null) return;
    const key = formatEndpoint(c.resp.addr, c.resp.port);
    let values = this.servers.get(key);
    if (!values) {
      if (this.servers.size >= MAX_SERVERS) { this.serversDropped++; return; }
      values = [];
      this.servers.set(key, values);
    }
    if (values.length < MAX_PER_SERVER) values.push(rtt);
  }

  /** The capture-quality line, or null when no connection lacks acknowledged data. */
  qualityFinding(): string | null {
    if (this.captureLoss === 0) return null;
    return `${this.captureLoss} connection${this.captureLoss === 1 ? "" : "s"} acknowledged data the capture does not hold (ACKed unseen segments): the capture lost packets, the network did not`;
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
      out.push("Most retransmissions (share of the connection's packets)",
        ...renderTable([...ENDPOINT_COLUMNS, { header: "share", ...right }, { header: "retransmitted", ...right }], rows), "");
    }
    if (this.worstRtt.list.length) {
      const rows = this.worstRtt.list.map((c) => [...endpoints(c), ms(meanAckRtt(c))]);
      out.push("Highest ack-RTT (mean over both sides' samples)", ...renderTable([...ENDPOINT_COLUMNS, { header: "ack-RTT", ...right }], rows), "");
    }
    const servers = [...this.servers].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1)).slice(0, this.limit);
    if (servers.length) {
      const rows = servers.map(([server, values]) => {
        const sorted = [...values].sort((a, b) => a - b);
        const q = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
        return [server, String(values.length), ...[q(0.5), q(0.9), q(0.99), sorted[sorted.length - 1]!].map(ms)];
      });
      out.push(...renderTable([{ header: "Ack-RTT per server (mean of a connection's client segments)" }, { header: "conns", ...right }, { header: "p50", ...right }, { header: "p90", ...right },
        { header: "p99", ...right }, { header: "max", ...right }], rows));
      if (this.servers.size > servers.length || this.serversDropped) {
        out.push(`  (${this.servers.size - servers.length} more servers${this.serversDropped ? `; ${this.serversDropped} connections to servers past the first ${MAX_SERVERS} not counted` : ""})`);
      }
      out.push("");
    }
    return out;
  }
}
