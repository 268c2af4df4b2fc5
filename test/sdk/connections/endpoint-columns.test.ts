// The per-endpoint columns (endpoint-columns.ts): two entries a slot, cleared to the state before
// a first packet (window scale and TFO cookie "not offered"), doubled keeping what they held.

import { describe, it, expect } from "vitest";
import { EndpointColumns } from "../../../sdk/connections/endpoint-columns.js";

class Columns extends EndpointColumns {
  clear(slot: number): void { this.clearEndpoints(slot); }
  grow(): void { this.growEndpoints(); }
}

function columns(c: EndpointColumns): [string, Float64Array][] {
  return Object.entries(c).filter(([, v]) => ArrayBuffer.isView(v)) as [string, Float64Array][];
}

describe("EndpointColumns", () => {
  it("clears both endpoints of a slot and no other", () => {
    const c = new Columns(3);
    for (const [, column] of columns(c)) column.fill(5);
    c.clear(1);
    for (const [name, column] of columns(c)) {
      expect(column.length, name).toBe(6);
      const cleared = name === "windowScale" ? 0xff : name === "tfoCookieLen" ? -1 : 0;
      expect(Array.from(column), name).toEqual([5, 5, cleared, cleared, 5, 5]);
    }
  });

  it("doubles every column, keeping what each held", () => {
    const c = new Columns(2);
    for (const [, column] of columns(c)) column.set([1, 2, 3, 4]);
    c.grow();
    for (const [name, column] of columns(c)) expect(Array.from(column), name).toEqual([1, 2, 3, 4, 0, 0, 0, 0]);
    expect(columns(c).length).toBe(32);
  });
});
