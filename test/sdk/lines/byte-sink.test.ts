// ByteSink writes numbers and strings as JSON.stringify does: integers digit by digit, fractions
// of up to 9 decimals from their nanoparts (sdk/lines/byte-sink.ts, decimal()), anything else
// through String(); strings with escapes or past ASCII through JSON.stringify and UTF-8.

import { describe, it, expect } from "vitest";
import { ByteSink } from "../../../sdk/lines/byte-sink.js";
import { rng } from "../../helpers/decode.js";

const out = new ByteSink(new ArrayBuffer(8));
const asJson = (write: () => void) => {
  write();
  return Buffer.from(out.takeCopy()).toString("utf8");
};

describe("ByteSink", () => {
  it("writes numbers as JSON.stringify does, on the record's kinds of numbers and at the edges", () => {
    const random = rng(5);
    const values: number[] = [
      0, -0, 1, 9, 10, 2 ** 31 - 1, 2 ** 31, 2 ** 53, -(2 ** 31), -7, NaN, Infinity, -Infinity, 5e-324, 1e21, 1e-7,
      1e-6, 9.99999e-7, 999999.999999999, 1e6, 1e6 - 1e-9, 0.1, 0.2, 0.3, 1 / 3, 123.456, -0.5, -123.000001,
    ];
    for (let i = 0; i < 20000; i++) {
      const r = random();
      values.push(
        Math.round((r * 1e4 - 100) * 1e6) / 1000, // microseconds to the nanosecond, negative too
        Math.round(r * 1e7) / 10, // handshake RTTs
        Math.round(r * 1e14) / 1e9, // durations
        Math.round(r * 2e15) / 1e9, // past 1e6: String()
        Math.round(r * 1e6) / 1e9, // below 1e-6 sometimes: String()
        r * 1e6, -r, r * 1e-5,
      );
    }
    for (const n of values) expect(asJson(() => out.num(n)), String(n)).toBe(JSON.stringify(n));
    expect(asJson(() => out.numOrNull(null))).toBe("null");
  });

  it("writes strings and booleans as JSON.stringify does", () => {
    for (const s of ["", "abc", "1:AbC+/=", 'q"uote', "back\\slash", "\n\t\u0000\u001f", "é", "\u2028", "😀", "\ud800", "~\u007f"]) {
      expect(asJson(() => out.str(s)), s).toBe(JSON.stringify(s));
    }
    expect(asJson(() => { out.bool(true); out.bool(false); })).toBe("truefalse");
    expect(asJson(() => out.utf8("a😀é"))).toBe("a😀é");
  });
});
