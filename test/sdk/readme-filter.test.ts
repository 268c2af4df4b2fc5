// The README's filter language as a user reads it: the measures it lists are the filter's, each
// under its kind (count, size, time); the marks and comparisons it names are taken; every unit
// it names is taken, in any case, and `m` is `min`.

import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compileFilter, scan } from "../../sdk/index.js";
import { MEASURES, MARKS, COMPARISONS } from "../../sdk/filter/measures.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const readme = readFileSync(`${ROOT}README.md`, "utf8").replace(/\r/g, "");
const language = readme.slice(readme.indexOf("### Filter language"), readme.indexOf("**Ladder diagrams.**"));
const measures = language.slice(language.indexOf("Measures (sums of both sides)"), language.indexOf("A connection without the measure")).replace(/\s+/g, " ");
const code = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

const counts = code(measures.slice(0, measures.indexOf("; sizes ")));
const sizePart = measures.slice(measures.indexOf("; sizes "), measures.indexOf("; times "));
const sizes = code(sizePart.slice(0, sizePart.indexOf("(a plain number")));
const sizeUnits = code(sizePart.slice(sizePart.indexOf("(a plain number")));
const timePart = measures.slice(measures.indexOf("; times "));
const times = code(timePart.slice(0, timePart.indexOf("which need a unit")));
const timeUnits = code(timePart.slice(timePart.indexOf("which need a unit"))).filter((u) => /^[a-zµ]+$/i.test(u)); // not the `1mb` of an example

describe("README: the filter language", () => {
  it("lists every measure the filter takes, under its kind", () => {
    expect(counts.length + sizes.length + times.length).toBeGreaterThan(10);
    const byKind = (unit: string) => Object.entries(MEASURES).filter(([, m]) => m.unit === unit).map(([name]) => name).sort();
    expect([...counts].sort()).toEqual(byKind("count"));
    expect([...sizes].sort()).toEqual(byKind("size"));
    expect([...times].sort()).toEqual(byKind("time"));
  });

  it("names the marks and comparisons the filter takes", () => {
    const rows = language.split("\n").filter((line) => line.startsWith("| `"));
    const marks = code(rows.find((r) => r.includes("`zero-window`"))!.split(" | ")[0]!);
    expect(marks.sort()).toEqual(Object.keys(MARKS).sort());
    const ops = /a comparison \(([^)]*)\)/.exec(rows.find((r) => r.includes("a comparison"))!)![1]!;
    expect(code(ops).sort()).toEqual([...COMPARISONS].sort());
  });

  it("takes every unit it names, in any case", () => {
    // In any case of its Latin letters (µ upper-cased would be the Greek capital letter Mu).
    const cases = (unit: string) => [unit, unit.replace(/[a-z]/g, (c) => c.toUpperCase()), unit.toLowerCase()];
    expect(sizeUnits).toEqual(expect.arrayContaining(["B", "kB", "MiB"]));
    expect(timeUnits).toEqual(expect.arrayContaining(["ns", "µs", "min", "m", "h"]));
    for (const unit of sizeUnits) for (const u of cases(unit)) expect(() => compileFilter(`bytes > 1${u}`), u).not.toThrow();
    for (const unit of timeUnits) for (const u of cases(unit)) expect(() => compileFilter(`duration > 1${u}`), u).not.toThrow();
    expect(() => compileFilter("duration > 1fortnight")).toThrow(/unknown time unit/);
  });

  it("reads 1m as 1min and 1mb as 1MB", async () => {
    const { connections } = await scan(fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url)));
    const matching = (expr: string) => connections.filter(compileFilter(expr).matches).map((c) => c.id);
    // The sample's gaps lie between 10 µs and 2 s: a threshold in minutes or megabytes leaves none;
    // the same threshold in milliseconds or bytes some.
    expect(matching("gap < 1m")).toEqual(matching("gap < 1min"));
    expect(matching("gap > 1m")).toEqual([]);
    expect(matching("gap > 1ms").length).toBeGreaterThan(0);
    expect(matching("bytes < 1mb")).toEqual(matching("bytes < 1MB"));
    expect(matching("bytes < 1mb")).toEqual(matching("bytes < 1000000"));
  });
});
