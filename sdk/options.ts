// Checks what callers pass the SDK before anything runs: a wrong option is a TypeError (wrong
// kind of value) or a RangeError (right kind, impossible value) naming the option, never a
// silently different result (maxHalfOpen 0 used to mean 1, a negative timeout ended every
// connection at once, NaN never). Unknown keys are ignored, as Node's own APIs do.

import type { CaptureInput } from "./decoder/capture-input.js";
import type { DecodeCaptureOptions } from "./decoder/decode-capture.js";
import type { ScanOptions } from "./scan.js";
import type { ConnectionFilter } from "./filter/connection-filter.js";
import { parseCidr } from "./connections/cidr.js";
import { MAX_LOCAL_NETS } from "./lines/site-nets.js";
import { checkTunnelPorts } from "./decoder/tunnels.js";
import { MAX_TUNNEL_DEPTH } from "../assembly/layout.js";
import { checkReportTop } from "./report/capture-report.js";

/** Tracker options the SDK accepts (the tracker's own `shard` is internal). */
const TIMEOUT_NAMES = ["attempt", "close", "handshakeInactivity", "inactivity"] as const;
/** Ignored-checksum prefixes the WebAssembly tracker holds. */
const MAX_IGNORED_NETS = 256;
/** More would only contend for the cores: each worker holds its own tracker memory. */
export const MAX_THREADS = 256;

const describe = (v: unknown) => (typeof v === "string" ? `"${v}"` : Array.isArray(v) ? "an array" : v === null ? "null"
  : isBuffer(v) ? `an ${v.constructor.name}` : ArrayBuffer.isView(v) ? `a ${v.constructor.name}`
  : typeof v === "object" || typeof v === "function" ? typeof v : String(v));
const isBuffer = (v: unknown): v is ArrayBuffer | SharedArrayBuffer =>
  v instanceof ArrayBuffer || (typeof SharedArrayBuffer === "function" && v instanceof SharedArrayBuffer);

/** An object literal (or one without a prototype): not an array, a Map or another class's instance. */
const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};
const describePlain = (v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v) && !ArrayBuffer.isView(v) && !isBuffer(v)
  ? `a ${(v as object).constructor?.name ?? "object"}` : describe(v));

function integer(name: string, v: unknown, min: number, max: number, what: string): void {
  if (typeof v !== "number") throw new TypeError(`${name} must be a number (${what}), not ${describe(v)}`);
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be ${what}, not ${describe(v)}`);
}

function boolean(name: string, v: unknown): void {
  if (v !== undefined && typeof v !== "boolean") throw new TypeError(`${name} must be true or false, not ${describe(v)}`);
}

function seconds(name: string, v: unknown): void {
  if (typeof v !== "number") throw new TypeError(`${name} must be a number of seconds, not ${describe(v)}`);
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a positive, finite number of seconds, not ${describe(v)}`);
}

function port(name: string, v: unknown): void {
  integer(name, v, 0, 65535, "a port (0 to 65535)");
}

/** Options of decodeCapture() (and the decoding part of a scan's). */
export function checkDecodeOptions(options: DecodeCaptureOptions | undefined): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object, not ${describe(options)}`);
  if (options.hashSeed !== undefined) integer("hashSeed", options.hashSeed, 0, 0xffffffff, "a 32-bit unsigned integer");
  boolean("verifyChecksums", options.verifyChecksums);
  if (options.chunkSize !== undefined) integer("chunkSize", options.chunkSize, 1, Number.MAX_SAFE_INTEGER, "a positive whole number of bytes");
  if (options.onProgress !== undefined && typeof options.onProgress !== "function") throw new TypeError(`onProgress must be a function, not ${describe(options.onProgress)}`);
  boolean("everyStep", options.everyStep);
  const signal = (options as ScanOptions).signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`signal must be an AbortSignal, not ${describe(signal)}`);
  // Checked again where the decoder takes them (decapsulation.ts), which is only once reading starts.
  if (options.maxTunnelDepth !== undefined) integer("maxTunnelDepth", options.maxTunnelDepth, 0, MAX_TUNNEL_DEPTH, `a whole number from 0 to ${MAX_TUNNEL_DEPTH}`);
  if (options.fragmentTimeout !== undefined) seconds("fragmentTimeout", options.fragmentTimeout);
  if (options.tunnelPorts !== undefined) checkTunnelPorts(options.tunnelPorts);
}

/** A list of CIDR prefixes (or bare addresses), at most `max`. */
function prefixes(name: string, list: unknown, max: number): void {
  if (!Array.isArray(list)) throw new TypeError(`${name} must be an array of prefixes, not ${describe(list)}`);
  if (list.length > max) throw new RangeError(`${name} holds at most ${max} prefixes, not ${list.length}`);
  list.forEach((net, k) => {
    if (typeof net !== "string") throw new TypeError(`${name}[${k}] must be a prefix like "10.0.0.0/8", not ${describe(net)}`);
    try { parseCidr(net); } catch (error) { throw new RangeError(`${name}[${k}]: ${(error as Error).message}`); }
  });
}

/** Options of createScanner(), scan() and captureLadders(). */
export function checkScanOptions(options: ScanOptions | undefined): void {
  checkDecodeOptions(options);
  if (options === undefined) return;
  const o = options;
  if (o.likelyServerPorts !== undefined) {
    if (!Array.isArray(o.likelyServerPorts)) throw new TypeError(`likelyServerPorts must be an array of ports, not ${describe(o.likelyServerPorts)}`);
    o.likelyServerPorts.forEach((p, k) => port(`likelyServerPorts[${k}]`, p));
  }
  if (o.ignoreChecksumsNets !== undefined) prefixes("ignoreChecksumsNets", o.ignoreChecksumsNets, MAX_IGNORED_NETS);
  if (o.localNets !== undefined) prefixes("localNets", o.localNets, MAX_LOCAL_NETS);
  if (o.maxHalfOpen !== undefined && o.maxHalfOpen !== Infinity) {
    integer("maxHalfOpen", o.maxHalfOpen, 1, Number.MAX_SAFE_INTEGER, "a whole number of connections, at least 1 (or Infinity: no limit)");
  }
  if (o.maxConnections !== undefined && o.maxConnections !== Infinity) {
    integer("maxConnections", o.maxConnections, 1, Number.MAX_SAFE_INTEGER, "a whole number of connections, at least 1 (or Infinity: no limit)");
  }
  if (o.timeouts !== undefined) {
    if (!isPlainObject(o.timeouts)) throw new TypeError(`timeouts must be an object of seconds by name, not ${describePlain(o.timeouts)}`);
    for (const name of TIMEOUT_NAMES) if (o.timeouts[name] !== undefined) seconds(`timeouts.${name}`, o.timeouts[name]);
    const perPort = o.timeouts.portInactivity;
    if (perPort !== undefined) {
      // (A Map's entries are no properties: it was taken as no ports at all.)
      if (!isPlainObject(perPort)) throw new TypeError(`timeouts.portInactivity must be an object of port: seconds, not ${describePlain(perPort)}`);
      for (const [key, value] of Object.entries(perPort)) {
        if (!/^\d+$/.test(key) || Number(key) > 65535) throw new RangeError(`timeouts.portInactivity: "${key}" is not a port (0 to 65535)`);
        seconds(`timeouts.portInactivity[${key}]`, value);
      }
    }
  }
  if (o.threads !== undefined) integer("threads", o.threads, 1, MAX_THREADS, `a whole number from 1 to ${MAX_THREADS}`);
  if (o.tracker !== undefined && o.tracker !== "wasm" && o.tracker !== "typescript") {
    throw new RangeError(`tracker must be "wasm" or "typescript", not ${describe(o.tracker)}`);
  }
  // The workers track in WebAssembly only: at more threads the reference would not be what ran.
  if (o.tracker === "typescript" && o.threads !== undefined && o.threads > 1) {
    throw new RangeError(`tracker "typescript" runs on one thread: threads must be 1, not ${o.threads}`);
  }
  boolean("report", o.report);
  checkReportTop(o.reportTop, "reportTop");
  boolean("keyByTunnel", o.keyByTunnel);
}

/** The arguments of captureLadders() after its input: the filter, the options and the limit. */
export function checkLadderArguments(filter: ConnectionFilter, options: ScanOptions | undefined, limit: number): void {
  const f = filter as Partial<ConnectionFilter> | null;
  if (f === null || typeof f !== "object" || typeof f.matches !== "function" || typeof f.mayMatch !== "function") {
    throw new TypeError(`filter must be a compiled filter (compileFilter("...")), not ${describe(filter)}`);
  }
  checkScanOptions(options);
  if (limit !== Infinity) integer("limit", limit, 1, Number.MAX_SAFE_INTEGER, "a whole number of connections, at least 1 (or Infinity: all)");
}

/** drawLadders()' callback: checked before the first pass, not when the first ladder is due. */
export function checkOnLadder(onLadder: unknown): void {
  if (typeof onLadder !== "function") throw new TypeError(`onLadder must be a function, not ${describe(onLadder)}`);
}

/** A filter expression (compileFilter(), createLineScanner()'s spec.filter). */
export function checkFilterExpression(expression: unknown, name = "expression"): void {
  if (typeof expression !== "string") throw new TypeError(`${name} must be a string (a filter such as "port 443"), not ${describe(expression)}`);
}

/** createLineScanner()'s third argument: { format, filter? }. */
export function checkLineSpec(spec: unknown): void {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) throw new TypeError(`spec must be an object ({ format: "ndjson", filter? }), not ${describe(spec)}`);
  const { format, filter } = spec as { format?: unknown; filter?: unknown };
  if (typeof format !== "string") throw new TypeError(`spec.format must be a line format's name ("ndjson", or one registered with registerLineFormat), not ${describe(format)}`);
  if (filter !== undefined) checkFilterExpression(filter, "spec.filter");
}

/** What decodeCapture() and the scanners read from: checked before it is opened. */
export function checkInput(input: unknown, name = "input"): void {
  if (typeof input === "string") {
    if (input === "") throw new TypeError(`${name} must name a file (or "-"), not an empty string`);
    return;
  }
  if (input instanceof Uint8Array) return;
  if (input !== null && typeof input === "object" && (Symbol.asyncIterator in input || typeof (input as ReadableStream).getReader === "function")) return;
  // What fetch()'s arrayBuffer() and file readers give: the bytes are there, in another wrapper.
  if (isBuffer(input) || ArrayBuffer.isView(input)) {
    throw new TypeError(`${name} must be a Uint8Array, not ${describe(input)}: pass new Uint8Array(${isBuffer(input) ? "buffer" : "view.buffer, view.byteOffset, view.byteLength"})`);
  }
  throw new TypeError(`${name} must be a path, "-", a Uint8Array or a byte stream (async iterable or ReadableStream), not ${describe(input)}`);
}

export function checkInputs(input: CaptureInput | CaptureInput[]): void {
  if (Array.isArray(input)) {
    if (input.length === 0) throw new TypeError("input: an empty list names no capture");
    input.forEach((one, k) => checkInput(one, `input[${k}]`));
  } else {
    checkInput(input);
  }
}

/** A directory argument (partitionCaptures()' outDir, openPartitionSet()'s root). */
export function checkDirectory(name: string, dir: unknown): void {
  if (typeof dir !== "string" || dir === "") throw new TypeError(`${name} must be a directory's path, not ${describe(dir)}`);
}

/** createBucketScanner()'s set: what openPartitionSet() returned. */
export function checkPartitionSet(set: unknown): void {
  const maps = (set as { maps?: unknown } | null)?.maps;
  if (set === null || typeof set !== "object" || !Array.isArray(maps) || maps.length === 0) {
    throw new TypeError(`set must be a partition set (openPartitionSet(dir, bucket)), not ${describe(set)}`);
  }
}

/** registerLineFormat()'s arguments: a name, the formatter's maker, optional values writer and WebAssembly writer. */
export function checkLineFormat(name: unknown, make: unknown, makeValues: unknown, wasm: unknown): void {
  if (typeof name !== "string" || name === "") throw new TypeError(`name must be a format's name, not ${describe(name)}`);
  if (typeof make !== "function") throw new TypeError(`make must be a function returning a formatter, not ${describe(make)}`);
  if (makeValues !== undefined && typeof makeValues !== "function") throw new TypeError(`makeValues must be a function returning a values writer, not ${describe(makeValues)}`);
  if (wasm !== undefined && wasm !== "ndjson" && wasm !== "csv" && wasm !== "zeek") throw new TypeError(`wasm must be "ndjson", "csv" or "zeek" (the tracker's writers), not ${describe(wasm)}`);
}

/** Arguments of partitionCaptures(): paths only (its map output names each file by path and size). */
export function checkPartitionArguments(files: unknown, options: unknown): void {
  if (!Array.isArray(files)) throw new TypeError(`files must be a list of capture paths, not ${describe(files)}`);
  if (files.length === 0) throw new TypeError("files: an empty list names no capture");
  files.forEach((f, k) => {
    if (typeof f !== "string" || f === "") throw new TypeError(`files[${k}] must be a path, not ${describe(f)}`);
  });
  if (options === null || typeof options !== "object") throw new TypeError(`options must be an object with buckets, not ${describe(options)}`);
  checkDecodeOptions(options as DecodeCaptureOptions);
  const onWarning = (options as { onWarning?: unknown }).onWarning;
  if (onWarning !== undefined && typeof onWarning !== "function") throw new TypeError(`onWarning must be a function, not ${describe(onWarning)}`);
}

/** openPartitionSet()'s bucket and map count (whether the bucket exists, the partitions say). */
export function checkPartitionSetArguments(bucket: unknown, maps: unknown): void {
  integer("bucket", bucket, 0, Number.MAX_SAFE_INTEGER, "a bucket number, from 0");
  if (maps !== undefined) integer("maps", maps, 1, Number.MAX_SAFE_INTEGER, "a whole number of map outputs, at least 1");
}
