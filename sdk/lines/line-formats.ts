// Connection records as lines, by format name: what a scan's workers can write themselves
// (parallel/lines-worker.ts), so that building, filtering and serialising every record does
// not fall to one thread. "ndjson" is built in, written as bytes (ndjson-bytes.ts); a program
// adds its own formats as text (the command adds csv and zeek) with registerLineFormat, on the
// main thread and in the worker script it ships (the workers run the same registrations: a
// format is code, not data).

import type { ConnectionRecord } from "../connections/connection-record.js";
import { compileFilter } from "../filter/connection-filter.js";
import type { ByteSink } from "./byte-sink.js";
import { writeNdjson } from "./ndjson-bytes.js";

/** One connection's line(s), "" for none. */
export type LineFormatter = (c: ConnectionRecord) => string;

/** Writes one connection's line(s) into `out` (nothing for none). */
export type LineWriter = (out: ByteSink, c: ConnectionRecord) => void;

/** What to write: a registered format's name and, optionally, a filter expression (compileFilter). */
export interface LineSpec {
  format: string;
  filter?: string;
}

const formats = new Map<string, () => LineWriter>([
  ["ndjson", () => writeNdjson],
]);

/** Registers a format (called where the records are written: main thread and workers alike). */
export function registerLineFormat(name: string, make: () => LineFormatter): void {
  formats.set(name, () => {
    const format = make();
    return (out, c) => out.utf8(format(c));
  });
}

/** The writer of `spec`, its filter applied (writes nothing for a connection it leaves out). */
export function lineWriter(spec: LineSpec): LineWriter {
  const make = formats.get(spec.format);
  if (!make) throw new Error(`no line format "${spec.format}" is registered in this thread`);
  const write = make();
  if (spec.filter === undefined) return write;
  const filter = compileFilter(spec.filter);
  return (out, c) => { if (filter.matches(c)) write(out, c); };
}
