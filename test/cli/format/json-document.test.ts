import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { JsonDocument, JsonSpillError } from "../../../cli/format/json-document.js";
import { Output } from "../../../cli/output.js";
import { scan } from "../../../sdk/index.js";
import { generateCapture } from "../../../bench/generate.js";

const BIN = fileURLToPath(new URL("../../../dist/cli/bin.cjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ths-json-document-"));

/** What JsonDocument writes for these batches, kept in memory up to `heldMax` characters. */
async function written(batches: unknown[][], heldMax: number, captures: unknown, report: unknown): Promise<string> {
  const path = join(dir, `doc-${heldMax}-${batches.length}.json`);
  const doc = new JsonDocument(heldMax);
  for (const b of batches) doc.add(b);
  const out = new Output(path);
  await doc.write(out, captures, report);
  await out.close();
  return readFileSync(path, "utf8");
}

describe("JsonDocument: the json document without holding every record", () => {
  const records = Array.from({ length: 50 }, (_, k) => ({
    id: k, text: `line\nbreak "${k}"`, nested: { list: [k, null, { deep: true }], empty: [], none: {} }, n: k / 3,
  }));
  const captures = [{ source: "a\nb.pcap", sections: [{ offset: 0 }] }];
  const report = { connections: 50, findings: [], timeline: { maxGapSec: 0 } };

  it("writes JSON.stringify(document, null, 2)'s bytes, in memory or through its temporary file", async () => {
    const expected = JSON.stringify({ captures, report, connections: records }, null, 2) + "\n";
    // Batches of every size, and one of all 50 (stringified 32 at a time, JsonDocument.add).
    for (const batches of [[records.slice(0, 7), [], records.slice(7, 8), records.slice(8)], [records]]) {
      for (const heldMax of [1, 200, 1e9]) expect(await written(batches, heldMax, captures, report), `held ${heldMax}`).toBe(expected);
    }
  });

  it("a temporary directory that is not there: a JsonSpillError naming it and the cause in the output's words", () => {
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = "/nonexistent/tmp";
    try {
      const doc = new JsonDocument(1);
      expect(() => doc.add(records)).toThrow(JsonSpillError);
      expect(() => new JsonDocument(1).add(records)).toThrow(/^\/nonexistent\/tmp: cannot keep the json document's connections there until the end: no such file or directory \(ENOENT\)$/);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it("no connection: an empty array, as JSON.stringify writes it", async () => {
    expect(await written([[], []], 1, captures, report)).toBe(JSON.stringify({ captures, report, connections: [] }, null, 2) + "\n");
  });

  it("the command's --format json: the scan's captures, report and records, at one and two threads, through the temporary file", async () => {
    const capture = join(dir, "short.pcap");
    generateCapture(capture, { bytes: 24e6, snaplen: 96, seed: 3 }); // ~18 MB of json: past what is held in memory
    const r = await scan(capture);
    const expected = JSON.stringify({ captures: r.captures, report: r.report, connections: r.connections }, null, 2) + "\n";
    for (const threads of ["1", "2"]) {
      const run = spawnSync(process.execPath, [BIN, "--format", "json", "--threads", threads, "-o", join(dir, "out.json"), capture], { encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
      expect(readFileSync(join(dir, "out.json"), "utf8") === expected, `${threads} threads`).toBe(true);
    }
    writeFileSync(join(dir, "out.json"), ""); // (18 MB less in the test's temporary directory)
  }, 120_000);
});
