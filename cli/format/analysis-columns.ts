// The TCP analysis of a record (record.analysis) as flat columns, for the csv and zeek formats:
// per side, one column per verdict count, then the ack-RTT, retransmitted bytes, largest gap
// and time to the first payload byte; then the connection's largest gap. Names are the record's
// fields in snake case behind orig_ / resp_ (docs/columns.md, "csv columns"); null is an empty cell.
// Each column reads a record; AnalysisCells writes the same cells from the record's values (record-values.ts).

import { COUNT_NAMES, type SideAnalysis } from "../../sdk/connections/analysis/analysis-result.js";
import type { ConnectionRecord, RecordValues } from "../../sdk/index.js";
import { noAckRtt, noVerdicts } from "../../sdk/connections/record-values.js";
import { FixedBytes, type ByteSink } from "../../sdk/lines/byte-sink.js";

type Value = number | null;

/** Name, Zeek type, value of a record (AnalysisCells writes a row's from the record's values). */
export type AnalysisColumn = [string, "count" | "double", (c: ConnectionRecord) => Value];

const snake = (name: string) => name.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);

function sideColumns(role: "orig" | "resp"): AnalysisColumn[] {
  const ofRecord = (c: ConnectionRecord): SideAnalysis => c.analysis[role];
  const column = (name: string, type: AnalysisColumn[1], get: (a: SideAnalysis) => Value): AnalysisColumn =>
    [`${role}_${name}`, type, (c) => get(ofRecord(c))];
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
  ["max_gap_us", "double", (c) => c.analysis.maxGapUs],
];

const ZERO = 0x30;

/**
 * A whole double as Zeek's writer gives it gets ".0" (ODesc::Add: "disambiguate from integer"),
 * but not after an exponent: String() writes digits alone for whole numbers below 1e21.
 */
export function takesDotZero(v: number): boolean {
  return Number.isInteger(v) && Math.abs(v) < 1e21;
}
const DOT_ZERO = new FixedBytes(".0");

/**
 * The cells of ANALYSIS_COLUMNS for a record's values, each after `separator` and null as
 * `unset` (csv: nothing, zeek: "-"), written with no call per column: most of a row's columns,
 * and for the many sides with no verdict and no ack-RTT sample, two fixed runs.
 */
export class AnalysisCells {
  private readonly noVerdicts: FixedBytes;
  private readonly noSamples: FixedBytes;
  private readonly unset: FixedBytes;

  /** `wholeDot`: a whole double gets ".0", as Zeek's writer gives it (the zeek format). */
  constructor(private readonly separator: number, unset: string, private readonly wholeDot = false) {
    const sep = String.fromCharCode(separator);
    this.noVerdicts = new FixedBytes(COUNT_NAMES.map(() => `${sep}0`).join(""));
    this.noSamples = new FixedBytes(`${sep}0${`${sep}${unset}`.repeat(5)}`);
    this.unset = new FixedBytes(unset);
  }

  write(out: ByteSink, v: RecordValues): void {
    this.side(out, v.origAnalysis);
    this.side(out, v.respAnalysis);
    this.double(out, v.maxGapUs);
  }

  private side(out: ByteSink, a: SideAnalysis): void {
    if (noVerdicts(a)) out.raw(this.noVerdicts);
    else for (const name of COUNT_NAMES) this.cell(out, a[name]);
    const r = a.ackRttUs;
    if (noAckRtt(a)) out.raw(this.noSamples);
    else {
      this.cell(out, r.samples);
      this.double(out, r.min);
      this.double(out, r.mean);
      this.double(out, r.max);
      this.double(out, r.p50);
      this.double(out, r.p95);
    }
    this.cell(out, a.retransmittedBytes);
    this.double(out, a.maxGapUs);
    this.double(out, a.firstPayloadUs);
  }

  private double(out: ByteSink, n: number | null): void {
    if (!this.wholeDot || n === null || !takesDotZero(n)) return this.cell(out, n);
    out.byte(this.separator);
    out.numText(n);
    out.raw(DOT_ZERO);
  }

  private cell(out: ByteSink, n: number | null): void {
    out.byte(this.separator);
    if (n === null) out.raw(this.unset);
    else if (n === 0) out.byte(ZERO);
    else out.numText(n);
  }
}
