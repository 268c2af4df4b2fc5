import { describe, it, expect } from "vitest";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { guessScanWorkers } from "../../cli/early-start.js";
import { scanThreads, chooseThreads, SMALL_CAPTURE_BYTES } from "../../cli/threads.js";

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

  it("defaults to the cores available, and to one thread for small captures", () => {
    expect(scanThreads(undefined, null)).toBe(availableParallelism());
    expect(scanThreads(undefined, SMALL_CAPTURE_BYTES)).toBe(availableParallelism());
    expect(scanThreads(undefined, SMALL_CAPTURE_BYTES - 1)).toBe(1);
  });
});

describe("guessScanWorkers (workers started before the command line is parsed)", () => {
  it("starts the workers a scan will use: --threads, or the default for the captures named", () => {
    const cores = availableParallelism();
    expect(guessScanWorkers(["big.pcap", "--threads", "4"])).toBe(Math.min(4, cores) - 1);
    expect(guessScanWorkers(["--threads=3", "big.pcap"])).toBe(Math.min(3, cores) - 1);
    expect(guessScanWorkers(["-"])).toBe(availableParallelism() - 1); // size unknown
    expect(guessScanWorkers(["missing.pcap"])).toBe(availableParallelism() - 1);
    expect(guessScanWorkers([SAMPLE])).toBe(0); // small: one thread
    expect(guessScanWorkers(["--format", "ndjson", SAMPLE])).toBe(0);
    expect(guessScanWorkers([SAMPLE, "--threads", "2"])).toBe(1);
  });

  it("starts none where no worker will run", () => {
    for (const args of [["info", "a.pcap"], ["--help"], ["-v"], ["a.pcap", "--ladder", "3"], ["a.pcap", "--ladder=3"],
      ["a.pcap", "--threads", "1"], ["a.pcap", "--threads", "x"], ["a.pcap", "--threads", "0"], ["a.pcap", "--threads=999"]]) {
      expect(guessScanWorkers(args), args.join(" ")).toBe(0);
    }
  });
});
