// The tracker module's line-writer parts (assembly/lines/) called one value at a time, beside
// the JavaScript they must equal (ByteSink, communityId()), and the corpus's values to feed them.

import { instantiateTracker, type TrackerExports } from "../../sdk/connections/tracker-module.js";
import { ByteSink } from "../../sdk/lines/byte-sink.js";
import { trackConnections } from "../../sdk/connections/track.js";
import type { ConnectionRecord } from "../../sdk/connections/connection-record.js";
import { capturesUnder, corpusDir } from "./decode.js";

let wasm: TrackerExports | undefined;
const tracker = () => (wasm ??= instantiateTracker());
const decoder = new TextDecoder();

function textAt(at: number, length: number): string {
  return decoder.decode(new Uint8Array(tracker().memory.buffer, at, length));
}

/** The number as the wasm writes it; null where it declines. */
export function wasmNumber(n: number): string | null {
  const w = tracker(), at = w.linesScratchPtr();
  const length = w.writeNumber(n, at);
  return length === 0 ? null : textAt(at, length);
}

function sinkText(write: (sink: ByteSink) => void): string {
  const sink = new ByteSink(new ArrayBuffer(64));
  write(sink);
  return Buffer.from(sink.takeCopy()).toString("latin1");
}

export const jsNumber = (n: number): string => sinkText((s) => s.num(n));
export const jsAddress = (bytes: Uint8Array, version: 4 | 6): string => sinkText((s) => s.address(bytes, 0, version));

/** The address (4 or 16 bytes) as the wasm writes it. */
export function wasmAddress(bytes: Uint8Array): string {
  const w = tracker(), at = w.linesScratchPtr();
  new Uint8Array(w.memory.buffer, at, bytes.length).set(bytes);
  const out = at + 32;
  return textAt(out, w.writeAddress(at, bytes.length === 4 ? 4 : 6, out));
}

/** The Community ID of src -> dst (addresses of the same length) as the wasm writes it. */
export function wasmCommunityId(src: Uint8Array, srcPort: number, dst: Uint8Array, dstPort: number, seed = 0): string {
  const w = tracker(), at = w.linesScratchPtr(), memory = new Uint8Array(w.memory.buffer);
  memory.set(src, at);
  memory.set(dst, at + 16);
  const out = at + 32;
  return textAt(out, w.writeCommunityId(src.length, at, srcPort, at + 16, dstPort, seed, out));
}

/** The bytes of an address as formatAddress writes it (dotted quad, or RFC 5952 text). */
export function addressBytes(text: string): Uint8Array {
  if (!text.includes(":")) return Uint8Array.from(text.split(".").map(Number));
  const bytes = new Uint8Array(16);
  let tail = text;
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    bytes.set(addressBytes(quad[1]!), 12);
    tail = text.slice(0, -quad[1]!.length) + "0:0";
  }
  const [head, rest] = tail.includes("::") ? tail.split("::") : [tail, undefined];
  const left = head ? head.split(":") : [];
  const right = rest === undefined ? [] : rest ? rest.split(":") : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right].map((g) => parseInt(g, 16));
  groups.forEach((g, k) => {
    if (quad && k >= 6) return;
    bytes[2 * k] = g >> 8;
    bytes[2 * k + 1] = g & 255;
  });
  return bytes;
}

let corpus: ConnectionRecord[] | undefined;

/** Every connection record of the shared corpus's captures (empty without the corpus). */
export async function corpusRecords(): Promise<ConnectionRecord[]> {
  if (corpus) return corpus;
  const dir = corpusDir();
  const records: ConnectionRecord[] = [];
  for (const file of dir ? capturesUnder(dir) : []) {
    try {
      for await (const group of trackConnections([file], {}, [])) records.push(...group.records);
    } catch {
      // the corpus's broken captures: their records up to the error are kept
    }
  }
  return (corpus = records);
}

/** Every number in a value, depth first. */
export function numbersIn(value: unknown, into: number[] = []): number[] {
  if (typeof value === "number") into.push(value);
  else if (value && typeof value === "object") for (const v of Object.values(value)) numbersIn(v, into);
  return into;
}
