// Draws a connection's packet exchange as a terminal sequence diagram: the client on the left,
// the server on the right, one arrow per packet with its flags, relative sequence and
// acknowledgement numbers (as Wireshark shows them), payload length and time offset, each
// side's RFC 9293 state beside the arrows, long data phases folded, and a sentence on what
// happened.

import type { ConnectionLadder, LadderPacket } from "./ladder-capture.js";
import { advanceRfc, type RfcSides } from "./rfc-states.js";
import { explainConnection } from "./explain.js";
import { formatEndpoint } from "../decoder/packet-batch.js";

const FLAG_NAMES: [number, string][] = [
  [0x02, "SYN"], [0x10, "ACK"], [0x01, "FIN"], [0x04, "RST"], [0x08, "PSH"], [0x20, "URG"], [0x40, "ECE"], [0x80, "CWR"], [0x100, "AE"],
];
const CONTROL = 0x02 | 0x01 | 0x04;
const ARROW_WIDTH = 58;
const STATE_WIDTH = 13;
const FOLD_THRESHOLD = 14; // a run of plain data/ACK packets longer than this is folded
const FOLD_KEEP = 4; //       packets shown at each end of a folded run

function flagText(flags: number): string {
  return FLAG_NAMES.filter(([bit]) => flags & bit).map(([, name]) => name).join(",") || "none";
}

function bytes(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`;
}

function arrow(label: string, toServer: boolean): string {
  const inner = ` ${label} `;
  const room = ARROW_WIDTH - 2;
  const text = inner.length > room - 4 ? inner.slice(0, room - 5) + "… " : inner;
  const dashes = room - text.length;
  const left = 2, right = dashes - left;
  return toServer ? `|${"-".repeat(left)}${text}${"-".repeat(right - 1)}>|` : `|<${"-".repeat(left - 1)}${text}${"-".repeat(right)}|`;
}

export function renderLadder(ladder: ConnectionLadder): string {
  const c = ladder.connection;
  const client = formatEndpoint(c.orig.addr, c.orig.port), server = formatEndpoint(c.resp.addr, c.resp.port);
  const out: string[] = [];
  out.push(`Connection #${c.id}  ${client} -> ${server}   ${c.connState}  history ${c.history || "-"}  (${c.handshake.outcome}, ${c.teardown.kind})`);
  out.push("");
  out.push(`${"time (s)".padStart(10)}  ${"client".padEnd(STATE_WIDTH)} ${client.padEnd(ARROW_WIDTH - server.length)}${server}  server`);

  // Relative sequence numbers: from each side's first SYN, else its first packet.
  const base = (fromOrig: boolean) => {
    const mine = ladder.packets.filter((p) => p.fromOrig === fromOrig);
    const syn = mine.find((p) => p.flags & 0x02);
    return syn ? syn.seq : mine[0]?.seq ?? 0;
  };
  const baseOrig = base(true), baseResp = base(false);
  const finEnd: [number | null, number | null] = [null, null]; // [client, server] raw seq after FIN
  const firstControl = ladder.packets[0];
  let sides: RfcSides = firstControl && firstControl.flags & 0x02
    ? { client: "CLOSED", server: "LISTEN" }
    : { client: "ESTABLISHED", server: "ESTABLISHED" };
  // A server never heard from has no state we could know.
  const serverSilent = !ladder.packets.some((p) => !p.fromOrig);
  // Windows are shown scaled, as Wireshark does, once both SYNs offered window scaling.
  const scaleOrig = c.handshake.options.orig?.windowScale ?? null, scaleResp = c.handshake.options.resp?.windowScale ?? null;
  const scaling = scaleOrig !== null && scaleResp !== null;
  const window = (p: LadderPacket) => (scaling && !(p.flags & 0x02) ? p.window * 2 ** Math.min(14, p.fromOrig ? scaleOrig! : scaleResp!) : p.window);

  const line = (p: LadderPacket) => {
    const mineBase = p.fromOrig ? baseOrig : baseResp, peerBase = p.fromOrig ? baseResp : baseOrig;
    const parts = [flagText(p.flags), `seq=${(p.seq - mineBase) >>> 0}`];
    if (p.flags & 0x10) parts.push(`ack=${(p.ack - peerBase) >>> 0}`);
    if (p.payload) parts.push(`len=${p.payload}`);
    parts.push(`win=${window(p)}`);
    const receiverFin = finEnd[p.fromOrig ? 1 : 0];
    const finAcked = (p.flags & 0x10) !== 0 && receiverFin !== null && ((p.ack - receiverFin) | 0) >= 0;
    if (p.flags & 0x01) finEnd[p.fromOrig ? 0 : 1] = (p.seq + p.payload + 1) >>> 0;
    sides = advanceRfc(sides, p.fromOrig, p.flags, finAcked);
    out.push(`${p.time.toFixed(6).padStart(10)}  ${sides.client.padEnd(STATE_WIDTH)} ${arrow(parts.join(" "), p.fromOrig)}  ${serverSilent ? "-" : sides.server}`);
  };
  const fold = (run: LadderPacket[]) => {
    const c2s = run.filter((p) => p.fromOrig), s2c = run.filter((p) => !p.fromOrig);
    const sum = (ps: LadderPacket[]) => ps.reduce((n, p) => n + p.payload, 0);
    out.push(`${"".padStart(10)}  ${"".padEnd(STATE_WIDTH)} ${`:  ${run.length} packets folded: client ${c2s.length} (${bytes(sum(c2s))}), server ${s2c.length} (${bytes(sum(s2c))})`.padEnd(ARROW_WIDTH)}`);
    // States still advance through the folded packets.
    for (const p of run) {
      const receiverFin = finEnd[p.fromOrig ? 1 : 0];
      const finAcked = (p.flags & 0x10) !== 0 && receiverFin !== null && ((p.ack - receiverFin) | 0) >= 0;
      sides = advanceRfc(sides, p.fromOrig, p.flags, finAcked);
    }
  };

  const packets = ladder.packets;
  for (let k = 0; k < packets.length;) {
    if (k === ladder.omittedAt && ladder.omitted > 0) {
      out.push(`${"".padStart(10)}  ${"".padEnd(STATE_WIDTH)} ${`:  ${ladder.omitted} more packets not kept`.padEnd(ARROW_WIDTH)}`);
    }
    if (packets[k]!.flags & CONTROL) { line(packets[k]!); k++; continue; }
    let end = k;
    while (end < packets.length && !(packets[end]!.flags & CONTROL) && !(end === ladder.omittedAt && end !== k)) end++;
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
