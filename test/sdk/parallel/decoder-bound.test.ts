// The worker's view of whether the main thread is the bound (sdk/parallel/decoder-bound.ts): it
// holds once the worker has read WINDOW batches since it last saw the main thread wait for a free
// slot, and never after the input has ended.

import { describe, it, expect } from "vitest";
import { DecoderBound, WINDOW } from "../../../sdk/parallel/decoder-bound.js";

describe("DecoderBound", () => {
  it("holds once WINDOW batches were read with no wait of the main thread", () => {
    const bound = new DecoderBound();
    expect(WINDOW).toBeGreaterThan(0);
    expect(bound.holds(0, WINDOW - 1, false)).toBe(false);
    expect(bound.holds(0, WINDOW, false)).toBe(true);
    expect(bound.holds(0, 10 * WINDOW, false)).toBe(true);
  });

  it("stops for WINDOW batches after each new wait seen", () => {
    const bound = new DecoderBound();
    expect(bound.holds(0, 20, false)).toBe(true);
    expect(bound.holds(3, 21, false)).toBe(false); // the main thread waited since the last look
    expect(bound.holds(3, 21 + WINDOW - 1, false)).toBe(false);
    expect(bound.holds(3, 21 + WINDOW, false)).toBe(true);
    expect(bound.holds(4, 21 + WINDOW, false)).toBe(false);
  });

  it("never holds once the input has ended (the main thread only merges then)", () => {
    const bound = new DecoderBound();
    expect(bound.holds(0, 100, true)).toBe(false);
    expect(bound.holds(0, 101, false)).toBe(true);
  });
});
