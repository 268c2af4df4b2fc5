// The captures' total size, known before anything is read: for the progress bar, and to run a
// small capture on one thread. Imports nothing of the SDK (the command loads that lazily).

import { statSync } from "node:fs";

/** Total bytes of the inputs, or null when unknown (standard input, a pipe, a file that cannot be read). */
export function totalSize(files: string[]): number | null {
  let total = 0;
  for (const f of files) {
    if (f === "-") return null;
    try {
      const stat = statSync(f);
      if (!stat.isFile()) return null; // a pipe's size says nothing of what will come
      total += stat.size;
    } catch {
      return null;
    }
  }
  return total;
}
