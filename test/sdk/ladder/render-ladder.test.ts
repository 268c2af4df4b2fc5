// renderLadder's argument: a ladder as captureLadders and drawLadders give it, else one TypeError
// saying what it takes (it read `.connection` of whatever came, in Node's words).

import { describe, it, expect } from "vitest";
import { fileURLToPath } from "node:url";
import { captureLadders, compileFilter, renderLadder } from "../../../sdk/index.js";

const SAMPLE = fileURLToPath(new URL("../../../examples/sample.pcap", import.meta.url));

describe("renderLadder", () => {
  it("refuses what is no ladder, naming what it takes", () => {
    for (const [bad, kind] of [[null, "null"], [undefined, "undefined"], [[], "an array"], [{}, "object"], ["x", "string"]] as const) {
      expect(() => renderLadder(bad as never), kind).toThrow(new TypeError(`renderLadder takes a ladder (what captureLadders or drawLadders give: { connection, packets }), not ${kind}`));
    }
  });

  it("draws a ladder it is given", async () => {
    const { ladders } = await captureLadders(SAMPLE, compileFilter("id 1"));
    expect(renderLadder(ladders[0]!)).toMatch(/\[SYN\]/);
  });
});
