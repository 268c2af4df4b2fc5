// Connection records as lines, by format name: what a scan's workers can write themselves
// (parallel/lines-worker.ts), so that building, filtering and serialising every record does
// not fall to one thread. "ndjson" is built in, written as bytes straight from the connection's
// columns (ndjson-bytes.ts); a program adds its own formats with registerLineFormat, as text
// from a record and optionally as bytes from the record's values (the command adds csv and zeek
// both ways), on the main thread and in the worker script it ships (the workers run the same
// registrations: a format is code, not data).

import type { ConnectionRecord } from "../connections/connection-record.js";
import { buildConnectionRecord } from "../connections/connection-record.js";
import type { ConnectionStore } from "../connections/connection-store.js";
import { readRecordValues, RecordValues } from "../connections/record-values.js";
import { compileFilter } from "../filter/connection-filter.js";
import type { ByteSink } from "./byte-sink.js";
import { writeNdjson, writeValues } from "./ndjson-bytes.js";
import type { WasmLineFormat } from "./wasm-lines.js";
import { isMainThread } from "node:worker_threads";

/** One connection's line(s), "" for none. */
export type LineFormatter = (c: ConnectionRecord) => string;

/** Writes one connection's line(s) into `out` (nothing for none), from either form of it. */
export interface LineWriter {
  /** The connection in `slot` of `s`, its columns as the tracker left them. */
  connection(out: ByteSink, s: ConnectionStore, slot: number): void;
  /** A record built already (the reference tracker's, a reduce task's). */
  record(out: ByteSink, c: ConnectionRecord): void;
  /** The connection's record values, read already (formats written from them). */
  values?(out: ByteSink, v: RecordValues): void;
}

/** What to write: a registered format's name and, optionally, a filter expression (compileFilter). */
export interface LineSpec {
  format: string;
  filter?: string;
}

const NEWLINE = 0x0a;

const ndjson = (): LineWriter => ({
  connection: writeNdjson,
  values: writeValues,
  // The same bytes as writeNdjson's (the record is what its walk builds).
  record: (out, c) => { out.utf8(JSON.stringify(c)); out.byte(NEWLINE); },
});

const formats = new Map<string, () => LineWriter>([["ndjson", ndjson]]);

/** Whether `spec` is the built-in ndjson, unfiltered (what the WebAssembly line writer writes: wasm-lines.ts). */
export function isPlainNdjson(spec: LineSpec): boolean {
  return spec.format === "ndjson" && spec.filter === undefined && formats.get("ndjson") === ndjson;
}

// The registered formats whose lines the tracker's WebAssembly writer of that name writes byte for byte.
const wasmWritten = new Map<string, WasmLineFormat>();

/** Which WebAssembly line writer writes `spec`'s lines (wasm-lines.ts): the format's, unfiltered; undefined for none. */
export function wasmLineFormat(spec: LineSpec): WasmLineFormat | undefined {
  if (isPlainNdjson(spec)) return "ndjson";
  return spec.filter === undefined ? wasmWritten.get(spec.format) : undefined;
}

/** Whether a format of that name is registered in this thread (a worker runs its script's registrations). */
export function lineFormatRegistered(name: string): boolean {
  return formats.has(name);
}

/** Writes one connection's line(s) into `out` from its record values (record-values.ts). */
export type ValuesFormatter = (out: ByteSink, v: RecordValues) => void;

/**
 * Registers a format (called where the records are written: main thread and workers alike).
 * With `makeValues`, a connection's line is written from its values with no record object (as
 * ndjson's is); it must write what the record formatter writes of the record built from them.
 */
export function registerLineFormat(name: string, make: () => LineFormatter, makeValues?: () => ValuesFormatter, wasm?: WasmLineFormat): void {
  // `wasm`: the tracker's WebAssembly writer of that name writes the same bytes (the command's csv and zeek)
  if (wasm) wasmWritten.set(name, wasm); else wasmWritten.delete(name);
  formats.set(name, () => {
    const format = make();
    const record = (out: ByteSink, c: ConnectionRecord) => out.utf8(format(c));
    if (!makeValues) return { connection: (out, s, slot) => record(out, buildConnectionRecord(s, slot)), record };
    const write = makeValues();
    const values = new RecordValues();
    return {
      connection: (out, s, slot) => { readRecordValues(s, slot, values); write(out, values); },
      values: write,
      record,
    };
  });
}

// A worker runs its script's registrations, not the caller's: a format the caller registered on
// its main thread alone is written there at 1 and 2 threads, and cannot be from 3 on.
const notInWorkers = (format: string) => `no line format "${format}" is registered in the scan's worker threads, which write the lines `
  + "from threads: 3 on (their script registers its own formats: the SDK's, ndjson alone); with threads: 1 or 2 this thread writes them";

/** The writer of `spec`, its filter applied (writes nothing for a connection it leaves out). */
export function lineWriter(spec: LineSpec): LineWriter {
  const make = formats.get(spec.format);
  if (!make) throw new Error(isMainThread ? `no line format "${spec.format}" is registered in this thread` : notInWorkers(spec.format));
  const write = make();
  if (spec.filter === undefined) return write;
  const filter = compileFilter(spec.filter);
  const values = new RecordValues();
  const fromValues = write.values;
  return {
    // The filter reads the connection's values (no record object), which the line is then written from.
    connection: fromValues
      ? (out, s, slot) => { readRecordValues(s, slot, values); if (filter.matchesValues(values)) fromValues(out, values); }
      : (out, s, slot) => { if (filter.matches(buildConnectionRecord(s, slot))) write.connection(out, s, slot); },
    record: (out, c) => { if (filter.matches(c)) write.record(out, c); },
  };
}
