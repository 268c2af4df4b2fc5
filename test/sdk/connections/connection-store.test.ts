import { describe, it, expect } from "vitest";
import { ConnectionStore, KEY_WORDS } from "../../../sdk/connections/connection-store.js";
import { TUNNEL_MAX_PARENTS } from "../../../assembly/connection-layout.js";

function columns(s: ConnectionStore): [string, ArrayLike<number> & { length: number }][] {
  return Object.entries(s).filter(([, v]) => ArrayBuffer.isView(v)) as [string, Uint32Array][];
}

describe("ConnectionStore", () => {
  it("hands out a cleared slot every time, whatever the previous connection left", () => {
    const s = new ConnectionStore(4);
    const slot = s.allocate();
    for (const [name, column] of columns(s)) {
      const width = column.length / s.capacity;
      for (let k = 0; k < width; k++) (column as Uint32Array)[slot * width + k] = name === "windowScale" ? 7 : 3;
    }
    s.history[slot] = "ShAD";
    s.release(slot);
    const again = s.allocate();
    expect(again).toBe(slot);
    for (const [name, column] of columns(s)) {
      if (name === "generation") continue;
      const width = column.length / s.capacity;
      const values = Array.from({ length: width }, (_, k) => (column as Uint32Array)[again * width + k]);
      const expected = name === "windowScale" ? [0xff, 0xff] : name === "tfoCookieLen" ? [-1, -1] : name === "handshakeAckTime" ? [-1] : values.map(() => 0);
      if (name === "inUse") expect(values, name).toEqual([1]);
      else expect(values, name).toEqual(expected);
    }
    expect(s.history[again]).toBe("");
  });

  it("grows every column together and keeps what it held", () => {
    const s = new ConnectionStore(2);
    const slots = Array.from({ length: 9 }, () => s.allocate());
    slots.forEach((slot) => { s.id[slot] = slot * 10; s.key[slot * KEY_WORDS + 9] = slot; s.pkts[slot * 2 + 1] = slot; });
    expect(s.capacity).toBe(16);
    for (const [name, column] of columns(s)) {
      const width = name === "key" ? KEY_WORDS : column.length / s.capacity;
      expect([1, 2, KEY_WORDS, TUNNEL_MAX_PARENTS], name).toContain(width);
      expect(column.length, name).toBe(s.capacity * width);
    }
    slots.forEach((slot) => {
      expect(s.id[slot]).toBe(slot * 10);
      expect(s.key[slot * KEY_WORDS + 9]).toBe(slot);
      expect(s.pkts[slot * 2 + 1]).toBe(slot);
    });
  });
});
