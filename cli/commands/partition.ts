// The map task of a scan spread over machines: `partition --buckets B -o DIR captures…` writes
// the captures' TCP packet records by flow-hash bucket to DIR/map-…/ (sdk/partition/), and
// prints that directory. A damaged capture is partitioned up to the damage, with the scan's
// error line and exit code.

import { partitionCaptures, MAX_BUCKETS } from "../../sdk/partition/partition-captures.js";
import { checkInputsAndOutput } from "../input-identity.js";
import { allCanBeOpened } from "../inputs.js";
import { openErrorMessage } from "../report-error.js";
import { Output, outputFailed } from "../output.js";
import { causeInWords } from "../../sdk/error-causes.js";
import { EXIT_OUTPUT, EXIT_UNREADABLE } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";
import { wholeNumber } from "../whole-number.js";
import { decapsulationOptions, type DecapsulationFlags } from "../decapsulation-flags.js";
import { reportInputs } from "./scan.js";
import { stopOnSignals } from "../stop-on-signals.js";
import { sayError } from "../error-lines.js";

export interface PartitionFlags extends DecapsulationFlags {
  buckets?: string;
  output?: string;
  verifyChecksums?: boolean;
  quiet?: boolean;
}

export async function runPartition(files: string[], flags: PartitionFlags): Promise<number> {
  if (flags.buckets === undefined) throw new UsageError("partition needs --buckets B (the reduce tasks there will be)");
  const buckets = wholeNumber(flags.buckets);
  if (buckets === null || buckets < 1 || buckets > MAX_BUCKETS) {
    throw new UsageError(`--buckets: "${flags.buckets}" is not a count of buckets from 1 to ${MAX_BUCKETS}`);
  }
  if (flags.output === undefined || flags.output === "" || flags.output === "-") {
    throw new UsageError("partition needs -o DIR, the directory every map task of a run writes to");
  }
  // A map output is named after its files: standard input has no name to find it again by.
  if (files.includes("-")) throw new UsageError("partition reads named captures, not standard input");
  checkInputsAndOutput(files, undefined);
  if (!allCanBeOpened(files)) return EXIT_UNREADABLE;
  const options = { buckets, verifyChecksums: flags.verifyChecksums ?? false, ...decapsulationOptions(flags) };
  try {
    // partitionCaptures reads the files in capture order (a pipe's peek given again): not ordered
    // here, where a pipe would become a replay of it, not a path naming the map output.
    // A signal stops the task: partitionCaptures removes its temporary directory, then the
    // process ends as the signal.
    const stop = stopOnSignals();
    let result: Awaited<ReturnType<typeof partitionCaptures>>;
    try {
      const onWarning = (line: string) => { if (!flags.quiet) sayError(line); };
      result = await partitionCaptures(files, flags.output, { ...options, signal: stop.signal, onWarning });
    } finally {
      const ended = await stop.end();
      if (ended !== null) return ended;
    }
    const { dir, captures } = result;
    const exit = reportInputs(captures, flags.quiet ?? false);
    // The directory is the task's result: not printed (a full disk, a closed pipe) is a failure.
    const out = new Output();
    try {
      await out.write(dir + "\n");
      await out.close();
    } catch (error) {
      return outputFailed(error);
    }
    return exit;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const path = (error as { path?: string }).path;
    // Failing to write the partitions (the directory, a full disk) is the output's failure.
    if (code && path && !files.includes(path)) {
      sayError(`${flags.output}: cannot write the partitions: ${causeInWords(error as NodeJS.ErrnoException & { code: string })}`);
      return EXIT_OUTPUT;
    }
    const message = openErrorMessage(error); // rethrows anything that is not an input problem
    sayError(`${path ?? files.join(", ")}: ${message}`);
    return EXIT_UNREADABLE;
  }
}
