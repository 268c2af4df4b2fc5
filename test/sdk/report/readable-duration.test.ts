// How the summary and the ladders write a duration: the unit a person reads it in, never "0 µs" for a
// handshake a nanosecond capture measured in hundreds of nanoseconds.

import { describe, it, expect } from "vitest";
import { readableDuration } from "../../../sdk/report/readable-duration.js";

describe("readableDuration", () => {
  it("below 1 µs in ns, then µs, ms and s", () => {
    expect(readableDuration(null)).toBe("-");
    expect(readableDuration(0)).toBe("0 µs");
    expect(readableDuration(0.35)).toBe("350 ns");
    expect(readableDuration(0.9994)).toBe("999 ns");
    expect(readableDuration(0.9996)).toBe("1 µs"); // not "1000 ns"
    expect(readableDuration(72)).toBe("72 µs");
    expect(readableDuration(999.4)).toBe("999 µs");
    expect(readableDuration(999.6)).toBe("1.00 ms"); // not "1000 µs"
    expect(readableDuration(999_600)).toBe("1.00 s"); // not "1000 ms"
    expect(readableDuration(12_345)).toBe("12.35 ms");
    expect(readableDuration(250_000)).toBe("250 ms");
    expect(readableDuration(99_996)).toBe("100 ms"); // not "100.00 ms"
    expect(readableDuration(99_994)).toBe("99.99 ms");
    expect(readableDuration(99_996_000)).toBe("100 s");
    expect(readableDuration(4_000_000)).toBe("4.00 s");
    // A clock that stepped back: the units of the same duration forwards, not "-25000 µs".
    expect(readableDuration(-25_000)).toBe("-25.00 ms");
    expect(readableDuration(-0.3)).toBe("-300 ns");
    expect(readableDuration(-4_000_000)).toBe("-4.00 s");
  });
});
