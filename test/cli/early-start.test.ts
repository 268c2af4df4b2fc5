import { describe, it, expect } from "vitest";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { planStart } from "../../cli/early-start.js";
import { scanThreads, chooseThreads, SMALL_CAPTURE_BYTES } from "../../cli/threads.js";
import { memoryThreads, modelPeakMib, stateMib, MEMORY_TARGET_MIB } from "../../cli/thread-memory.js";

const SAMPLE = fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url));

describe("scanThreads (--threads and its default)", () => {
  it("takes --threads as given, at most the cores available, and checks it", () => {
    expect(scanThreads("3", 100, 4)).toBe(3);
    expect(scanThreads("64", 100, 2)).toBe(2);
    expect(chooseThreads("64", null, 2)).toEqual({ threads: 2, cappedFrom: 64 });
    expect(chooseThreads("2", null, 2)).toEqual({ threads: 2 });
    expect(() => scanThreads("2.5", null)).toThrow(/--threads/);
    expect(() => scanThreads("-1", null)).toThrow(/--threads/);
    expect(() => scanThreads("0", null)).toThrow(/--threads/);
    expect(() => scanThreads("x", null)).toThrow(/--threads/);
  });

  it("defaults to the cores available within the memory model, and to one thread for small captures", () => {
    const byDefault = Math.min(availableParallelism(), memoryThreads());
    expect(scanThreads(undefined, null)).toBe(byDefault);
    expect(scanThreads(undefined, SMALL_CAPTURE_BYTES)).toBe(byDefault);
    expect(scanThreads(undefined, SMALL_CAPTURE_BYTES - 1)).toBe(1);
    expect(scanThreads(undefined, null, 8, 2)).toBe(2);
    expect(scanThreads(undefined, null, 2, 3)).toBe(2);
    expect(scanThreads("4", null, 8, 2)).toBe(4); // asked for: the cores are the only cap
  });
});

describe("memoryThreads (the default's memory model)", () => {
  it("allows two threads at the default bounds and never three (past 200 MB), never fewer than one", () => {
    const peak = (threads: number, state = stateMib()) => modelPeakMib(threads, state);
    // The target is 200 MB, decimal; the model and the measured peaks are MiB.
    expect(MEMORY_TARGET_MIB).toBeCloseTo(190.73, 2);
    expect(memoryThreads()).toBe(2);
    expect(peak(2)).toBeLessThanOrEqual(MEMORY_TARGET_MIB);
    expect(peak(3)).toBeGreaterThan(MEMORY_TARGET_MIB);
    // Three threads peaked at 187-195 MiB (196-204 MB) with 3000 and 15000: not even at the
    // smallest bounds (it allowed three there while the target was taken as 200 MiB).
    expect(memoryThreads("10000", "20000")).toBe(2);
    expect(memoryThreads("5000", "20000")).toBe(2);
    expect(memoryThreads("3000", "15000")).toBe(2);
    expect(memoryThreads("1", "1")).toBe(2);
    expect(peak(3, 0)).toBeGreaterThan(MEMORY_TARGET_MIB);
    // Raised bounds (or none) are the user's choice of memory: the default bounds' count.
    expect(memoryThreads("none", "none")).toBe(2);
    expect(memoryThreads("1000000")).toBe(2);
    expect(memoryThreads("x")).toBe(2); // the usage error is main()'s
  });
});

describe("planStart's workers (started before the command line is parsed)", () => {
  it("starts the workers a scan will use: --threads, or the default for the captures named", () => {
    const cores = availableParallelism();
    expect(planStart(["big.pcap", "--threads", "4"]).workers).toBe(Math.min(4, cores) - 1);
    expect(planStart(["--threads=3", "big.pcap"]).workers).toBe(Math.min(3, cores) - 1);
    const byDefault = Math.min(cores, memoryThreads());
    expect(planStart(["-"]).workers).toBe(byDefault - 1); // size unknown
    expect(planStart(["missing.pcap"]).workers).toBe(byDefault - 1);
    expect(planStart(["missing.pcap", "--max-connections", "100", "--max-half-open=100"]).workers).toBe(byDefault - 1);
    expect(planStart([SAMPLE]).workers).toBe(0); // small: one thread
    expect(planStart(["--format", "ndjson", SAMPLE]).workers).toBe(0);
    expect(planStart([SAMPLE, "--threads", "2"]).workers).toBe(1);
  });

  it("starts none where no worker will run", () => {
    for (const args of [["info", "a.pcap"], ["--help"], ["-v"], ["a.pcap", "--ladder", "3"], ["a.pcap", "--ladder=3"],
      ["a.pcap", "--threads", "1"], ["a.pcap", "--threads", "x"], ["a.pcap", "--threads", "0"], ["a.pcap", "--threads=999"]]) {
      expect(planStart(args).workers, args.join(" ")).toBe(0);
    }
  });
});
