// The first packet's timestamp of a capture, read from its first chunk only: used to put
// rotated captures in time order before reading them as one.

import { decodeCapture } from "./decode-capture.js";
import type { CaptureInput } from "./capture-input.js";
import type { Timestamp } from "./packet-decoder.js";

export async function peekFirstTimestamp(input: CaptureInput): Promise<Timestamp | null> {
  const capture = decodeCapture(input);
  for await (const _batch of capture) break; // one decoder step is enough for a timestamp
  return capture.summary().stats.firstTimestamp;
}
