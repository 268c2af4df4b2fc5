// Connection records as Parquet: the csv columns (connection-csv.ts), each with a Parquet type,
// written in row groups of ROW_GROUP_ROWS connections as the scan produces them, so memory
// stays flat whatever the capture's size. Encoded by parquet-file.ts (pages: parquet-page.ts).
//
// The schema is derived from CSV_COLUMNS: a column added there needs its type here, and the
// writer refuses to start until it has one (test/cli/format/connection-parquet.test.ts fails
// first). docs/columns.md lists the schema ("Parquet columns").

import type { ConnectionRecord, RecordValues } from "../../sdk/index.js";
import { CSV_COLUMNS } from "./connection-csv.js";
import { ANALYSIS_COLUMNS } from "./analysis-columns.js";
import { ParquetColumnBuffer, epochParts } from "./parquet-column-buffer.js";
import { ParquetFileWriter } from "./parquet-file.js";
import { ParquetValuesRow } from "./parquet-values-row.js";
import { packageVersion } from "../version.js";

/**
 * What a column holds: STRING (UTF-8 byte array), INT32, INT64, DOUBLE, BOOLEAN, or TIMESTAMP
 * (INT64 nanoseconds since the epoch, UTC).
 */
export type ParquetColumnType = "STRING" | "INT32" | "INT64" | "DOUBLE" | "BOOLEAN" | "TIMESTAMP";

// Counts of packets and bytes are INT64: a byte count passes 2^32 at 4 GiB, and a packet count
// can pass 2^31 in a long capture. Ports, VLAN ids, MSS, window scale and TFO lengths fit INT32.
export const PARQUET_TYPES: Record<string, ParquetColumnType> = {
  id: "INT64",
  community_id: "STRING",
  ts: "TIMESTAMP",
  duration: "DOUBLE",
  orig_addr: "STRING",
  orig_port: "INT32",
  resp_addr: "STRING",
  resp_port: "INT32",
  vlan: "INT32",
  inner_vlan: "INT32",
  tunnel: "STRING",
  tunnel_identity: "STRING",
  tunnel_parents: "STRING",
  tunnel_changes: "INT32",
  tunnel_chain: "STRING",
  conn_state: "STRING",
  history: "STRING",
  outcome: "STRING",
  syn_count: "INT64",
  syn_ack_count: "INT64",
  rtt_syn_synack_us: "DOUBLE",
  rtt_synack_ack_us: "DOUBLE",
  teardown: "STRING",
  first_closer: "STRING",
  orig_pkts: "INT64",
  orig_bytes: "INT64",
  orig_ip_bytes: "INT64",
  orig_missed_bytes: "INT64",
  resp_pkts: "INT64",
  resp_bytes: "INT64",
  resp_ip_bytes: "INT64",
  resp_missed_bytes: "INT64",
  orig_syn: "INT64",
  orig_fin: "INT64",
  orig_rst: "INT64",
  resp_syn_ack: "INT64",
  resp_fin: "INT64",
  resp_rst: "INT64",
  orig_mss: "INT32",
  resp_mss: "INT32",
  orig_wscale: "INT32",
  resp_wscale: "INT32",
  orig_sack_permitted: "BOOLEAN",
  resp_sack_permitted: "BOOLEAN",
  orig_timestamps: "BOOLEAN",
  resp_timestamps: "BOOLEAN",
  orig_ecn: "BOOLEAN",
  resp_ecn: "BOOLEAN",
  orig_mptcp: "BOOLEAN",
  resp_mptcp: "BOOLEAN",
  orig_tfo_cookie_len: "INT32",
  orig_tfo_data: "INT32",
  resp_tfo_cookie_len: "INT32",
  anomalies: "STRING",
  first_packet: "INT64",
  last_packet: "INT64",
  // The TCP analysis: counts as INT64, times in µs as DOUBLE (analysis-columns.ts says which).
  ...Object.fromEntries(ANALYSIS_COLUMNS.map(([name, kind]) => [name, kind === "count" ? "INT64" : "DOUBLE"])),
};

/**
 * Connections per row group: large enough for good compression and scans, small enough to hold
 * (~8 bytes a cell, ~90 columns: ~6 MB). Groups of 65 536 held as JavaScript values peaked at
 * ~300 MiB on a 0.2 GB capture of short connections whose ndjson takes ~190 MiB; now ~200.
 */
export const ROW_GROUP_ROWS = 8_192;

/** The record's ts ("1591780863.720289000", or "-1.500000000" before 1970) as exact nanoseconds. */
export function epochNanoseconds(ts: string): bigint {
  const [sec, nsec] = epochParts(ts);
  return BigInt(sec) * 1_000_000_000n + BigInt(nsec);
}

interface Column { name: string; type: ParquetColumnType; get: (c: ConnectionRecord) => unknown }

/** The csv columns with their Parquet types; throws naming any csv column without one. */
export function parquetColumns(): Column[] {
  const missing = CSV_COLUMNS.filter(([name]) => !(name in PARQUET_TYPES)).map(([name]) => name);
  if (missing.length) throw new Error(`csv columns without a Parquet type: ${missing.join(", ")}`);
  return CSV_COLUMNS.map(([name, get]) => ({ name, type: PARQUET_TYPES[name]!, get }));
}

/**
 * Writes connection records as one Parquet file, a row group at a time. `sink` receives the
 * file's bytes in order (the header now, each row group when full, the footer at the end) and
 * is awaited, so a slow or failing output holds the scan back or stops it.
 */
export class ParquetConnectionWriter {
  private readonly columns = parquetColumns();
  // created_by as parquet.thrift asks ("<application> version <version>"), for readers that work around a writer's known bugs.
  private readonly file = new ParquetFileWriter(this.columns, `tcp-handshake-scan version ${packageVersion()}`);
  private readonly cells: ParquetColumnBuffer[];
  private readonly fromValues: ParquetValuesRow;
  private started = false;
  private rows = 0;

  constructor(private readonly sink: (bytes: Uint8Array) => Promise<void>, private readonly rowGroupRows = ROW_GROUP_ROWS) {
    this.cells = this.columns.map((c) => new ParquetColumnBuffer(c.type, rowGroupRows));
    this.fromValues = new ParquetValuesRow(this.cells);
  }

  /** Adds one connection; a promise (to await) when that filled a row group and it is being written. */
  add(c: ConnectionRecord): Promise<void> | undefined {
    const { columns, cells } = this;
    for (let k = 0; k < columns.length; k++) cells[k]!.push(columns[k]!.get(c));
    return ++this.rows === this.rowGroupRows ? this.writeRowGroup() : undefined;
  }

  /** add() of the record built from `v`, with no record built (parquet-values-row.ts). */
  addValues(v: RecordValues): Promise<void> | undefined {
    this.fromValues.push(v);
    return ++this.rows === this.rowGroupRows ? this.writeRowGroup() : undefined;
  }

  /** Writes the last row group and the footer. */
  async finish(): Promise<void> {
    if (this.rows > 0 || !this.started) await this.writeRowGroup();
    await this.sink(this.file.footer().slice());
  }

  private async writeRowGroup(): Promise<void> {
    const header = this.started ? null : this.file.header();
    this.started = true;
    const group = this.rows > 0 ? this.file.rowGroup(this.cells) : new Uint8Array(0);
    // One chunk: the header (first time) and the group, copied (the writer reuses its buffer).
    const bytes = new Uint8Array((header?.length ?? 0) + group.length);
    if (header) bytes.set(header);
    bytes.set(group, header?.length ?? 0);
    for (const cells of this.cells) cells.clear();
    this.rows = 0;
    await this.sink(bytes);
  }
}
