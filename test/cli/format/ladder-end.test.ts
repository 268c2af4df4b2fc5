// The lines after the ladders (cli/format/ladder-end.ts): the hint at --ladder-limit only where
// the limit left matches out, never where memory did (a stream read once, --ladder-limit none).

import { describe, it, expect } from "vitest";
import { ladderEndLines } from "../../../cli/format/ladder-end.js";

describe("the lines after the ladders", () => {
  it("point at --ladder-limit where the limit left matches out", () => {
    expect(ladderEndLines("port 80", 2, 5)).toEqual(['Drew 2 of the 5 connections matching "port 80", the first by frame number (--ladder-limit N draws more, --ladder-limit none all).']);
    // A limit of 20 over 100 matches, 5 of the 20 let go for memory: the limit still left 80 out.
    const [letGo, drew] = ladderEndLines("tcp", 15, 100, undefined, 5);
    expect(letGo).toMatch(/^5 of the first connections matching "tcp" could not be drawn: read once from a stream/);
    expect(drew).toBe('Drew 15 of the 100 connections matching "tcp", the first by frame number (--ladder-limit N draws more, --ladder-limit none all).');
  });

  it("do not where every match took its place and memory let some go (--ladder-limit none from a pipe)", () => {
    const lines = ladderEndLines("tcp", 4871, 30204, undefined, 25333);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^25333 of the first connections matching "tcp" could not be drawn: .* a capture given as a file is read as often as it takes and draws them\.$/);
    expect(lines[1]).toBe('Drew 4871 of the 30204 connections matching "tcp".');
  });

  it("say every match was drawn, with --filter named, and nothing for one or none", () => {
    expect(ladderEndLines("port 80", 3, 3, "rst")).toEqual(['Drew the 3 connections matching "port 80" and --filter "rst".']);
    expect(ladderEndLines("42", 1, 1)).toEqual([]);
    expect(ladderEndLines("port 9", 0, 0)).toEqual([]);
  });
});
