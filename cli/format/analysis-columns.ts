// The TCP analysis of a record (record.analysis) as flat columns, for the csv and zeek formats:
// per side, one column per verdict count, then the ack-RTT, retransmitted bytes, largest gap
// and time to the first payload byte; then the connection's largest gap. Names are the record's
// fields in snake case behind orig_ / resp_ (README, "csv columns"); null is an empty cell.
// Each column reads a record and the same field of the record's values (record-values.ts).

import { COUNT_NAMES, type SideAnalysis } from "../../sdk/connections/analysis/analysis-result.js";
import type { ConnectionRecord, RecordValues } from "../../sdk/index.js";

type Value = number | null;

/** Name, Zeek type, value of a record, value of its values. */
export type AnalysisColumn = [string, "count" | "double", (c: ConnectionRecord) => Value, (v: RecordValues) => Value];

const snake = (name: string) => name.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);

function sideColumns(role: "orig" | "resp"): AnalysisColumn[] {
  const ofRecord = (c: ConnectionRecord): SideAnalysis => c.analysis[role];
  const ofValues = role === "orig" ? (v: RecordValues) => v.origAnalysis : (v: RecordValues) => v.respAnalysis;
  const column = (name: string, type: AnalysisColumn[1], get: (a: SideAnalysis) => Value): AnalysisColumn =>
    [`${role}_${name}`, type, (c) => get(ofRecord(c)), (v) => get(ofValues(v))];
  return [
    ...COUNT_NAMES.map((name) => column(snake(name), "count", (a) => a[name])),
    column("ack_rtt_samples", "count", (a) => a.ackRttUs.samples),
    column("ack_rtt_min_us", "double", (a) => a.ackRttUs.min),
    column("ack_rtt_mean_us", "double", (a) => a.ackRttUs.mean),
    column("ack_rtt_max_us", "double", (a) => a.ackRttUs.max),
    column("ack_rtt_p50_us", "double", (a) => a.ackRttUs.p50),
    column("ack_rtt_p95_us", "double", (a) => a.ackRttUs.p95),
    column("retransmitted_bytes", "count", (a) => a.retransmittedBytes),
    column("max_gap_us", "double", (a) => a.maxGapUs),
    column("first_payload_us", "double", (a) => a.firstPayloadUs),
  ];
}

export const ANALYSIS_COLUMNS: AnalysisColumn[] = [
  ...sideColumns("orig"), ...sideColumns("resp"),
  ["max_gap_us", "double", (c) => c.analysis.maxGapUs, (v) => v.maxGapUs],
];
