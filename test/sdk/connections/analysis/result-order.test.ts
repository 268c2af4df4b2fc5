// The side results are built as one object literal (analysis-result.ts): its counts must be
// COUNT_NAMES' names in COUNT_NAMES' order (the verdict bits' order, which the records, csv and
// zeek columns follow), each read from its own slot of the engine's block.

import { describe, it, expect } from "vitest";
import * as A from "../../../../assembly/analysis-layout.js";
import { COUNT_NAMES, unpackAnalysis } from "../../../../sdk/connections/analysis/analysis-result.js";

describe("a side's analysis results", () => {
  it("hold the counts in COUNT_NAMES' order, each from its own slot", () => {
    const bytes = new Uint8Array(A.A_COUNTS + 2 * A.COUNTS_STRIDE + 4096);
    const view = new DataView(bytes.buffer);
    view.setFloat64(A.A_MAX_GAP, -1, true);
    for (let k = 0; k < 2; k++) {
      for (let i = 0; i < A.COUNTS; i++) view.setUint32(A.A_COUNTS + k * A.COUNTS_STRIDE + i * 4, 100 * k + i + 1, true);
    }
    const { sides } = unpackAnalysis(bytes, 0, view);
    for (let k = 0; k < 2; k++) {
      const names = Object.keys(sides[k]!).slice(0, A.COUNTS);
      expect(names).toEqual([...COUNT_NAMES]);
      expect(names.map((name) => sides[k]![name as (typeof COUNT_NAMES)[number]])).toEqual(COUNT_NAMES.map((_, i) => 100 * k + i + 1));
    }
  });
});
