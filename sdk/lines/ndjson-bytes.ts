// A connection's ndjson line, written straight from the record's values (record-values.ts, the
// rules buildConnectionRecord builds its object from) into a ByteSink, field by field in the
// record's own order (the schema in the README, then vlan, innerVlan and tunnel when set). The
// same bytes as JSON.stringify(buildConnectionRecord(...)) + "\n" (test/sdk/lines/ndjson-bytes.test.ts
// holds the two together on every corpus capture), without the record's object tree,
// JSON.stringify's generic walk of it and the string's UTF-8 encoding after it: per connection,
// those were the largest costs of the scan (README, "Threads and the record path").

import type { RecordTunnel } from "../connections/connection-record.js";
import type { ConnectionStore } from "../connections/connection-store.js";
import { noAckRtt, noVerdicts, readRecordValues, RecordValues, type EndpointValues, type OptionValues } from "../connections/record-values.js";
import { COUNT_NAMES, type SideAnalysis } from "../connections/analysis/analysis-result.js";
import { TUNNEL_ID_NAMES, type RecordTunnelLevel } from "../connections/tunnel-chain.js";
import { FixedBytes, type ByteSink } from "./byte-sink.js";

const ascii = (text: string) => new FixedBytes(text);

const K = {
  id: ascii('{"id":'), communityId: ascii(',"communityId":'), ts: ascii(',"ts":'), duration: ascii(',"duration":'),
  orig: ascii(',"orig":'), resp: ascii(',"resp":'), firstPacket: ascii(',"firstPacket":'), lastPacket: ascii(',"lastPacket":'),
  addr: ascii('{"addr":'), port: ascii(',"port":'), pkts: ascii(',"pkts":'), bytes: ascii(',"bytes":'),
  missedBytes: ascii(',"missedBytes":'), ipBytes: ascii(',"ipBytes":'), syn: ascii(',"flags":{"syn":'),
  synAck: ascii(',"synAck":'), fin: ascii(',"fin":'), rst: ascii(',"rst":'),
  outcome: ascii(',"handshake":{"outcome":'), synCount: ascii(',"synCount":'), synAckCount: ascii(',"synAckCount":'),
  rtt1: ascii(',"rttSynToSynAckUs":'), rtt2: ascii(',"rttSynAckToAckUs":'), synPacket: ascii(',"synPacket":'),
  synAckPacket: ascii(',"synAckPacket":'), ack: ascii(',"ack":'), ackPacket: ascii('{"packet":'),
  acksSynAck: ascii(',"acksSynAck":'), payload: ascii(',"payload":'), optionsOrig: ascii(',"options":{"orig":'),
  mss: ascii('{"mss":'), windowScale: ascii(',"windowScale":'), sackPermitted: ascii(',"sackPermitted":'),
  timestamps: ascii(',"timestamps":'), ece: ascii(',"ecn":{"ece":'), cwr: ascii(',"cwr":'), ae: ascii(',"ae":'),
  tfo: ascii('},"tfo":'), cookieLen: ascii('{"cookieLen":'), data: ascii(',"data":'), mptcp: ascii(',"mptcp":'),
  kind: ascii('}},"teardown":{"kind":'), firstCloser: ascii(',"firstCloser":'), connState: ascii('},"connState":'),
  history: ascii(',"history":'), anomalies: ascii(',"anomalies":{'), analysisOrig: ascii('},"analysis":{"orig":'),
  counts: COUNT_NAMES.map((name, i) => ascii(`${i ? "," : "{"}"${name}":`)), samples: ascii(',"ackRttUs":{"samples":'),
  min: ascii(',"min":'), mean: ascii(',"mean":'), max: ascii(',"max":'), p50: ascii(',"p50":'), p95: ascii(',"p95":'),
  retransmittedBytes: ascii('},"retransmittedBytes":'), maxGapUs: ascii(',"maxGapUs":'), firstPayloadUs: ascii(',"firstPayloadUs":'),
  vlan: ascii(',"vlan":'), innerVlan: ascii(',"innerVlan":'), tunnel: ascii(',"tunnel":{"types":['),
  identity: ascii('],"identity":'), parents: ascii(',"parents":['), changes: ascii('],"changes":'),
  chain: ascii(',"chain":['), level: ascii('{"type":'), src: ascii(',"src":'), dst: ascii(',"dst":'),
  sport: ascii(',"sport":'), dport: ascii(',"dport":'), endList: ascii("]"),
  levelIds: { vni: ascii(',"vni":'), key: ascii(',"key":'), teid: ascii(',"teid":'), session: ascii(',"session":') },
  comma: ascii(","), colon: ascii(":"), close: ascii("}"), closeTwo: ascii("}}"), lineEnd: ascii("}\n"), NULL: ascii("null"),
};

// The strings a record takes from a small set (outcome, teardown, connState, firstCloser,
// anomaly names), quoted and encoded once each: a lookup by an interned string beats a pass
// over its characters. Bounded, in case a program's values bring strings of their own.
const QUOTED = new Map<string, FixedBytes>();
const QUOTED_MAX = 256;

function known(out: ByteSink, s: string): void {
  let fixed = QUOTED.get(s);
  if (fixed === undefined) {
    if (QUOTED.size >= QUOTED_MAX) return out.str(s);
    QUOTED.set(s, fixed = new FixedBytes(JSON.stringify(s)));
  }
  out.raw(fixed);
}

function endpoint(out: ByteSink, e: EndpointValues): void {
  out.raw(K.addr);
  if (e.addrText === null && e.version === 4) out.ipv4Str(e.addrBytes, e.addrAt);
  else out.str(e.addr);
  out.raw(K.port); out.num(e.port);
  out.raw(K.pkts); out.num(e.pkts);
  out.raw(K.bytes); out.num(e.bytes);
  out.raw(K.missedBytes); out.numOrNull(e.missedBytes);
  out.raw(K.ipBytes); out.num(e.ipBytes);
  out.raw(K.syn); out.num(e.syn);
  out.raw(K.synAck); out.num(e.synAck);
  out.raw(K.fin); out.num(e.fin);
  out.raw(K.rst); out.num(e.rst);
  out.raw(K.closeTwo);
}

function options(out: ByteSink, o: OptionValues): void {
  if (!o.seen) return out.raw(K.NULL);
  out.raw(K.mss); out.numOrNull(o.mss);
  out.raw(K.windowScale); out.numOrNull(o.windowScale);
  out.raw(K.sackPermitted); out.bool(o.sackPermitted);
  out.raw(K.timestamps); out.bool(o.timestamps);
  out.raw(K.ece); out.bool(o.ece);
  out.raw(K.cwr); out.bool(o.cwr);
  out.raw(K.ae); out.bool(o.ae);
  out.raw(K.tfo);
  if (!o.tfo) out.raw(K.NULL);
  else { out.raw(K.cookieLen); out.num(o.cookieLen); out.raw(K.data); out.num(o.data); out.raw(K.close); }
  out.raw(K.mptcp); out.bool(o.mptcp);
  out.raw(K.close);
}

// The counts of a side with no verdict (most sides: a short connection's packets rarely carry
// one), and the ack-RTT of a side without samples: each written as one fixed run.
const NO_VERDICTS = ascii(COUNT_NAMES.map((name, i) => `${i ? "," : "{"}"${name}":0`).join(""));
const NO_SAMPLES = ascii(',"ackRttUs":{"samples":0,"min":null,"mean":null,"max":null,"p50":null,"p95":null');


function side(out: ByteSink, a: SideAnalysis): void {
  if (noVerdicts(a)) out.raw(NO_VERDICTS);
  else counts(out, a);
  const r = a.ackRttUs;
  if (noAckRtt(a)) out.raw(NO_SAMPLES);
  else {
    out.raw(K.samples); out.num(r.samples);
    out.raw(K.min); out.numOrNull(r.min);
    out.raw(K.mean); out.numOrNull(r.mean);
    out.raw(K.max); out.numOrNull(r.max);
    out.raw(K.p50); out.numOrNull(r.p50);
    out.raw(K.p95); out.numOrNull(r.p95);
  }
  out.raw(K.retransmittedBytes); out.num(a.retransmittedBytes);
  out.raw(K.maxGapUs); out.numOrNull(a.maxGapUs);
  out.raw(K.firstPayloadUs); out.numOrNull(a.firstPayloadUs);
  out.raw(K.close);
}

function counts(out: ByteSink, a: SideAnalysis): void {
  // The counts by name, in COUNT_NAMES' order (K.counts): a read by a computed name was a third of this function.
  const k = K.counts;
  out.raw(k[0]!); out.num(a.retransmission);
  out.raw(k[1]!); out.num(a.fastRetransmission);
  out.raw(k[2]!); out.num(a.spuriousRetransmission);
  out.raw(k[3]!); out.num(a.outOfOrder);
  out.raw(k[4]!); out.num(a.dupAck);
  out.raw(k[5]!); out.num(a.lostSegment);
  out.raw(k[6]!); out.num(a.ackedUnseen);
  out.raw(k[7]!); out.num(a.zeroWindow);
  out.raw(k[8]!); out.num(a.zeroWindowProbe);
  out.raw(k[9]!); out.num(a.zeroWindowProbeAck);
  out.raw(k[10]!); out.num(a.windowFull);
  out.raw(k[11]!); out.num(a.windowUpdate);
  out.raw(k[12]!); out.num(a.keepAlive);
  out.raw(k[13]!); out.num(a.keepAliveAck);
}

function list(out: ByteSink, items: readonly string[]): void {
  for (let i = 0; i < items.length; i++) { if (i) out.raw(K.comma); out.str(items[i]!); }
}

function tunnel(out: ByteSink, t: RecordTunnel): void {
  out.raw(K.tunnel); list(out, t.types);
  out.raw(K.identity); out.str(t.identity);
  out.raw(K.parents); list(out, t.parents);
  out.raw(K.changes); out.num(t.changes);
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
    out.raw(K.sport); out.num(t.sport);
    out.raw(K.dport); out.num(t.dport);
    const name = TUNNEL_ID_NAMES[t.type];
    const id = name === undefined ? undefined : t[name];
    if (id !== undefined) { out.raw(K.levelIds[name!]); out.num(id); }
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
  out.raw(K.id); out.num(c.id);
  out.raw(K.communityId); out.str(c.communityId);
  out.raw(K.ts);
  if (c.tsText === null) out.epochStr(c.firstSec, c.firstNsec);
  else out.str(c.tsText);
  out.raw(K.duration); out.num(c.duration);
  out.raw(K.orig); endpoint(out, c.orig);
  out.raw(K.resp); endpoint(out, c.resp);
  out.raw(K.firstPacket); out.num(c.firstPacket);
  out.raw(K.lastPacket); out.num(c.lastPacket);
  out.raw(K.outcome); known(out, c.outcome);
  out.raw(K.synCount); out.num(c.synCount);
  out.raw(K.synAckCount); out.num(c.synAckCount);
  out.raw(K.rtt1); out.numOrNull(c.rttSynToSynAckUs);
  out.raw(K.rtt2); out.numOrNull(c.rttSynAckToAckUs);
  out.raw(K.synPacket); out.numOrNull(c.synPacket);
  out.raw(K.synAckPacket); out.numOrNull(c.synAckPacket);
  out.raw(K.ack);
  if (!c.ackSeen) out.raw(K.NULL);
  else {
    out.raw(K.ackPacket); out.num(c.ackPacket);
    out.raw(K.acksSynAck); out.bool(c.acksSynAck);
    out.raw(K.payload); out.num(c.ackPayload);
    out.raw(K.close);
  }
  out.raw(K.optionsOrig); options(out, c.origOptions);
  out.raw(K.resp); options(out, c.respOptions);
  out.raw(K.kind); known(out, c.teardown);
  out.raw(K.firstCloser);
  if (c.firstCloser === null) out.raw(K.NULL);
  else known(out, c.firstCloser);
  out.raw(K.connState); known(out, c.connState);
  out.raw(K.history); out.str(c.history);
  out.raw(K.anomalies);
  for (let k = 0; k < c.anomalyCount; k++) {
    if (k) out.raw(K.comma);
    known(out, c.anomalyNames[k]!); out.raw(K.colon); out.num(c.anomalyCounts[k]!);
  }
  out.raw(K.analysisOrig); side(out, c.origAnalysis);
  out.raw(K.resp); side(out, c.respAnalysis);
  out.raw(K.maxGapUs); out.numOrNull(c.maxGapUs);
  out.raw(K.close);
  if (c.vlan !== undefined) { out.raw(K.vlan); out.num(c.vlan); }
  if (c.innerVlan !== undefined) { out.raw(K.innerVlan); out.num(c.innerVlan); }
  if (c.tunnel !== undefined) tunnel(out, c.tunnel);
  out.raw(K.lineEnd);
}
