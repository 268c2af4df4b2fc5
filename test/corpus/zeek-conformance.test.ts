// Zeek conformance: for every trace and conn.log baseline of ../shared/corpus/zeek, the TCP
// rows' conn_state and history equal Zeek's. Each baseline's settings (likely server ports,
// checksum verification, nets exempt from it) come from the manifest as scan options, never
// from special cases. Rows are matched by Zeek's oriented 4-tuple, in order.

import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { scan, type ConnectionRecord } from "../../sdk/index.js";
import { corpusDir } from "../helpers/decode.js";
import { readZeekBaseline, type ZeekRow } from "../helpers/zeek-baseline.js";

interface ManifestEntry {
  trace: string;
  baseline: string;
  non_default: string[];
  likely_server_ports: number[];
  verify_checksums: boolean;
  ignore_checksums_nets: string[];
}

const root = corpusDir();
const zeek = root ? join(root, "zeek") : null;
const manifest: ManifestEntry[] = zeek ? JSON.parse(readFileSync(join(zeek, "manifest.json"), "utf8")) : [];
const exclusions: Record<string, string> = JSON.parse(readFileSync(new URL("./zeek-exclusions.json", import.meta.url), "utf8")).traces;

if (!zeek) {
  describe("Zeek conformance", () => {
    it.skip("../shared/corpus/zeek is absent: Zeek conformance not checked", () => {});
  });
}

interface Outcome { rows: number; matched: number; mismatches: string[] }

function compare(rows: ZeekRow[], mine: ConnectionRecord[]): Outcome {
  const used = new Set<number>();
  const mismatches: string[] = [];
  let matched = 0;
  for (const row of rows) {
    const k = mine.findIndex((c, n) => !used.has(n) && (row.origH === undefined
      || (c.orig.addr === row.origH && c.orig.port === row.origP && c.resp.addr === row.respH && c.resp.port === row.respP)));
    const tuple = `${row.origH}:${row.origP} > ${row.respH}:${row.respP}`;
    if (k < 0) { mismatches.push(`${tuple}: no such connection (want ${row.connState} ${row.history})`); continue; }
    used.add(k);
    const c = mine[k]!;
    const stateOk = row.connState === undefined || row.connState === c.connState;
    const historyOk = row.history === undefined || row.history === c.history;
    if (stateOk && historyOk) matched++;
    else mismatches.push(`${tuple}: want ${row.connState ?? "?"} ${row.history ?? "?"}, got ${c.connState} ${c.history}`);
  }
  return { rows: rows.length, matched, mismatches };
}

describe.runIf(zeek)("Zeek conformance: conn_state and history of every TCP row", () => {
  const totals = { rows: 0, matched: 0 };
  for (const entry of manifest) {
    const trace = entry.trace.split("/").pop()!;
    const excluded = exclusions[trace];
    it(`${entry.baseline.split("/").pop()}${excluded ? " (excluded)" : ""}`, async () => {
      const rows = readZeekBaseline(join(zeek!, entry.baseline)).filter((r) => r.proto === undefined || r.proto === "tcp");
      const { connections } = await scan(join(zeek!, entry.trace), {
        likelyServerPorts: entry.likely_server_ports,
        verifyChecksums: entry.verify_checksums,
        ignoreChecksumsNets: entry.ignore_checksums_nets,
      });
      const outcome = compare(rows, connections);
      if (excluded) {
        // Excluded rows must still be unmatched: a fixed exclusion has to leave the list.
        expect(outcome.matched, `${trace} now matches: remove it from zeek-exclusions.json`).toBeLessThan(outcome.rows);
        return;
      }
      totals.rows += outcome.rows;
      totals.matched += outcome.matched;
      expect(outcome.mismatches).toEqual([]);
    });
  }
  it("matches at least 99% of the in-scope rows", () => {
    expect(totals.rows).toBeGreaterThan(1000);
    expect(totals.matched / totals.rows).toBeGreaterThanOrEqual(0.99);
  });
});
