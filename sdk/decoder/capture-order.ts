// The order in which several captures are read as one (rotated files): by their first packet's
// time, compared exactly (seconds, then nanoseconds: as one double, first packets ~240 ns apart
// today compared equal); a capture without a packet last; equal times by the file's base name,
// then by its whole path (code-unit order). A scan and the map and reduce tasks of a partitioned
// scan order by this one rule, so that any grouping of the files over map tasks reads them in the
// order a scan of them all does (command-line order would differ from task to task).

import { basename, resolve } from "node:path";

export interface CaptureOrderKey {
  first: { sec: number; nsec: number } | null;
  /** The capture's absolute path. */
  path: string;
}

/** A key for `file` (as named) with this first packet. */
export function captureOrderKey(file: string, first: { sec: number; nsec: number } | null): CaptureOrderKey {
  return { first, path: resolve(file) };
}

/** Negative when `a` is read before `b`. */
export function compareCaptureOrder(a: CaptureOrderKey, b: CaptureOrderKey): number {
  if (a.first === null || b.first === null) {
    if (a.first !== b.first) return a.first === null ? 1 : -1;
  } else if (a.first.sec !== b.first.sec || a.first.nsec !== b.first.nsec) {
    return a.first.sec - b.first.sec || a.first.nsec - b.first.nsec;
  }
  return byCodeUnits(basename(a.path), basename(b.path)) || byCodeUnits(a.path, b.path);
}

/** Text in code-unit order (not the locale's): negative when `a` comes first. */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
