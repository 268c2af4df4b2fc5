import { describe, it, expect } from "vitest";
import { availableParallelism } from "node:os";
import { guessScanWorkers } from "../../cli/early-start.js";

describe("guessScanWorkers (workers started before the command line is parsed)", () => {
  it("starts the workers a scan will use: --threads, or the cores available", () => {
    expect(guessScanWorkers(["big.pcap", "--threads", "4"])).toBe(3);
    expect(guessScanWorkers(["--threads=3", "big.pcap"])).toBe(2);
    expect(guessScanWorkers(["big.pcap"])).toBe(availableParallelism() - 1);
  });

  it("starts none where no worker will run", () => {
    for (const args of [["info", "a.pcap"], ["--help"], ["-v"], ["a.pcap", "--ladder", "3"], ["a.pcap", "--ladder=3"],
      ["a.pcap", "--threads", "1"], ["a.pcap", "--threads", "x"], ["a.pcap", "--threads", "0"], ["a.pcap", "--threads=999"]]) {
      expect(guessScanWorkers(args), args.join(" ")).toBe(0);
    }
  });
});
