// The first packet's timestamp of a capture, read from its first chunk only: used to put
// rotated captures in time order before reading them as one.

import { decodeCapture } from "./decode-capture.js";
import type { CaptureInput } from "./capture-input.js";
import type { Timestamp } from "./packet-decoder.js";

export async function peekFirstTimestamp(input: CaptureInput): Promise<Timestamp | null> {
  // Step by step, TCP or not: a capture without TCP is not read to its end for this.
  const capture = decodeCapture(input, { everyStep: true });
  for await (const _batch of capture) if (capture.summary().stats.firstTimestamp) break;
  return capture.summary().stats.firstTimestamp;
}
