// Capture timestamps as text and back: epochParts undoes epochString (before 1970 too, where
// "-1.250000000" is the second -2 and 750 000 000 ns past it), and isoSeconds writes a date of
// years 0000-9999 only (Date writes others with a sign and six digits).

import { describe, it, expect } from "vitest";
import { epochString, epochParts, isoSeconds } from "../../../sdk/decoder/timestamp.js";
import { rng } from "../../helpers/decode.js";

describe("epochParts", () => {
  it("undoes epochString, on either side of 1970 and at whole seconds", () => {
    const random = rng(27);
    const cases: [number, number][] = [[0, 0], [-1, 0], [-1, 1], [-2, 999_999_999], [1_700_000_000, 5], [-5002, 760_000_000]];
    for (let k = 0; k < 500; k++) cases.push([Math.floor((random() - 0.5) * 2e10), Math.floor(random() * 1e9)]);
    for (const [sec, nsec] of cases) expect(epochParts(epochString(sec, nsec)), `${sec} ${nsec}`).toEqual({ sec, nsec });
  });

  it("reads fewer than nine decimals, or none", () => {
    expect(epochParts("12.5")).toEqual({ sec: 12, nsec: 500_000_000 });
    expect(epochParts("-12.5")).toEqual({ sec: -13, nsec: 500_000_000 });
    expect(epochParts("7")).toEqual({ sec: 7, nsec: 0 });
  });
});

describe("isoSeconds", () => {
  it("a date and time of years 0000 to 9999, null past them", () => {
    const last = Date.UTC(9999, 11, 31, 23, 59, 59) / 1000;
    expect(isoSeconds(0)).toBe("1970-01-01T00:00:00");
    expect(isoSeconds(-1)).toBe("1969-12-31T23:59:59");
    expect(isoSeconds(last)).toBe("9999-12-31T23:59:59");
    expect(isoSeconds(last + 1)).toBeNull();
    const yearZero = new Date(0); yearZero.setUTCFullYear(0, 0, 1);
    expect(isoSeconds(yearZero.getTime() / 1000)).toBe("0000-01-01T00:00:00");
    expect(isoSeconds(yearZero.getTime() / 1000 - 1)).toBeNull();
    expect(isoSeconds(1e13)).toBeNull(); // past a Date's range
  });
});
