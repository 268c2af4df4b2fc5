// One-line messages for input problems: file, byte offset, cause. Never a stack trace.

import type { DecodeError } from "../sdk/index.js";

export function errorLine(file: string, e: DecodeError): string {
  return `tcp-handshake-scan: ${file}: byte ${e.offset} (packet ${e.packet}): ${e.message}`;
}

/** The cause of a failure to open an input, in plain words. */
export function openErrorMessage(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e?.code) {
    case "ENOENT": return "no such file";
    case "EACCES": case "EPERM": return "permission denied";
    case "EISDIR": return "is a directory, not a capture";
    default:
      if (e?.code) return `cannot read (${e.code}): ${e.message}`;
      throw error; // not an input problem: a bug, reported as such by main()
  }
}
