// A Parquet row appended straight from a record's values, column by column in CSV_COLUMNS'
// order (connection-csv.ts), with no record object and no call per column: the cells the csv
// columns give of the record built from the same values (test/cli/format/parquet-values-row
// .test.ts holds the two to the same file bytes on every corpus capture and on values captures
// rarely hold). The time goes in as its seconds and nanoseconds, the counts as numbers.

import { tunnelChainText, type EndpointValues, type OptionValues, type RecordValues } from "../../sdk/index.js";
import { COUNT_NAMES, type SideAnalysis } from "../../sdk/connections/analysis/analysis-result.js";
import type { ParquetColumnBuffer } from "./parquet-column-buffer.js";

// Pushes onto the next column (cells[at.k++]).
class Row {
  k = 0;
  constructor(readonly cells: ParquetColumnBuffer[]) {}

  num(n: number): void {
    this.cells[this.k++]!.pushNumber(n);
  }

  numOrNull(n: number | null | undefined): void {
    const c = this.cells[this.k++]!;
    if (n === null || n === undefined) c.pushNull(); else c.pushNumber(n);
  }

  bool(b: boolean): void {
    this.cells[this.k++]!.pushBoolean(b);
  }

  str(s: string | null | undefined): void {
    const c = this.cells[this.k++]!;
    if (s === null || s === undefined) c.pushNull(); else c.pushString(s);
  }

  nulls(n: number): void {
    for (let k = 0; k < n; k++) this.cells[this.k++]!.pushNull();
  }
}

function endpoint(row: Row, e: EndpointValues): void {
  row.num(e.pkts);
  row.num(e.bytes);
  row.num(e.ipBytes);
  row.numOrNull(e.missedBytes);
}

// One side's handshake options: null when that side sent no SYN (the record's options null).
function options(row: Row, o: OptionValues, r: OptionValues): void {
  const os = o.seen, rs = r.seen;
  os ? row.numOrNull(o.mss) : row.nulls(1);
  rs ? row.numOrNull(r.mss) : row.nulls(1);
  os ? row.numOrNull(o.windowScale) : row.nulls(1);
  rs ? row.numOrNull(r.windowScale) : row.nulls(1);
  os ? row.bool(o.sackPermitted) : row.nulls(1);
  rs ? row.bool(r.sackPermitted) : row.nulls(1);
  os ? row.bool(o.timestamps) : row.nulls(1);
  rs ? row.bool(r.timestamps) : row.nulls(1);
  os ? row.bool(o.ece && o.cwr) : row.nulls(1); // ECN setup (RFC 3168)
  rs ? row.bool(r.ece && !r.cwr) : row.nulls(1);
  os ? row.bool(o.mptcp) : row.nulls(1);
  rs ? row.bool(r.mptcp) : row.nulls(1);
  os && o.tfo && o.cookieLen !== null ? row.num(o.cookieLen) : row.nulls(1);
  os && o.tfo ? row.num(o.data) : row.nulls(1);
  rs && r.tfo && r.cookieLen !== null ? row.num(r.cookieLen) : row.nulls(1);
}

// A side's TCP analysis columns (analysis-columns.ts, sideColumns).
function analysis(row: Row, a: SideAnalysis): void {
  for (let k = 0; k < COUNT_NAMES.length; k++) row.numOrNull(a[COUNT_NAMES[k]!]);
  const r = a.ackRttUs;
  row.numOrNull(r.samples);
  row.numOrNull(r.min);
  row.numOrNull(r.mean);
  row.numOrNull(r.max);
  row.numOrNull(r.p50);
  row.numOrNull(r.p95);
  row.numOrNull(a.retransmittedBytes);
  row.numOrNull(a.maxGapUs);
  row.numOrNull(a.firstPayloadUs);
}

/** Appends rows from record values to `cells` (one buffer per csv column, in CSV_COLUMNS' order). */
export class ParquetValuesRow {
  private readonly row: Row;

  constructor(private readonly cells: ParquetColumnBuffer[]) {
    this.row = new Row(cells);
  }

  push(v: RecordValues): void {
    pushRow(this.row, this.cells, v);
  }
}

function pushRow(row: Row, cells: ParquetColumnBuffer[], v: RecordValues): void {
  row.k = 0;
  row.num(v.id);
  row.str(v.communityId);
  const ts = cells[row.k++]!;
  if (v.tsText === null) ts.pushTime(v.firstSec, v.firstNsec); else ts.push(v.ts);
  row.num(v.duration);
  row.str(v.orig.addr);
  row.num(v.orig.port);
  row.str(v.resp.addr);
  row.num(v.resp.port);
  row.numOrNull(v.vlan);
  row.numOrNull(v.innerVlan);
  const t = v.tunnel;
  if (t === undefined) row.nulls(5);
  else {
    row.str(t.types.length ? t.types.join(">") : null); // no chain (only later packets tunnelled): empty in the csv, so null
    row.str(t.identity);
    row.str(t.parents.join(";"));
    row.num(t.changes);
    row.str(t.chain ? tunnelChainText(t.chain) : null);
  }
  row.str(v.connState);
  row.str(v.history);
  row.str(v.outcome);
  row.num(v.synCount);
  row.num(v.synAckCount);
  row.numOrNull(v.rttSynToSynAckUs);
  row.numOrNull(v.rttSynAckToAckUs);
  row.str(v.teardown);
  row.str(v.firstCloser);
  endpoint(row, v.orig);
  endpoint(row, v.resp);
  row.num(v.orig.syn);
  row.num(v.orig.fin);
  row.num(v.orig.rst);
  row.num(v.resp.synAck);
  row.num(v.resp.fin);
  row.num(v.resp.rst);
  options(row, v.origOptions, v.respOptions);
  let anomalies = "";
  for (let k = 0; k < v.anomalyCount; k++) anomalies += `${k ? ";" : ""}${v.anomalyNames[k]}=${v.anomalyCounts[k]}`;
  row.str(anomalies || null); // null where the csv cell is empty
  row.num(v.firstPacket);
  row.num(v.lastPacket);
  analysis(row, v.origAnalysis);
  analysis(row, v.respAnalysis);
  row.numOrNull(v.maxGapUs);
  if (row.k !== cells.length) throw new Error(`a Parquet row of ${row.k} cells for ${cells.length} columns`);
}
