// Connection records as Parquet: the csv columns (connection-csv.ts), each with a Parquet type,
// written in row groups of ROW_GROUP_ROWS connections as the scan produces them, so memory
// stays flat whatever the capture's size. Snappy-compressed (hyparquet-writer's own codec).
//
// The schema is derived from CSV_COLUMNS: a column added there needs its type here, and the
// writer refuses to start until it has one (test/cli/format/connection-parquet.test.ts fails
// first). The README lists the schema ("Parquet columns").

import { ByteWriter, ParquetWriter, type SchemaElement } from "hyparquet-writer";
import type { ConnectionRecord } from "../../sdk/index.js";
import { CSV_COLUMNS } from "./connection-csv.js";
import { ANALYSIS_COLUMNS } from "./analysis-columns.js";
import { ParquetColumnBuffer } from "./parquet-column-buffer.js";

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

const ELEMENT: Record<ParquetColumnType, Omit<SchemaElement, "name">> = {
  STRING: { type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } },
  INT32: { type: "INT32" },
  INT64: { type: "INT64" },
  DOUBLE: { type: "DOUBLE" },
  BOOLEAN: { type: "BOOLEAN" },
  TIMESTAMP: { type: "INT64", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "NANOS" } },
};

/** The record's ts ("1591780863.720289000", or "-1.500000000" before 1970) as exact nanoseconds. */
export function epochNanoseconds(ts: string): bigint {
  const negative = ts.startsWith("-");
  const [whole, fraction = ""] = (negative ? ts.slice(1) : ts).split(".");
  const ns = BigInt(whole!) * 1_000_000_000n + BigInt(fraction.padEnd(9, "0").slice(0, 9));
  return negative ? -ns : ns;
}


interface Column { name: string; type: ParquetColumnType; get: (c: ConnectionRecord) => unknown }

/** The csv columns with their Parquet types; throws naming any csv column without one. */
export function parquetColumns(): Column[] {
  const missing = CSV_COLUMNS.filter(([name]) => !(name in PARQUET_TYPES)).map(([name]) => name);
  if (missing.length) throw new Error(`csv columns without a Parquet type: ${missing.join(", ")}`);
  return CSV_COLUMNS.map(([name, get]) => ({ name, type: PARQUET_TYPES[name]!, get }));
}

export function parquetSchema(columns: Column[]): SchemaElement[] {
  return [
    { name: "root", num_children: columns.length },
    ...columns.map((c) => ({ name: c.name, repetition_type: "OPTIONAL" as const, ...ELEMENT[c.type] })),
  ];
}

/**
 * Writes connection records as one Parquet file, a row group at a time. `sink` receives the
 * file's bytes in order (the header now, each row group when full, the footer at the end) and
 * is awaited, so a slow or failing output holds the scan back or stops it.
 */
export class ParquetConnectionWriter {
  private readonly columns = parquetColumns();
  private readonly bytes = new ByteWriter(1 << 20);
  private readonly writer = new ParquetWriter({
    writer: this.bytes, schema: parquetSchema(this.columns), codec: "SNAPPY", createdBy: "tcp-handshake-scan",
  });
  private readonly cells: ParquetColumnBuffer[];
  private rows = 0;

  constructor(private readonly sink: (bytes: Uint8Array) => Promise<void>, private readonly rowGroupRows = ROW_GROUP_ROWS) {
    this.cells = this.columns.map((c) => new ParquetColumnBuffer(c.type, rowGroupRows));
  }

  /** Adds one connection; a promise (to await) when that filled a row group and it is being written. */
  add(c: ConnectionRecord): Promise<void> | undefined {
    const { columns, cells } = this;
    for (let k = 0; k < columns.length; k++) {
      const column = columns[k]!, v = column.get(c);
      cells[k]!.push(column.type === "TIMESTAMP" && v !== null && v !== undefined ? epochNanoseconds(v as string) : v);
    }
    return ++this.rows === this.rowGroupRows ? this.writeRowGroup() : undefined;
  }

  /** Writes the last row group and the footer. */
  async finish(): Promise<void> {
    if (this.rows > 0) await this.writeRowGroup();
    await this.writer.finish();
    await this.drain();
  }

  private async writeRowGroup(): Promise<void> {
    // Each column's values are built as the writer reaches it (ParquetColumnBuffer.source).
    const columnData = this.columns.map((c, k) => ({ name: c.name, data: this.cells[k]!.source() as unknown as unknown[] }));
    await this.writer.write({ columnData, rowGroupSize: this.rows });
    for (const cells of this.cells) cells.clear();
    this.rows = 0;
    await this.drain();
  }

  // Hands what the writer has encoded to the sink and empties its buffer (its `offset` keeps
  // counting the file's bytes, which the footer's row-group offsets need).
  private async drain(): Promise<void> {
    const b = this.bytes;
    if (b.index === 0) return;
    const chunk = new Uint8Array(b.buffer.slice(0, b.index));
    b.index = 0;
    await this.sink(chunk);
  }
}
