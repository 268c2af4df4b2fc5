import { describe, it, expect } from "vitest";
import { zeekDuration } from "../../../cli/format/zeek-duration.js";

describe("zeekDuration: a conn.log's duration by Zeek's microsecond clock", () => {
  it("is the difference of the two times cut to the microsecond", () => {
    expect(zeekDuration("1700000000.000100900", 0.0008041)).toBe("0.000805");
    expect(zeekDuration("1700000000.000100999", 0.000000002)).toBe("0.000001"); // .000100999 to .000101001
    expect(zeekDuration("1700000000.999999999", 1.000000001)).toBe("1.000001");
  });

  it("is the six decimals of a microsecond capture's duration, unchanged", () => {
    expect(zeekDuration("1700000000.123456000", 0.000001)).toBe("0.000001");
    expect(zeekDuration("1700000000.123456000", 86399.999999)).toBe("86399.999999");
    expect(zeekDuration("1700000000", 2.5)).toBe("2.500000");
  });

  it("is unset (null) when Zeek's clock saw no time pass", () => {
    expect(zeekDuration("1700000000.000000100", 0)).toBeNull();
    expect(zeekDuration("1700000000.000000100", 0.0000003)).toBeNull(); // .000000100 to .000000400
  });

  it("is the duration's own six decimals past what a double holds to the nanosecond, or before 1970", () => {
    expect(zeekDuration("1700000000.000000100", 2e6 + 0.25)).toBe("2000000.250000");
    expect(zeekDuration("-5.000000100", 0.0000003)).toBe("0.000000");
  });
});
