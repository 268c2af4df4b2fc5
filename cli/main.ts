// The tcp-handshake-scan command line. Commands import the SDK lazily so that --help and
// --version answer at once.

import { EXIT_INTERNAL, EXIT_USAGE } from "./exit-codes.js";
import { UsageError } from "./usage-error.js";
import { internalErrorMessage } from "./internal-error.js";
import { denoRefusalLine } from "./deno-permissions.js";
import { parseCommandLine, helpText } from "./args.js";
import { packageFolder, packageVersion, versionLine } from "./version.js";
import type { ScanFlags } from "./commands/scan.js";
import type { InfoFlags } from "./commands/info.js";
import type { PartitionFlags } from "./commands/partition.js";
import type { ReduceFlags } from "./commands/reduce.js";
import { sayError } from "./error-lines.js";
import { answerStatusSignal } from "./status-signal.js";

export { UsageError };


export async function main(argv: string[]): Promise<number> {
  answerStatusSignal(); // SIGUSR1: this bundle's line, under its progress bar
  try {
    const line = parseCommandLine(argv.slice(2));
    if (line.help || line.version) {
      const { printToStdout } = await import("./output.js");
      return await printToStdout(line.help ? helpText(line.command, packageVersion(), packageFolder()) : `${versionLine()}\n`);
    }
    // Node without WebAssembly (--jitless) cannot decode: an environment to name, not a bug to report.
    if (typeof WebAssembly === "undefined") {
      sayError("this Node runs without WebAssembly (--jitless?), which the decoder needs");
      return EXIT_INTERNAL;
    }
    if (line.flags.fromPartitions !== undefined) {
      const { runFromPartitions } = await import("./commands/reduce.js");
      return await runFromPartitions(line.captures, line.flags as ReduceFlags);
    }
    if (line.captures.length === 0) throw new UsageError(`no capture given (try${line.command === "scan" ? "" : ` ${line.command}`} --help)`);
    if (line.captures.includes("")) throw new UsageError('a capture named "" (an empty argument: an unset shell variable?)');
    if (line.command === "partition") {
      const { runPartition } = await import("./commands/partition.js");
      return await runPartition(line.captures, line.flags as PartitionFlags);
    }
    if (line.command === "info") {
      const { runInfo } = await import("./commands/info.js");
      return await runInfo(line.captures, line.flags as InfoFlags);
    }
    const { runScan } = await import("./commands/scan.js");
    return await runScan(line.captures, line.flags as ScanFlags);
  } catch (error) {
    if (error instanceof UsageError) {
      sayError(error.message);
      return EXIT_USAGE;
    }
    const refused = denoRefusalLine(error); // a permission Deno was not given (--allow-write for -o)
    if (refused !== null) {
      sayError(refused);
      return EXIT_USAGE;
    }
    process.stderr.write(internalErrorMessage(error, packageVersion()));
    return EXIT_INTERNAL;
  }
}
