// The bulk mix of `npm run bench` stops at its byte budget with connections part-way through
// their scripts: the generator must count those as open at the end (what the capture holds),
// not as what their scripts would have played out, so that the mix line the bench prints and
// docs/benchmarks.md's shares describe the capture measured.

import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scan, type ConnectionRecord } from "../../sdk/index.js";
import { generateCapture } from "../../bench/generate.js";

const dir = mkdtempSync(join(tmpdir(), "ths-bulk-mix-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// What the scanner makes of a connection, in the generator's words.
function seenAs(r: ConnectionRecord): string {
  const { outcome } = r.handshake, { kind } = r.teardown;
  if (outcome === "rejected") return "refused";
  if (outcome === "unanswered") return "unanswered";
  if (kind === "fin" || kind === "fin-3") return "closed";
  if (kind === "rst-orig" || kind === "rst-resp") return "reset";
  if (kind === "open" || kind === "half-closed-orig" || kind === "half-closed-resp") return "open";
  return kind;
}

describe("the bulk benchmark mix", () => {
  it("counts the connections the capture's end cuts as open, whatever their script", async () => {
    const path = join(dir, "bulk.pcap");
    const g = generateCapture(path, { bytes: 2e6, concurrency: 200, seed: 3 });
    const total = Object.values(g.kinds).reduce((a, b) => a + b, 0);
    expect(total).toBe(g.connections);
    // At 2 MB most of the 200 connections in flight are cut (the bench's 2 GB: ~1 900 of 14 746).
    expect(g.cutAtEnd).toBeGreaterThan(100);
    expect(g.cutAtEnd).toBeLessThanOrEqual(200);
    expect(g.kinds.open).toBeGreaterThanOrEqual(g.cutAtEnd);

    const { connections } = await scan(path);
    expect(connections).toHaveLength(g.connections);
    const seen: Record<string, number> = {};
    for (const r of connections) seen[seenAs(r)] = (seen[seenAs(r)] ?? 0) + 1;
    // Every connection the generator counts as played out, the scanner sees so. A cut one may
    // look played out to the scanner (both FINs seen but not the last ACK; a SYN not yet
    // retransmitted), never the reverse: so each kind is at least the generator's, and all the
    // kinds together exceed it by no more than the cut connections.
    for (const kind of ["closed", "reset", "refused", "unanswered"] as const) {
      expect(seen[kind] ?? 0, kind).toBeGreaterThanOrEqual(g.kinds[kind]);
    }
    expect(seen.open).toBeLessThanOrEqual(g.kinds.open);
    expect(seen.open).toBeGreaterThanOrEqual(g.kinds.open - g.cutAtEnd);
    expect(Object.keys(seen).sort()).toEqual(["closed", "open", "refused", "reset", "unanswered"]);
  });

  it("the short mix finishes every connection: none is cut", () => {
    const g = generateCapture(join(dir, "short.pcap"), { bytes: 1e6, mix: "short", concurrency: 100, seed: 3 });
    expect([g.cutAtEnd, g.kinds.open]).toEqual([0, 0]);
  });
});
