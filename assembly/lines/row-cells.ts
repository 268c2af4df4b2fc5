// What the csv and zeek rows (csv.ts, zeek.ts) share: cells after a separator, numbers as
// String() writes them (ByteSink.numText), null as the format's unset text, the TCP analysis
// cells (cli/format/analysis-columns.ts AnalysisCells, a THIRD COPY of its rules with ndjson.ts's
// side()), and whether the row was declined (a number only String() can write).

import * as A from "../analysis-layout";
import { byte, uint32, raw, Fixed } from "./sink";
import { numberText } from "./numbers";
import { us } from "./record-rules";

let declined = false;

export function startRow(): void { declined = false; }
export function rowDeclined(): bool { return declined; }
export function decline(): void { declined = true; }

const COUNTS = 14;

/** A format's separator and unset text, and its fixed runs of cells. */
export class RowStyle {
  sep: u32;
  unset: Fixed;
  noVerdicts: Fixed;
  noSamples: Fixed;
  /** A whole double gets ".0", as Zeek's writer gives it (zeek). */
  wholeDot: bool;
  constructor(separator: u32, unset: string, wholeDot: bool) {
    this.sep = separator;
    this.wholeDot = wholeDot;
    this.unset = new Fixed(unset);
    const sep = String.fromCharCode(separator);
    this.noVerdicts = new Fixed((sep + "0").repeat(COUNTS));
    this.noSamples = new Fixed(sep + "0" + (sep + unset).repeat(5));
  }
}

export const CSV = new RowStyle(0x2c, "", false), ZEEK = new RowStyle(0x09, "-", true);
const DOT_ZERO = new Fixed(".0");

/** n as String() writes it; the row is declined where that is not certain. */
export function num(n: f64): void { if (!numberText(n)) declined = true; }

export function cell(s: RowStyle, n: f64): void { byte(s.sep); num(n); }
export function uintCell(s: RowStyle, n: u32): void { byte(s.sep); uint32(n); }
export function unsetCell(s: RowStyle): void { byte(s.sep); raw(s.unset); }
export function cellOr(s: RowStyle, isNull: bool, n: f64): void { if (isNull) unsetCell(s); else cell(s, n); }
/** A double's cell: as cell(), ".0" after a whole number where the style wants it. */
export function doubleCell(s: RowStyle, n: f64): void { cell(s, n); if (s.wholeDot && n == Math.floor(n) && isFinite(n)) raw(DOT_ZERO); }
export function doubleCellOr(s: RowStyle, isNull: bool, n: f64): void { if (isNull) unsetCell(s); else doubleCell(s, n); }

// rtt-quantiles.ts quantileValue: the P-square middle height past five samples, else the rank's sample
export function quantile(h: usize, n: u32, perMille: u32): f64 {
  if (n > 5) return <f64>load<f32>(h + 8);
  const rank = <i32>Math.ceil(<f64>(n * perMille) / 1000);
  return <f64>load<f32>(h + (<usize>(rank < 1 ? 0 : rank - 1) << 2));
}

// analysis-result.ts's reportedQuantile: to the nanosecond, from lo to hi (p50 within min and
// max, p95 within p50 and max: the heights are 32-bit floats and the two estimators run apart).
export function reportedQuantile(h: usize, n: u32, perMille: u32, lo: f64, hi: f64): f64 {
  const x = Math.round(quantile(h, n, perMille) * 1000) / 1000;
  return x < lo ? lo : x > hi ? hi : x;
}

function side(s: RowStyle, a: usize, k: i32, handshakeTime: f64): void {
  const counts = a + A.A_COUNTS + <usize>k * A.COUNTS_STRIDE, r = a + A.A_RTT + <usize>k * A.RTT_STRIDE;
  let verdicts = false;
  for (let i = 0; i < COUNTS; i++) if (load<u32>(counts + (<usize>i << 2)) != 0) verdicts = true;
  if (verdicts) for (let i = 0; i < COUNTS; i++) uintCell(s, load<u32>(counts + (<usize>i << 2)));
  else raw(s.noVerdicts);
  const n = load<u32>(r + A.R_SAMPLES);
  if (n == 0) raw(s.noSamples);
  else {
    const q = a + A.A_QUANTILES + <usize>k * A.QUANTILES_STRIDE;
    uintCell(s, n);
    const min = us(load<f64>(r + A.R_MIN)), max = us(load<f64>(r + A.R_MAX));
    const p50 = reportedQuantile(q + A.Q_HEIGHTS, n, 500, min, max);
    doubleCell(s, min);
    doubleCell(s, us(load<f64>(r + A.R_SUM) / <f64>n));
    doubleCell(s, max);
    doubleCell(s, p50);
    doubleCell(s, reportedQuantile(q + A.QUANTILE_STRIDE + A.Q_HEIGHTS, n, 950, p50, max));
  }
  cell(s, load<f64>(counts + A.C_RETRANSMITTED_BYTES));
  const gap = load<f64>(a + <usize>k * A.SIDE_STRIDE + A.S_MAX_GAP);
  doubleCellOr(s, gap < 0, us(gap));
  const fp = load<f64>(a + A.A_FIRST_PAYLOAD_TIME + <usize>k * 8);
  doubleCellOr(s, isNaN(fp) || isNaN(handshakeTime), us(fp > handshakeTime ? fp - handshakeTime : 0));
}

/** The analysis cells of the record's analysis block at `a`: the originator's side, the responder's, the largest gap. */
export function analysisCells(s: RowStyle, a: usize, origSide: u32): void {
  const handshakeTime = load<f64>(a + A.A_HANDSHAKE_TIME);
  side(s, a, <i32>origSide, handshakeTime);
  side(s, a, <i32>(origSide ^ 1), handshakeTime);
  const gap = load<f64>(a + A.A_MAX_GAP);
  doubleCellOr(s, gap < 0, us(gap));
}
