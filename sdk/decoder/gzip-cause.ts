// A record the decoder cannot read in a gzip input may be damaged compressed data that zlib
// inflated without complaint: only the member's trailer (its CRC-32 and length) then tells. So
// after such an error the rest of the input, when it is a file (or bytes) with at most
// CHECK_BYTES compressed bytes left, is inflated and thrown away to find out, and a finding that
// says the data is damaged (a CRC-32 or length that does not match, deflate data zlib refuses)
// names the error ("impossible record length 1809535508" alone sent the user to the capture's
// bytes, when its compressed bytes were damaged). A cut or trailing bytes after it say nothing
// about the record, nor does anything past the bound: the decoder's error then stands alone.

import { statSync } from "node:fs";
import type { DecodeError } from "./diagnostics.js";
import type { CaptureInput } from "./capture-input.js";
import { abortable } from "../abort.js";

export interface GzipDamage { code: string; message: string }

/** The most compressed bytes inflated to see what the trailer says, and the most bytes they may inflate to (~1 s here). */
export const CHECK_BYTES = 64 << 20;
export const CHECK_INFLATED_BYTES = 1 << 30;
// What says the data itself is damaged.
const DAMAGE = new Set(["gzip.bad_crc", "gzip.bad_length", "gzip.corrupt"]);

// The compressed bytes the input holds, if it is sure to end: bytes, or a regular file (a pipe
// or a stream may never end); else null.
function storedSize(input: CaptureInput): number | null {
  if (input instanceof Uint8Array) return input.length;
  if (typeof input !== "string" || input === "-") return null;
  try {
    const stat = statSync(input);
    return stat.isFile() ? stat.size : null;
  } catch {
    return null;
  }
}

/**
 * What the rest of the gzip stream `chunks` says of its data, if it says it is damaged
 * (inflated and dropped); `stored`: the compressed bytes read so far.
 */
export async function gzipDamageAfter(input: CaptureInput, chunks: AsyncIterator<Uint8Array>, stored: number, signal?: AbortSignal): Promise<GzipDamage | null> {
  const size = storedSize(input);
  if (size === null || size - stored > CHECK_BYTES) return null;
  try {
    for (let inflated = 0; inflated <= CHECK_INFLATED_BYTES;) {
      const next = await abortable(chunks.next(), signal);
      if (next.done) return null;
      inflated += next.value.length; // not needed: only how the stream ends
    }
    return null; // a bomb: not inflated to its end for this
  } catch (error) {
    if (signal?.aborted) throw error;
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" && DAMAGE.has(code) ? { code, message: (error as Error).message } : null;
  }
}

/** The decoder's error, named by the gzip layer's finding: where the capture turned unreadable, and why. */
export function withGzipCause(error: DecodeError, gzip: GzipDamage): DecodeError {
  return { ...error, code: gzip.code, message: `${error.message}, in data the gzip stream shows damaged: ${gzip.message}` };
}
