// createScanner: the per-record iterator, batches(), and a scanner without its report.

import { describe, it, expect } from "vitest";
import { fileURLToPath } from "node:url";
import { createScanner, scan } from "../../sdk/index.js";

const SAMPLE = fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url));

describe("createScanner", () => {
  it("gives the same records through batches() as one by one, and the same report", async () => {
    const whole = await scan(SAMPLE);
    const scanner = createScanner(SAMPLE);
    const batches: unknown[][] = [];
    for await (const records of scanner.batches()) {
      expect(records.length).toBeGreaterThan(0);
      batches.push(records);
    }
    expect(batches.flat()).toEqual(whole.connections);
    expect(scanner.report()).toEqual(whole.report);
    expect(scanner.timeline()).toEqual(whole.report.timeline);
    await expect(async () => { for await (const _ of scanner) { /* a second pass */ } }).rejects.toThrow(/only once/);
  });

  it("skips the report when asked: records unchanged, report() refuses, timeline() answers", async () => {
    const whole = await scan(SAMPLE);
    const scanner = createScanner(SAMPLE, { report: false });
    const records = [];
    for await (const c of scanner) records.push(c);
    expect(records).toEqual(whole.connections);
    expect(() => scanner.report()).toThrow(/report: false/);
    expect(scanner.timeline()).toEqual(whole.report.timeline);
  });

  it("after a loop left early, report() and timeline() say so", async () => {
    const scanner = createScanner(SAMPLE);
    for await (const _ of scanner) break;
    expect(() => scanner.report()).toThrow("report() is available once the scan has read all its input (not after a loop left early)");
    expect(() => scanner.timeline()).toThrow(/not after a loop left early/);
  });

  it("before any iteration, report() and timeline() say to iterate first", () => {
    const scanner = createScanner(SAMPLE);
    expect(() => scanner.report()).toThrow("report() is available once the scan has read all its input: iterate it first");
    expect(() => scanner.timeline()).toThrow(/iterate it first/);
  });
});

describe("several inputs, one of them not there", () => {
  it("a later named file that is missing or a directory fails the scan before any record, at 1 to 3 threads", async () => {
    // Found only when reached, the records handed on before the failure depended on the threads.
    for (const bad of ["/nonexistent/capture.pcap", fileURLToPath(new URL("../../examples/", import.meta.url))]) {
      for (const threads of [1, 2, 3]) {
        const scanner = createScanner([SAMPLE, SAMPLE, bad], { threads });
        let records = 0;
        const failure = await (async () => {
          try {
            for await (const _ of scanner) records++;
          } catch (error) {
            return error as NodeJS.ErrnoException;
          }
          return null;
        })();
        expect(failure?.code, `${bad}, ${threads} threads`).toBe(bad.endsWith("/") ? "EISDIR" : "ENOENT");
        expect(records, `${bad}, ${threads} threads`).toBe(0);
      }
    }
  });
});
