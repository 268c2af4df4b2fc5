// What a named file is, whatever its spelling: its real path, and its device and inode. The
// command's checks of its captures and output (cli/input-identity.ts, a reduce's -o) and a map
// task's (partition-captures.ts) compare captures by these.

import { fstatSync, realpathSync, statSync, type Stats } from "node:fs";
import { resolve } from "node:path";

/** The file's real path (links, /dev/stdin redirected from a file, followed); its absolute path when that cannot be had. */
export function realPath(file: string): string {
  try { return realpathSync(file); } catch { return resolve(file); }
}

/** The file's status ("-": standard input's); null when it is missing or cannot be read (reported when it is read). */
export function fileStatus(file: string): Stats | null {
  try {
    return file === "-" ? fstatSync(0) : statSync(file);
  } catch {
    return null;
  }
}

/** Whether two statuses are one file (device and inode). */
export const sameFile = (a: Stats, b: Stats) => a.dev === b.dev && a.ino === b.ino;

/** The first of `files` that is one named before it, as [earlier, later] indices; null when all differ. */
export function repeatedFile(files: readonly string[], statuses: readonly (Stats | null)[] = files.map(fileStatus)): [number, number] | null {
  for (let i = 0; i < files.length; i++) {
    for (let j = 0; j < i; j++) {
      if (statuses[i] && statuses[j] && sameFile(statuses[i]!, statuses[j]!)) return [j, i];
    }
  }
  return null;
}
