// What happened to a connection, in plain words.

import type { ConnectionRecord } from "../connections/connection-record.js";
import { explainHealth } from "./verdict-marks.js";
import { readableDuration } from "../report/readable-duration.js";
import { plural } from "../plural.js";

/** As the summary writes durations: "600 ns", not "0 µs" from a nanosecond capture; "24.00 s", not "24000 ms". */
function ms(us: number | null): string {
  return us === null ? "?" : readableDuration(us);
}

export function explainHandshake(c: ConnectionRecord): string {
  const h = c.handshake;
  const retries = h.synCount > 1 ? ` after ${plural(h.synCount - 1, "SYN retransmission")}` : "";
  switch (h.outcome) {
    case "complete": {
      if (h.synAckCount === 0) return `The server acknowledged the SYN${retries}, but the capture has no SYN/ACK for it (missed, or captured before the SYN and counted as a connection of its own): the connection came up, and the handshake cannot be timed.`;
      const legs = `SYN→SYN/ACK ${ms(h.rttSynToSynAckUs)}${h.rttSynAckToAckUs !== null ? `, SYN/ACK→ACK ${ms(h.rttSynAckToAckUs)}` : ", the client's ACK was not captured"}`;
      // A SYN/ACK sent again: leg 1 ends at its first transmission, leg 2 starts at its last, so
      // their sum is a round trip, not the time from the SYN to the ACK.
      if (h.synAckCount > 1) return `The handshake completed${retries} after ${plural(h.synAckCount, "SYN/ACK")} (round trips: ${legs}).`;
      const total = h.rttSynToSynAckUs !== null && h.rttSynAckToAckUs !== null ? ms(h.rttSynToSynAckUs + h.rttSynAckToAckUs) : null;
      return `The handshake completed${retries}${total ? ` in ${total}` : ""} (${legs}).`;
    }
    case "rejected": return `The server rejected the connection: it answered the SYN${retries} with a RST (nothing listening on port ${c.resp.port}, or a firewall).`;
    case "unanswered": return c.resp.pkts > 0
      ? `No SYN/ACK or RST answered ${plural(h.synCount, "SYN")}, and ${c.resp.pkts === 1 ? "the server's one packet did not acknowledge" : `none of the server's ${c.resp.pkts} packets acknowledged`} what the client had sent (the SYN, and no more).`
      : `Nobody answered: ${plural(h.synCount, "SYN")} went out and no SYN/ACK or RST came back (host down, packets dropped, or a filtering firewall).`;
    case "aborted": return h.synAckCount === 0
      ? "The server acknowledged the SYN (its SYN/ACK was not captured), but the connection was reset before the client's ACK."
      : "The server answered with a SYN/ACK, but the connection was reset before the handshake's final ACK.";
    case "syn-ack-only": return "The capture has the server's SYN/ACK but not the client's SYN (it started late or missed a packet); roles are inferred.";
    case "simultaneous-open": return "Both sides sent a SYN (simultaneous open); Zeek's model splits this into separate connections.";
    case "mid-stream": return "No handshake was captured: the connection was already open when the capture started, so counts cover only what was seen.";
    case "invalid": return "The handshake packets do not fit together: an answer acknowledged the wrong sequence number (a stale or forged packet, or a middlebox rewriting).";
  }
}

export function explainTeardown(c: ConnectionRecord): string {
  const t = c.teardown;
  const who = (side: "orig" | "resp" | null) => (side === "orig" ? "the client" : side === "resp" ? "the server" : "one side");
  const first = who(t.firstCloser), second = t.firstCloser === "orig" ? "the server" : "the client";
  switch (t.kind) {
    case "fin": return `${cap(first)} closed first; the teardown took four packets (FIN, ACK, FIN, ACK).`;
    case "fin-3": return `${cap(first)} closed first; the teardown took three packets because ${second}'s FIN rode on its ACK of the first FIN.`;
    case "simultaneous-close": return "Both sides sent FIN before seeing the other's (simultaneous close).";
    case "rst-orig": return "The client reset the connection (RST).";
    case "rst-resp": return c.handshake.outcome === "rejected" ? "" : "The server reset the connection (RST).";
    case "fin-then-rst": return `${cap(first)} sent FIN, then the connection was reset (RST) instead of a clean close.`;
    case "half-closed-orig": return "The client closed its side (FIN); the server's side stayed open (half-closed).";
    case "half-closed-resp": return "The server closed its side (FIN); the client's side stayed open (half-closed).";
    case "open": return c.handshake.outcome === "unanswered" ? "" : "The connection was still open when the capture ended.";
    case "timeout": return "The connection went silent and timed out without a FIN or RST.";
    case "reused": return "A new connection's SYN on the same ports (another sequence number) ended it before it closed.";
    case "evicted": return "The scan ended this connection early: more connections were open at once than its limits (--max-half-open, --max-connections).";
  }
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function explainConnection(c: ConnectionRecord): string {
  return [explainHandshake(c), explainUncounted(c), explainTeardown(c), explainHealth(c)].filter(Boolean).join(" ");
}

/**
 * A connection known only from packets whose TCP options the snaplen cut (a SYN or SYN/ACK: its
 * handshake evidence counts, the packet is not used, as in Zeek): the ladder draws no packet, and
 * says why rather than leave "0 packets" beside a SYN/ACK it names.
 */
function explainUncounted(c: ConnectionRecord): string {
  if (c.orig.pkts + c.resp.pkts > 0 || !c.anomalies["snaplen-truncated"]) return "";
  return "Its packets' TCP options were cut by the snaplen: they tell the connection and its handshake, but, as in Zeek, are not counted, so none is drawn.";
}
