// The Parquet file written from the record values (addValues: what a scan writes, no record
// object) is byte for byte the file written from the records built from the same values (add,
// through the csv columns): on every capture of the shared corpus (when present) and the
// project's sample; and with values captures rarely hold (tunnels, VLANs, every option, TFO,
// anomalies, nulls), every field distinct from its neighbours so that a swapped column shows.

import { describe, it, expect } from "vitest";
import { fileURLToPath } from "node:url";
import { scan, type ConnectionRecord } from "../../../sdk/index.js";
import { trackConnections } from "../../../sdk/connections/track.js";
import { RecordValues, readRecordValues } from "../../../sdk/connections/record-values.js";
import { ParquetConnectionWriter } from "../../../cli/format/connection-parquet.js";
import { capturesUnder, corpusDir } from "../../helpers/decode.js";
import { valuesOf } from "../../helpers/record-values.js";

const SAMPLE = fileURLToPath(new URL("../../../examples/sample.pcap", import.meta.url));

/** Two files of the same connections: from their values, and from their records. */
function twoWriters(rows = 300) {
  const parts: [Uint8Array[], Uint8Array[]] = [[], []];
  const fromValues = new ParquetConnectionWriter(async (b) => { parts[0].push(b.slice()); }, rows);
  const fromRecords = new ParquetConnectionWriter(async (b) => { parts[1].push(b.slice()); }, rows);
  return {
    fromValues, fromRecords,
    async files(): Promise<[Buffer, Buffer]> {
      await fromValues.finish();
      await fromRecords.finish();
      return [Buffer.concat(parts[0]), Buffer.concat(parts[1])];
    },
  };
}

async function filesOf(file: string): Promise<{ files: [Buffer, Buffer]; records: ConnectionRecord[] }> {
  const w = twoWriters();
  const values = new RecordValues();
  const records: ConnectionRecord[] = [];
  for await (const group of trackConnections([file], {}, [])) {
    for (let k = 0; k < group.count; k++) {
      readRecordValues(group.store(), k, values);
      await w.fromValues.addValues(values);
      const c = group.records[k]!;
      await w.fromRecords.add(c);
      records.push(c);
    }
  }
  return { files: await w.files(), records };
}

describe("the Parquet rows written from the record values", () => {
  it("are the records' file on every corpus capture", async (ctx) => {
    const root = corpusDir();
    if (!root) return ctx.skip();
    let total = 0, tunnelled = 0;
    for (const file of capturesUnder(root)) {
      const { files: [a, b], records } = await filesOf(file);
      expect(a.equals(b), file).toBe(true);
      total += records.length;
      tunnelled += records.filter((c) => c.tunnel).length;
    }
    expect(total).toBeGreaterThan(1000);
    expect(tunnelled).toBeGreaterThan(0);
  }, 300_000);

  it("are the records' file of scan()'s records on the project's sample", async () => {
    const { files: [a, b], records } = await filesOf(SAMPLE);
    const { connections } = await scan(SAMPLE);
    expect(records).toEqual(connections);
    expect(a.equals(b)).toBe(true);
    expect(a.length).toBeGreaterThan(1000);
  });

  it("put every field in its column, on values captures rarely hold", async () => {
    const { connections } = await scan(SAMPLE);
    let next = 1;
    const distinct = (o: Record<string, unknown>): void => {
      for (const [key, value] of Object.entries(o)) {
        if (typeof value === "number") o[key] = next++;
        else if (typeof value === "boolean") o[key] = next++ % 2 === 0;
        else if (value && typeof value === "object" && !Array.isArray(value)) distinct(value as Record<string, unknown>);
      }
    };
    const records = connections.flatMap((c, k) => {
      const r = structuredClone(c);
      r.vlan = 100; r.innerVlan = 200;
      r.tunnel = { types: ["vxlan", "gre"], identity: "0a0b0c0d", parents: ["0a0b0c0d", "ffffffff"], changes: 3 };
      r.handshake.options.orig ??= { mss: 1, windowScale: 2, sackPermitted: true, timestamps: false, ecn: { ece: true, cwr: false, ae: true }, tfo: { cookieLen: 8, data: 4 }, mptcp: false };
      r.handshake.options.resp ??= { mss: 3, windowScale: 4, sackPermitted: false, timestamps: true, ecn: { ece: false, cwr: true, ae: false }, tfo: null, mptcp: true };
      r.handshake.options.orig.tfo ??= { cookieLen: 8, data: 4 };
      for (const side of [r.analysis.orig, r.analysis.resp]) side.ackRttUs ??= { samples: 0, min: null, mean: null, max: null, p50: null, p95: null };
      r.anomalies = { "snaplen-truncated": 2, "é😀": 1 };
      distinct(r as unknown as Record<string, unknown>);
      // The same connection again with what is left unset: no options, no tunnel, nulls.
      const bare = structuredClone(c);
      bare.handshake.options = { orig: null, resp: null };
      bare.orig.missedBytes = null;
      bare.teardown = { kind: "rst-orig", firstCloser: null };
      bare.ts = `-${k + 1}.000000${k % 10}00`;
      bare.history = "";
      return [r, bare];
    });
    const w = twoWriters(5);
    for (const record of records) {
      await w.fromValues.addValues(valuesOf(record));
      await w.fromRecords.add(record);
    }
    const [a, b] = await w.files();
    expect(a.equals(b)).toBe(true);
  });
});
