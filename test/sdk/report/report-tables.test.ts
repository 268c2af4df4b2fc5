import { describe, it, expect } from "vitest";
import { CountTable, DistinctBudget, DISTINCT_CAP, DISTINCT_VALUES, ObjectTable, SourceTable, addDistinct, distinctCount, type Distinct } from "../../../sdk/report/report-tables.js";
import type { Key } from "../../../sdk/report/key-table.js";
import { rng } from "../../helpers/decode.js";

describe("report tables", () => {
  it("count a source's distinct ports and hosts as the Distinct values do, pruned or not", () => {
    const random = rng(5);
    const sources = new SourceTable(new DistinctBudget());
    const modelBudget = new DistinctBudget();
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
        m.ports = addDistinct(m.ports, port, modelBudget);
        m.hosts = addDistinct(m.hosts, host, modelBudget);
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

  it("hold at most DISTINCT_VALUES distinct values in all: past it, the counts that missed one are lower bounds", () => {
    const budget = new DistinctBudget();
    const sources = new SourceTable(budget);
    const scanners = Math.ceil(DISTINCT_VALUES / DISTINCT_CAP / 2) + 4; // more full scanners (4 096 ports and hosts) than the budget holds
    for (let s = 0; s < scanners; s++) for (let k = 0; k < DISTINCT_CAP; k++) sources.add(s, 100_000 + k, k + 1, 1, false);
    expect(budget.left).toBeLessThanOrEqual(0);
    expect(budget.left).toBeGreaterThanOrEqual(0);
    let held = 0, short = 0;
    for (let e = 0; e < scanners; e++) {
      held += sources.ports.count(e) + sources.hosts.count(e);
      if (sources.ports.count(e) < DISTINCT_CAP) {
        short++;
        expect(sources.ports.atLeast(e), `source ${e}`).toBe(true);
      }
    }
    expect(held).toBeLessThanOrEqual(DISTINCT_VALUES + 2 * scanners * 16); // the Sets, and 16 a small array
    expect(short).toBeGreaterThan(0);
    // The first scanners were counted whole (4096+: a lower bound at the cap, as before).
    expect([sources.ports.count(0), sources.ports.atLeast(0)]).toEqual([DISTINCT_CAP, true]);
    // A source with a few ports is exact whatever the budget: small arrays are not Sets.
    sources.add("late", 1, 1, 1, false);
    sources.add("late", 1, 2, 1, false);
    const late = sources.keys.find("late");
    expect([sources.ports.count(late), sources.ports.atLeast(late)]).toEqual([2, false]);
    // Pruned away, the scanners' Sets go back to the budget, and new ones count exactly again.
    sources.prune(2);
    expect(budget.left).toBeGreaterThan(DISTINCT_VALUES - 2 * DISTINCT_CAP - 64);
  });

  it("many sources of a few more than 16 values each: the Sets stay within the budget, the rest lower bounds", () => {
    const budget = new DistinctBudget();
    const sources = new SourceTable(budget);
    for (let s = 0; s < 20_000; s++) for (let k = 0; k < 17; k++) sources.add(s, 1_000 + k, k + 1, 1, false);
    let inSets = 0, atLeast = 0;
    for (let e = 0; e < 20_000; e++) {
      const n = sources.ports.count(e) + sources.hosts.count(e);
      if (n === 34) inSets += n;
      else {
        expect([sources.ports.count(e), sources.ports.atLeast(e)]).toEqual([16, true]);
        atLeast++;
      }
    }
    expect(inSets).toBeLessThanOrEqual(DISTINCT_VALUES);
    expect(atLeast).toBeGreaterThan(0);
    expect(budget.left).toBeGreaterThanOrEqual(0);
  });

  it("gives an ObjectTable's pruned values back (a host's ports to the budget)", () => {
    const budget = new DistinctBudget();
    const hosts = new ObjectTable<{ failed: number; ports: Distinct<number> }>((h) => budget.release(h.ports));
    for (let h = 0; h < 3; h++) {
      let ports: Distinct<number> = 1;
      for (let p = 2; p <= 100; p++) ports = addDistinct(ports, p, budget);
      hosts.add(h, { failed: h, ports });
    }
    expect(budget.left).toBe(DISTINCT_VALUES - 300);
    hosts.prune(2);
    expect(budget.left).toBe(DISTINCT_VALUES - 100);
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
