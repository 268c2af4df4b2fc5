// A connection's ndjson line, written straight from the record's values (record-values.ts, the
// rules buildConnectionRecord builds its object from) into a ByteSink, field by field in the
// record's own order (the schema in the README, then vlan, innerVlan and tunnel when set). The
// same bytes as JSON.stringify(buildConnectionRecord(...)) + "\n" (test/sdk/lines/ndjson-bytes.test.ts
// holds the two together on every corpus capture), without the record's object tree,
// JSON.stringify's generic walk of it and the string's UTF-8 encoding after it: per connection,
// those were the largest costs of the scan (docs/benchmarks.md, "Threads and the record path").

import type { RecordTunnel } from "../connections/connection-record.js";
import type { ConnectionStore } from "../connections/connection-store.js";
import { noAckRtt, noVerdicts, readRecordValues, RecordValues, type EndpointValues, type OptionValues } from "../connections/record-values.js";
import { COUNT_NAMES, type SideAnalysis } from "../connections/analysis/analysis-result.js";
import { TUNNEL_ID_NAMES, type RecordTunnelLevel } from "../connections/tunnel-chain.js";
import { FixedBytes, type ByteSink } from "./byte-sink.js";

const ascii = (text: string) => new FixedBytes(text);
const QUOTE = 0x22;

/**
 * A key, and the key with each value that has no digits (null, false, true) after it: such a
 * value and its key go in as one copy instead of two (a line is mostly keys and small values).
 */
class Key {
  readonly key: FixedBytes;
  readonly null: FixedBytes;
  readonly false: FixedBytes;
  readonly true: FixedBytes;

  constructor(text: string) {
    this.key = ascii(text);
    this.null = ascii(`${text}null`);
    this.false = ascii(`${text}false`);
    this.true = ascii(`${text}true`);
  }
}

function numOrNullAt(out: ByteSink, k: Key, n: number | null): void {
  if (n === null) return out.raw(k.null);
  out.field(k.key, n);
}

// `{"cookieLen":` and the length, or null: data on the SYN without a TFO option.
function cookieLenAt(out: ByteSink, n: number | null): void {
  if (n === null) { out.raw(K.cookieLen); out.numOrNull(null); } else out.field(K.cookieLen, n);
}

function boolAt(out: ByteSink, k: Key, v: boolean): void {
  out.raw(v ? k.true : k.false);
}

const K = {
  id: ascii('{"id":'), communityId: ascii(',"communityId":'), ts: ascii(',"ts":'), duration: ascii(',"duration":'),
  orig: ascii(',"orig":'), resp: ascii(',"resp":'), firstPacket: ascii(',"firstPacket":'), lastPacket: ascii(',"lastPacket":'),
  addr: ascii('{"addr":'), port: ascii(',"port":'), pkts: ascii(',"pkts":'), bytes: ascii(',"bytes":'),
  missedBytes: new Key(',"missedBytes":'), ipBytes: ascii(',"ipBytes":'), syn: ascii(',"flags":{"syn":'),
  synAck: ascii(',"synAck":'), fin: ascii(',"fin":'), rst: ascii(',"rst":'),
  outcome: ascii(',"handshake":{"outcome":'), synCount: ascii(',"synCount":'), synAckCount: ascii(',"synAckCount":'),
  rtt1: new Key(',"rttSynToSynAckUs":'), rtt2: new Key(',"rttSynAckToAckUs":'), synPacket: new Key(',"synPacket":'),
  synAckPacket: new Key(',"synAckPacket":'), ack: ascii(',"ack":'), ackPacket: ascii('{"packet":'),
  acksSynAck: new Key(',"acksSynAck":'), payload: ascii(',"payload":'), optionsOrig: ascii(',"options":{"orig":'),
  mss: new Key('{"mss":'), windowScale: new Key(',"windowScale":'), sackPermitted: new Key(',"sackPermitted":'),
  timestamps: new Key(',"timestamps":'), ece: new Key(',"ecn":{"ece":'), cwr: new Key(',"cwr":'), ae: new Key(',"ae":'),
  tfo: new Key('},"tfo":'), cookieLen: ascii('{"cookieLen":'), data: ascii(',"data":'), mptcp: new Key(',"mptcp":'),
  kind: ascii('}},"teardown":{"kind":'), firstCloser: ascii(',"firstCloser":'), connState: ascii('},"connState":'),
  history: ascii(',"history":'), anomalies: ascii(',"anomalies":{'), analysisOrig: ascii('},"analysis":{"orig":'),
  counts: COUNT_NAMES.map((name, i) => ascii(`${i ? "," : "{"}"${name}":`)), samples: ascii(',"ackRttUs":{"samples":'),
  min: new Key(',"min":'), mean: new Key(',"mean":'), max: new Key(',"max":'), p50: new Key(',"p50":'), p95: new Key(',"p95":'),
  retransmittedBytes: ascii('},"retransmittedBytes":'), maxGapUs: new Key(',"maxGapUs":'), firstPayloadUs: new Key(',"firstPayloadUs":'),
  vlan: ascii(',"vlan":'), innerVlan: ascii(',"innerVlan":'), tunnel: ascii(',"tunnel":{"types":['),
  identity: ascii('],"identity":'), parents: ascii(',"parents":['), changes: ascii('],"changes":'),
  chain: ascii(',"chain":['), level: ascii('{"type":'), src: ascii(',"src":'), dst: ascii(',"dst":'),
  sport: ascii(',"sport":'), dport: ascii(',"dport":'), endList: ascii("]"),
  levelIds: { vni: ascii(',"vni":'), key: ascii(',"key":'), teid: ascii(',"teid":'), session: ascii(',"session":') },
  comma: ascii(","), colon: ascii(":"), close: ascii("}"), closeTwo: ascii("}}"), lineEnd: ascii("}\n"), NULL: ascii("null"),
};

function endpoint(out: ByteSink, e: EndpointValues): void {
  out.raw(K.addr);
  if (e.addrText === null) { out.byte(QUOTE); out.address(e.addrBytes, e.addrAt, e.version); out.byte(QUOTE); }
  else out.str(e.addr);
  out.field(K.port, e.port);
  out.field(K.pkts, e.pkts);
  out.field(K.bytes, e.bytes);
  numOrNullAt(out, K.missedBytes, e.missedBytes);
  out.field(K.ipBytes, e.ipBytes);
  out.field(K.syn, e.syn);
  out.field(K.synAck, e.synAck);
  out.field(K.fin, e.fin);
  out.field(K.rst, e.rst);
  out.raw(K.closeTwo);
}

function options(out: ByteSink, o: OptionValues): void {
  if (!o.seen) return out.raw(K.NULL);
  numOrNullAt(out, K.mss, o.mss);
  numOrNullAt(out, K.windowScale, o.windowScale);
  boolAt(out, K.sackPermitted, o.sackPermitted);
  boolAt(out, K.timestamps, o.timestamps);
  boolAt(out, K.ece, o.ece);
  boolAt(out, K.cwr, o.cwr);
  boolAt(out, K.ae, o.ae);
  if (!o.tfo) out.raw(K.tfo.null);
  else { out.raw(K.tfo.key); cookieLenAt(out, o.cookieLen); out.field(K.data, o.data); out.raw(K.close); }
  boolAt(out, K.mptcp, o.mptcp);
  out.raw(K.close);
}

// The counts of a side with no verdict (most sides: a short connection's packets rarely carry
// one), and the ack-RTT of a side without samples: each written as one fixed run.
const NO_VERDICTS_TEXT = COUNT_NAMES.map((name, i) => `${i ? "," : "{"}"${name}":0`).join("");
const NO_SAMPLES_TEXT = ',"ackRttUs":{"samples":0,"min":null,"mean":null,"max":null,"p50":null,"p95":null';
const NO_VERDICTS = ascii(NO_VERDICTS_TEXT), NO_SAMPLES = ascii(NO_SAMPLES_TEXT);
// Both, and the next key: a short connection's side, mostly.
const NO_VERDICTS_OR_SAMPLES = ascii(`${NO_VERDICTS_TEXT}${NO_SAMPLES_TEXT}},"retransmittedBytes":`);

function side(out: ByteSink, a: SideAnalysis): void {
  const verdicts = !noVerdicts(a), samples = !noAckRtt(a);
  if (!verdicts && !samples) out.raw(NO_VERDICTS_OR_SAMPLES);
  else sideCounts(out, a, verdicts, samples);
  out.num(a.retransmittedBytes);
  numOrNullAt(out, K.maxGapUs, a.maxGapUs);
  numOrNullAt(out, K.firstPayloadUs, a.firstPayloadUs);
  out.raw(K.close);
}

function sideCounts(out: ByteSink, a: SideAnalysis, verdicts: boolean, samples: boolean): void {
  if (verdicts) counts(out, a);
  else out.raw(NO_VERDICTS);
  const r = a.ackRttUs;
  if (!samples) out.raw(NO_SAMPLES);
  else {
    out.field(K.samples, r.samples);
    numOrNullAt(out, K.min, r.min);
    numOrNullAt(out, K.mean, r.mean);
    numOrNullAt(out, K.max, r.max);
    numOrNullAt(out, K.p50, r.p50);
    numOrNullAt(out, K.p95, r.p95);
  }
  out.raw(K.retransmittedBytes);
}

function counts(out: ByteSink, a: SideAnalysis): void {
  // The counts by name, in COUNT_NAMES' order (K.counts): a read by a computed name was a third of this function.
  const k = K.counts;
  out.field(k[0]!, a.retransmission);
  out.field(k[1]!, a.fastRetransmission);
  out.field(k[2]!, a.spuriousRetransmission);
  out.field(k[3]!, a.outOfOrder);
  out.field(k[4]!, a.dupAck);
  out.field(k[5]!, a.lostSegment);
  out.field(k[6]!, a.ackedUnseen);
  out.field(k[7]!, a.zeroWindow);
  out.field(k[8]!, a.zeroWindowProbe);
  out.field(k[9]!, a.zeroWindowProbeAck);
  out.field(k[10]!, a.windowFull);
  out.field(k[11]!, a.windowUpdate);
  out.field(k[12]!, a.keepAlive);
  out.field(k[13]!, a.keepAliveAck);
}

function list(out: ByteSink, items: readonly string[]): void {
  for (let i = 0; i < items.length; i++) { if (i) out.raw(K.comma); out.str(items[i]!); }
}

function tunnel(out: ByteSink, t: RecordTunnel): void {
  out.raw(K.tunnel); list(out, t.types);
  out.raw(K.identity); out.str(t.identity);
  out.raw(K.parents); list(out, t.parents);
  out.field(K.changes, t.changes);
  if (t.chain !== undefined) chain(out, t.chain);
  out.raw(K.close);
}

// Each level as recordChain builds it: type, addresses, ports, then its id under its type's name.
function chain(out: ByteSink, levels: readonly RecordTunnelLevel[]): void {
  out.raw(K.chain);
  for (let i = 0; i < levels.length; i++) {
    const t = levels[i]!;
    if (i) out.raw(K.comma);
    out.raw(K.level); out.str(t.type);
    out.raw(K.src); out.str(t.src);
    out.raw(K.dst); out.str(t.dst);
    out.field(K.sport, t.sport);
    out.field(K.dport, t.dport);
    const name = TUNNEL_ID_NAMES[t.type];
    const id = name === undefined ? undefined : t[name];
    if (id !== undefined) { out.field(K.levelIds[name!], id); }
    out.raw(K.close);
  }
  out.raw(K.endList);
}

const values = new RecordValues();

/** Writes the ndjson line (newline included) of the connection in `slot` of `s`. */
export function writeNdjson(out: ByteSink, s: ConnectionStore, slot: number): void {
  readRecordValues(s, slot, values);
  writeValues(out, values);
}

/** Writes the line of a record's values (newline included). */
export function writeValues(out: ByteSink, c: RecordValues): void {
  out.field(K.id, c.id);
  out.raw(K.communityId); out.str(c.communityId);
  out.raw(K.ts);
  if (c.tsText === null) { out.byte(QUOTE); out.epoch(c.firstSec, c.firstNsec); out.byte(QUOTE); }
  else out.str(c.ts);
  out.field(K.duration, c.duration);
  out.raw(K.orig); endpoint(out, c.orig);
  out.raw(K.resp); endpoint(out, c.resp);
  out.field(K.firstPacket, c.firstPacket);
  out.field(K.lastPacket, c.lastPacket);
  out.raw(K.outcome); out.str(c.outcome);
  out.field(K.synCount, c.synCount);
  out.field(K.synAckCount, c.synAckCount);
  numOrNullAt(out, K.rtt1, c.rttSynToSynAckUs);
  numOrNullAt(out, K.rtt2, c.rttSynAckToAckUs);
  numOrNullAt(out, K.synPacket, c.synPacket);
  numOrNullAt(out, K.synAckPacket, c.synAckPacket);
  out.raw(K.ack);
  if (!c.ackSeen) out.raw(K.NULL);
  else {
    out.field(K.ackPacket, c.ackPacket);
    boolAt(out, K.acksSynAck, c.acksSynAck);
    out.field(K.payload, c.ackPayload);
    out.raw(K.close);
  }
  out.raw(K.optionsOrig); options(out, c.origOptions);
  out.raw(K.resp); options(out, c.respOptions);
  out.raw(K.kind); out.str(c.teardown);
  out.raw(K.firstCloser);
  if (c.firstCloser === null) out.raw(K.NULL);
  else out.str(c.firstCloser);
  out.raw(K.connState); out.str(c.connState);
  out.raw(K.history); out.str(c.history);
  out.raw(K.anomalies);
  for (let k = 0; k < c.anomalyCount; k++) {
    if (k) out.raw(K.comma);
    out.str(c.anomalyNames[k]!); out.field(K.colon, c.anomalyCounts[k]!);
  }
  out.raw(K.analysisOrig); side(out, c.origAnalysis);
  out.raw(K.resp); side(out, c.respAnalysis);
  numOrNullAt(out, K.maxGapUs, c.maxGapUs);
  out.raw(K.close);
  if (c.vlan !== undefined) { out.field(K.vlan, c.vlan); }
  if (c.innerVlan !== undefined) { out.field(K.innerVlan, c.innerVlan); }
  if (c.tunnel !== undefined) tunnel(out, c.tunnel);
  out.raw(K.lineEnd);
}
