// The command line: every option means the same before, between and after the captures (run as
// the built command), flags never take the next word, values may start with "-", and mistakes
// are one line.

import { describe, it, expect, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync, readFileSync, readdirSync, statSync, rmSync } from "node:fs";
import { tmpdir, availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCommandLine, helpText, OPTIONS, HELP_WIDTH } from "../../cli/args.js";
import { SMALL_CAPTURE_PACKETS } from "../../cli/threads.js";
import { MEMORY_TARGET_MB } from "../../cli/thread-memory.js";
import { UsageError } from "../../cli/usage-error.js";
import { compileFilter } from "../../sdk/filter/connection-filter.js";
import { writePcap } from "../helpers/capture-writer.js";
import { Conversation } from "../helpers/conversation.js";
import { F } from "../helpers/packets.js";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
const SAMPLE = fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ths-cli-args-"));
const SECOND = join(dir, "second.pcap");

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  const { SYN, ACK, FIN } = F;
  const conv = new Conversation({ start: 1_800_000_000, clientPort: 41000, serverPort: 7000 })
    .c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
  writeFileSync(SECOND, writePcap(conv.frames));
});

// Each option with a value that changes what the run does.
const SCAN_CASES: Record<string, string[]> = {
  "format": ["--format", "ndjson"],
  "output": ["-o", "OUT"],
  "filter": ["--filter", "not outcome complete"],
  "ladder": ["--ladder", "port 7000"],
  "ladder-limit": ["--ladder", "port 7000", "--ladder-limit", "1"],
  "server-ports": ["--server-ports", "none"],
  "verify-checksums": ["--verify-checksums"],
  "tunnel-ports": ["--tunnel-ports", "vxlan=4790"],
  "max-tunnel-depth": ["--max-tunnel-depth", "0"],
  "key-by-tunnel": ["--key-by-tunnel"],
  "local-nets": ["--format", "zeek", "--local-nets", "10.0.0.0/8"],
  "top": ["--top", "1"],
  "max-half-open": ["--max-half-open", "1"],
  "max-connections": ["--max-connections", "1"],
  "threads": ["--threads", "2"],
  "no-progress": ["--no-progress"],
  "quiet": ["-q"],
};

// The reduce task's options, which take no captures: each before, between and after the others.
const REDUCE_OPTIONS = ["from-partitions", "bucket", "maps"];
const REDUCE_CASES: Record<string, string[]> = {
  "from-partitions": ["--from-partitions", "PARTS"],
  "bucket": ["--bucket", "1"],
  "maps": ["--maps", "1"],
  "format": ["--format", "csv"],
  "filter": ["--filter", "port 7000"],
};

// info's options, before, between and after the captures.
const INFO_CASES: Record<string, string[]> = {
  "json": ["--json"],
  "verify-checksums": ["--verify-checksums"],
  "tunnel-ports": ["--tunnel-ports", "vxlan=4790"],
  "max-tunnel-depth": ["--max-tunnel-depth", "0"],
  "quiet": ["-q"],
};

// partition's options, before, between and after the captures.
const PARTITION_CASES: Record<string, string[]> = {
  "buckets": ["--buckets", "3"],
  "output": ["-o", "PARTS"],
  "verify-checksums": ["--verify-checksums"],
  "tunnel-ports": ["--tunnel-ports", "vxlan=4790"],
  "max-tunnel-depth": ["--max-tunnel-depth", "0"],
  "quiet": ["-q"],
};

/** A directory's files and their sizes, recursively. */
function listing(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: "utf8" }).sort().map((f) => `${f} ${statSync(join(root, f)).size}`);
}

describe("every option, in every position", () => {
  it("covers every scan option", () => {
    const scanOptions = OPTIONS.filter((o) => o.commands.includes("scan") && o.name !== "help" && o.name !== "version" && !REDUCE_OPTIONS.includes(o.name));
    expect(Object.keys(SCAN_CASES).sort()).toEqual(scanOptions.map((o) => o.name).sort());
  });

  it("covers every info option", () => {
    const options = OPTIONS.filter((o) => o.commands.includes("info") && o.name !== "help" && o.name !== "version");
    expect(Object.keys(INFO_CASES).sort()).toEqual(options.map((o) => o.name).sort());
  });

  it("info: every option the same before, between and after the captures", () => {
    const opts = Object.values(INFO_CASES).flat();
    const runs = [
      run([...opts, "info", SAMPLE, SECOND]), run(["info", ...opts, SAMPLE, SECOND]),
      run(["info", SAMPLE, ...opts, SECOND]), run(["info", SAMPLE, SECOND, ...opts]),
    ];
    expect(runs[0]!.code, runs[0]!.stderr).toBe(0);
    expect(runs[0]!.stdout.trim().split("\n")).toHaveLength(2); // --json: a line a capture, both read
    for (const r of runs) expect(r).toEqual(runs[0]);
  });

  it("covers every partition option", () => {
    const options = OPTIONS.filter((o) => o.commands.includes("partition") && o.name !== "help" && o.name !== "version");
    expect(Object.keys(PARTITION_CASES).sort()).toEqual(options.map((o) => o.name).sort());
  });

  it("partition: every option the same before, between and after the captures", () => {
    const results = ["before", "between", "after"].map((position) => {
      const out = join(dir, `parts-${position}`);
      const opts = Object.values(PARTITION_CASES).flat().map((a) => (a === "PARTS" ? out : a));
      const args = position === "before" ? ["partition", ...opts, SAMPLE, SECOND]
        : position === "between" ? ["partition", SAMPLE, ...opts, SECOND] : ["partition", SAMPLE, SECOND, ...opts];
      const r = run(args);
      return { code: r.code, stderr: r.stderr, stdout: r.stdout.replace(out, "OUT"), files: listing(out) };
    });
    expect(results[0]!.code, results[0]!.stderr).toBe(0);
    expect(results[0]!.files).toHaveLength(6); // map-…/, its clock, 3 buckets and manifest
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it("--from-partitions: each option the same before, between and after the others", () => {
    const parts = join(dir, "parts-reduce");
    rmSync(parts, { recursive: true, force: true });
    expect(run(["partition", "--buckets", "2", "-o", parts, SAMPLE, SECOND]).code).toBe(0);
    const cases = Object.values(REDUCE_CASES).map((o) => o.map((a) => (a === "PARTS" ? parts : a)));
    const runs = cases.map((_, k) => run([...cases.slice(k), ...cases.slice(0, k)].flat()));
    expect(runs[0]!.code, runs[0]!.stderr).toBe(0);
    expect(runs[0]!.stdout).toMatch(/^id,/);
    expect(runs[0]!.stdout).toContain(",7000,");
    for (const r of runs) expect(r).toEqual(runs[0]);
  });

  for (const [name, option] of Object.entries(SCAN_CASES)) {
    it(`--${name}: the same result before, between and after the captures`, () => {
      const results = ["before", "between", "after"].map((position) => {
        const out = join(dir, `out-${name}-${position}`);
        const opt = option.map((a) => (a === "OUT" ? out : a));
        const args = position === "before" ? [...opt, SAMPLE, SECOND]
          : position === "between" ? [SAMPLE, ...opt, SECOND] : [SAMPLE, SECOND, ...opt];
        const r = run(args);
        // A conn.log's #open and #close lines give the wall-clock time.
        const stdout = r.stdout.replace(/^#(open|close)\t.*$/gm, "");
        return { ...r, stdout, file: name === "output" ? readFileSync(out, "utf8") : "" };
      });
      expect(results[0]!.code, results[0]!.stderr).toBe(0);
      // Both captures are read (a flag that took the next word as its value would drop one).
      const text = results[0]!.stdout + results[0]!.file;
      if (name !== "ladder" && name !== "ladder-limit" && name !== "filter") expect(text, name).toMatch(/ TCP connections|"resp":|^id,|^#fields/m);
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
    });
  }

  it("info --json and --verify-checksums: the same anywhere", () => {
    for (const option of [["--json"], ["--verify-checksums"], ["--json", "--verify-checksums"]]) {
      const runs = [
        run([...option, "info", SAMPLE, SECOND]), run(["info", ...option, SAMPLE, SECOND]),
        run(["info", SAMPLE, ...option, SECOND]), run(["info", SAMPLE, SECOND, ...option]),
      ];
      expect(runs[0]!.code).toBe(0);
      expect(runs[0]!.stdout).toContain("second.pcap");
      for (const r of runs) expect(r).toEqual(runs[0]);
    }
  });
});

describe("parseCommandLine", () => {
  it("a flag never takes the word after it as its value", () => {
    const line = parseCommandLine(["--verify-checksums", "a.pcap", "b.pcap"]);
    expect(line.captures).toEqual(["a.pcap", "b.pcap"]);
    expect(line.flags.verifyChecksums).toBe(true);
    expect(parseCommandLine(["info", "--verify-checksums", "x.pcap"])).toMatchObject({ command: "info", captures: ["x.pcap"] });
  });

  it("values may start with a dash; - is standard input, also as -o's value; -- ends the options", () => {
    expect(parseCommandLine(["--top", "-1", "a"]).flags.top).toBe("-1");
    expect(parseCommandLine(["-o", "-", "-"])).toMatchObject({ captures: ["-"], flags: { output: "-" } });
    expect(parseCommandLine(["--output=x", "--top=3", "a"]).flags).toEqual({ output: "x", top: "3" });
    expect(parseCommandLine(["-q", "--", "--weird.pcap"])).toMatchObject({ captures: ["--weird.pcap"], flags: { quiet: true } });
  });

  it("the command is the first word: info anywhere else is a capture", () => {
    expect(parseCommandLine(["--json", "info", "a"])).toMatchObject({ command: "info", captures: ["a"] });
    expect(parseCommandLine(["a", "info"])).toMatchObject({ command: "scan", captures: ["a", "info"] });
  });

  it("after --, every word is a capture: info, partition and help included", () => {
    expect(parseCommandLine(["--", "info"])).toMatchObject({ command: "scan", captures: ["info"], help: false });
    expect(parseCommandLine(["-q", "--", "partition", "x"])).toMatchObject({ command: "scan", captures: ["partition", "x"] });
    expect(parseCommandLine(["--", "help"])).toMatchObject({ command: "scan", captures: ["help"], help: false });
    expect(parseCommandLine(["info", "--", "info"])).toMatchObject({ command: "info", captures: ["info"] });
    expect(parseCommandLine(["help", "--", "info"])).toMatchObject({ command: "scan", captures: ["info"], help: true });
  });

  it("mistakes are usage errors naming the option", () => {
    const cases: [string[], RegExp][] = [
      [["--bogus", "a"], /unknown option "--bogus"/],
      [["-x.pcap"], /^unknown option "-x\.pcap" \(try --help; a capture named like an option goes after --\)$/], // not "-x"
      [["-q", "-x"], /^unknown option "-x" /],
      // The command's own help, as its other usage errors say.
      [["info", "--bogus", "a"], /^unknown option "--bogus" \(try info --help; /],
      [["--json", "info", "--bogus", "a"], /^unknown option "--bogus" \(try info --help; /],
      [["partition", "-o", "info", "--bogus", "a"], /^unknown option "--bogus" \(try partition --help; /],
      [["--format", "csv", "info.pcap", "--bogus"], /^unknown option "--bogus" \(try --help; /],
      [["a", "--top"], /--top needs a value/],
      [["--quiet=yes", "a"], /--quiet takes no value/],
      [["--json", "a"], /--json does not apply to a scan/],
      [["info", "--format", "csv", "a"], /--format does not apply to info/],
      [["--filter", "port 80", "a", "--filter", "outcome rejected"], /--filter given twice \(once only: join the conditions with and\)/],
      [["-o", "x.csv", "--format", "csv", "a", "--output", "y.csv"], /--output given twice/],
      [["--top=3", "--top", "4", "a"], /--top given twice/],
      [["partition", "--buckets", "4", "--buckets", "8", "-o", "d", "a"], /--buckets given twice/],
    ];
    for (const [args, message] of cases) expect(() => parseCommandLine(args), args.join(" ")).toThrow(message);
    expect(() => parseCommandLine(["--bogus"])).toThrow(UsageError);
    // A flag twice is the flag.
    expect(parseCommandLine(["-q", "a", "--quiet", "--verify-checksums", "--verify-checksums"]).flags).toEqual({ quiet: true, verifyChecksums: true });
  });
});

describe("--help", () => {
  it("fits an 80-column terminal, every command's", () => {
    expect(HELP_WIDTH).toBe(80);
    for (const command of ["scan", "info", "partition"] as const) {
      for (const line of helpText(command, "0").split("\n")) expect([...line].length, `${command}: ${line}`).toBeLessThanOrEqual(HELP_WIDTH);
    }
  });

  it("ends by naming where every option is in full and the README, files the package holds", () => {
    // Each path on a line of its own, unwrapped however long (a clone's path wrapped mid-sentence).
    const long = "/a/folder/whose/name/is/longer/than/a/line/of/the/help/text/node_modules/tcp-handshake-scan";
    expect(helpText("scan", "0", long).trimEnd().split("\n").slice(-3)).toEqual(["Every option in full, and the README:", `  ${long}/docs/command.md`, `  ${long}/README.md`]);
    expect(helpText("scan", "0")).not.toContain("in full");
    for (const command of [[], ["info"], ["partition"]]) {
      const [said, docs, readme] = run([...command, "--help"]).stdout.trimEnd().split("\n").slice(-3);
      expect(said, command.join(" ")).toBe("Every option in full, and the README:");
      expect(existsSync(docs!.trim()) && docs!.trim().endsWith(join("docs", "command.md"))).toBe(true);
      expect(existsSync(readme!.trim()) && dirname(readme!.trim()) === dirname(dirname(docs!.trim()))).toBe(true);
    }
  });

  it("names -o's value as each command takes it: a file for a scan, a directory for partition", () => {
    const output = (command: "scan" | "partition") => helpText(command, "0").split("\n").find((l) => l.includes("--output"))!;
    expect(output("scan")).toMatch(/-o, --output FILE +write there instead of standard output/);
    expect(output("partition")).toMatch(/-o, --output DIR +the directory every map task/);
    expect(run(["partition", "--help"]).stdout).toContain("-o, --output DIR ");
  });

  it("is also the first word help, before a command or alone; a capture named help is ./help", () => {
    expect(parseCommandLine(["help"])).toMatchObject({ command: "scan", help: true, captures: [] });
    expect(parseCommandLine(["help", "partition"])).toMatchObject({ command: "partition", help: true, captures: [] });
    expect(parseCommandLine(["./help"])).toMatchObject({ command: "scan", help: false, captures: ["./help"] });
    const shown = run(["help", "info"]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe(run(["info", "--help"]).stdout);
  });
});

describe("--help says what the command does", () => {
  it("the filter language's summary names only conditions --filter takes", () => {
    const text = helpText("scan", "0").split("\n").join(" ");
    const forms = /measures and marks such as (.*?); and/.exec(text)?.[1]?.split(", ") ?? [];
    expect(forms).toEqual(expect.arrayContaining(["retransmissions > 0", "rtt > 100ms", "capture-loss"]));
    for (const form of [...forms, "state S0", "outcome rejected", "teardown rst-resp", "id 7", "host [fd00::2]:80", "portrange 8000-8080"]) {
      expect(() => compileFilter(form), form).not.toThrow();
    }
  });

  const optionHelp = (command: "scan" | "info" | "partition", name: string) => {
    const lines = helpText(command, "0").split("\n");
    const at = lines.findIndex((l) => l.includes(`--${name} `));
    const rest = lines.slice(at + 1);
    const end = rest.findIndex((l) => !/^ {20,}\S/.test(l));
    return [lines[at]!, ...rest.slice(0, end)].map((l) => l.trim()).join(" ");
  };

  it("--threads: the default is one thread below 600 000 estimated packets, within the memory target", () => {
    const text = optionHelp("scan", "threads");
    expect(text).toContain(`1 for captures under ${SMALL_CAPTURE_PACKETS.toLocaleString("en-US").replace(/,/g, " ")} packets`);
    expect(text).toContain(`peak memory under ${MEMORY_TARGET_MB} MB`);
    expect(text).not.toMatch(/64 MB/);
  });

  it("-q: a scan's drops its progress bar and warnings; partition, which draws no bar, its warnings", () => {
    expect(optionHelp("scan", "quiet")).toMatch(/no progress bar and no warnings$/);
    expect(optionHelp("partition", "quiet")).toMatch(/-q, --quiet +no warnings$/);
    expect(helpText("partition", "0")).not.toContain("progress");
  });

  it("an option shared by the commands says what it does in each command's help, naming no other command", () => {
    expect(optionHelp("scan", "verify-checksums")).toMatch(/drop bad packets as Zeek does by default$/);
    const words = (text: string) => text.split(/ +/).join(" ");
    expect(words(optionHelp("partition", "verify-checksums"))).toBe(words(optionHelp("scan", "verify-checksums")));
    expect(optionHelp("info", "verify-checksums")).toMatch(/count the packets whose checksums are wrong$/);
    for (const command of ["scan", "info", "partition"] as const) {
      const others = ["info", "partition"].filter((c) => c !== command);
      const options = helpText(command, "0").split("\nOptions:\n")[1]!.split("\nExamples:")[0]!;
      for (const other of others) expect(options, `${command} --help names ${other}`).not.toMatch(new RegExp(`\\(${other}:`));
    }
  });

  it("each command's exit codes include the output's failures it can give (5, 141)", () => {
    for (const command of ["scan", "info", "partition"] as const) {
      const codes = helpText(command, "0").split("Exit codes:")[1]!.split("\n").join(" ");
      expect(codes, command).toContain("5 the output could not be written");
      expect(codes, command).toContain("141 the output's reader went away");
    }
  });
});

describe("the command's answers to mistakes", () => {
  it("one line, exit 2", () => {
    for (const args of [["--filter", "port 80", SAMPLE, "--filter", "port 443"], ["--top", "-1", SAMPLE], ["--top", "1.5", SAMPLE], ["--threads", "-2", SAMPLE], ["--bogus", SAMPLE], ["info", "--format", "csv", SAMPLE], ["info"], ["-o", "", SAMPLE], ["--max-half-open", "0", SAMPLE], [SAMPLE, ""], ["info", ""], ["partition", "--buckets", "2", "-o", tmpdir(), ""]]) {
      const r = run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stdout).toBe("");
    }
  });

  it("counts written other than as decimal digits, or past 2^53: one line, exit 2 (not taken as 0, not a bug report)", () => {
    const counts: [string, string[]][] = [
      ["--max-connections", []], ["--max-half-open", []], ["--max-tunnel-depth", []], ["--top", []], ["--ladder-limit", ["--ladder", "tcp"]],
    ];
    for (const [flag, beside] of counts) {
      for (const bad of ["", " ", "0x1", "1e1", "1.0", "+1", "9007199254740992", "1e300"]) {
        const r = run([flag, bad, ...beside, SAMPLE]);
        const what = `${flag} "${bad}"`;
        expect(r.code, what).toBe(2);
        expect(r.stderr, what).toMatch(new RegExp(`^tcp-handshake-scan: ${flag}: ".*" is not a [^\n]*\n$`));
        expect(r.stdout, what).toBe("");
      }
    }
    for (const [flag, bad] of [["--buckets", "1e1"], ["--buckets", ""]]) {
      const r = run(["partition", flag, bad, "-o", tmpdir(), SAMPLE]);
      expect(r.code, `${flag} "${bad}"`).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
});

describe("options that need another option", () => {
  it("--bucket and --maps without --from-partitions, --ladder-limit without --ladder: one line, exit 2, not ignored", () => {
    const cases: [string[], string][] = [
      [["--bucket", "3", SAMPLE], "--bucket goes with --from-partitions DIR (a reduce task), not with captures"],
      [["--maps", "2", SAMPLE], "--maps goes with --from-partitions DIR (a reduce task), not with captures"],
      [["--ladder-limit", "3", SAMPLE], "--ladder-limit goes with --ladder"],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      expect(r, args.join(" ")).toMatchObject({ code: 2, stdout: "", stderr: `tcp-handshake-scan: ${message}\n` });
    }
  });

  it("--top with a record format or --ladder (no list to size): one line, exit 2, not ignored", () => {
    for (const format of ["ndjson", "csv", "zeek", "parquet"]) {
      const r = run(["--top", "3", "--format", format, "-o", join(dir, "top-out"), SAMPLE]);
      expect(r, format).toMatchObject({ code: 2, stdout: "", stderr: `tcp-handshake-scan: --top sizes the lists of the text summary and the json report: not with --format ${format}\n` });
    }
    const ladder = run(["--top", "3", "--ladder", "port 7000", SAMPLE]);
    expect(ladder).toMatchObject({ code: 2, stdout: "", stderr: "tcp-handshake-scan: --top sizes the lists of the text summary and the json report: not with --ladder\n" });
    expect(run(["--top", "3", "--format", "text", SAMPLE]).code).toBe(0);
  });

  it("--top sizes the json report's lists, as reportTop does", () => {
    const report = (args: string[]) => JSON.parse(run([...args, "--format", "json", SAMPLE]).stdout).report;
    const all = report([]);
    expect(all.topFailedServers.length).toBeGreaterThan(1);
    const one = report(["--top", "1"]);
    expect(one.topFailedServers).toEqual(all.topFailedServers.slice(0, 1));
    expect(one.topFailedHosts).toEqual(all.topFailedHosts.slice(0, 1));
    expect(report(["--top", "0"])).toMatchObject({ topFailedServers: [], topFailedHosts: [], scanSuspects: [] });
    expect(report(["--top", "0", "--filter", "tcp"]).topFailedServers).toEqual([]);
  });
});

describe("--threads beyond the cores", () => {
  it("is capped to the cores with a warning (none with -q); the output is the same", () => {
    const cores = availableParallelism();
    const asked = String(cores + 5);
    const capped = run(["--format", "ndjson", "--threads", asked, SAMPLE]);
    expect(capped.code).toBe(0);
    expect(capped.stderr).toBe(`tcp-handshake-scan: warning: --threads ${asked}: ${cores} cores available, using ${cores} threads\n`);
    expect(capped.stdout).toBe(run(["--format", "ndjson", "--threads", "1", SAMPLE]).stdout);
    expect(run(["-q", "--threads", asked, SAMPLE]).stderr).toBe("");
  });
});

describe("--top", () => {
  it("0 lists no connections (the counts stay); 1 lists one of each kind", () => {
    const none = run(["--top", "0", SAMPLE]);
    expect(none.code).toBe(0);
    expect(none.stderr).toBe("");
    expect(none.stdout).toContain("9 TCP connections");
    expect(none.stdout).not.toMatch(/^ {2}#\d+ /m);
    const one = run(["--top", "1", SAMPLE]);
    // a failed, a reset and a slowest one; the health section's most retransmissions and highest ack-RTT
    expect(one.stdout.match(/^ {2}#\d+ /gm)).toHaveLength(5);
  });
});
