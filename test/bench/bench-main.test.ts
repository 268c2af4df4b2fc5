// How a benchmark script reads its settings and fails: one line naming the variable, file or
// tool, exit 2 for a usage error and 1 for a failure; only a bug keeps its stack.

import { describe, it, expect, afterEach, vi } from "vitest";
import {
  BenchFailure, BenchUsageError, checkBuilds, checkCaptures, namesVariable, numberListVariable, numberVariable, runBench,
} from "../../bench/bench-main.js";

const ENV = "THS_BENCH_MAIN_TEST";
afterEach(() => {
  delete process.env[ENV];
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe("settings from the environment", () => {
  it("a number: the default when unset, the value, or a usage error naming the variable", () => {
    expect(numberVariable(ENV, 7, Number.isInteger, "a count")).toBe(7);
    process.env[ENV] = "3";
    expect(numberVariable(ENV, 7, Number.isInteger, "a count")).toBe(3);
    for (const bad of ["abc", "1.5", "Infinity"]) {
      process.env[ENV] = bad;
      expect(() => numberVariable(ENV, 7, Number.isInteger, "a count")).toThrow(new BenchUsageError(`${ENV}: "${bad}" is not a count`));
    }
  });

  it("a list of numbers: each part checked", () => {
    expect(numberListVariable(ENV, "0.2,2", (n) => n > 0, "a size")).toEqual([0.2, 2]);
    for (const [bad, part] of [["1,x", "x"], ["1,,2", ""], ["0", "0"]]) {
      process.env[ENV] = bad;
      expect(() => numberListVariable(ENV, "2", (n) => n > 0, "a size")).toThrow(new BenchUsageError(`${ENV}: "${part}" is not a size`));
    }
  });

  it("a list of names: each one of those allowed", () => {
    expect(namesVariable(ENV, "bulk", ["bulk", "short"], "mix")).toEqual(["bulk"]);
    process.env[ENV] = "short,bluk";
    expect(() => namesVariable(ENV, "bulk", ["bulk", "short"], "mix")).toThrow(new BenchUsageError(`${ENV}: unknown mix "bluk" (bulk, short)`));
  });
});

describe("inputs checked before anything is measured", () => {
  it("a missing capture, a directory given as one, a directory that is not a build", () => {
    expect(() => checkCaptures(["/no/such.pcap"])).toThrow(new BenchUsageError("/no/such.pcap: no such file"));
    expect(() => checkCaptures(["/tmp"])).toThrow(new BenchUsageError("/tmp: not a file (a capture)"));
    expect(() => checkBuilds(["/tmp"])).toThrow(new BenchUsageError("/tmp: not a built checkout (no dist/sdk/index.js: npm run build there)"));
  });
});

describe("runBench", () => {
  const ended = async (main: () => void) => {
    let said = "";
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => { said += String(chunk); return true; });
    await runBench("bench:x", main);
    vi.restoreAllMocks();
    const code = process.exitCode;
    process.exitCode = undefined;
    return { code, said };
  };

  it("a usage error: one line, exit 2; a failure or a system error: one line, exit 1", async () => {
    expect(await ended(() => { throw new BenchUsageError("BENCH_RUNS: \"x\" is not a count"); })).toEqual({ code: 2, said: "bench:x: BENCH_RUNS: \"x\" is not a count\n" });
    expect(await ended(() => { throw new BenchFailure("valgrind not found"); })).toEqual({ code: 1, said: "bench:x: valgrind not found\n" });
    const errno = Object.assign(new Error("EACCES: permission denied, mkdir '/root/x'"), { code: "EACCES" });
    expect(await ended(() => { throw errno; })).toEqual({ code: 1, said: "bench:x: EACCES: permission denied, mkdir '/root/x'\n" });
  });

  it("a bug keeps its stack", async () => {
    const r = await ended(() => { throw new TypeError("x is undefined"); });
    expect(r.code).toBe(1);
    expect(r.said).toMatch(/^bench:x: internal error \(a bug\): TypeError: x is undefined\n\s+at /);
  });

  it("success: nothing said, the exit code left alone", async () => {
    expect(await ended(() => {})).toEqual({ code: undefined, said: "" });
  });
});
