// The TCP analysis verdicts of one packet in Wireshark's words, as its Info column prefixes
// them ("[TCP Retransmission]", "[TCP Dup ACK 12#2]", ...), and the connection's counts in
// plain words for the ladder's closing sentence.

import * as A from "../../assembly/analysis-layout.js";
import type { ConnectionRecord } from "../connections/connection-record.js";
import type { SideAnalysis } from "../connections/analysis/analysis-result.js";

// In the Info column's order: Wireshark's dissector adds the marks retransmissions first,
// then lost segments, window, keep-alive, duplicate ACK and zero-window marks, each put in
// FRONT of the column, so they read in the reverse of that order ("[TCP ZeroWindow] [TCP
// ACKed unseen segment]"). 0 stands for the duplicate ACK, whose text carries its counts.
const MARKS: [number, string][] = [
  [A.V_ZERO_WINDOW_PROBE_ACK, "TCP ZeroWindowProbeAck"],
  [A.V_ZERO_WINDOW, "TCP ZeroWindow"],
  [A.V_ZERO_WINDOW_PROBE, "TCP ZeroWindowProbe"],
  [A.V_DUP_ACK, ""],
  [A.V_KEEP_ALIVE_ACK, "TCP Keep-Alive ACK"],
  [A.V_KEEP_ALIVE, "TCP Keep-Alive"],
  [A.V_WINDOW_FULL, "TCP Window Full"],
  [A.V_WINDOW_UPDATE, "TCP Window Update"],
  [A.V_ACKED_UNSEEN, "TCP ACKed unseen segment"],
  [A.V_LOST_SEGMENT, "TCP Previous segment not captured"],
  [A.V_OUT_OF_ORDER, "TCP Out-Of-Order"],
  [A.V_SPURIOUS_RETRANSMISSION, "TCP Spurious Retransmission"],
  [A.V_FAST_RETRANSMISSION, "TCP Fast Retransmission"],
  [A.V_RETRANSMISSION, "TCP Retransmission"],
];

/**
 * "[TCP ZeroWindow] [TCP Dup ACK 5#2]": `dupOf` is the frame of the ACK this one repeats and
 * `dupCount` how many times it has been repeated so far (Wireshark's "frame#count").
 */
export function verdictMarks(v: number, dupOf = 0, dupCount = 0): string {
  const marks: string[] = [];
  for (const [bit, text] of MARKS) {
    if (!(v & bit)) continue;
    if (bit === A.V_DUP_ACK) marks.push(dupOf > 0 ? `[TCP Dup ACK ${dupOf}#${dupCount}]` : "[TCP Dup ACK]");
    else marks.push(`[${text}]`);
  }
  return marks.join(" ");
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function sideHealth(s: SideAnalysis, who: string): string[] {
  const parts: string[] = [];
  if (s.retransmission > 0) {
    const kinds = [s.fastRetransmission && `${s.fastRetransmission} fast`, s.spuriousRetransmission && `${s.spuriousRetransmission} spurious`].filter(Boolean);
    parts.push(`${plural(s.retransmission, "retransmission")}${kinds.length ? ` (${kinds.join(", ")})` : ""} from ${who}`);
  }
  if (s.outOfOrder > 0) parts.push(`${plural(s.outOfOrder, "out-of-order segment")} from ${who}`);
  if (s.dupAck > 0) parts.push(`${plural(s.dupAck, "duplicate ACK")} from ${who}`);
  if (s.zeroWindow > 0) parts.push(`${plural(s.zeroWindow, "zero-window advertisement")} from ${who} (its receive buffer filled)`);
  if (s.zeroWindowProbe > 0) parts.push(`${plural(s.zeroWindowProbe, "zero-window probe")} from ${who}`);
  if (s.keepAlive > 0) parts.push(`${plural(s.keepAlive, "keep-alive")} from ${who}`);
  return parts;
}

/** What Wireshark's TCP analysis found, in a sentence; "" for a connection it has nothing to say about. */
export function explainHealth(c: ConnectionRecord): string {
  const a = c.analysis;
  const parts = [...sideHealth(a.orig, "the client"), ...sideHealth(a.resp, "the server")];
  const unseen = a.orig.ackedUnseen + a.resp.ackedUnseen, lost = a.orig.lostSegment + a.resp.lostSegment;
  let sentence = parts.length ? `Wireshark's TCP analysis marks ${parts.join(", ")}.` : "";
  if (unseen > 0 || lost > 0) {
    const what = [lost && plural(lost, "segment") + " not captured", unseen && plural(unseen, "ACKed unseen segment")].filter(Boolean).join(", ");
    sentence += `${sentence ? " " : ""}The capture is missing packets (${what})${unseen > 0 ? ": the receiver acknowledged data the capture never held, so this is loss in the capture, not on the network" : ""}.`;
  }
  return sentence;
}
