// The ndjson writer (sdk/lines/ndjson-bytes.ts) writes exactly the bytes of
// JSON.stringify(record) + "\n": on every capture of the shared corpus (when present) and the
// project's own captures, covering VLANs, tunnels, anomalies, options and analysis; and on
// records altered to reach what captures rarely hold (escapes, non-ASCII, NaN, -0, large and
// fractional numbers, every optional field).

import { describe, it, expect } from "vitest";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { scan } from "../../../sdk/index.js";
import type { ConnectionRecord } from "../../../sdk/connections/connection-record.js";
import { ByteSink } from "../../../sdk/lines/byte-sink.js";
import { writeNdjson } from "../../../sdk/lines/ndjson-bytes.js";
import { corpusDir } from "../../helpers/decode.js";

const SAMPLE = fileURLToPath(new URL("../../../examples/sample.pcap", import.meta.url));

function written(records: ConnectionRecord[], out = new ByteSink(new ArrayBuffer(64))): string {
  for (const c of records) writeNdjson(out, c);
  return Buffer.from(out.takeCopy()).toString("utf8");
}
const expected = (records: ConnectionRecord[]) => records.map((c) => JSON.stringify(c) + "\n").join("");

function captures(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return captures(path);
    return /\.(pcap|pcapng|cap)$/.test(name) ? [path] : [];
  });
}

describe("the ndjson writer", () => {
  it("writes JSON.stringify's bytes on every corpus capture", async (ctx) => {
    const root = corpusDir();
    if (!root) return ctx.skip();
    const seen = new Set<string>();
    let total = 0;
    for (const file of captures(root)) {
      const { connections } = await scan(file);
      expect(written(connections), file).toBe(expected(connections));
      total += connections.length;
      for (const c of connections) {
        for (const key of ["vlan", "innerVlan", "tunnel"] as const) if (c[key] !== undefined) seen.add(key);
        if (Object.keys(c.anomalies).length > 1) seen.add("anomalies");
        if (c.handshake.options.orig?.tfo) seen.add("tfo");
        if (c.analysis.orig.ackRttUs.samples > 0) seen.add("rtt");
      }
    }
    expect(total).toBeGreaterThan(1000);
    for (const covered of ["anomalies", "rtt", "tunnel", "vlan"]) expect(seen).toContain(covered);
  }, 300_000);

  it("writes JSON.stringify's bytes for values captures rarely hold", async () => {
    const { connections } = await scan(SAMPLE);
    expect(connections.length).toBeGreaterThan(3);
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
    expect(written(altered)).toBe(expected(altered));
  });

  it("grows its buffer line by line, and goes on in a new one after take()", async () => {
    const { connections } = await scan(SAMPLE);
    const out = new ByteSink(new ArrayBuffer(16));
    const many = Array.from({ length: 50 }, () => connections).flat();
    expect(written(many, out)).toBe(expected(many));
    writeNdjson(out, connections[0]!);
    const { buffer, length } = out.take(new ArrayBuffer(8));
    expect(Buffer.from(buffer, 0, length).toString("utf8")).toBe(expected([connections[0]!]));
    expect(written([connections[1]!], out)).toBe(expected([connections[1]!]));
  });
});
