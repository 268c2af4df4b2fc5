// A file of our Parquet writer with cells ordinary captures rarely hold, read back by DuckDB and
// hyparquet: every cell equal; nulls in runs and scattered; numbers with one, a few and many
// distinct values (dictionary and PLAIN pages), -0 beside 0; strings past ASCII (statistics in
// UTF-8 byte order); booleans; times before 1970; an all-null column; several row groups.

import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { parquetReadObjects } from "hyparquet";
import { ParquetColumnBuffer } from "../../../cli/format/parquet-column-buffer.js";
import { ParquetFileWriter, type FileColumn } from "../../../cli/format/parquet-file.js";

const dir = mkdtempSync(join(tmpdir(), "ths-parquet-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROWS = 3_000, GROUP = 1_000;
const STRINGS = ["S0", "SF", "é", "😀", "\uffff", "", "a,b\"c", "REJ"];
const columns: (FileColumn & { cell: (k: number) => unknown })[] = [
  { name: "few", type: "INT64", cell: (k) => (k % 5 === 0 ? null : k % 3) },
  { name: "constant", type: "INT64", cell: () => 0 },
  { name: "many", type: "INT64", cell: (k) => k * 2 ** 33 + 1 },
  { name: "port", type: "INT32", cell: (k) => (k * 7919) % 65_536 },
  { name: "small", type: "INT32", cell: (k) => (k % 40 < 30 ? -1 : k % 7) },
  { name: "zeros", type: "DOUBLE", cell: (k) => (k % 4 === 0 ? -0 : k % 4 === 1 ? 0 : k % 4 === 2 ? null : 0.5) },
  { name: "rtt", type: "DOUBLE", cell: (k) => (k % 9 === 0 ? null : k * 1.1) },
  { name: "flag", type: "BOOLEAN", cell: (k) => (k % 11 === 0 ? null : k % 3 === 0) },
  { name: "none", type: "STRING", cell: () => null },
  { name: "state", type: "STRING", cell: (k) => (k % 13 === 0 ? null : STRINGS[k % STRINGS.length]) },
  { name: "distinct_text", type: "STRING", cell: (k) => `1:${k.toString(36)}${"x".repeat(k % 5)}` },
  { name: "ts", type: "TIMESTAMP", cell: (k) => (k % 17 === 0 ? null : `${k % 2 ? "-" : ""}${k * 1_000 + 17}.${String((k * 7_777_777) % 1e9).padStart(9, "0")}`) },
];

function writeFile(): string {
  const file = new ParquetFileWriter(columns, "test");
  const buffers = columns.map((c) => new ParquetColumnBuffer(c.type, GROUP));
  const parts = [file.header().slice()];
  for (let k = 0; k < ROWS; k++) {
    buffers.forEach((b, c) => b.push(columns[c]!.cell(k)));
    if ((k + 1) % GROUP === 0) { parts.push(file.rowGroup(buffers).slice()); for (const b of buffers) b.clear(); }
  }
  parts.push(file.footer().slice());
  const out = join(dir, "cells.parquet");
  writeFileSync(out, Buffer.concat(parts));
  return out;
}

function expected(k: number, name: string, type: string): unknown {
  const v = columns.find((c) => c.name === name)!.cell(k);
  if (v === null) return null;
  if (type === "TIMESTAMP") {
    const ts = v as string, negative = ts.startsWith("-"), [s, f] = ts.replace("-", "").split(".");
    const ns = BigInt(s!) * 1_000_000_000n + BigInt(f!);
    return negative ? -ns : ns;
  }
  return type === "INT64" ? BigInt(v as number) : v;
}

describe("a file of our Parquet writer", () => {
  it("keeps each row group's footer entry as the footer's bytes, tens of bytes a column chunk, not objects", () => {
    // As objects (with their statistics' arrays) the entries took ~10 bytes of heap a connection
    // over 8 192-row groups of ~100 columns, without bound (12 M connections: 242 MB peak).
    const file = new ParquetFileWriter(columns, "test");
    const buffers = columns.map((c) => new ParquetColumnBuffer(c.type, 2));
    file.header();
    const held: number[] = [];
    for (let g = 0; g < 50; g++) {
      for (let k = 0; k < 2; k++) buffers.forEach((b, c) => b.push(columns[c]!.cell(g * 2 + k)));
      file.rowGroup(buffers);
      for (const b of buffers) b.clear();
      held.push(file.footerBytesHeld);
    }
    const perGroup = held[49]! / 50;
    expect(perGroup).toBeGreaterThan(20 * columns.length);
    expect(perGroup).toBeLessThan(80 * columns.length);
    // What is held is the footer's row group entries: the footer is the schema and they.
    const footer = file.footer();
    expect(footer.length - held[49]!).toBeLessThan(60 * columns.length);
  });

  const out = writeFile();

  it("hyparquet reads every cell back", async () => {
    const bytes = readFileSync(out);
    const rows = await parquetReadObjects({
      file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      parsers: { timestampFromNanoseconds: (n: bigint) => n } as never,
    });
    expect(rows.length).toBe(ROWS);
    for (let k = 0; k < ROWS; k++) {
      for (const c of columns) {
        const want = expected(k, c.name, c.type), got = rows[k]![c.name];
        if (typeof want === "number" && want === 0) expect(Object.is(got, want), `${c.name} row ${k}`).toBe(true);
        else expect(got, `${c.name} row ${k}`).toEqual(want);
      }
    }
  });

  it("DuckDB reads every cell back, and the statistics are each chunk's min and max", async () => {
    const duck = await (await DuckDBInstance.create(":memory:")).connect();
    // DuckDB keeps a UTC timestamp's microseconds: hyparquet's read above checks the nanoseconds.
    const read = columns.filter((c) => c.type !== "TIMESTAMP");
    const names = read.map((c) => (c.type === "INT64" ? `${c.name}::VARCHAR AS ${c.name}` : c.name));
    const got = (await duck.runAndReadAll(`SELECT ${names.join(", ")} FROM read_parquet('${out}')`)).getRowObjectsJS();
    expect(got.length).toBe(ROWS);
    for (let k = 0; k < ROWS; k++) {
      for (const c of read) {
        const want = expected(k, c.name, c.type);
        expect(got[k]![c.name], `${c.name} row ${k}`).toEqual(typeof want === "bigint" ? String(want) : want);
      }
    }
    const stats = (await duck.runAndReadAll(`SELECT row_group_id AS g, path_in_schema AS c, stats_min_value AS lo, stats_max_value AS hi, stats_null_count AS nulls FROM parquet_metadata('${out}') WHERE path_in_schema IN ('state', 'few', 'rtt') ORDER BY 1, 2`)).getRowObjectsJS();
    const utf8 = (s: string) => Buffer.from(s);
    for (const s of stats) {
      const group = Array.from({ length: GROUP }, (_, k) => columns.find((c) => c.name === s.c)!.cell(Number(s.g) * GROUP + k)).filter((v) => v !== null);
      expect(Number(s.nulls)).toBe(GROUP - group.length);
      if (s.c === "state") {
        const sorted = (group as string[]).sort((a, b) => Buffer.compare(utf8(a), utf8(b)));
        expect([s.lo, s.hi]).toEqual([sorted[0], sorted.at(-1)]);
      } else {
        expect([Number(s.lo), Number(s.hi)]).toEqual([Math.min(...(group as number[])), Math.max(...(group as number[]))]);
      }
    }
  });
});
