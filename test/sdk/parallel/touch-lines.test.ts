import { describe, expect, it } from "vitest";
import { touchLines, touchedSum } from "../../../sdk/parallel/touch-lines.js";

describe("touchLines", () => {
  it("reads the first byte of every 64-byte line, and only those", () => {
    const bytes = new Uint8Array(64 * 5 + 10);
    bytes.fill(200); // every other byte: would show in the sum if read
    for (let line = 0; line * 64 < bytes.length; line++) bytes[line * 64] = line + 1;
    const before = touchedSum();
    touchLines(bytes, bytes.length);
    expect(touchedSum() - before).toBe(1 + 2 + 3 + 4 + 5 + 6); // the partial sixth line's first byte too
  });

  it("stops at the length given, not at the end of the view", () => {
    const bytes = new Uint8Array(256).fill(0);
    bytes[0] = 7; bytes[64] = 11; bytes[128] = 13;
    const before = touchedSum();
    touchLines(bytes, 128);
    expect(touchedSum() - before).toBe(18);
    touchLines(bytes, 0);
    expect(touchedSum() - before).toBe(18);
  });
});
