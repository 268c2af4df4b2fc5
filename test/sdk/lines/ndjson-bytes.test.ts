// The ndjson writer (sdk/lines/ndjson-bytes.ts), which writes a connection's line straight from
// the record's values, writes exactly the bytes of JSON.stringify(record) + "\n" of the record
// buildConnectionRecord makes of the same values: on every capture of the shared corpus (when
// present) and the project's own sample, covering VLANs, tunnels, anomalies, options and
// analysis; and, fed values captures rarely hold (escapes, non-ASCII, NaN, -0, large and
// fractional numbers, every optional field), it writes what JSON.stringify writes.

import { describe, it, expect } from "vitest";
import { fileURLToPath } from "node:url";
import { scan } from "../../../sdk/index.js";
import type { ConnectionRecord } from "../../../sdk/connections/connection-record.js";
import { trackConnections } from "../../../sdk/connections/track.js";
import { ByteSink } from "../../../sdk/lines/byte-sink.js";
import { writeNdjson, writeValues } from "../../../sdk/lines/ndjson-bytes.js";
import { capturesUnder, corpusDir } from "../../helpers/decode.js";
import { valuesOf } from "../../helpers/record-values.js";

const SAMPLE = fileURLToPath(new URL("../../../examples/sample.pcap", import.meta.url));

const expected = (records: ConnectionRecord[]) => records.map((c) => JSON.stringify(c) + "\n").join("");
const text = (out: ByteSink) => Buffer.from(out.takeCopy()).toString("utf8");

/** Every connection of `file`: the lines written from the columns, and the records built from them. */
async function linesAndRecords(file: string, out = new ByteSink(new ArrayBuffer(64))): Promise<{ lines: string; records: ConnectionRecord[] }> {
  const records: ConnectionRecord[] = [];
  for await (const group of trackConnections([file], {}, [])) {
    for (let k = 0; k < group.count; k++) writeNdjson(out, group.store(), k);
    records.push(...group.records);
  }
  return { lines: text(out), records };
}

function visited(records: ConnectionRecord[]): string {
  const out = new ByteSink(new ArrayBuffer(16));
  for (const c of records) writeValues(out, valuesOf(c));
  return text(out);
}

describe("the ndjson writer", () => {
  it("writes JSON.stringify's bytes of the walk's record on every corpus capture", async (ctx) => {
    const root = corpusDir();
    if (!root) return ctx.skip();
    const seen = new Set<string>();
    let total = 0;
    for (const file of capturesUnder(root)) {
      const { lines, records } = await linesAndRecords(file);
      expect(lines, file).toBe(expected(records));
      total += records.length;
      for (const c of records) {
        for (const key of ["vlan", "innerVlan", "tunnel"] as const) if (c[key] !== undefined) seen.add(key);
        if (Object.keys(c.anomalies).length > 1) seen.add("anomalies");
        if (c.handshake.options.orig?.tfo) seen.add("tfo");
        if (c.analysis.orig.ackRttUs.samples > 0) seen.add("rtt");
        if (c.tunnel?.chain) seen.add("chain");
      }
    }
    expect(total).toBeGreaterThan(1000);
    for (const covered of ["anomalies", "rtt", "tunnel", "chain", "vlan"]) expect(seen).toContain(covered);
  }, 300_000);

  it("writes the records scan() gives on the project's sample, in a buffer that grows", async () => {
    const { lines, records } = await linesAndRecords(SAMPLE, new ByteSink(new ArrayBuffer(16)));
    const { connections } = await scan(SAMPLE);
    expect(records.length).toBeGreaterThan(3);
    expect(records).toEqual(connections);
    expect(lines).toBe(expected(connections));
  });

  it("writes JSON.stringify's bytes for values captures rarely hold", async () => {
    const { connections } = await scan(SAMPLE);
    const altered = connections.map((c) => structuredClone(c));
    const [a, b, c, d] = altered as [ConnectionRecord, ConnectionRecord, ConnectionRecord, ConnectionRecord];
    a.history = 'Sh"\\\n\u0001é\u2028😀\ud800';
    a.anomalies = { "quote\"d": 3, "é": 1, "7": 2, "": 0 };
    a.duration = -0;
    a.orig.bytes = 2 ** 31;
    a.resp.bytes = 2 ** 53 + 2;
    a.orig.pkts = -5;
    a.handshake.rttSynToSynAckUs = 1e21;
    a.handshake.rttSynAckToAckUs = 1.5e-7;
    b.duration = NaN;
    b.orig.port = Infinity;
    b.analysis.maxGapUs = -Infinity;
    b.vlan = 4095;
    b.innerVlan = 0;
    b.tunnel = { types: ["vxlan", "gre"], identity: "0a0b0c0d", parents: ["0a0b0c0d", "ffffffff"], changes: 1 };
    b.handshake.options.orig = {
      mss: null, windowScale: 14, sackPermitted: false, timestamps: true, ecn: { ece: true, cwr: false, ae: true },
      tfo: { cookieLen: 8, data: 0 }, mptcp: true,
    };
    b.handshake.ack = { packet: 3, acksSynAck: false, payload: 12 };
    c.teardown = { kind: "rst-orig", firstCloser: "resp" };
    c.tunnel = { types: [], identity: "00000000", parents: [], changes: 0 };
    c.anomalies = {};
    d.handshake.ack = null;
    d.handshake.options = { orig: null, resp: null };
    d.analysis.resp.ackRttUs = { samples: 9, min: 0.001, mean: 123.456, max: 99999.999, p50: 5, p95: 0 };
    // A side with one verdict, its last count; and one with no samples but a quantile (the
    // writer's fixed runs for a side without verdicts or samples must not be taken for these).
    c.analysis.orig.keepAliveAck = 1;
    c.analysis.resp.ackRttUs = { samples: 0, min: null, mean: null, max: null, p50: null, p95: 7 };
    d.analysis.orig.retransmission = NaN;
    expect(visited(altered)).toBe(expected(altered));
  });
});
