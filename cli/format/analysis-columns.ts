// The TCP analysis of a record (record.analysis) as flat columns, for the csv and zeek formats:
// per side, one column per verdict count, then the ack-RTT, retransmitted bytes, largest gap
// and time to the first payload byte; then the connection's largest gap. Names are the record's
// fields in snake case behind orig_ / resp_ (README, "csv columns"); null is an empty cell.

import { COUNT_NAMES, type SideAnalysis } from "../../sdk/connections/analysis/analysis-result.js";
import type { ConnectionRecord } from "../../sdk/index.js";

/** Name, Zeek type, value. */
export type AnalysisColumn = [string, "count" | "double", (c: ConnectionRecord) => number | null];

const snake = (name: string) => name.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);

function sideColumns(role: "orig" | "resp"): AnalysisColumn[] {
  const side = (c: ConnectionRecord): SideAnalysis => c.analysis[role];
  const columns: AnalysisColumn[] = COUNT_NAMES.map((name) => [`${role}_${snake(name)}`, "count", (c) => side(c)[name]]);
  columns.push(
    [`${role}_ack_rtt_samples`, "count", (c) => side(c).ackRttUs.samples],
    [`${role}_ack_rtt_min_us`, "double", (c) => side(c).ackRttUs.min],
    [`${role}_ack_rtt_mean_us`, "double", (c) => side(c).ackRttUs.mean],
    [`${role}_ack_rtt_max_us`, "double", (c) => side(c).ackRttUs.max],
    [`${role}_ack_rtt_p50_us`, "double", (c) => side(c).ackRttUs.p50],
    [`${role}_ack_rtt_p95_us`, "double", (c) => side(c).ackRttUs.p95],
    [`${role}_retransmitted_bytes`, "count", (c) => side(c).retransmittedBytes],
    [`${role}_max_gap_us`, "double", (c) => side(c).maxGapUs],
    [`${role}_first_payload_us`, "double", (c) => side(c).firstPayloadUs],
  );
  return columns;
}

export const ANALYSIS_COLUMNS: AnalysisColumn[] = [
  ...sideColumns("orig"), ...sideColumns("resp"), ["max_gap_us", "double", (c) => c.analysis.maxGapUs],
];
