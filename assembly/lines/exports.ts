// The line writer, exported from the tracker module (assembly/tracker/index.ts) so that a tracker
// instance writes in its own memory: its parts one value at a time (numbers, addresses,
// Community IDs: each writes at `at` and returns the length; writeNumber 0 where JS must write
// the number) and a whole line: ndjson (writeLine), csv (writeCsvLine), zeek (writeZeekLine);
// sdk/lines/wasm-lines.ts.

import { zeekLocal } from "./zeek-local";
export { clearSiteNets, addSiteNet } from "./zeek-local";
import { numberAt } from "./numbers";
import { addressAt } from "./address";
import { communityIdAt } from "./community-id";
import { LINE_MAX_BYTES } from "./ndjson";

export { writeLine } from "./ndjson";
export { writeCsvLine } from "./csv";
export { writeZeekLine } from "./zeek";
export { setBlocksBase } from "./record-blocks";

const SCRATCH_BYTES: usize = 256;
let scratch: usize = 0;

/** A scratch area of linesScratchBytes() bytes for the calls' inputs and output (allocated on first use). */
export function linesScratchPtr(): usize {
  if (scratch == 0) scratch = heap.alloc(SCRATCH_BYTES);
  return scratch;
}
export function linesScratchBytes(): u32 { return <u32>SCRATCH_BYTES; }

export function writeNumber(n: f64, at: usize): u32 { return numberAt(n, at); }
export function writeAddress(from: usize, version: u32, at: usize): u32 { return addressAt(from, version, at); }
export function writeCommunityId(length: i32, srcAt: usize, srcPort: u32, dstAt: usize, dstPort: u32, seed: u32, at: usize): u32 {
  return communityIdAt(length, srcAt, srcPort, dstAt, dstPort, seed, at);
}

/** The room writeLine needs at its output. */
export function lineMaxBytes(): u32 { return LINE_MAX_BYTES; }
/** Whether Zeek counts the address at `at` (16 bytes, IPv4 in the first 4) as local: zeek.ts's local_orig and local_resp. */
export function zeekLocalAddress(at: usize, version: u32): bool { return zeekLocal(at, version); }

let area: usize = 0;
let areaBytes: usize = 0;

/** An area of at least `bytes` for records and the lines written from them (what it held before is not kept). */
export function linesArea(bytes: usize): usize {
  if (bytes > areaBytes) {
    if (area != 0) heap.free(area);
    areaBytes = bytes + (bytes >> 1); // room to grow: a batch's ended records vary
    area = heap.alloc(areaBytes);
  }
  return area;
}
