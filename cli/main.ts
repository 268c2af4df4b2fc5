// The tcp-handshake-scan command line. Commands import the SDK lazily so that --help and
// --version answer at once.

import { cac } from "cac";
import { readFileSync } from "node:fs";
import { EXIT_INTERNAL, EXIT_USAGE } from "./exit-codes.js";

/** An error in how the command was called: printed as one line, exit code 2. */
export class UsageError extends Error {}

function packageVersion(): string {
  for (const rel of ["../../package.json", "../package.json"]) {
    try {
      return JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")).version;
    } catch { /* try the next layout */ }
  }
  return "unknown";
}

// cac's parser swallows a lone "-"; it is carried through parsing under another name.
const STDIN_ARG = "\u0000stdin";
const restoreStdin = (captures: string[]) => captures.map((c) => (c === STDIN_ARG ? "-" : c));

export async function main(argv: string[]): Promise<number> {
  argv = argv.map((a, i) => (i >= 2 && a === "-" ? STDIN_ARG : a));
  const cli = cac("tcp-handshake-scan");
  let pending: Promise<number> | undefined;

  cli
    .command("info <...captures>", "Describe captures, like capinfos: container, interfaces, packets by kind, errors")
    .option("--json", "One JSON object per capture")
    .option("--verify-checksums", "Verify IPv4 and TCP checksums (count bad ones)")
    .example("tcp-handshake-scan info trace.pcapng")
    .example("tcp-handshake-scan info --json rotated-*.pcap.gz")
    .action((captures: string[], flags: { json?: boolean; verifyChecksums?: boolean }) => {
      pending = import("./commands/info.js").then((m) => m.runInfo(restoreStdin(captures), flags));
    });

  cli.help();
  cli.version(packageVersion());

  try {
    cli.parse(argv, { run: false });
    if (cli.options.help || cli.options.version) return 0;
    if (!cli.matchedCommand) {
      if (cli.args.length === 0) { cli.outputHelp(); return EXIT_USAGE; }
      throw new UsageError(`unknown command "${cli.args[0]}" (try --help)`);
    }
    checkUnknownOptions(cli);
    await cli.runMatchedCommand();
    return await (pending ?? Promise.resolve(0));
  } catch (error) {
    if (error instanceof UsageError || (error as Error).name === "CACError") {
      process.stderr.write(`tcp-handshake-scan: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`tcp-handshake-scan: internal error (please report): ${(error as Error).stack ?? error}\n`);
    return EXIT_INTERNAL;
  }
}

// cac accepts any --flag; a typo should be an error, not silently ignored.
function checkUnknownOptions(cli: ReturnType<typeof cac>): void {
  const known = new Set<string>(["--", "help", "h", "version", "v"]);
  for (const o of [...(cli.matchedCommand?.options ?? []), ...cli.globalCommand.options]) {
    for (const n of o.names) known.add(n);
  }
  for (const name of Object.keys(cli.options)) {
    if (!known.has(name)) throw new UsageError(`unknown option "--${name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}" (try --help)`);
  }
}
