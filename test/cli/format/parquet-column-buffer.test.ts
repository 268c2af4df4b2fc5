// A row group's cells held compactly give back the values the Parquet writer takes: null where
// the csv is empty, BigInt for INT64 and timestamps, booleans, numbers and strings as they came.

import { describe, it, expect } from "vitest";
import { ParquetColumnBuffer } from "../../../cli/format/parquet-column-buffer.js";

describe("ParquetColumnBuffer", () => {
  const cases = [
    ["INT64", [0, null, 2 ** 40 + 3, undefined, 7], [0n, null, 2n ** 40n + 3n, null, 7n]],
    ["INT32", [443, null, -1, 65535], [443, null, -1, 65535]],
    ["DOUBLE", [0.25, null, 1e-9, 12345.678], [0.25, null, 1e-9, 12345.678]],
    ["BOOLEAN", [true, false, null, 1, 0], [true, false, null, true, false]],
    ["STRING", ["S1", null, "1:abc=", 80], ["S1", null, "1:abc=", "80"]],
    ["TIMESTAMP", [1_591_780_863_720_289_001n, null, -1_500_000_000n], [1_591_780_863_720_289_001n, null, -1_500_000_000n]],
  ] as const;
  for (const [type, given, expected] of cases) {
    it(`${type}: values as given, null for none, sliced as the writer slices`, () => {
      const buffer = new ParquetColumnBuffer(type, 8);
      for (const v of given) buffer.push(v);
      expect(buffer.values()).toEqual(expected);
      const source = buffer.source();
      expect(source.length).toBe(given.length);
      expect(source.slice(1, 3)).toEqual(expected.slice(1, 3));
      buffer.clear();
      expect(buffer.values()).toEqual([]);
      buffer.push(given[0]);
      expect(buffer.values()).toEqual([expected[0]]);
    });
  }
});
