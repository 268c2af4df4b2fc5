// The summary's top lists keep the largest keys and, among equal keys, the connections that began
// first (lower id), whatever order they end in: records arrive in the order they end, and an
// equal key at a full list's end was dropped, so a later-beginning connection that ended first
// held the place of an earlier one (--top 1 and --top 2 disagreed on the first row).

import { describe, it, expect } from "vitest";
import { TopList } from "../../../cli/format/top-list.js";
import type { ConnectionFacts } from "../../../sdk/report/connection-facts.js";
import type { ConnectionRecord } from "../../../sdk/index.js";

const facts = (id: number) => ({ id, key: id, record: () => ({ id }) as ConnectionRecord }) as unknown as ConnectionFacts;
const ids = (t: TopList) => t.list.map((r) => r.id);

function offer(limit: number, entries: [id: number, key: number][]): TopList {
  const t = new TopList(limit);
  for (const [id, key] of entries) t.add(facts(id), key);
  return t;
}

describe("TopList", () => {
  it("keeps the largest keys, largest first", () => {
    expect(ids(offer(2, [[1, 5], [2, 9], [3, 7], [4, 1]]))).toEqual([2, 3]);
  });

  it("breaks ties by id, whatever order the connections end in", () => {
    // #4 ends first, #1 (the same key) later: #1 began first and takes the place.
    expect(ids(offer(1, [[4, 150], [1, 150]]))).toEqual([1]);
    expect(ids(offer(2, [[4, 150], [1, 150]]))).toEqual([1, 4]);
    expect(ids(offer(2, [[9, 150], [4, 150], [1, 150]]))).toEqual([1, 4]);
    // A later id with an equal key does not displace an earlier one.
    expect(ids(offer(1, [[1, 150], [4, 150]]))).toEqual([1]);
  });

  it("equals sorting everything offered and keeping the first, for any order and limit", () => {
    let seed = 7;
    const random = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    for (let round = 0; round < 200; round++) {
      const n = 1 + random(60), limit = random(12) + (round % 10 === 0 ? 100 : 0);
      const entries: [number, number][] = Array.from({ length: n }, (_, k) => [k + 1, random(8)]); // few keys: many ties
      for (let k = n - 1; k > 0; k--) { const j = random(k + 1); [entries[k], entries[j]] = [entries[j]!, entries[k]!]; }
      const expected = [...entries].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, limit).map(([id]) => id);
      expect(ids(offer(limit, entries)), `round ${round}`).toEqual(expected);
    }
  });

  it("counts what was offered and says when it kept fewer", () => {
    const t = offer(2, [[1, 1], [2, 2], [3, 3]]);
    expect(t.offered).toBe(3);
    expect(t.cut()).toBe("; the 2 highest of 3");
    expect(offer(5, [[1, 1]]).cut()).toBe("");
    expect(ids(offer(0, [[1, 1]]))).toEqual([]);
  });

  it("builds a record only for a connection that enters", () => {
    let built = 0;
    const t = new TopList(1);
    const counted = (id: number) => ({ id, key: id, record: () => { built++; return { id } as ConnectionRecord; } }) as unknown as ConnectionFacts;
    t.add(counted(1), 10);
    t.add(counted(2), 5);
    t.add(counted(3), 10);
    expect(built).toBe(1);
  });
});
