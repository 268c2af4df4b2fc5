// The report's verdict on the capture (quality: good, degraded or poor, and its findings). It
// judges the capture, so it counts every connection the scan gave, whichever a filter selected
// for the rest of the report (the command's --filter: a summary of the mid-stream connections is
// not a capture of mid-stream connections), and the inputs' figures and timeline.

import type { CaptureSummary } from "../decoder/decode-capture.js";
import type { ConnectionFacts } from "./connection-facts.js";

export interface QualityFinding { id: string; message: string }

/** The capture's TCP packets' largest gap and backward steps (the trackers' clock). */
export interface Timeline { maxGapSec: number; backwardsSteps: number }

export interface CaptureQualityVerdict { verdict: "good" | "degraded" | "poor"; findings: QualityFinding[] }

// Findings of which two make a capture poor.
const SERIOUS = new Set(["damaged", "unreadable", "one-sided", "missing-handshakes"]);

export class CaptureQuality {
  private connections = 0;
  private oneSided = 0;
  private midStream = 0;
  private evicted = 0;
  private badChecksums = 0; // packets dropped for a wrong TCP checksum (verification on)
  private synAcksMissed = 0; // originators' SYNs acknowledged with no SYN/ACK captured
  private captureLoss = 0; // connections that acknowledged data the capture does not hold

  /** One connection the scan gave. */
  add(c: ConnectionFacts): void {
    this.connections++;
    // A SYN nobody answered is one-sided by nature; anything more says something about the tap.
    if (c.oneSided && c.outcome !== "unanswered") this.oneSided++;
    if (c.outcome === "mid-stream") this.midStream++;
    if (c.teardown === "evicted") this.evicted++;
    this.badChecksums += c.badChecksums;
    if (c.orig.ackedUnseen + c.resp.ackedUnseen > 0) this.captureLoss++;
    // Answered without a SYN/ACK captured: the SYN acknowledged.
    if (c.origSyns > 0 && c.respSynAcks === 0 && c.synAnswered()) this.synAcksMissed++;
  }

  verdict(captures: CaptureSummary[], timeline: Timeline): CaptureQualityVerdict {
    const findings: QualityFinding[] = [];
    const n = this.connections;
    const share = (k: number) => `${((100 * k) / n).toFixed(0)}%`;
    for (const capture of captures) {
      // An input that gave no packet was not read as a capture at all (the command's exit 3, not 4).
      if (capture.error) {
        findings.push(capture.stats.packets > 0
          ? { id: "damaged", message: `${capture.source} is damaged at byte ${capture.error.offset}: ${capture.error.message}; results cover what came before` }
          : { id: "unreadable", message: `${capture.source} could not be read: byte ${capture.error.offset}: ${capture.error.message}` });
      }
    }
    // First: checksums a NIC fills in after the capture (offload) drop most packets of a capture taken
    // on the sending host, and the one-sided and mid-stream findings below follow from that.
    const bad = this.badChecksums;
    if (bad > 0) findings.push({ id: "bad-checksums", message: `${bad} TCP packet${bad === 1 ? " was" : "s were"} dropped for a wrong checksum (--verify-checksums): a capture taken on a sending host holds checksums its network card fills in later (offload); leave verification off, the default, for such captures` });
    if (n >= 5 && this.oneSided / n >= 0.5) findings.push({ id: "one-sided", message: `${share(this.oneSided)} of connections show packets from one side only: asymmetric routing or a one-directional tap` });
    if (n >= 5 && this.midStream / n >= 0.3) findings.push({ id: "missing-handshakes", message: `${share(this.midStream)} of connections started before the capture (no handshake seen)` });
    const total = (key: "truncated" | "unsupportedLink" | "tunnelled" | "tcpUnreadable" | "ipLenPastWire") => captures.reduce((sum, c) => sum + c.stats[key], 0);
    const st = { truncated: total("truncated"), unsupportedLink: total("unsupportedLink"), tunnelled: total("tunnelled"), tcpUnreadable: total("tcpUnreadable"), ipLenPastWire: total("ipLenPastWire") };
    // "1 packet was", "2 packets were": the count leads each message.
    const were = (k: number, noun: string) => `${k} ${noun}${k === 1 ? " was" : "s were"}`;
    if (st.truncated > 0) findings.push({ id: "snaplen", message: `${were(st.truncated, "packet")} cut by the snapshot length; sizes come from the IP headers, content gaps may show` });
    if (this.evicted > 0) findings.push({ id: "evicted", message: `${were(this.evicted, "connection")} ended early, more being open at once than the limits (--max-half-open for connections of one packet so far, --max-connections for the others, least recently active and one-sided first): a flood or scan; a later packet of one of them shows as a connection of its own` });
    // The trackers' clock steps on TCP packets: other traffic in a gap between them is not seen here.
    if (timeline.maxGapSec >= 60) findings.push({ id: "time-gap", message: `the TCP packets have a gap of ${timeline.maxGapSec.toFixed(0)} s (an interrupted or merged capture, or a quiet spell): connections whose timers ran out across it ended there` });
    if (timeline.backwardsSteps > 0) findings.push({ id: "time-backwards", message: `timestamps step backwards ${timeline.backwardsSteps === 1 ? "once" : `${timeline.backwardsSteps} times`} between TCP packets` });
    if (st.unsupportedLink > 0) findings.push({ id: "unsupported-link", message: `${st.unsupportedLink} packet${st.unsupportedLink === 1 ? "" : "s"} on link types this tool does not read` });
    if (st.tunnelled > 0) findings.push({ id: "tunnelled", message: `${st.tunnelled} tunnelled packet${st.tunnelled === 1 ? " (GRE, VXLAN, ...) was" : "s (GRE, VXLAN, ...) were"} counted but not opened` });
    if (st.tcpUnreadable > 0) findings.push({ id: "cut-headers", message: `${st.tcpUnreadable} TCP packet${st.tcpUnreadable === 1 ? " had its" : "s had their"} header cut before the flags` });
    if (this.synAcksMissed > 0) findings.push({ id: "syn-acks-missed", message: `${this.synAcksMissed} connection${this.synAcksMissed === 1 ? "'s SYN/ACK was" : "s' SYN/ACKs were"} not captured, though the server acknowledged the SYN: lost by the capture, or captured before the SYN (a connection of its own)` });
    if (st.ipLenPastWire > 0) findings.push({ id: "ip-past-wire", message: `${st.ipLenPastWire} IP packet${st.ipLenPastWire === 1 ? " was longer than its frame on the wire (its original length) and was" : "s were longer than their frame on the wire (its original length) and were"} dropped, as Zeek drops them` });
    if (this.captureLoss > 0) findings.push({ id: "capture-loss", message: `${this.captureLoss} connection${this.captureLoss === 1 ? "" : "s"} acknowledged data the capture does not hold (ACKed unseen segments): the capture lost packets, the network did not` });
    const serious = findings.filter((f) => SERIOUS.has(f.id)).length;
    // No packet read at all (each input unreadable, or holding none): nothing to judge the
    // network by, neither "degraded" nor "good".
    const nothingRead = captures.length > 0 && captures.every((c) => c.stats.packets === 0);
    if (nothingRead && captures.every((c) => !c.error)) {
      findings.push({ id: "no-packets", message: `the capture${captures.length === 1 ? " holds" : "s hold"} no packets` });
    }
    return { verdict: serious >= 2 || nothingRead ? "poor" : findings.length > 0 ? "degraded" : "good", findings };
  }
}
