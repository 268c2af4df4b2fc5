// Ladders handed on in id order whatever order they end in, with at most a few held back in
// memory and the rest in a temporary file.

import { describe, it, expect, afterEach } from "vitest";
import { InOrderLadders } from "../../../sdk/ladder/in-order.js";
import { LadderSpillError } from "../../../sdk/ladder/spill-file.js";
import type { ConnectionLadder } from "../../../sdk/index.js";

function ladder(id: number): ConnectionLadder {
  // Only what the order reads and a round trip must keep: nested objects, nulls, strings.
  return {
    connection: { id, history: "ShADadFf", handshake: { rttSynToSynAckUs: null, options: { orig: { mss: 1460 } } } },
    packets: [{ time: id / 1e6, fromOrig: true, flags: 2, seq: 4294967295, ack: 0, payload: 0, window: 65535, frame: id, verdicts: 0 }],
    omitted: 0, omittedAt: 1, nanoseconds: false,
  } as unknown as ConnectionLadder;
}

const savedTmp = process.env.TMPDIR;
afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
});

describe("InOrderLadders", () => {
  it("hands each ladder on once every earlier one has been, holding at most maxWaiting in memory", () => {
    const ids = Float64Array.from({ length: 50 }, (_, k) => 10 + k * 3);
    const order = new InOrderLadders(ids, 4);
    // The first ends last: every other one is held back, all but four on disk.
    const ends = [...ids.keys()].slice(1).reverse();
    let most = 0;
    for (const k of ends) {
      order.add(k, ladder(ids[k]!));
      expect([...order.due()]).toEqual([]);
      most = Math.max(most, order.heldInMemory);
    }
    expect(most).toBe(4);
    order.add(0, ladder(ids[0]!));
    const handed = [...order.due()];
    expect(handed.map((l) => l.connection.id)).toEqual([...ids]);
    expect(handed).toEqual([...ids].map(ladder)); // the ones read back from disk too
    expect(order.handed).toBe(50);
    order.close();
  });

  it("finds a selected id by binary search, -1 for any other", () => {
    const order = new InOrderLadders(Float64Array.of(2, 7, 9, 2 ** 40));
    expect([2, 7, 9, 2 ** 40, 1, 8, 10].map((id) => order.indexOf(id))).toEqual([0, 1, 2, 3, -1, -1, -1]);
  });

  it("says where it could not keep a held-back ladder (a temporary directory it cannot write)", () => {
    process.env.TMPDIR = "/nonexistent/ths-ladders";
    const order = new InOrderLadders(Float64Array.of(1, 2, 3), 1);
    order.add(1, ladder(2));
    expect(() => order.add(2, ladder(3))).toThrow(LadderSpillError);
    expect(() => order.add(2, ladder(3))).toThrow(/^cannot keep the ladders waiting for their turn in \/nonexistent\/ths-ladders: no such file or directory \(ENOENT\)$/);
  });
});
