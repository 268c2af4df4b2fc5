// A temporary file whose name is removed as soon as it is opened: it goes away with the process
// however that ends (the ladders held back, the json document's connections waiting for the end).

import { mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Opens a new file in a new directory of the system's temporary one, then removes both names. */
export function openUnlinkedTemporary(prefix: string, name: string): number {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return openSync(join(dir, name), "w+", 0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Under Deno, tmpdir() itself needs --allow-env (it reads TMPDIR): asked again in a message about
// a failure, it threw the permission error in place of that message.
/** The system's temporary directory for a message, or words for it when it cannot be asked. */
export function temporaryDirectory(): string {
  try {
    return tmpdir();
  } catch {
    return "the temporary directory";
  }
}
