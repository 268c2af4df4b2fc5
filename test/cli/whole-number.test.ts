import { describe, it, expect } from "vitest";
import { wholeNumber } from "../../cli/whole-number.js";

describe("wholeNumber: a count as the command line takes it", () => {
  it("decimal digits below 2^53, leading zeros allowed", () => {
    expect(wholeNumber("0")).toBe(0);
    expect(wholeNumber("007")).toBe(7);
    expect(wholeNumber(42)).toBe(42);
    expect(wholeNumber("9007199254740991")).toBe(9007199254740991);
  });

  it("anything else: null", () => {
    for (const bad of ["", " ", " 1", "1 ", "0x10", "1e5", "1.0", "1.5", "+1", "-1", "Infinity", "NaN", "9007199254740992", "1".repeat(400), true, undefined]) {
      expect(wholeNumber(bad), JSON.stringify(bad)).toBeNull();
    }
  });
});
