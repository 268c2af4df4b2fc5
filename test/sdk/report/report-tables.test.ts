import { describe, it, expect } from "vitest";
import { CountTable, SourceTable, addDistinct, distinctCount, type Distinct } from "../../../sdk/report/report-tables.js";
import type { Key } from "../../../sdk/report/key-table.js";
import { rng } from "../../helpers/decode.js";

describe("report tables", () => {
  it("count a source's distinct ports and hosts as the Distinct values do, pruned or not", () => {
    const random = rng(5);
    const sources = new SourceTable();
    // The model: a Map of each source's values as the report kept them before the tables.
    const model = new Map<Key, { syns: number; answered: number; ports: Distinct<number>; hosts: Distinct<Key> }>();
    for (let k = 0; k < 40_000; k++) {
      const scanner = random() < 0.5;
      const source: Key = scanner ? Math.floor(random() * 4) : random() < 0.5 ? Math.floor(random() * 5000) + 10 : `fd00::${Math.floor(random() * 5000)}`;
      const host: Key = random() < 0.5 ? -1_408_237_568 + Math.floor(random() * (scanner ? 40 : 3)) : `fd00::1:${Math.floor(random() * 3)}`;
      const port = scanner ? Math.floor(random() * 60_000) : 80;
      const syns = 1 + Math.floor(random() * 2), answered = random() < 0.5;
      sources.add(source, host, port, syns, answered);
      const m = model.get(source);
      if (!m) model.set(source, { syns, answered: answered ? 1 : 0, ports: port, hosts: host });
      else {
        m.syns += syns;
        if (answered) m.answered++;
        m.ports = addDistinct(m.ports, port);
        m.hosts = addDistinct(m.hosts, host);
      }
    }
    expect(sources.keys.size).toBe(model.size);
    [...model].forEach(([key, m], e) => {
      expect(sources.keys.keyAt(e)).toBe(key);
      expect([sources.syns[e], sources.answered[e], sources.ports.count(e), sources.hosts.count(e)], String(key))
        .toEqual([m.syns, m.answered, distinctCount(m.ports), distinctCount(m.hosts)]);
    });
    // The scanners reach the cap of distinct ports counted.
    expect(Math.max(...[0, 1, 2, 3].map((s) => sources.ports.count(sources.keys.find(s))))).toBe(4096);
    // Pruned to the 1 000 that sent the most SYNs, in their order.
    const heaviest = [...model].map(([key, m], e) => ({ key, syns: m.syns, e })).sort((a, b) => a.syns - b.syns || a.e - b.e).slice(model.size - 1000);
    expect(sources.prune(2000)).not.toBeNull();
    const left = heaviest.sort((a, b) => a.e - b.e);
    expect(sources.keys.size).toBe(1000);
    left.forEach(({ key }, e) => {
      expect(sources.keys.keyAt(e)).toBe(key);
      expect(sources.ports.count(e)).toBe(distinctCount(model.get(key)!.ports));
      expect(sources.hosts.count(e)).toBe(distinctCount(model.get(key)!.hosts));
    });
  });

  it("counts per key and prunes the least counted", () => {
    const counts = new CountTable();
    for (let k = 0; k < 12; k++) for (let n = 0; n <= k % 4; n++) counts.bump(k * 65536 + 443);
    expect(counts.countOf(3 * 65536 + 443)).toBe(4);
    expect(counts.countOf(99)).toBe(0);
    expect(counts.prune(12)).toBeNull();
    counts.bump("fd00::1|443");
    // 13 entries past 12: the 7 lightest go (the four counted once, then the three counted twice).
    expect(counts.prune(12)).toBe(2);
    expect(counts.keys.size).toBe(6);
    expect(counts.countOf(5 * 65536 + 443)).toBe(0);
    expect(counts.countOf(3 * 65536 + 443)).toBe(4);
  });
});
