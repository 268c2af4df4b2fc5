// The few things the capture report and the text summary read of a connection, from either a
// record object or the tracker's columns (an ended group's store), by the record's own rules
// (record-values.ts). The summary reads every connection from the store this way and builds a
// record object only for the connections a bounded list keeps; the SDK's report reads its
// records through the same accessor, so both run one copy of the report's logic.

import type { ConnectionRecord, HandshakeOutcome, TeardownKind } from "../connections/connection-record.js";
import { buildConnectionRecord } from "../connections/connection-record.js";
import type { ConnState } from "../connections/conn-state.js";
import { connState } from "../connections/conn-state.js";
import { newSideFigures, rawSideFigures, sideFigures, type SideFigures } from "../connections/analysis/analysis-result.js";
import { ConnectionStore, KEY_WORDS } from "../connections/connection-store.js";
import {
  handshakeOutcome, hasOneSidedAnomaly, seqSpan, synAckToAckUs, synToSynAckUs, teardown,
} from "../connections/record-values.js";
import { formatAddress } from "../decoder/packet-batch.js";
import { ANOMALY_BAD_CHECKSUM } from "../../assembly/connection-layout.js";
import { hostKey, ipv6Key } from "./address-keys.js";
import { connectionId } from "../connections/connection-id.js";

export class ConnectionFacts {
  id = 0;
  /** Its key (connection-id.ts): the order connections began in, told apart where one frame began several. */
  key = 0;
  outcome: HandshakeOutcome = "complete";
  teardown: TeardownKind = "open";
  connState: ConnState = "OTH";
  rttSynToSynAckUs: number | null = null;
  rttSynAckToAckUs: number | null = null;
  /** The record's anomalies["one-sided"] is set and not 0. */
  oneSided = false;
  /** The record's anomalies["bad-checksum"]: its packets dropped for a wrong TCP checksum (with verification on). */
  badChecksums = 0;
  /** orig.flags.syn and resp.flags.synAck. */
  origSyns = 0;
  respSynAcks = 0;
  origPkts = 0;
  respPkts = 0;
  respPort = 0;
  /** The TCP analysis figures the summary's health reads, of each role (read from the store's raw block when it has one). */
  readonly orig: SideFigures = newSideFigures();
  readonly resp: SideFigures = newSideFigures();

  private recordRead: ConnectionRecord | null = null;
  private store: ConnectionStore | null = null;
  private slot = 0;
  private origSide = 0;
  private version = 4;
  // The responder's address as text, once made for this connection (the report and the health
  // both key servers by it: an IPv6 address is formatted once, not at each ask).
  private respText: string | null = null;
  // The two addresses as bytes (side 0 at 0, side 1 at 16), copied from the key when one is formatted.
  private readonly words = new Int32Array(8);
  private readonly bytes = new Uint8Array(this.words.buffer);

  /** The facts of `c`. */
  ofRecord(c: ConnectionRecord): this {
    this.recordRead = c;
    this.store = null;
    const h = c.handshake;
    this.id = c.id;
    this.key = c.id; // a record has its id only (connection-id.ts)
    this.outcome = h.outcome;
    this.teardown = c.teardown.kind;
    this.connState = c.connState;
    this.rttSynToSynAckUs = h.rttSynToSynAckUs;
    this.rttSynAckToAckUs = h.rttSynAckToAckUs;
    this.oneSided = Boolean(c.anomalies["one-sided"]);
    this.badChecksums = c.anomalies["bad-checksum"] ?? 0;
    this.origSyns = c.orig.flags.syn;
    this.respSynAcks = c.resp.flags.synAck;
    this.origPkts = c.orig.pkts;
    this.respPkts = c.resp.pkts;
    this.respPort = c.resp.port;
    sideFigures(c.analysis.orig, this.orig);
    sideFigures(c.analysis.resp, this.resp);
    return this;
  }

  /** The facts of the connection in `slot` of `s` (read while the slot holds it). */
  ofStore(s: ConnectionStore, slot: number): this {
    this.recordRead = null;
    this.store = s;
    this.slot = slot;
    this.respText = null;
    const origSide = s.flipped[slot]!;
    const o = slot * 2 + origSide, r = o ^ 1;
    this.origSide = origSide;
    this.version = s.key[slot * KEY_WORDS + 9]! === 4 ? 4 : 6;
    this.id = connectionId(s.id[slot]!);
    this.key = s.id[slot]!;
    this.outcome = handshakeOutcome(s, slot, o, r);
    this.teardown = teardown(s, slot, origSide);
    this.connState = connState(s.state[o]!, s.state[r]!, s.history[slot]!, seqSpan(s, o), seqSpan(s, r));
    this.rttSynToSynAckUs = synToSynAckUs(s, slot);
    this.rttSynAckToAckUs = synAckToAckUs(s, slot);
    this.oneSided = hasOneSidedAnomaly(s, slot, o, r);
    this.badChecksums = s.anomalyCountOf(slot, ANOMALY_BAD_CHECKSUM);
    this.origSyns = s.syns[o]!;
    this.respSynAcks = s.synAcks[r]!;
    this.origPkts = s.pkts[o]!;
    this.respPkts = s.pkts[r]!;
    const ports = s.key[slot * KEY_WORDS + 8]!;
    this.respPort = origSide === 0 ? ports & 0xffff : ports >>> 16;
    const raw = s.rawAnalysisAt(slot);
    if (raw >= 0) {
      rawSideFigures(s.rawAnalysisView, raw, origSide, this.orig);
      rawSideFigures(s.rawAnalysisView, raw, origSide ^ 1, this.resp);
      return this;
    }
    const a = s.analysisAt(slot);
    if (!a) throw new Error(`connection ${this.id}: no TCP analysis results`);
    sideFigures(a.sides[origSide]!, this.orig);
    sideFigures(a.sides[origSide ^ 1]!, this.resp);
    return this;
  }

  /**
   * Whether the originator's SYN was answered: a SYN/ACK, or the SYN acknowledged where the
   * capture missed the SYN/ACK (an originator's SYN is complete or aborted without one only then).
   */
  synAnswered(): boolean {
    return this.respSynAcks > 0 || this.outcome === "complete" || this.outcome === "aborted";
  }

  /** The record (built from the store on asking: only for a connection that is kept). */
  record(): ConnectionRecord {
    return this.recordRead ?? buildConnectionRecord(this.store!, this.slot);
  }

  origAddr(): string {
    return this.recordRead ? this.recordRead.orig.addr : this.address(this.origSide);
  }

  respAddr(): string {
    if (this.recordRead) return this.recordRead.resp.addr;
    return (this.respText ??= this.address(this.origSide ^ 1));
  }

  /** hostKey(origAddr()): from the store straight from the key's words, with no text. */
  origHost(): number | string {
    if (this.recordRead) return hostKey(this.origAddr());
    return this.version === 4 ? this.ipv4Key(this.origSide) : this.ipv6Key(this.origSide);
  }

  respHost(): number | string {
    if (this.recordRead) return hostKey(this.respAddr());
    return this.version === 4 ? this.ipv4Key(this.origSide ^ 1) : this.ipv6Key(this.origSide ^ 1);
  }

  private address(side: number): string {
    const s = this.store!, k = this.slot * KEY_WORDS;
    for (let w = 0; w < 8; w++) this.words[w] = s.key[k + w]!;
    return formatAddress(this.bytes, side * 16, this.version);
  }

  // The key hostKey gives the address's IPv6 text (address-keys.ts ipv6Key).
  private ipv6Key(side: number): string {
    const s = this.store!, k = this.slot * KEY_WORDS + side * 4;
    for (let w = 0; w < 4; w++) this.words[w] = s.key[k + w]!;
    return ipv6Key(this.bytes, 0);
  }

  // The value hostKey gives the dotted quad: the four bytes in network order, as a signed 32-bit integer.
  private ipv4Key(side: number): number {
    this.words[0] = this.store!.key[this.slot * KEY_WORDS + side * 4]!;
    const b = this.bytes;
    return (b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!;
  }
}
