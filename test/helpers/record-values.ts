// A record's values (sdk/connections/record-values.ts) read back from a record, so that tests
// feed the line writers values altered by hand.

import type { ConnectionRecord } from "../../sdk/connections/connection-record.js";
import { RecordValues, type OptionValues } from "../../sdk/connections/record-values.js";

export function valuesOf(c: ConnectionRecord): RecordValues {
  const v = new RecordValues();
  const { orig, resp, handshake: h, analysis, ...rest } = c;
  Object.assign(v, rest, {
    outcome: h.outcome, synCount: h.synCount, synAckCount: h.synAckCount, rttSynToSynAckUs: h.rttSynToSynAckUs,
    rttSynAckToAckUs: h.rttSynAckToAckUs, synPacket: h.synPacket, synAckPacket: h.synAckPacket, ackSeen: h.ack !== null,
    ackPacket: h.ack?.packet ?? 0, acksSynAck: h.ack?.acksSynAck ?? false, ackPayload: h.ack?.payload ?? 0,
    teardown: c.teardown.kind, firstCloser: c.teardown.firstCloser,
    origAnalysis: analysis.orig, respAnalysis: analysis.resp, maxGapUs: analysis.maxGapUs,
    anomalyNames: Object.keys(c.anomalies), anomalyCounts: Object.values(c.anomalies), anomalyCount: Object.keys(c.anomalies).length,
  });
  for (const [to, from] of [[v.orig, orig], [v.resp, resp]] as const) Object.assign(to, from, from.flags);
  for (const [to, from] of [[v.origOptions, h.options.orig], [v.respOptions, h.options.resp]] as [OptionValues, typeof h.options.orig][]) {
    to.seen = from !== null;
    if (from) Object.assign(to, from, from.ecn, { tfo: from.tfo !== null, cookieLen: from.tfo?.cookieLen ?? null, data: from.tfo?.data ?? 0 });
  }
  return v;
}
