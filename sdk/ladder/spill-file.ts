// Where ladders wait for their turn once too many are held back in memory: a temporary file
// whose name is removed as soon as it is opened, so it goes away with the process however that
// ends. Each ladder is written as JSON and read back, once, where it was written.

import { causeInWords } from "../error-causes.js";
import { closeSync, readSync, writeSync } from "node:fs";
import { openUnlinkedTemporary, temporaryDirectory } from "../temporary-file.js";
import type { ConnectionLadder } from "./ladder-capture.js";

/** Ladders held back in memory at most; the rest wait on disk. */
export const MAX_WAITING = 256;

/** The temporary file for held-back ladders could not be made or written (a full disk). */
export class LadderSpillError extends Error {
  override name = "LadderSpillError";
}

/** Where a ladder lies in the file. */
export interface SpilledAt { at: number; length: number }

export class SpillFile {
  private fd = -1;
  private end = 0;

  write(ladder: ConnectionLadder): SpilledAt {
    const bytes = Buffer.from(JSON.stringify(ladder));
    try {
      if (this.fd < 0) this.fd = openUnlinkedTemporary("tcp-handshake-scan-ladders-", "waiting.json");
      for (let at = 0; at < bytes.length;) at += writeSync(this.fd, bytes, at, bytes.length - at, this.end + at);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      const cause = typeof e?.code === "string" ? causeInWords(e as NodeJS.ErrnoException & { code: string }) : (error as Error).message;
      throw new LadderSpillError(`cannot keep the ladders waiting for their turn in ${temporaryDirectory()}: ${cause}${denoHint(error)}`);
    }
    const where = { at: this.end, length: bytes.length };
    this.end += bytes.length;
    return where;
  }

  read(where: SpilledAt): ConnectionLadder {
    const bytes = Buffer.alloc(where.length);
    for (let at = 0; at < bytes.length;) {
      const n = readSync(this.fd, bytes, at, bytes.length - at, where.at + at);
      if (n === 0) throw new LadderSpillError("a held-back ladder's temporary file ended early");
      at += n;
    }
    return JSON.parse(bytes.toString("utf8")) as ConnectionLadder;
  }

  /** Closes the file, which removes it (idempotent). */
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** What Deno's permission errors need (only --allow-read is needed for everything else). */
function denoHint(error: unknown): string {
  return (error as { name?: string } | null)?.name === "NotCapable" ? " (under Deno, ladders held back need --allow-env and --allow-write)" : "";
}
