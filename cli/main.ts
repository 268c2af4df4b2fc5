// The tcp-handshake-scan command line. Commands import the SDK lazily so that --help and
// --version answer at once.

import { cac } from "cac";
import { readFileSync } from "node:fs";
import { EXIT_INTERNAL, EXIT_USAGE } from "./exit-codes.js";
import { UsageError } from "./usage-error.js";

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

export { UsageError };

export async function main(argv: string[]): Promise<number> {
  argv = argv.map((a, i) => (i >= 2 && a === "-" ? STDIN_ARG : a));
  const cli = cac("tcp-handshake-scan");
  let pending: Promise<number> | undefined;

  cli
    .command("[...captures]", "Classify every TCP connection: handshake outcome, RTTs, options, teardown, Zeek conn_state and history")
    .option("--format <format>", "Output: text (summary), json, ndjson (streamed), csv, zeek (conn.log TSV)", { default: "text" })
    .option("-o, --output <file>", "Write the output to a file instead of standard output")
    .option("--filter <expr>", 'Only connections matching EXPR, e.g. "dst port 443 and not outcome complete"')
    .option("--ladder <id|expr>", "Draw the packet exchange of one connection (by id) or of those matching EXPR")
    .option("--server-ports <ports>", "Likely server ports for orienting mid-stream connections: zeek, none, or a list", { default: "zeek" })
    .option("--verify-checksums", "Verify IPv4 and TCP checksums; drop bad packets as Zeek does (its default; -C turns it off)")
    .option("--top <n>", "How many connections of each kind the summary lists", { default: 10 })
    .option("--max-half-open <n>", "Half-open connections kept at once, the memory bound under a SYN flood; the oldest past it ends as \"evicted\" (default 100000; none: no limit)")
    .option("--max-connections <n>", "Other connections kept at once, the memory bound under any other flood; the least recently active past it end as \"evicted\", one-sided and mid-stream first (default 30000; none: no limit)")
    .option("--threads <n>", "Threads to use: this one decodes, n - 1 workers track shares of the flows; same output for any n (default: the cores available; 1 under 64 MB of capture)")
    .option("--no-progress", "No progress bar on standard error")
    .option("-q, --quiet", "No progress bar and no warnings")
    .example("tcp-handshake-scan big.pcap")
    .example("tcp-handshake-scan --format ndjson trace.pcapng.gz > conns.ndjson")
    .example('tcp-handshake-scan --filter "outcome rejected or outcome unanswered" --format csv -o failed.csv big.pcap')
    .example("tcp-handshake-scan --ladder 42 big.pcap")
    .example("tcp-handshake-scan --format zeek rotated-*.pcap | zeek-cut id.orig_h id.resp_h conn_state history")
    .example("Filter language: [src|dst] host ADDR, [src|dst] net CIDR, [src|dst] port N, state S0, outcome rejected, teardown rst-resp, id N, and/or/not, parentheses")
    .action((captures: string[], flags: Record<string, unknown>) => {
      if (captures.length === 0) throw new UsageError("no capture given (try --help)");
      pending = import("./commands/scan.js").then((m) => m.runScan(restoreStdin(captures), flags));
    });

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
    if (!cli.matchedCommand) { cli.outputHelp(); return EXIT_USAGE; }
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
