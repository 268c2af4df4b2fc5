import { describe, it, expect } from "vitest";
import { KeyTable, grown, keepIn, type Key } from "../../../sdk/report/key-table.js";
import { rng } from "../../helpers/decode.js";

describe("KeyTable", () => {
  it("numbers its keys in the order they came, as a Map orders its entries, through growth and pruning", () => {
    const random = rng(36);
    const table = new KeyTable();
    const model = new Map<Key, true>();
    // The report's kinds of key: IPv4 hosts as signed 32-bit values, endpoints up to 2^48, IPv6 text.
    const key = (): Key => {
      const r = random();
      if (r < 0.4) return (Math.floor(random() * 3000) * 2654435761) | 0;
      if (r < 0.8) return (Math.floor(random() * 3000) * 2654435761 >>> 0) * 65536 + [80, 443, 53][Math.floor(random() * 3)]!;
      return `fd00::${Math.floor(random() * 2000).toString(16)}`;
    };
    for (let step = 0; step < 40_000; step++) {
      const k = key();
      const e = table.find(k);
      if (model.has(k)) expect(e, String(k)).toBe([...model.keys()].indexOf(k));
      else {
        expect(e).toBe(-1);
        expect(table.add(k)).toBe(model.size);
        model.set(k, true);
      }
      if (model.size > 4000) {
        // Keep every third entry: the kept ones renumbered in order, the others gone.
        const kept = new Uint8Array(model.size);
        const keys = [...model.keys()];
        keys.forEach((_, i) => { kept[i] = i % 3 === 0 ? 1 : 0; });
        table.keep(kept);
        keys.forEach((k, i) => { if (i % 3 !== 0) model.delete(k); });
        expect(table.size).toBe(model.size);
        [...model.keys()].forEach((k, i) => {
          expect(table.find(k)).toBe(i);
          expect(table.keyAt(i)).toBe(k);
        });
        for (const k of keys.slice(1, 50)) if (!model.has(k)) expect(table.find(k)).toBe(-1);
      }
    }
  });

  it("finds NaN as one key and keeps -0 as 0, as a Map does, through pruning", () => {
    const table = new KeyTable();
    expect([table.add(5), table.add(NaN), table.add(-0)]).toEqual([0, 1, 2]);
    expect([table.find(NaN), table.find(0), table.find(-0)]).toEqual([1, 2, 2]);
    expect(Object.is(table.keyAt(2), 0)).toBe(true);
    table.keep(Uint8Array.of(0, 1, 1));
    expect([table.find(NaN), table.find(0), table.find(5)]).toEqual([0, 1, -1]);
    table.keep(Uint8Array.of(0, 1));
    expect(table.find(NaN)).toBe(-1);
  });

  it("tells a number from the same digits as text, and 0 from the empty string", () => {
    const table = new KeyTable();
    expect([table.add(0), table.add(""), table.add(80), table.add("80")]).toEqual([0, 1, 2, 3]);
    expect([table.find(0), table.find(""), table.find(80), table.find("80"), table.find(443)]).toEqual([0, 1, 2, 3, -1]);
    expect([table.keyAt(0), table.keyAt(1)]).toEqual([0, ""]);
  });
});

describe("columns", () => {
  it("grows a column keeping its values, and renumbers it as keep() renumbers the entries", () => {
    const column = grown(Float64Array.of(1, 2, 3), 5);
    expect([...column.subarray(0, 3)]).toEqual([1, 2, 3]);
    expect(column.length).toBeGreaterThanOrEqual(5);
    expect(grown(column, 2)).toBe(column);
    const values = ["a", "b", "c", "d"];
    keepIn(values, Uint8Array.of(0, 1, 0, 1), 4);
    expect(values.slice(0, 2)).toEqual(["b", "d"]);
  });
});
