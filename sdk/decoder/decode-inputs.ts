// Several captures read as one: their packet batches in sequence, each with the number of
// packets in the inputs before it (so packet indices run on across files). The summary of each
// input is appended to `summaries` as it ends. Progress counts the input being read: it is
// reported as 0 when the next input starts, whose first read may count more than the last of a
// smaller one before it (a progress bar tells the next input by its count going down:
// cli/progress.ts, acrossInputs). The first input's first report is its first read.

import { decodeCapture, type CaptureSummary, type DecodeCaptureOptions } from "./decode-capture.js";
import { lookUpInput, type CaptureInput } from "./capture-input.js";
import type { PacketBatch } from "./packet-batch.js";
import type { DecoderPlacement } from "./packet-decoder.js";

export interface InputBatch { batch: PacketBatch; packetBase: number }

// Batches without records are yielded too when they carry a later time (packets that are not
// TCP, or not trackable): the trackers' clock, and so their timers, follow every packet.
export async function* decodeInputs(
  inputs: CaptureInput[], options: DecodeCaptureOptions, summaries: CaptureSummary[], placement?: DecoderPlacement,
): AsyncGenerator<InputBatch> {
  // Every named file is looked up before the first is read: one that cannot be opened fails the
  // scan before any record, at any thread count. (Found later, the records handed on before the
  // failure would depend on how far each thread had got.)
  for (const one of inputs) lookUpInput(one);
  let packetBase = 0;
  for (const [k, one] of inputs.entries()) {
    if (k > 0) options.onProgress?.({ bytesRead: 0, storedBytesRead: 0 });
    const decoding = decodeCapture(one, { ...options, everyStep: true }, placement);
    let sec = -1, nsec = 0;
    for await (const batch of decoding) {
      const later = batch.latestSec > sec || (batch.latestSec === sec && batch.latestNsec > nsec);
      if (batch.count === 0 && !later) continue;
      // A batch's first part handed on early has no time of its own (-1: PacketDecoder.releaseHeld).
      if (later) {
        sec = batch.latestSec;
        nsec = batch.latestNsec;
      }
      yield { batch, packetBase };
    }
    const summary = decoding.summary();
    summaries.push(summary);
    packetBase += summary.stats.packets + summary.stats.nonPacketFrames; // the frames it numbered
  }
}
