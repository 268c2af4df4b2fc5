// A record the decoder cannot read in a gzip input may be damaged compressed data that zlib
// inflated without complaint: only the member's trailer (its CRC-32 and length) then tells. So
// after such an error the rest of a finite input is inflated, and thrown away, to find out, and
// the error says what the gzip layer found ("impossible record length 1809535508" alone sent the
// user to the capture's bytes, when its compressed bytes were damaged).

import { statSync } from "node:fs";
import type { DecodeError } from "./diagnostics.js";
import type { CaptureInput } from "./capture-input.js";
import { abortable } from "../abort.js";

export interface GzipDamage { code: string; message: string }

// Whether the input ends for sure: bytes, or a regular file (a pipe or a stream may never end).
function finite(input: CaptureInput): boolean {
  if (input instanceof Uint8Array) return true;
  if (typeof input !== "string" || input === "-") return false;
  try {
    return statSync(input).isFile();
  } catch {
    return false;
  }
}

/** What the rest of the gzip stream `chunks` says is wrong with it, if anything (inflated and dropped). */
export async function gzipDamageAfter(input: CaptureInput, chunks: AsyncIterator<Uint8Array>, signal?: AbortSignal): Promise<GzipDamage | null> {
  if (!finite(input)) return null;
  try {
    while (!(await abortable(chunks.next(), signal)).done) { /* inflated, not needed */ }
    return null;
  } catch (error) {
    if (signal?.aborted) throw error;
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" && code.startsWith("gzip.") ? { code, message: (error as Error).message } : null;
  }
}

/** The decoder's error, named by the gzip layer's finding: where the capture turned unreadable, and why. */
export function withGzipCause(error: DecodeError, gzip: GzipDamage): DecodeError {
  return { ...error, code: gzip.code, message: `${error.message}, in data the gzip stream shows damaged: ${gzip.message}` };
}
