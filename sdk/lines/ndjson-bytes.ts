// A connection record as its ndjson line, written into a ByteSink field by field in the record's
// own order (buildConnectionRecord's: the schema in the README, then vlan, innerVlan and tunnel
// when set). The same bytes as JSON.stringify(record) + "\n" encoded (test/sdk/lines/ndjson-bytes.test.ts
// holds the two together on every corpus capture), without JSON.stringify's generic walk of a
// 1.7 KB object tree and the string's UTF-8 encoding after it: per connection, that was the
// largest single cost of the scan (README, "where the time goes").

import type { ConnectionRecord, EndpointRecord, HandshakeOptions, RecordTunnel } from "../connections/connection-record.js";
import { COUNT_NAMES, type SideAnalysis } from "../connections/analysis/analysis-result.js";
import { TUNNEL_ID_NAMES, type RecordTunnelLevel } from "../connections/tunnel-chain.js";
import { ascii, type ByteSink } from "./byte-sink.js";

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

function endpoint(out: ByteSink, e: EndpointRecord): void {
  out.raw(K.addr); out.str(e.addr);
  out.raw(K.port); out.num(e.port);
  out.raw(K.pkts); out.num(e.pkts);
  out.raw(K.bytes); out.num(e.bytes);
  out.raw(K.missedBytes); out.numOrNull(e.missedBytes);
  out.raw(K.ipBytes); out.num(e.ipBytes);
  out.raw(K.syn); out.num(e.flags.syn);
  out.raw(K.synAck); out.num(e.flags.synAck);
  out.raw(K.fin); out.num(e.flags.fin);
  out.raw(K.rst); out.num(e.flags.rst);
  out.raw(K.closeTwo);
}

function options(out: ByteSink, o: HandshakeOptions | null): void {
  if (o === null) return out.raw(K.NULL);
  out.raw(K.mss); out.numOrNull(o.mss);
  out.raw(K.windowScale); out.numOrNull(o.windowScale);
  out.raw(K.sackPermitted); out.bool(o.sackPermitted);
  out.raw(K.timestamps); out.bool(o.timestamps);
  out.raw(K.ece); out.bool(o.ecn.ece);
  out.raw(K.cwr); out.bool(o.ecn.cwr);
  out.raw(K.ae); out.bool(o.ecn.ae);
  out.raw(K.tfo);
  if (o.tfo === null) out.raw(K.NULL);
  else { out.raw(K.cookieLen); out.num(o.tfo.cookieLen); out.raw(K.data); out.num(o.tfo.data); out.raw(K.close); }
  out.raw(K.mptcp); out.bool(o.mptcp);
  out.raw(K.close);
}

function side(out: ByteSink, a: SideAnalysis): void {
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
  const r = a.ackRttUs;
  out.raw(K.samples); out.num(r.samples);
  out.raw(K.min); out.numOrNull(r.min);
  out.raw(K.mean); out.numOrNull(r.mean);
  out.raw(K.max); out.numOrNull(r.max);
  out.raw(K.p50); out.numOrNull(r.p50);
  out.raw(K.p95); out.numOrNull(r.p95);
  out.raw(K.retransmittedBytes); out.num(a.retransmittedBytes);
  out.raw(K.maxGapUs); out.numOrNull(a.maxGapUs);
  out.raw(K.firstPayloadUs); out.numOrNull(a.firstPayloadUs);
  out.raw(K.close);
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

/** Writes the record's ndjson line, newline included. */
export function writeNdjson(out: ByteSink, c: ConnectionRecord): void {
  const h = c.handshake;
  out.raw(K.id); out.num(c.id);
  out.raw(K.communityId); out.str(c.communityId);
  out.raw(K.ts); out.str(c.ts);
  out.raw(K.duration); out.num(c.duration);
  out.raw(K.orig); endpoint(out, c.orig);
  out.raw(K.resp); endpoint(out, c.resp);
  out.raw(K.firstPacket); out.num(c.firstPacket);
  out.raw(K.lastPacket); out.num(c.lastPacket);
  out.raw(K.outcome); out.str(h.outcome);
  out.raw(K.synCount); out.num(h.synCount);
  out.raw(K.synAckCount); out.num(h.synAckCount);
  out.raw(K.rtt1); out.numOrNull(h.rttSynToSynAckUs);
  out.raw(K.rtt2); out.numOrNull(h.rttSynAckToAckUs);
  out.raw(K.synPacket); out.numOrNull(h.synPacket);
  out.raw(K.synAckPacket); out.numOrNull(h.synAckPacket);
  out.raw(K.ack);
  if (h.ack === null) out.raw(K.NULL);
  else {
    out.raw(K.ackPacket); out.num(h.ack.packet);
    out.raw(K.acksSynAck); out.bool(h.ack.acksSynAck);
    out.raw(K.payload); out.num(h.ack.payload);
    out.raw(K.close);
  }
  out.raw(K.optionsOrig); options(out, h.options.orig);
  out.raw(K.resp); options(out, h.options.resp);
  out.raw(K.kind); out.str(c.teardown.kind);
  out.raw(K.firstCloser);
  if (c.teardown.firstCloser === null) out.raw(K.NULL);
  else out.str(c.teardown.firstCloser);
  out.raw(K.connState); out.str(c.connState);
  out.raw(K.history); out.str(c.history);
  out.raw(K.anomalies);
  let first = true;
  for (const name in c.anomalies) {
    if (!first) out.raw(K.comma);
    first = false;
    out.str(name); out.raw(K.colon); out.num(c.anomalies[name]!);
  }
  out.raw(K.analysisOrig); side(out, c.analysis.orig);
  out.raw(K.resp); side(out, c.analysis.resp);
  out.raw(K.maxGapUs); out.numOrNull(c.analysis.maxGapUs);
  out.raw(K.close);
  if (c.vlan !== undefined) { out.raw(K.vlan); out.num(c.vlan); }
  if (c.innerVlan !== undefined) { out.raw(K.innerVlan); out.num(c.innerVlan); }
  if (c.tunnel !== undefined) tunnel(out, c.tunnel);
  out.raw(K.lineEnd);
}
