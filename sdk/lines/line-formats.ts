// Connection records as lines, by format name: what a scan's workers can write themselves
// (parallel/lines-worker.ts), so that building, filtering and serialising every record does
// not fall to one thread. "ndjson" is built in, written as bytes straight from the connection's
// columns (ndjson-bytes.ts); a program adds its own formats with registerLineFormat, as text
// from a record and optionally as bytes from the record's values (the command adds csv and zeek
// both ways). A format is code, not data: a worker has the formats its script registers (the
// SDK's: ndjson alone; the command's: csv and zeek too, by the module its main thread loads), and
// writes a format's lines only when its script made the very registration the caller's thread
// made (lineFormatRegistration); else it sends the connections as bytes and the caller's thread
// writes their lines (parallel/ended-line-runs.ts).

import type { ConnectionRecord } from "../connections/connection-record.js";
import { buildConnectionRecord } from "../connections/connection-record.js";
import type { ConnectionStore } from "../connections/connection-store.js";
import { readRecordValues, RecordValues } from "../connections/record-values.js";
import { compileFilter } from "../filter/connection-filter.js";
import { checkLineFormat } from "../options.js";
import type { ByteSink } from "./byte-sink.js";
import { writeNdjson, writeValues } from "./ndjson-bytes.js";
import type { WasmLineFormat } from "./wasm-lines.js";
import type { ScanOptions } from "../scan.js";

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

const formats = new Map<string, (options: ScanOptions) => LineWriter>([["ndjson", ndjson]]);

// Each format's registration: its place among this thread's registerLineFormat calls (ndjson's
// own: 0). Two threads that made the same calls in the same order (the command's main thread
// and its worker script, both loading cli/format/line-formats.ts) have the same numbers; a
// format registered on one thread alone, or registered again there (ndjson replaced), has not.
const registrations = new Map<string, number>([["ndjson", 0]]);
let registered = 0;

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

/**
 * Which registration of this thread the format of that name is (undefined for none): a worker
 * writes a format's lines only when it has the same registration as the thread that asks.
 */
export function lineFormatRegistration(name: string): number | undefined {
  return registrations.get(name);
}

/** Writes one connection's line(s) into `out` from its record values (record-values.ts). */
export type ValuesFormatter = (out: ByteSink, v: RecordValues) => void;

/**
 * Registers a format (called where the records are written: main thread and workers alike).
 * With `makeValues`, a connection's line is written from its values with no record object (as
 * ndjson's is); it must write what the record formatter writes of the record built from them.
 * Both are given the scan's options (a format may depend on some: the command's zeek rows on
 * `localNets`).
 */
export function registerLineFormat(
  name: string, make: (options: ScanOptions) => LineFormatter, makeValues?: (options: ScanOptions) => ValuesFormatter, wasm?: WasmLineFormat,
): void {
  checkLineFormat(name, make, makeValues, wasm);
  // `wasm`: the tracker's WebAssembly writer of that name writes the same bytes (the command's csv and zeek)
  if (wasm) wasmWritten.set(name, wasm); else wasmWritten.delete(name);
  registrations.set(name, ++registered);
  formats.set(name, (options) => {
    const format = make(options);
    if (typeof format !== "function") throw new TypeError(`line format "${name}": make() must return a formatter function, not ${format === null ? "null" : typeof format}`);
    const record = (out: ByteSink, c: ConnectionRecord) => {
      const line = format(c);
      // Else Node's own message about its Buffer's argument, naming no format.
      if (typeof line !== "string") throw new TypeError(`line format "${name}": its formatter must return a string (the line), not ${line === null ? "null" : typeof line}`);
      out.utf8(line);
    };
    if (!makeValues) return { connection: (out, s, slot) => record(out, buildConnectionRecord(s, slot)), record };
    const write = makeValues(options);
    const values = new RecordValues();
    return {
      connection: (out, s, slot) => { readRecordValues(s, slot, values); write(out, values); },
      values: write,
      record,
    };
  });
}

/** The writer of `spec` for a scan with `options`, its filter applied (writes nothing for a connection it leaves out). */
export function lineWriter(spec: LineSpec, options: ScanOptions = {}): LineWriter {
  const make = formats.get(spec.format);
  if (!make) throw new RangeError(`no line format "${spec.format}" is registered in this thread`);
  const write = make(options);
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
