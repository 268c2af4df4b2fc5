// `tcp-handshake-scan info`: what is in each capture, and whether it could be read whole.

import { decodeCapture } from "../../sdk/index.js";
import { infoReport, renderInfoText } from "../format/info-report.js";
import { EXIT_OK, EXIT_UNREADABLE, EXIT_PARTIAL, worst } from "../exit-codes.js";
import { errorLine, openErrorMessage } from "../report-error.js";
import { decapsulationOptions, type DecapsulationFlags } from "../decapsulation-flags.js";

export interface InfoFlags extends DecapsulationFlags {
  json?: boolean;
  verifyChecksums?: boolean;
}

export async function runInfo(captures: string[], flags: InfoFlags): Promise<number> {
  let exit = EXIT_OK;
  const decapsulation = decapsulationOptions(flags);
  for (const file of captures) {
    const capture = decodeCapture(file, { verifyChecksums: flags.verifyChecksums, ...decapsulation });
    let openError: string | undefined;
    try {
      for await (const _batch of capture) { /* statistics accumulate in the decoder */ }
    } catch (error) {
      openError = openErrorMessage(error);
    }
    if (openError !== undefined) {
      process.stderr.write(`tcp-handshake-scan: ${file}: ${openError}\n`);
      exit = worst(exit, EXIT_UNREADABLE);
      if (flags.json) {
        process.stdout.write(JSON.stringify({ file, errors: [{ code: "input.open_failed", message: openError, offset: 0, packet: 0 }] }) + "\n");
      }
      continue;
    }
    const summary = capture.summary();
    const report = infoReport(file === "-" ? "<stdin>" : file, summary);
    process.stdout.write(flags.json ? JSON.stringify(report) + "\n" : renderInfoText(report, summary) + (captures.length > 1 ? "\n" : ""));
    if (summary.error) {
      process.stderr.write(errorLine(file, summary.error) + "\n");
      exit = worst(exit, summary.stats.packets > 0 ? EXIT_PARTIAL : EXIT_UNREADABLE);
    }
  }
  return exit;
}
