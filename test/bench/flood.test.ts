// `npm run bench:flood`'s bad settings: one line naming the variable, exit 2, before a flood is
// written (the benchmark itself is not run here).

import { describe, it, expect } from "vitest";
import { benchBuilt, runBenchScript } from "../helpers/bench-script.js";

describe.skipIf(!benchBuilt("flood"))("bench:flood's errors", () => {
  it("a bad FLOOD_* variable", () => {
    for (const [env, line] of [
      [{ FLOOD_KINDS: "syn,acks" }, 'bench:flood: FLOOD_KINDS: unknown kind "acks" (syn, ack, mix, rst, synack, finack)'],
      [{ FLOOD_SYNS: "1e6,lots" }, 'bench:flood: FLOOD_SYNS: "lots" is not a whole number of packets (1 or more)'],
      [{ FLOOD_RATE: "0" }, 'bench:flood: FLOOD_RATE: "0" is not a number of packets a second (above 0)'],
    ] as const) {
      expect(runBenchScript("flood", [], env), JSON.stringify(env)).toEqual({ code: 2, stdout: "", stderr: `${line}\n` });
    }
  });
});
