// `tcp-handshake-scan info`: what is in each capture, and whether it could be read whole.

import { statSync } from "node:fs";
import { decodeCapture, type CaptureInput } from "../../sdk/index.js";
import { peekInputsSettled, rereadable } from "../../sdk/decoder/peek.js";
import { infoReport, renderInfoText } from "../format/info-report.js";
import { EXIT_OK, EXIT_UNREADABLE, EXIT_PARTIAL, worst } from "../exit-codes.js";
import { errorLine, openErrorMessage } from "../report-error.js";
import { Output, outputFailed } from "../output.js";
import { checkInputsAndOutput } from "../input-identity.js";
import { decapsulationOptions, type DecapsulationFlags } from "../decapsulation-flags.js";
import { sayError } from "../error-lines.js";

export interface InfoFlags extends DecapsulationFlags {
  json?: boolean;
  verifyChecksums?: boolean;
  /** Taken for scripts that pass -q to every command: info writes nothing but errors on standard error. */
  quiet?: boolean;
}

export async function runInfo(captures: string[], flags: InfoFlags): Promise<number> {
  // Standard output redirected onto a capture would append to it (`info a.pcap >> a.pcap`).
  checkInputsAndOutput(captures, undefined, false);
  const output = new Output();
  try {
    const exit = await describeAll(captures, flags, output);
    await output.close();
    return exit;
  } catch (error) {
    return outputFailed(error);
  }
}

async function describeAll(captures: string[], flags: InfoFlags, output: Output): Promise<number> {
  let exit = EXIT_OK;
  const decapsulation = decapsulationOptions(flags);
  const inputs = await pipesOpenedAtOnce(captures);
  for (const [k, file] of captures.entries()) {
    const name = file === "-" ? "<stdin>" : file; // as the scan names it, in the report and its messages
    const capture = decodeCapture(inputs[k]!, { verifyChecksums: flags.verifyChecksums, ...decapsulation });
    let openError: string | undefined;
    try {
      for await (const _batch of capture) { /* statistics accumulate in the decoder */ }
    } catch (error) {
      openError = openErrorMessage(error);
    }
    if (openError !== undefined) {
      sayError(`${name}: ${openError}`);
      exit = worst(exit, EXIT_UNREADABLE);
      if (flags.json) {
        await output.write(JSON.stringify({ file: name, errors: [{ code: "input.open_failed", message: openError, offset: 0, packet: 0 }] }) + "\n");
      }
      continue;
    }
    const summary = capture.summary();
    let size: number | null = null; // of a regular file; a pipe's is not known
    try { if (file !== "-") { const st = statSync(file); if (st.isFile()) size = st.size; } } catch { /* gone since: not known */ }
    // First and last as capinfos takes them: the earliest and the latest, whatever the order.
    const span = capture.timeSpan();
    const report = infoReport(name, summary, size, span);
    await output.write(flags.json ? JSON.stringify(report) + "\n" : renderInfoText(report, summary, span) + (captures.length > 1 ? "\n" : ""));
    await output.flush(); // each capture's description as soon as it is read
    if (summary.error) {
      process.stderr.write(errorLine(name, summary.error) + "\n");
      exit = worst(exit, summary.stats.packets > 0 ? EXIT_PARTIAL : EXIT_UNREADABLE);
    }
  }
  return exit;
}

/**
 * `captures` to read, in their order: the pipes among them (and standard input) opened and
 * peeked at all at once, as a scan opens them (peekInputs), their peeks read again from memory;
 * files as they are. Pipes fed by one writer (`tee a b`) would otherwise wait for good: tee opens
 * every pipe before it writes to any, and the second was opened only once the first had ended.
 * A pipe that cannot be opened is left to the read below, which says why.
 */
async function pipesOpenedAtOnce(captures: string[]): Promise<CaptureInput[]> {
  const once = captures.map((f, k) => ({ f, k })).filter(({ f }) => !rereadable(f));
  if (once.length < 2) return captures;
  const inputs: CaptureInput[] = [...captures];
  const peeked = await peekInputsSettled(once.map(({ f }) => f));
  // One that could not be opened stays its path: opened again below, which says why.
  peeked.forEach((p, j) => { if (!("error" in p)) inputs[once[j]!.k] = p.input; });
  return inputs;
}
