// Zeek conformance: for every trace and conn.log baseline of ../shared/corpus/zeek, the TCP
// rows' conn_state and history equal Zeek's, and so does every numeric column the baseline
// carries (duration, orig/resp bytes, missed_bytes, pkts, ip_bytes), local_orig and local_resp
// (by Zeek's default local nets, cli/format/zeek-local.ts), and the number of tunnels
// tunnel_parents names. Each baseline's settings
// (likely server ports, checksum verification, nets exempt from it) come from the manifest as
// scan options, never from special cases. Rows are matched by Zeek's oriented 4-tuple, in order.
// What does not match is listed with its reason in zeek-exclusions.json: whole traces, or single
// values; an exclusion that starts matching fails the test, so that the list only shrinks.

import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { scan, type ConnectionRecord } from "../../sdk/index.js";
import { corpusDir } from "../helpers/decode.js";
import { zeekBool, zeekLocalText } from "../../cli/format/zeek-local.js";
import { readZeekBaseline, ZEEK_NUMBER_COLUMNS, type ZeekRow, type ZeekNumberColumn } from "../helpers/zeek-baseline.js";

interface ManifestEntry {
  trace: string;
  baseline: string;
  non_default: string[];
  likely_server_ports: number[];
  verify_checksums: boolean;
  ignore_checksums_nets: string[];
}

/** One value of one row that does not match Zeek's, and why: `zeek` and `ours` as written. */
interface ValueExclusion { trace: string; connection: string; column: ZeekNumberColumn; zeek: string; ours: string; reason: string }

const root = corpusDir();
const zeek = root ? join(root, "zeek") : null;
const manifest: ManifestEntry[] = zeek ? JSON.parse(readFileSync(join(zeek, "manifest.json"), "utf8")) : [];
const exclusionFile = JSON.parse(readFileSync(new URL("./zeek-exclusions.json", import.meta.url), "utf8"));
const exclusions: Record<string, string> = exclusionFile.traces;
const valueExclusions: ValueExclusion[] = exclusionFile.values;

if (!zeek) {
  describe("Zeek conformance", () => {
    it.skip("../shared/corpus/zeek is absent: Zeek conformance not checked", () => {});
  });
}

/** Our value of a numeric column as Zeek writes it ("-" when Zeek leaves it unset). */
function ours(c: ConnectionRecord, column: ZeekNumberColumn): string {
  const zero = c.duration === 0;
  switch (column) {
    case "duration": return zero ? "-" : c.duration.toFixed(6);
    case "orig_bytes": return zero ? "-" : String(c.orig.bytes);
    case "resp_bytes": return zero ? "-" : String(c.resp.bytes);
    case "missed_bytes": return c.orig.missedBytes === null || c.resp.missedBytes === null ? "-" : String(c.orig.missedBytes + c.resp.missedBytes);
    case "orig_pkts": return String(c.orig.pkts);
    case "orig_ip_bytes": return String(c.orig.ipBytes);
    case "resp_pkts": return String(c.resp.pkts);
    case "resp_ip_bytes": return String(c.resp.ipBytes);
  }
}

interface Outcome { rows: number; matched: number; values: number; locals: number; mismatches: string[]; excludedValues: string[] }

function compare(trace: string, rows: ZeekRow[], mine: ConnectionRecord[]): Outcome {
  const used = new Set<number>();
  const outcome: Outcome = { rows: rows.length, matched: 0, values: 0, locals: 0, mismatches: [], excludedValues: [] };
  for (const row of rows) {
    const k = mine.findIndex((c, n) => !used.has(n) && (row.origH === undefined
      || (c.orig.addr === row.origH && c.orig.port === row.origP && c.resp.addr === row.respH && c.resp.port === row.respP)));
    const tuple = `${row.origH}:${row.origP} > ${row.respH}:${row.respP}`;
    if (k < 0) { outcome.mismatches.push(`${tuple}: no such connection (want ${row.connState} ${row.history})`); continue; }
    used.add(k);
    const c = mine[k]!;
    const stateOk = row.connState === undefined || row.connState === c.connState;
    const historyOk = row.history === undefined || row.history === c.history;
    if (stateOk && historyOk) outcome.matched++;
    else outcome.mismatches.push(`${tuple}: want ${row.connState ?? "?"} ${row.history ?? "?"}, got ${c.connState} ${c.history}`);
    // Zeek's uids are its own: what can match is how many tunnels it names.
    const parents = c.tunnel?.parents.length ?? 0;
    if (row.tunnelParents !== undefined && row.tunnelParents !== parents) {
      outcome.mismatches.push(`${tuple}: want ${row.tunnelParents} tunnel_parents, got ${parents}`);
    }
    // local_orig and local_resp, as our conn.log writes them (Zeek's default local nets).
    for (const [column, want, addr] of [["local_orig", row.localOrig, c.orig.addr], ["local_resp", row.localResp, c.resp.addr]] as const) {
      if (want === undefined) continue;
      outcome.locals++;
      const got = zeekBool(zeekLocalText(addr));
      if (got !== want) outcome.mismatches.push(`${tuple} ${column}: want ${want}, got ${got}`);
    }
    if (!row.numbers) continue;
    for (const column of ZEEK_NUMBER_COLUMNS) {
      const want = row.numbers[column], got = ours(c, column);
      outcome.values++;
      const excluded = valueExclusions.find((x) => x.trace === trace && x.connection === tuple && x.column === column);
      if (excluded) {
        // Still the difference the exclusion names, or the exclusion is stale.
        if (want !== excluded.zeek || got !== excluded.ours) outcome.mismatches.push(`${tuple} ${column}: excluded as zeek ${excluded.zeek} ours ${excluded.ours}, now zeek ${want} ours ${got}: update zeek-exclusions.json`);
        else outcome.excludedValues.push(`${tuple} ${column}`);
      } else if (want !== got) {
        outcome.mismatches.push(`${tuple} ${column}: want ${want}, got ${got}`);
      }
    }
  }
  return outcome;
}

describe.runIf(zeek)("Zeek conformance: conn_state, history and every numeric column of every TCP row", () => {
  const totals = { rows: 0, matched: 0, values: 0, locals: 0, excludedValues: 0 };
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
      const outcome = compare(trace, rows, connections);
      if (excluded) {
        // Excluded rows must still be unmatched: a fixed exclusion has to leave the list.
        expect(outcome.matched, `${trace} now matches: remove it from zeek-exclusions.json`).toBeLessThan(outcome.rows);
        return;
      }
      totals.rows += outcome.rows;
      totals.matched += outcome.matched;
      totals.values += outcome.values;
      totals.locals += outcome.locals;
      totals.excludedValues += outcome.excludedValues.length;
      expect(outcome.mismatches).toEqual([]);
      const listed = valueExclusions.filter((x) => x.trace === trace).map((x) => `${x.connection} ${x.column}`);
      expect(outcome.excludedValues.sort(), "every value exclusion names a row and column of this baseline").toEqual(listed.sort());
    });
  }
  it("matches at least 99% of the in-scope rows, and compares thousands of values", () => {
    expect(totals.rows).toBeGreaterThan(1000);
    expect(totals.matched / totals.rows).toBeGreaterThanOrEqual(0.99);
    expect(totals.values).toBeGreaterThan(5000);
    expect(totals.locals, "local_orig and local_resp values compared").toBeGreaterThan(2000);
    expect(totals.excludedValues).toBe(valueExclusions.length);
  });

  it("is what the README says: every in-scope row matches, and there are as many as it counts", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8").replace(/\s+/g, " ");
    const claimed = /match Zeek on all ([\d ]+) in-scope rows/.exec(readme)?.[1];
    expect(claimed, "the README's count of in-scope rows").toBeDefined();
    expect(totals.matched).toBe(totals.rows);
    expect(totals.rows).toBe(Number(claimed!.replaceAll(" ", "")));
  });
});
