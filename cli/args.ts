// The command line, parsed with Node's own util.parseArgs: options may come before, between or
// after the captures and mean the same wherever they are; a boolean flag never takes the word
// after it (`--verify-checksums a.pcap` is the flag and a capture); `-` is standard input;
// `--` ends the options. Imports nothing of the SDK: the early worker start reads it too.

import { parseArgs } from "node:util";
import { UsageError } from "./usage-error.js";
import { SMALL_CAPTURE_PACKETS } from "./threads.js";
import { MEMORY_TARGET_MB } from "./thread-memory.js";
import { versionLine } from "./version.js";

export type Command = "scan" | "info" | "partition";

// 600 000: digits in groups of three. Not toLocaleString("en-US"): its first call loads ICU's
// locale data, ~9 ms at the start of every run, as this module's option table is built then.
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

export interface OptionSpec {
  /** The long name, without "--". */
  name: string;
  short?: string;
  /** The value's placeholder in --help; absent for a flag. */
  value?: string;
  help: string;
  /** The commands it applies to. */
  commands: readonly Command[];
  /** What it means for one command, when that differs (its placeholder and help there). */
  forCommand?: Partial<Record<Command, { value?: string; help: string }>>;
}

export const OPTIONS: readonly OptionSpec[] = [
  { name: "format", value: "FORMAT", commands: ["scan"], help: "text (default: a summary), json, ndjson (one connection a line, streamed), csv, zeek (conn.log TSV), parquet (with -o FILE or to a pipe)" },
  {
    name: "output", short: "o", value: "FILE", commands: ["scan", "partition"],
    help: "write there instead of standard output (-: standard output); the file appears only once the run is complete",
    forCommand: { partition: { value: "DIR", help: "the directory every map task of a run writes to (each into a map-… directory of its own there)" } },
  },
  { name: "filter", value: "EXPR", commands: ["scan"], help: 'only the connections matching EXPR, e.g. "dst port 443 and not outcome complete"' },
  { name: "ladder", value: "ID|EXPR", commands: ["scan"], help: "draw the packet exchange of one connection (by id) or of those matching EXPR" },
  { name: "ladder-limit", value: "N|none", commands: ["scan"], help: "how many connections --ladder EXPR draws, the first by frame number (default 20; none: all)" },
  { name: "server-ports", value: "PORTS", commands: ["scan"], help: "ports taken as the server side of connections first seen mid-stream: zeek (default), none, or a list like 80,443" },
  {
    name: "verify-checksums", commands: ["scan", "info", "partition"], help: "verify IPv4 and TCP checksums; drop bad packets as Zeek does by default",
    forCommand: { info: { help: "verify IPv4 and TCP checksums and count the packets whose checksums are wrong" } },
  },
  { name: "tunnel-ports", value: "LIST", commands: ["scan", "info", "partition"], help: "more UDP ports taken as tunnels, e.g. vxlan=4790,geneve=6082+6083 (types: vxlan, geneve, gtpu, teredo, ayiya, mpls-udp; Zeek's ports are always taken)" },
  { name: "max-tunnel-depth", value: "N", commands: ["scan", "info", "partition"], help: "tunnel levels decapsulated at most, 0-3 (default 2, Zeek's Tunnel::max_depth; 0: none)" },
  { name: "local-nets", value: "LIST", commands: ["scan"], help: "with --format zeek: the site's own networks (Zeek's Site::local_nets), e.g. 203.0.113.0/24,2001:db8::/32, counted local in local_orig and local_resp beside the private address space Zeek counts by default" },
  { name: "key-by-tunnel", commands: ["scan"], help: "key connections by the tunnel chain that carried them as well as their inner endpoints: the same inner addresses and ports in two tunnels (two VXLAN VNIs, ...) are two connections (default: Zeek's key, the inner endpoints)" },
  { name: "top", value: "N", commands: ["scan"], help: "how many entries each list of the text summary holds: connections, servers, sources; with --format json, the report's lists (default 10; 0: none; not with another --format or --ladder)" },
  { name: "max-half-open", value: "N|none", commands: ["scan"], help: "connections of one packet so far (a lone SYN, ACK, RST, ...) kept at once, the memory bound under a flood of them; the oldest past it ends as \"evicted\" (default 100000)" },
  { name: "max-connections", value: "N|none", commands: ["scan"], help: "connections of two packets or more kept at once, the memory bound under any other flood; the least recently active past it end as \"evicted\", one-sided and mid-stream first (default 30000)" },
  { name: "threads", value: "N", commands: ["scan"], help: `threads to use, at most the cores available: this one decodes, N - 1 workers track shares of the flows; same output for any N (default: the cores available, at most as many as keep a flood's peak memory under ${MEMORY_TARGET_MB} MB; 1 for captures under ${grouped(SMALL_CAPTURE_PACKETS)} packets, estimated before reading)` },
  { name: "no-progress", commands: ["scan"], help: "no progress bar on standard error (it shows only on a terminal)" },
  {
    // Every command takes -q, so that a script can pass it to all: standard error then carries
    // errors alone. A map task draws no progress bar (and takes no --no-progress); info draws
    // none either and its warnings are its report, so it has nothing more to drop.
    name: "quiet", short: "q", commands: ["scan", "info", "partition"], help: "no progress bar and no warnings",
    forCommand: {
      partition: { help: "no warnings" },
      info: { help: "taken as by the other commands; info has nothing to drop: it draws no progress bar, its warnings are in its report, and errors are always said" },
    },
  },
  { name: "from-partitions", value: "DIR", commands: ["scan"], help: "track one bucket (--bucket) of what partition tasks wrote to DIR instead of reading captures: its connections, as a scan of all their captures gives them" },
  { name: "bucket", value: "B", commands: ["scan"], help: "with --from-partitions: the flow-hash bucket to track, 0 to buckets - 1" },
  { name: "maps", value: "N", commands: ["scan"], help: "with --from-partitions: the map outputs there must be (one is missing: exit 7)" },
  { name: "buckets", value: "B", commands: ["partition"], help: "flow-hash buckets to write (1-65536): the reduce tasks there will be" },
  { name: "json", commands: ["info"], help: "one JSON object per capture and line" },
  { name: "help", short: "h", commands: ["scan", "info", "partition"], help: "this help" },
  { name: "version", short: "v", commands: ["scan", "info", "partition"], help: "the version" },
];

export interface CommandLine {
  command: Command;
  captures: string[];
  /** Option values by camel-cased name (`--max-half-open 5` -> { maxHalfOpen: "5" }); flags are true. */
  flags: Record<string, string | boolean>;
  help: boolean;
  version: boolean;
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const byName = new Map(OPTIONS.map((o) => [o.name, o]));
const byShort = new Map(OPTIONS.filter((o) => o.short).map((o) => [o.short!, o]));

// parseArgs refuses a value that starts with "-" after its option (`--top -1`, `-o -x.txt`) as
// ambiguous: the value is joined to its option here, so that the option's own check says what
// is wrong with it. A lone "-" is a value already.
function joinValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    if (arg === "--") { out.push(...args.slice(k)); break; }
    const spec = arg.startsWith("--") ? byName.get(arg.slice(2)) : /^-[a-zA-Z]$/.test(arg) ? byShort.get(arg.slice(1)) : undefined;
    if (spec?.value && k + 1 < args.length && args[k + 1]!.startsWith("-")) {
      out.push(`--${spec.name}=${args[++k]}`);
    } else {
      out.push(arg);
    }
  }
  return out;
}

// parseArgs' own messages are long and name Node's API: ours are one line about the option.
function usageMessage(error: { code?: string; message: string }, args: readonly string[]): string {
  const option = /'(?:-\w, )?(-[^' ]+)/.exec(error.message)?.[1] ?? "";
  // parseArgs splits a group of short options ("-x.pcap" is -x, -., -p, ...): named as typed.
  const typed = option.startsWith("--") ? option : args.find((a) => a.startsWith(option) && !a.startsWith("--")) ?? option;
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const command = commandWord(args);
      return `unknown option "${typed}" (try${command ? ` ${command}` : ""} --help; a capture named like an option goes after --)`;
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return /argument missing/.test(error.message) ? `${option} needs a value (try --help)` : `${option} takes no value`;
    default: return error.message;
  }
}

// The command the arguments name ("info", "partition"), for a message written before they are
// parsed: the first word that is neither an option nor an option's value, before any `--`.
function commandWord(args: readonly string[]): "info" | "partition" | null {
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    if (arg === "--") return null;
    if (arg.startsWith("-") && arg !== "-") {
      const spec = arg.startsWith("--") ? byName.get(arg.slice(2).split("=")[0]!) : /^-[a-zA-Z]$/.test(arg) ? byShort.get(arg.slice(1)) : undefined;
      if (spec?.value && !arg.includes("=")) k++;
      continue;
    }
    return arg === "info" || arg === "partition" ? arg : null;
  }
  return null;
}

// An option that takes a value given twice: parseArgs keeps the last one, so that
// `--filter "port 80" --filter "outcome rejected"` silently dropped the first filter. A flag
// given twice means what it means once.
function refuseRepeatedValues(tokens: NonNullable<ReturnType<typeof parseArgs>["tokens"]>): void {
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== "option" || token.value === undefined) continue;
    if (seen.has(token.name)) {
      const hint = token.name === "filter" ? ": join the conditions with and" : "";
      throw new UsageError(`--${token.name} given twice (once only${hint})`);
    }
    seen.add(token.name);
  }
}

/** Parses the arguments after the program name. Throws UsageError. */
export function parseCommandLine(args: readonly string[]): CommandLine {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: joinValues(args),
      options: Object.fromEntries(OPTIONS.map((o) => [o.name, { type: o.value ? "string" : "boolean", ...(o.short ? { short: o.short } : {}) }])),
      allowPositionals: true,
      strict: true,
      tokens: true,
    } as Parameters<typeof parseArgs>[0]);
  } catch (error) {
    throw new UsageError(usageMessage(error as Error & { code?: string }, args));
  }
  refuseRepeatedValues(parsed.tokens ?? []);
  const positionals = [...parsed.positionals];
  // Words after `--` are captures, whatever they are named: only those before it can be a command.
  const tokens = parsed.tokens ?? [];
  const terminator = tokens.find((t) => t.kind === "option-terminator")?.index ?? Infinity;
  let words = tokens.filter((t) => t.kind === "positional" && t.index < terminator).length;
  // `help [command]` is `[command] --help`, as in git and npm.
  const helpWord = words > 0 && positionals[0] === "help";
  if (helpWord) { positionals.shift(); words--; }
  // The command is the first word; a capture named "info", "partition" or "help" is given as ./info (or after --).
  const command: Command = words > 0 && (positionals[0] === "info" || positionals[0] === "partition") ? positionals[0] : "scan";
  if (command !== "scan") positionals.shift();
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const flags: Record<string, string | boolean> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const spec = byName.get(name)!;
    if (!spec.commands.includes(command)) {
      throw new UsageError(`--${name} does not apply to ${command === "scan" ? "a scan" : command} (try${command === "scan" ? "" : ` ${command}`} --help)`);
    }
    flags[camel(name)] = value;
  }
  const help = helpWord || flags.help === true, version = flags.version === true;
  delete flags.help;
  delete flags.version;
  return { command, captures: positionals, flags, help, version };
}

/** The width --help fits: a terminal's default, whatever this one is (the text is the same in a file or a pipe). */
export const HELP_WIDTH = 80;

/** The --help text of a command. */
export function helpText(command: Command, version: string, folder: string | null = null): string {
  const options = OPTIONS.filter((o) => o.commands.includes(command)).map((o) => ({ ...o, ...o.forCommand?.[command] }));
  const label = (o: OptionSpec) => `${o.short ? `-${o.short}, ` : "    "}--${o.name}${o.value ? ` ${o.value}` : ""}`;
  const width = Math.max(...options.map((o) => label(o).length)) + 2;
  const lines = [versionLine(version), "", "Usage:"];
  const paragraph = (text: string, indent = "") => wrap(text, HELP_WIDTH - indent.length).map((line) => indent + line);
  const usage = (form: string, what: string) => [`  ${form}`, ...paragraph(what, "      ")];
  if (command === "scan") {
    lines.push(
      ...usage("tcp-handshake-scan [options] <capture...>",
        "classify every TCP connection: handshake outcome, RTTs, options, teardown, Zeek conn_state and history"),
      ...usage("tcp-handshake-scan info [options] <capture...>", "describe captures, like capinfos (info --help)"),
      "  tcp-handshake-scan partition --buckets B -o DIR <capture...>, then",
      ...usage("tcp-handshake-scan --from-partitions DIR --bucket b",
        "one scan spread over machines (partition --help)"),
      "",
      ...paragraph("Captures are pcap or pcapng files, gzip-compressed or not, named pipes, or - for standard input; " +
        "several are read as one capture, in the order of their first packets. Options may go anywhere."),
    );
  } else if (command === "info") {
    lines.push(...usage("tcp-handshake-scan info [options] <capture...>", "container, interfaces, packets by kind, errors"));
  } else {
    lines.push(
      ...usage("tcp-handshake-scan partition --buckets B -o DIR [options] <capture...>",
        "the map task of a scan spread over machines: writes the captures' TCP packet records by flow-hash " +
        "bucket to DIR/map-…/ (one directory per task); then one reduce task per bucket:"),
      ...usage("tcp-handshake-scan --from-partitions DIR --bucket b [--format F] [-o FILE]",
        "the union of the buckets' connections is what one scan of all the captures gives " +
        "(F: ndjson, the default, csv, zeek or parquet)"),
    );
  }
  lines.push("", "Options:");
  for (const o of options) {
    wrap(o.help, HELP_WIDTH - 2 - width).forEach((text, k) => lines.push(`  ${(k === 0 ? label(o) : "").padEnd(width)}${text}`));
  }
  lines.push("", "Examples:");
  if (command === "scan") {
    lines.push(
      "  tcp-handshake-scan big.pcap",
      "  tcp-handshake-scan --format ndjson big.pcap | head -5",
      "  tcp-handshake-scan --format ndjson trace.pcapng.gz > conns.ndjson",
      '  tcp-handshake-scan --filter "state REJ" --format csv -o rejected.csv big.pcap',
      "  tcp-handshake-scan --ladder 42 big.pcap",
      "  tcp-handshake-scan --format zeek day1-*.pcap | zeek-cut id.resp_h conn_state",
      "  tcpdump -i eth0 -U -w - | tcp-handshake-scan --format ndjson -",
      "",
      ...paragraph("Filter language, as tcpdump's for connections: [tcp|ip|ip6] [src|dst] host|net|port|portrange VALUE " +
        "(10.0.0.1, [fd00::2]:80, 10.0.0.0/8, 8000-8080), state S0, outcome rejected, teardown rst-resp, id N, " +
        "measures and marks such as retransmissions > 0, rtt > 100ms, duration >= 30s, bytes > 1MB, zero-window, " +
        "retransmitted, capture-loss; and/&&, or/||, not/!, parentheses."),
    );
  } else if (command === "info") {
    lines.push("  tcp-handshake-scan info trace.pcapng", "  tcp-handshake-scan info --json rotated-*.pcap.gz");
  } else {
    lines.push(
      "  tcp-handshake-scan partition --buckets 64 -o parts/ day1-*.pcap   (a map task)",
      "  tcp-handshake-scan --from-partitions parts/ --bucket 7 > b7.ndjson  (a reduce)",
    );
  }
  lines.push("", ...paragraph("Exit codes: 0 all read, 1 internal error, 2 usage error, 3 an input unreadable, 4 an input damaged " +
    `(results before the damage ${command === "partition" ? "are partitioned" : "are printed"}), 5 the output could not be written, ` +
    `${command === "scan" ? "6 --ladder selected nothing, 7 --from-partitions: a map output or bucket missing, cut short or of another version, " : ""}` +
    "141 the output's reader went away (| head), 128 + n ended by signal n (130 Ctrl-C, 143 SIGTERM)."),
  ...paragraph("kill -USR1 PID (-USR2 under Deno) prints how far the command has got, and it goes on."));
  // Where the rest is: this text gives each option in short (an installed package's README is
  // not where a user looks first). Each path on a line of its own: a path is not wrapped.
  if (folder) lines.push("Every option in full, and the README:", `  ${folder}/docs/command.md`, `  ${folder}/README.md`);
  return lines.join("\n") + "\n";
}

// Words into lines of at most `width` characters.
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) { lines.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}
