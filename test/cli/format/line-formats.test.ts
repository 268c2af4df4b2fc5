// The command's csv and zeek rows, written straight from the record values (csvValuesRow,
// zeekValuesRow: what a scan writes, through lineWriter), are exactly the rows the object
// formatters (csvRow, zeekRow) make of the record buildConnectionRecord builds from the same
// values: on every capture of the shared corpus (when present) and the project's own sample;
// and, fed values captures rarely hold (cells to quote, non-ASCII, NaN, -0, large and fractional
// numbers, every optional field), the two still agree.

import { describe, it, expect } from "vitest";
import { fileURLToPath } from "node:url";
import { scan, type ConnectionRecord } from "../../../sdk/index.js";
import { trackConnections } from "../../../sdk/connections/track.js";
import { ByteSink } from "../../../sdk/lines/byte-sink.js";
import { lineWriter } from "../../../sdk/lines/line-formats.js";
import { csvRow, csvValuesRow } from "../../../cli/format/connection-csv.js";
import { zeekRow, zeekValuesRow } from "../../../cli/format/zeek-log.js";
import "../../../cli/format/line-formats.js";
import { capturesUnder, corpusDir } from "../../helpers/decode.js";
import { valuesOf } from "../../helpers/record-values.js";

const SAMPLE = fileURLToPath(new URL("../../../examples/sample.pcap", import.meta.url));
const FORMATS = [["csv", csvRow, csvValuesRow], ["zeek", zeekRow, zeekValuesRow]] as const;

const text = (out: ByteSink) => Buffer.from(out.takeCopy()).toString("utf8");

/** Every connection of `file`: its rows written from the columns by lineWriter, and its records. */
async function rowsAndRecords(file: string, format: string): Promise<{ rows: string; records: ConnectionRecord[] }> {
  const out = new ByteSink(new ArrayBuffer(64));
  const write = lineWriter({ format });
  const records: ConnectionRecord[] = [];
  for await (const group of trackConnections([file], {}, [])) {
    for (let k = 0; k < group.count; k++) group.writeLine(k, out, write);
    records.push(...group.records);
  }
  return { rows: text(out), records };
}

describe.each(FORMATS)("the %s rows written from the record values", (format, row, valuesRow) => {
  it("are the object formatter's rows on every corpus capture", async (ctx) => {
    const root = corpusDir();
    if (!root) return ctx.skip();
    let total = 0, tunnelled = 0;
    for (const file of capturesUnder(root)) {
      const { rows, records } = await rowsAndRecords(file, format);
      expect(rows, file).toBe(records.map(row).join(""));
      total += records.length;
      tunnelled += records.filter((c) => c.tunnel).length;
    }
    expect(total).toBeGreaterThan(1000);
    expect(tunnelled).toBeGreaterThan(0);
  }, 300_000);

  it("are the object formatter's rows of scan()'s records on the project's sample", async () => {
    const { rows, records } = await rowsAndRecords(SAMPLE, format);
    const { connections } = await scan(SAMPLE);
    expect(records.length).toBeGreaterThan(3);
    expect(records).toEqual(connections);
    expect(rows).toBe(connections.map(row).join(""));
  });

  it("zeek: ts to the microsecond, cut from nine decimals or padded from fewer", async () => {
    const { connections } = await scan(SAMPLE);
    const c = structuredClone(connections[0]!);
    const ts = (t: string) => { c.ts = t; return zeekRow(c).split("\t")[0]; };
    expect(ts("1591780863.720289123")).toBe("1591780863.720289");
    expect(ts("1591780863.7202891")).toBe("1591780863.720289");
    expect(ts("1591780863.5")).toBe("1591780863.500000");
    expect(ts("1591780863")).toBe("1591780863.000000");
    expect(ts("-1.000000500")).toBe("-1.000000");
  });

  it("zeek: a whole double gets '.0', as Zeek's writer gives it, but not after String()'s exponent", async () => {
    if (format !== "zeek") return;
    const [record] = (await scan(SAMPLE)).connections;
    const lastCell = (maxGapUs: number) => {
      const c = structuredClone(record!);
      c.analysis.maxGapUs = maxGapUs;
      const out = new ByteSink(new ArrayBuffer(16));
      valuesRow(out, valuesOf(c));
      return [row(c), text(out)].map((r) => r.trimEnd().split("\t").at(-1));
    };
    for (const [v, want] of [[5, "5.0"], [0, "0.0"], [-3, "-3.0"], [0.5, "0.5"], [2 ** 53 + 2, "9007199254740994.0"], [1e21, "1e+21"], [-1e21, "-1e+21"], [1.5e-7, "1.5e-7"]] as const) {
      expect(lastCell(v), String(v)).toEqual([want, want]);
    }
  });

  it("agree with the object formatter on values captures rarely hold", async () => {
    const { connections } = await scan(SAMPLE);
    const altered = connections.map((c) => structuredClone(c));
    const [a, b, c, d] = altered as [ConnectionRecord, ConnectionRecord, ConnectionRecord, ConnectionRecord];
    a.history = 'Sh"a,d\r\né😀';
    a.anomalies = { "quote\"d": 3, "é,x": 1, "7": 2 };
    a.duration = -0;
    a.orig.bytes = 2 ** 31;
    a.resp.bytes = 2 ** 53 + 2;
    a.orig.pkts = -5;
    a.handshake.rttSynToSynAckUs = 1e21;
    a.handshake.rttSynAckToAckUs = 1.5e-7;
    b.duration = 123.4567891;
    b.orig.port = Infinity;
    b.analysis.maxGapUs = NaN;
    b.analysis.orig.ackRttUs = { samples: 9, min: 0.001, mean: -123.456, max: 99999.999, p50: 5, p95: 0 };
    b.vlan = 4095;
    b.innerVlan = 0;
    b.tunnel = { types: ["vxlan", "gre"], identity: "0a0b0c0d", parents: ["0a0b0c0d", "ffffffff"], changes: 1 };
    b.handshake.options.orig = {
      mss: null, windowScale: 14, sackPermitted: false, timestamps: true, ecn: { ece: true, cwr: true, ae: true },
      tfo: { cookieLen: 8, data: 0 }, mptcp: true,
    };
    c.teardown = { kind: "rst-orig", firstCloser: "resp" };
    c.history = "";
    c.orig.missedBytes = null;
    c.anomalies = {};
    d.handshake.options = { orig: null, resp: null };
    // A side with one verdict, its last count; one with no samples but a quantile; a -0 and a
    // NaN count (the analysis cells' fixed runs and zero fast path must not be taken for these).
    c.analysis.orig.keepAliveAck = 1;
    c.analysis.resp.ackRttUs = { samples: 0, min: null, mean: null, max: null, p50: null, p95: 7 };
    d.analysis.orig.retransmission = NaN;
    d.analysis.resp.dupAck = -0;
    d.analysis.resp.firstPayloadUs = 0.5;
    const out = new ByteSink(new ArrayBuffer(16));
    for (const record of altered) valuesRow(out, valuesOf(record));
    expect(text(out)).toBe(altered.map(row).join(""));
  });

  it("put every field in the object formatter's column, however many fields share a value", async () => {
    // A column list and its values writer are two lists of the same columns: on real records
    // many neighbouring cells are equal (flags, VLANs, tunnel and TFO cells), so a swap could pass
    // the corpus test. Every number and flag here is distinct from its neighbours.
    const { connections } = await scan(SAMPLE);
    let next = 1;
    const distinct = (o: Record<string, unknown>): void => {
      for (const [key, value] of Object.entries(o)) {
        if (typeof value === "number") o[key] = next++;
        else if (typeof value === "boolean") o[key] = next++ % 2 === 0;
        else if (value && typeof value === "object" && !Array.isArray(value)) distinct(value as Record<string, unknown>);
      }
    };
    const records = connections.map((c) => {
      const r = structuredClone(c);
      r.vlan = 100; r.innerVlan = 200;
      r.tunnel = { types: ["vxlan"], identity: "0a0b0c0d", parents: ["0a0b0c0d"], changes: 3 };
      r.handshake.options.orig ??= { mss: 1, windowScale: 2, sackPermitted: true, timestamps: false, ecn: { ece: true, cwr: false, ae: true }, tfo: { cookieLen: 8, data: 4 }, mptcp: false };
      r.handshake.options.resp ??= { mss: 3, windowScale: 4, sackPermitted: false, timestamps: true, ecn: { ece: false, cwr: true, ae: false }, tfo: null, mptcp: true };
      r.handshake.options.orig.tfo ??= { cookieLen: 8, data: 4 };
      for (const side of [r.analysis.orig, r.analysis.resp]) side.ackRttUs ??= { samples: 0, min: null, mean: null, max: null, p50: null, p95: null };
      distinct(r as unknown as Record<string, unknown>);
      return r;
    });
    const out = new ByteSink(new ArrayBuffer(16));
    for (const record of records) valuesRow(out, valuesOf(record));
    expect(text(out)).toBe(records.map(row).join(""));
  });
});
