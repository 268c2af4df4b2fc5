// The text summary read from the groups' columns (cli/commands/summary.ts) against the same
// summary fed one record object per connection (writeRecords: the report and the lists over
// records, as the SDK's scanner yields them): the same text on every corpus capture, at one and
// two threads (the largest captures), with a small --top (lists that fill and replace) and with --filter, and with the
// reference tracker (whose groups are records already). No capture makes the summary fail.

import { describe, it, expect, beforeAll, afterAll, vi } from "vitest";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScanner, compileFilter, type ScanOptions } from "../../../sdk/index.js";
import { writeRecords } from "../../../cli/commands/scan.js";
import { writeSummary } from "../../../cli/commands/summary.js";
import { Output } from "../../../cli/output.js";
import { corpusDir, capturesUnder } from "../../helpers/decode.js";

const root = corpusDir();
const captures = root ? capturesUnder(join(root, "real")) : [];
const dir = mkdtempSync(join(tmpdir(), "ths-summary-values-"));
let n = 0;

// The summary's text, or the message the scan failed with.
async function text(write: (output: Output) => Promise<unknown>): Promise<string> {
  const path = join(dir, `summary-${n++}.txt`);
  const output = new Output(path);
  try {
    await write(output);
  } catch (error) {
    output.discard();
    return `error: ${(error as Error).message}`;
  }
  await output.close();
  return readFileSync(path, "utf8");
}

async function bothWays(capture: string, options: ScanOptions, top: number, filterText?: string): Promise<string> {
  const filter = filterText === undefined ? null : compileFilter(filterText);
  const fromRecords = await text((output) =>
    writeRecords(createScanner([capture], { ...options, report: !filter, reportTop: top }), "text", filter, top, output, true, filterText));
  const fromColumns = await text((output) => writeSummary([capture], options, filter, top, output, filterText));
  expect(fromColumns, capture).toBe(fromRecords);
  // Every capture gets its summary, damaged ones included (ppp__pcapng-example's last stamp,
  // 1.8e13 s, is past what a Date holds: the summary threw where it printed the time).
  expect(fromColumns.startsWith("error:"), `${capture}: ${fromColumns.slice(0, 200)}`).toBe(false);
  return fromColumns;
}

beforeAll(() => {
  vi.spyOn(process.stderr, "write").mockImplementation(() => true); // damaged captures' messages
});
afterAll(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(captures.length > 0)("the summary from the columns equals the summary from records", () => {
  it("on every corpus capture, one thread: the default --top, --top 1, and --filter", async () => {
    const topOne: string[] = [];
    for (const capture of captures) {
      await bothWays(capture, { threads: 1 }, 10);
      topOne.push(await bothWays(capture, { threads: 1 }, 1));
      await bothWays(capture, { threads: 1 }, 3, "not port 80");
    }
    // Lists that passed over connections: the key tests, not only the record builds, decided them.
    for (const passedOver of [/Failed handshakes \(the first 1 of/, /Reset connections \(the first 1 of/, /the 1 slowest of/,
      /Most retransmissions/, /Highest ack-RTT/]) {
      expect(topOne.filter((t) => passedOver.test(t)).length, String(passedOver)).toBeGreaterThan(1);
    }
  }, 120_000);

  it("on the corpus's largest captures, two threads (a worker's connection bytes)", async () => {
    const largest = [...captures].sort((a, b) => statSync(b).size - statSync(a).size).slice(0, 12);
    for (const capture of largest) await bothWays(capture, { threads: 2 }, 2);
  }, 120_000);

  it("with the reference tracker (groups of records)", async () => {
    for (const capture of captures.slice(0, 20)) await bothWays(capture, { threads: 1, tracker: "typescript" }, 2, "tcp");
  }, 120_000);
});
