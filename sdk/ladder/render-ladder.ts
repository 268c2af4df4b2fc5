// Draws a connection's packet exchange as a terminal sequence diagram: the client on the left,
// the server on the right, one arrow per packet labelled as Wireshark's Info column labels it
// (flags in Wireshark's order, relative Seq and Ack, Win, Len, the SYN options), with its frame
// number and time offset, Wireshark's TCP analysis marks ("[TCP Retransmission]", ...) first as
// in its Info column, each side's RFC 9293 state beside the arrows, long data phases folded
// (never a marked packet), and a sentence on what happened.

import type { ConnectionLadder, LadderPacket, SynOptions } from "./ladder-capture.js";
import type { ConnectionRecord, HandshakeOptions } from "../connections/connection-record.js";
import { advanceRfc, type RfcSides } from "./rfc-states.js";
import { explainConnection } from "./explain.js";
import { formatEndpoint } from "../decoder/packet-batch.js";
import { wiresharkFlags } from "./tcp-flags.js";
import { epochParts, isoSeconds } from "../decoder/timestamp.js";
import { verdictMarks } from "./verdict-marks.js";
import { V_DUP_ACK } from "../../assembly/analysis-layout.js";

const CONTROL = 0x02 | 0x01 | 0x04;
const MIN_ARROW = 58;
const MAX_ARROW = 100;
const STATE_WIDTH = 13;
const FOLD_THRESHOLD = 14; // a run of plain data/ACK packets longer than this is folded
const FOLD_KEEP = 4; //       packets shown at each end of a folded run

function bytes(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`;
}

function arrow(label: string, toServer: boolean, width: number): string {
  const room = width - 2;
  const text = ` ${label} `;
  // A label longer than the arrows (two analysis marks and a long Seq) lengthens its own arrow:
  // cut, it lost its Win and Len.
  const dashes = Math.max(4, room - text.length);
  const left = 2, right = dashes - left;
  return toServer ? `|${"-".repeat(left)}${text}${"-".repeat(right - 1)}>|` : `|<${"-".repeat(left - 1)}${text}${"-".repeat(right)}|`;
}

/**
 * "MSS=1460 SACK_PERM WS=128 TFO=C", as Wireshark's Info column shows a SYN's options (TFO=R: a
 * Fast Open cookie request, TFO=C: a cookie). Wireshark lists them in the packet's order; the
 * packet record keeps which options there were, not their order, so they come in one fixed
 * order, the one Linux writes them in.
 */
function synOptionText(o: SynOptions): string {
  const parts: string[] = [];
  if (o.mss !== null) parts.push(`MSS=${o.mss}`);
  if (o.sackPermitted) parts.push("SACK_PERM");
  if (o.windowScale !== null) parts.push(`WS=${2 ** Math.min(14, o.windowScale)}`);
  if (o.tfoCookieLen != null) parts.push(o.tfoCookieLen === 0 ? "TFO=R" : "TFO=C");
  return parts.join(" ");
}

function sideOptions(o: HandshakeOptions | null, packet: string): string {
  if (!o) return `(no ${packet} in this connection)`;
  const parts: string[] = [];
  if (o.mss !== null) parts.push(`MSS=${o.mss}`);
  if (o.sackPermitted) parts.push("SACK_PERM");
  if (o.timestamps) parts.push("timestamps");
  if (o.windowScale !== null) parts.push(`WS=${2 ** Math.min(14, o.windowScale)} (shift ${o.windowScale})`);
  if (o.mptcp) parts.push("MPTCP");
  if (o.tfo) {
    const c = o.tfo.cookieLen;
    parts.push(c === null ? `${o.tfo.data} B of data, no TFO option` : c ? `TFO cookie ${c} B` : "TFO cookie request");
  }
  return parts.join(" ") || "(none)";
}

/** "2026-11-24 05:20:08.707892000 UTC" from an epoch string with nine decimals. */
function utcTime(ts: string): string {
  const { sec, nsec } = epochParts(ts);
  const date = isoSeconds(sec);
  if (date === null) return `${ts} (epoch)`;
  return `${date.replace("T", " ")}.${String(nsec).padStart(9, "0")} UTC`;
}

function header(c: ConnectionRecord, ladder: ConnectionLadder, scales: WindowScales): string[] {
  const client = formatEndpoint(c.orig.addr, c.orig.port), server = formatEndpoint(c.resp.addr, c.resp.port);
  const o = c.handshake.options;
  const frames = ladder.packets.length ? `, frames ${ladder.packets[0]!.frame}-${ladder.packets[ladder.packets.length - 1]!.frame}` : "";
  const count = ladder.packets.length + ladder.omitted;
  const lines = [
    `Connection #${c.id}  ${client} -> ${server}   ${c.connState}  history ${c.history || "-"}  (${c.handshake.outcome}, ${c.teardown.kind})`,
    `Began ${utcTime(c.ts)}; ${count} packet${count === 1 ? "" : "s"}${frames}`,
    `Options: client ${sideOptions(o.orig, "SYN")}; server ${sideOptions(o.resp, "SYN/ACK")}`,
  ];
  const [orig, resp] = scales;
  if (orig !== null && resp !== null) lines.push("Win is scaled by its sender's WS multiplier (2^shift), as Wireshark shows it");
  else if (orig !== null || resp !== null) {
    const [scaled, unseen, packet] = orig !== null ? ["client", "server", "SYN/ACK"] : ["server", "client", "SYN"];
    lines.push(`Win is scaled for the ${scaled} by its WS multiplier, as Wireshark shows it (this connection has no ${packet} from the ${unseen}); the ${unseen}'s as sent`);
  } else if (o.orig?.windowScale != null || o.resp?.windowScale != null) lines.push("Win is as sent: only one side offered window scaling");
  return lines;
}

/** Each side's window-scale shift as Wireshark applies it (null: windows shown as sent). */
type WindowScales = [orig: number | null, resp: number | null];

// RFC 7323: scaling is in force when both SYNs offered it. Wireshark also scales a side by its
// own offer when the other side's SYN (or SYN/ACK) was not captured, that side's windows then
// shown as sent; a side seen without the option turns scaling off for both. A SYN/ACK captured
// before its SYN is a connection of its own here (as in Zeek), not in Wireshark's stream: there
// Wireshark scales the server's windows by it too, and this connection shows them as sent, saying
// which packet it lacks (not that it was not captured).
function windowScales(c: ConnectionRecord): WindowScales {
  const o = c.handshake.options.orig, r = c.handshake.options.resp;
  const orig = o?.windowScale ?? null, resp = r?.windowScale ?? null;
  if (o && r) return orig !== null && resp !== null ? [orig, resp] : [null, null];
  return [o ? orig : null, r ? resp : null];
}

/**
 * Each side's base for relative sequence numbers, as Wireshark sets it: at the side's first
 * packet, its sequence number when it is a SYN, else one less (so that it shows Seq=1); but
 * when the peer's ACK comes first, that ACK number less one (it shows Ack=1), as for a
 * connection that began before the capture: the side's own first packet then counts from there.
 */
function relativeBases(packets: LadderPacket[]): [orig: number, resp: number] {
  const bases: [number | null, number | null] = [null, null];
  for (const p of packets) {
    const mine = p.fromOrig ? 0 : 1, peer = mine ^ 1;
    if (bases[mine] === null) bases[mine] = p.flags & 0x02 ? p.seq : p.seq - 1;
    if (bases[peer] === null && p.flags & 0x10) bases[peer] = p.ack - 1;
    if (bases[0] !== null && bases[1] !== null) break;
  }
  return [bases[0] ?? 0, bases[1] ?? 0];
}

export function renderLadder(ladder: ConnectionLadder): string {
  if (ladder === null || typeof ladder !== "object" || ladder.connection === null || typeof ladder.connection !== "object" || !Array.isArray(ladder.packets)) {
    throw new TypeError(`renderLadder takes a ladder (what captureLadders or drawLadders give: { connection, packets }), not ${ladder === null ? "null" : Array.isArray(ladder) ? "an array" : typeof ladder}`);
  }
  const c = ladder.connection;
  const client = formatEndpoint(c.orig.addr, c.orig.port), server = formatEndpoint(c.resp.addr, c.resp.port);

  const [baseOrig, baseResp] = relativeBases(ladder.packets);
  // Windows are shown scaled as Wireshark shows them (windowScales); a SYN's never.
  const scales = windowScales(c);
  const window = (p: LadderPacket) => {
    const shift = scales[p.fromOrig ? 0 : 1];
    return shift !== null && !(p.flags & 0x02) ? p.window * 2 ** Math.min(14, shift) : p.window;
  };
  // Duplicate ACKs name the first packet of their side with that ACK number and their count
  // since, as Wireshark's "11#2" (window updates in between do not start a new count).
  const ackOf = [-1, -1], dupOf = [0, 0], dups = [0, 0];
  const marks = new Map<LadderPacket, string>();
  for (const p of ladder.packets) {
    const k = p.fromOrig ? 0 : 1;
    if (p.ack !== ackOf[k]) { ackOf[k] = p.ack; dupOf[k] = p.frame; dups[k] = 0; }
    if (p.verdicts & V_DUP_ACK) dups[k]!++;
    if (p.verdicts) marks.set(p, verdictMarks(p.verdicts, dupOf[k]!, dups[k]!));
  }
  const label = (p: LadderPacket) => {
    const mineBase = p.fromOrig ? baseOrig : baseResp, peerBase = p.fromOrig ? baseResp : baseOrig;
    const parts = [`[${wiresharkFlags(p.flags)}]`, `Seq=${(p.seq - mineBase) >>> 0}`];
    const mark = marks.get(p);
    if (mark) parts.unshift(mark);
    if (p.flags & 0x10) parts.push(`Ack=${(p.ack - peerBase) >>> 0}`);
    parts.push(`Win=${window(p)}`, `Len=${p.payload}`);
    if (p.synOptions) {
      const opts = synOptionText(p.synOptions);
      if (opts) parts.push(opts);
    }
    return parts.join(" ");
  };
  const labels = new Map(ladder.packets.map((p) => [p, label(p)]));
  // As wide as the widest label, and as both endpoints above it (two long IPv6 ones fit in MAX_ARROW).
  const arrowWidth = Math.min(MAX_ARROW, Math.max(MIN_ARROW, client.length + server.length + 2, ...[...labels.values()].map((l) => l.length + 8)));
  const frameWidth = Math.max(5, String(ladder.packets[ladder.packets.length - 1]?.frame ?? 0).length);
  // Times past 999 s (a long-lived session) widen the column rather than push their rows right.
  const decimals = ladder.nanoseconds ? 9 : 6;
  const timeWidth = Math.max(decimals + 4, ...ladder.packets.map((p) => p.time.toFixed(decimals).length));
  const gutter = `${"".padStart(frameWidth)}  ${"".padStart(timeWidth)}  ${"".padEnd(STATE_WIDTH)} `;

  const out = header(c, ladder, scales);
  out.push("");
  out.push(`${"frame".padStart(frameWidth)}  ${"time (s)".padStart(timeWidth)}  ${"client".padEnd(STATE_WIDTH)} ${client.padEnd(Math.max(client.length + 1, arrowWidth - server.length))}${server}  server`);

  const finEnd: [number | null, number | null] = [null, null]; // [client, server] raw seq after FIN
  const synSeq: [number | null, number | null] = [null, null]; // [client, server] raw seq of its SYN
  const first = ladder.packets[0];
  // A SYN first: both closed, the server listening. A SYN/ACK first: its sender listened and
  // its peer had sent the SYN the capture missed. Else the connection was open already.
  let sides: RfcSides = !first || !(first.flags & 0x02) ? { client: "ESTABLISHED", server: "ESTABLISHED" }
    : !(first.flags & 0x10) ? { client: "CLOSED", server: "LISTEN" }
      : first.fromOrig ? { client: "LISTEN", server: "SYN-SENT" } : { client: "SYN-SENT", server: "LISTEN" };
  // A server never heard from has no state we could know.
  const serverSilent = !ladder.packets.some((p) => !p.fromOrig);
  const advance = (p: LadderPacket) => {
    const mine = p.fromOrig ? 0 : 1, receiver = mine ^ 1;
    const receiverFin = finEnd[receiver];
    const finAcked = (p.flags & 0x10) !== 0 && receiverFin !== null && ((p.ack - receiverFin) | 0) >= 0;
    const receiverSyn = synSeq[receiver];
    const acksSyn = receiverSyn === null || ((p.ack - receiverSyn) | 0) > 0;
    if (p.flags & 0x02) synSeq[mine] = p.seq;
    if (p.flags & 0x01) finEnd[mine] = (p.seq + p.payload + 1) >>> 0;
    sides = advanceRfc(sides, p.fromOrig, p.flags, finAcked, acksSyn);
  };
  const line = (p: LadderPacket) => {
    advance(p);
    out.push(`${String(p.frame).padStart(frameWidth)}  ${p.time.toFixed(decimals).padStart(timeWidth)}  ${sides.client.padEnd(STATE_WIDTH)} ${arrow(labels.get(p)!, p.fromOrig, arrowWidth)}  ${serverSilent ? "-" : sides.server}`);
  };
  const fold = (run: LadderPacket[]) => {
    const c2s = run.filter((p) => p.fromOrig), s2c = run.filter((p) => !p.fromOrig);
    const sum = (ps: LadderPacket[]) => ps.reduce((n, p) => n + p.payload, 0);
    out.push(`${gutter}:  ${run.length} packets folded (frames ${run[0]!.frame}-${run[run.length - 1]!.frame}): client ${c2s.length} (${bytes(sum(c2s))}), server ${s2c.length} (${bytes(sum(s2c))})`);
    run.forEach(advance); // states still advance through the folded packets
  };

  const packets = ladder.packets;
  for (let k = 0; k < packets.length;) {
    if (k === ladder.omittedAt && ladder.omitted > 0) {
      out.push(`${gutter}:  ${ladder.omitted} more packets not kept (between frames ${packets[k - 1]!.frame} and ${packets[k]!.frame})`);
    }
    const plain = (p: LadderPacket) => !(p.flags & CONTROL) && p.verdicts === 0;
    if (!plain(packets[k]!)) { line(packets[k]!); k++; continue; }
    let end = k;
    while (end < packets.length && plain(packets[end]!) && !(end === ladder.omittedAt && end !== k)) end++;
    const run = packets.slice(k, end);
    if (run.length > FOLD_THRESHOLD) {
      run.slice(0, FOLD_KEEP).forEach(line);
      fold(run.slice(FOLD_KEEP, run.length - FOLD_KEEP));
      run.slice(run.length - FOLD_KEEP).forEach(line);
    } else {
      run.forEach(line);
    }
    k = end;
  }
  out.push("");
  out.push(explainConnection(c));
  return out.join("\n") + "\n";
}
