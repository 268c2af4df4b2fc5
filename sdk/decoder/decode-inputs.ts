// Several captures read as one: their packet batches in sequence, each with the number of
// packets in the inputs before it (so packet indices run on across files). The summary of each
// input is appended to `summaries` as it ends.

import { decodeCapture, type CaptureSummary, type DecodeCaptureOptions } from "./decode-capture.js";
import type { CaptureInput } from "./capture-input.js";
import type { PacketBatch } from "./packet-batch.js";
import type { DecoderPlacement } from "./packet-decoder.js";

export interface InputBatch { batch: PacketBatch; packetBase: number }

export async function* decodeInputs(
  inputs: CaptureInput[], options: DecodeCaptureOptions, summaries: CaptureSummary[], placement?: DecoderPlacement,
): AsyncGenerator<InputBatch> {
  let packetBase = 0;
  for (const one of inputs) {
    const decoding = decodeCapture(one, options, placement);
    for await (const batch of decoding) yield { batch, packetBase };
    const summary = decoding.summary();
    summaries.push(summary);
    packetBase += summary.stats.packets;
  }
}
