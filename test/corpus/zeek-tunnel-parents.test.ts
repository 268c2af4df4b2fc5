// Zeek's tunnel_parents against ours, beyond their counts (zeek-conformance.test.ts), on every
// baseline whose TCP rows name tunnels. Zeek's uids are random, so what is compared is what they
// say: (1) which connections share a parent — the connections naming each Zeek uid, as sets,
// equal the connections naming each of our identities; (2) where the parent is a UDP tunnel,
// Zeek logs its outer UDP connection under that uid, and its endpoints must be those of the
// innermost level of our record's tunnel.chain (the level Zeek names a chain by).

import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { scan, type ConnectionRecord } from "../../sdk/index.js";
import { corpusDir } from "../helpers/decode.js";
import { readZeekBaseline, type ZeekRow } from "../helpers/zeek-baseline.js";

interface ManifestEntry { trace: string; baseline: string; likely_server_ports: number[]; verify_checksums: boolean; ignore_checksums_nets: string[] }

const root = corpusDir();
const zeek = root ? join(root, "zeek") : null;
const entries: ManifestEntry[] = zeek
  ? (JSON.parse(readFileSync(join(zeek, "manifest.json"), "utf8")) as ManifestEntry[]).filter((e) =>
    readZeekBaseline(join(zeek, e.baseline)).some((r) => r.proto === "tcp" && (r.tunnelParentUids?.length ?? 0) > 0))
  : [];

// Groups of connections (by index) naming each parent, as sorted strings, sorted.
function groups(parentsOf: string[][]): string[] {
  const byParent = new Map<string, number[]>();
  parentsOf.forEach((parents, k) => { for (const p of parents) byParent.set(p, [...(byParent.get(p) ?? []), k]); });
  return [...byParent.values()].map((g) => g.join(",")).sort();
}

const unordered = (a: string, b: string) => [a, b].sort().join("|");

describe.runIf(entries.length > 0)("Zeek's tunnel_parents: the same groups, and the same UDP tunnels", () => {
  const tally = { connections: 0, udpChecked: 0 };
  for (const entry of entries) {
    it(entry.trace.split("/").pop()!, async () => {
      const all = readZeekBaseline(join(zeek!, entry.baseline));
      const byUid = new Map(all.filter((r) => r.uid).map((r) => [r.uid!, r]));
      const rows = all.filter((r) => r.proto === "tcp");
      const { connections } = await scan(join(zeek!, entry.trace), {
        likelyServerPorts: entry.likely_server_ports, verifyChecksums: entry.verify_checksums, ignoreChecksumsNets: entry.ignore_checksums_nets,
      });
      // Matched as zeek-conformance matches them: oriented 4-tuple, in order.
      const used = new Set<number>();
      const pairs: [ZeekRow, ConnectionRecord][] = [];
      for (const row of rows) {
        const k = connections.findIndex((c, n) => !used.has(n) && c.orig.addr === row.origH && c.orig.port === row.origP
          && c.resp.addr === row.respH && c.resp.port === row.respP);
        expect(k, `${row.origH}:${row.origP} > ${row.respH}:${row.respP}`).toBeGreaterThanOrEqual(0);
        used.add(k);
        pairs.push([row, connections[k]!]);
      }
      tally.connections += pairs.length;
      expect(groups(pairs.map(([, c]) => c.tunnel?.parents ?? []))).toEqual(groups(pairs.map(([r]) => r.tunnelParentUids!)));

      for (const [row, c] of pairs) {
        const tunnels = row.tunnelParentUids!.map((uid) => byUid.get(uid)).filter((r) => r?.proto === "udp");
        if (tunnels.length === 0) continue;
        const inner = c.tunnel!.chain!.at(-1)!;
        const ours = `${unordered(inner.src, inner.dst)} ${unordered(String(inner.sport), String(inner.dport))}`;
        const theirs = tunnels.map((t) => `${unordered(t!.origH!, t!.respH!)} ${unordered(String(t!.origP), String(t!.respP))}`);
        expect(theirs, `${row.origH}:${row.origP} > ${row.respH}:${row.respP}`).toContain(ours);
        tally.udpChecked++;
      }
    });
  }
  it("covers the tunnel baselines", () => {
    expect(entries.length).toBeGreaterThanOrEqual(5);
    expect(tally.udpChecked).toBeGreaterThan(0);
    console.log(`tunnel_parents vs Zeek: ${entries.length} baselines, ${tally.connections} TCP connections grouped alike, ${tally.udpChecked} UDP tunnels by endpoints`);
  });
});
