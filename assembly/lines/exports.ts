// The line writers' parts, exported from the tracker module (assembly/tracker/index.ts) so that
// a tracker instance writes numbers, addresses and Community IDs into its own memory. Each writes
// at `at` and returns the length written; writeNumber returns 0 where JS must write the number.

import { numberAt } from "./numbers";
import { addressAt } from "./address";
import { communityIdAt } from "./community-id";

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

export { writeLine } from "./ndjson";
/** The room writeLine needs at its output. */
export function lineMaxBytes(): u32 { return LINE_MAX_BYTES; }
import { LINE_MAX_BYTES } from "./ndjson";

let area: usize = 0;
let areaBytes: usize = 0;

/** An area of at least `bytes` for the records lines are written from and the lines (the last one's contents are not kept). */
export function linesArea(bytes: usize): usize {
  if (bytes > areaBytes) {
    if (area != 0) heap.free(area);
    area = heap.alloc(bytes);
    areaBytes = bytes;
  }
  return area;
}
