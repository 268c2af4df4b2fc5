// The captures named on the command line, in the order to read them: by the timestamp of
// their first packet, so that rotated files read as one capture whatever their order on the
// command line (equal times by name: sdk/decoder/capture-order.ts). A
// capture that can be read only once (a named pipe, `<(...)`, standard input) is peeked at
// without losing what the peek read (peekInput); a few files are peeked at once (peekInputs).

import { type CaptureInput } from "../sdk/index.js";
import { peekInputs, beyondLookAheadWarning } from "../sdk/decoder/peek.js";
import { inputName, lookUpInput } from "../sdk/decoder/capture-input.js";
import { captureOrderKey, compareCaptureOrder } from "../sdk/decoder/capture-order.js";
import { openErrorMessage } from "./report-error.js";
import { sayError } from "./error-lines.js";

/**
 * Looks up every named capture as the scan will before reading the first (lookUpInput: missing,
 * a directory, a regular file that cannot be opened); false, the first such said in one line,
 * when one cannot be read: nothing is started for them.
 */
export function allCanBeOpened(files: string[]): boolean {
  for (const f of files) {
    try {
      lookUpInput(f);
    } catch (error) {
      sayError(`${inputName(f)}: ${openErrorMessage(error)}`);
      return false;
    }
  }
  return true;
}

/**
 * `files` in capture order (compareCaptureOrder: by first packet, equal times by name), each
 * peeked; `warn` is given a line for a pipe read ahead as far as a peek goes without a packet
 * (it is read last, where its packets may not belong).
 */
export async function orderByFirstPacket(files: string[], warn: (line: string) => void = () => {}): Promise<CaptureInput[]> {
  if (files.length < 2) return files;
  const peeked = await peekInputs(files);
  peeked.forEach((p, k) => {
    if (p.beyondLookAhead) warn(beyondLookAheadWarning(inputName(files[k]!), p.peekedBytes));
  });
  const stamped = peeked.map(({ first, input }, k) => ({ input, key: captureOrderKey(files[k]!, first) }));
  return stamped.sort((a, b) => compareCaptureOrder(a.key, b.key)).map((s) => s.input);
}
