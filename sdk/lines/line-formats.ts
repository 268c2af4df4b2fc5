// Connection records as lines of text, by format name: what a scan's workers can write
// themselves (parallel/lines-worker.ts), so that building, filtering and serialising every
// record does not fall to one thread. "ndjson" is built in; a program adds its own formats
// (the command adds csv and zeek) with registerLineFormat, on the main thread and in the worker
// script it ships (the workers run the same registrations: a format is code, not data).

import type { ConnectionRecord } from "../connections/connection-record.js";
import { compileFilter } from "../filter/connection-filter.js";

/** One connection's line(s), "" for none. */
export type LineFormatter = (c: ConnectionRecord) => string;

/** What to write: a registered format's name and, optionally, a filter expression (compileFilter). */
export interface LineSpec {
  format: string;
  filter?: string;
}

const formats = new Map<string, () => LineFormatter>([
  ["ndjson", () => (c) => JSON.stringify(c) + "\n"],
]);

/** Registers a format (called where the records are written: main thread and workers alike). */
export function registerLineFormat(name: string, make: () => LineFormatter): void {
  formats.set(name, make);
}

/** The formatter of `spec`, its filter applied ("" for a connection it leaves out). */
export function lineFormatter(spec: LineSpec): LineFormatter {
  const make = formats.get(spec.format);
  if (!make) throw new Error(`no line format "${spec.format}" is registered in this thread`);
  const format = make();
  if (spec.filter === undefined) return format;
  const filter = compileFilter(spec.filter);
  return (c) => (filter.matches(c) ? format(c) : "");
}
