// One-line messages for input problems: file, byte offset, cause. Never a stack trace.

import type { DecodeError } from "../sdk/index.js";
import { escapeControls } from "./error-lines.js";
import { causeInWords } from "../sdk/error-causes.js";

// Errors in the file's own header: before any packet, there is no frame to name.
const BEFORE_ANY_PACKET = new Set(["capture.empty", "capture.bad_magic", "capture.truncated_file_header", "capture.unsupported_version", "pcapng.bad_byte_order_magic", "pcapng.block_before_section", "pcap.linktype_reserved_bits"]);

/** "byte 4556 (packet 23)": the damaged record's byte offset and frame number (1-based). */
export function errorWhere(e: DecodeError): string {
  return e.packet <= 1 && BEFORE_ANY_PACKET.has(e.code) ? `byte ${e.offset}` : `byte ${e.offset} (packet ${e.packet})`;
}

export function errorLine(file: string, e: DecodeError): string {
  return `tcp-handshake-scan: ${escapeControls(`${file}: ${errorWhere(e)}: ${e.message}`)}`;
}

/** The cause of a failure to open an input, in plain words. */
export function openErrorMessage(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e?.code) {
    case "ENOENT": return "no such file";
    case "EACCES": case "EPERM": return "permission denied";
    case "EISDIR": return "is a directory, not a capture";
    default:
      if (typeof e?.code === "string") return `cannot read: ${causeInWords(e as NodeJS.ErrnoException & { code: string })}`;
      throw error; // not an input problem: a bug, reported as such by main()
  }
}
