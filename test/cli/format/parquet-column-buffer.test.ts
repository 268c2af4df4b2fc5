// A row group's cells held in typed arrays give back the values as written: null where the csv
// is empty, BigInt for INT64 and timestamps (from the record's ts string, before 1970 too),
// booleans, numbers and strings as they came; cleared for the next group.

import { describe, it, expect } from "vitest";
import { ParquetColumnBuffer, epochParts } from "../../../cli/format/parquet-column-buffer.js";

describe("ParquetColumnBuffer", () => {
  const cases = [
    ["INT64", [0, null, 2 ** 40 + 3, undefined, 7], [0n, null, 2n ** 40n + 3n, null, 7n]],
    ["INT32", [443, null, -1, 65535], [443, null, -1, 65535]],
    ["DOUBLE", [0.25, null, 1e-9, 12345.678], [0.25, null, 1e-9, 12345.678]],
    ["BOOLEAN", [true, false, null, 1, 0], [true, false, null, true, false]],
    ["STRING", ["S1", null, "1:abc=", 80], ["S1", null, "1:abc=", "80"]],
    ["TIMESTAMP", ["1591780863.720289001", null, "-1.500000000", "-2.000000000"], [1_591_780_863_720_289_001n, null, -1_500_000_000n, -2_000_000_000n]],
  ] as const;
  for (const [type, given, expected] of cases) {
    it(`${type}: values as given, null for none, cleared for the next group`, () => {
      const buffer = new ParquetColumnBuffer(type, 8);
      for (const v of given) buffer.push(v);
      expect(buffer.values()).toEqual(expected);
      expect(buffer.nullCount).toBe(expected.filter((v) => v === null).length);
      buffer.clear();
      expect(buffer.values()).toEqual([]);
      expect(buffer.nullCount).toBe(0);
      buffer.push(given[0]);
      expect(buffer.values()).toEqual([expected[0]]);
    });
  }

  it("a time from the tracker's seconds and nanoseconds, normalised as epochString normalises", () => {
    const buffer = new ParquetColumnBuffer("TIMESTAMP", 4);
    buffer.pushTime(10, 1_500_000_000);
    buffer.pushTime(-2, 500_000_000);
    expect(buffer.values()).toEqual([11_500_000_000n, -1_500_000_000n]);
    expect(epochParts("-0.000000001")).toEqual([-1, 999_999_999]);
    expect(epochParts("12.5")).toEqual([12, 500_000_000]);
  });

  it("a time past what 64 bits of nanoseconds hold is null, not wrapped around (to the nanosecond at both ends)", () => {
    const buffer = new ParquetColumnBuffer("TIMESTAMP", 8);
    for (const ts of ["9223372036.854775807", "9223372036.854775808", "-9223372036.854775808", "-9223372036.854775809", "18446744073204.126329000", "-18446744073.000000000"]) buffer.push(ts);
    buffer.pushTime(9_223_372_035, 1_854_775_808); // carried into the next second: one past the end
    buffer.pushTime(18_446_744_073_204, 126_329_000); // the tracker's numbers for the capture's year 586 524
    expect(buffer.values()).toEqual([2n ** 63n - 1n, null, -(2n ** 63n), null, null, null, null, null]);
    expect(buffer.nullCount).toBe(6);
  });
});
