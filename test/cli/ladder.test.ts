// The command's --ladder: every arrow reads as Wireshark's Info column reads the same frame
// (its TCP analysis marks included, on the sample and on the impaired recordings, but for the
// frames named in test/corpus/ladder-mark-exclusions.json: where Zeek's rules split a tshark
// stream, and tshark's [TCP Port numbers reused], which a ladder does not draw),
// how many matched and how many are drawn, --ladder-limit, a selection that matches nothing
// (exit 6), and selections too long or too deep for a recursive parser.

import { describe, it, expect, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeSynFlood } from "../../bench/flood.js";
import { generateCapture } from "../../bench/generate.js";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
const SAMPLE = fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ths-cli-ladder-"));
const FLOOD = join(dir, "flood.pcap");

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The arrows of a ladder: frame number and label. */
function arrows(ladder: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const m of ladder.matchAll(/^ *(\d+) +[\d.]+ +\S+ +\|<?-+ (.+?) -+>?\|/gm)) out.set(Number(m[1]), m[2]!);
  return out;
}

/** Wireshark's "[TCP …]" marks, sorted (their order in its Info column is its own). */
function marks(prefix: string): string {
  return [...prefix.matchAll(/\[TCP [^\]]*\]/g)].map((m) => m[0]).sort().join(" ");
}

/** An arrow's label with its marks sorted, as marks() gives tshark's. */
function normalised(label: string | undefined): string | undefined {
  if (label === undefined) return undefined;
  const m = /^((?:\[TCP [^\]]*\] )*)(.*)$/.exec(label)!;
  return [marks(m[1]!), m[2]].filter(Boolean).join(" ");
}

beforeAll(() => writeSynFlood(FLOOD, 20_000, 1_000_000));

const tshark = spawnSync("tshark", ["-v"]).status === 0;
/** Frames of the impaired recordings whose arrow is marked otherwise than tshark marks it, by capture and frame number, with the reason. */
const ladderExclusions: Record<string, Record<string, string>> = JSON.parse(
  readFileSync(fileURLToPath(new URL("../corpus/ladder-mark-exclusions.json", import.meta.url)), "utf8"),
).captures;
if (!tshark) console.log("ladder: tshark is not installed; the comparison of arrows with its Info column is skipped");

describe("--ladder", () => {
  it.skipIf(!tshark)("labels every arrow as Wireshark's Info column labels that frame", () => {
    const r = run(["--ladder", "tcp", "--ladder-limit", "none", SAMPLE]);
    expect(r.code).toBe(0);
    const mine = arrows(r.stdout);
    const info = spawnSync("tshark", ["-r", SAMPLE, "--disable-protocol", "http", "-o", "tcp.desegment_tcp_streams:FALSE", "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Info"], { encoding: "utf8" }).stdout;
    const theirs = new Map<number, string>();
    for (const l of info.trim().split("\n")) {
      const [n, text] = l.split("\t");
      // "41950 → 9000 [SYN] Seq=0 ... TSval=1 TSecr=0 WS=1024": the flags and the fields we
      // draw, without the ports, timestamps and what dissectors of higher layers add. (One
      // frame's Info is taken over by a dissector guessing at its payload.)
      // "[TCP Dup ACK 5#1] 41950 → 9000 [ACK] Seq=…": marks, then (past what other dissectors
      // prefix, as "[Continuation to #53]") the ports, the flags and the fields.
      const m = /^((?:\[TCP [^\]]*\] )*)(?:\[(?!TCP )[^\]]*\] )*\d+ → \d+ (\[[^\]]*\])(.*)$/.exec(text!);
      if (!m) continue;
      const fields = m[3]!.split(" ").filter((t) => /^(Seq|Ack|Win|Len|MSS|WS)=\d+$|^SACK_PERM$/.test(t));
      theirs.set(Number(n), [marks(m[1]!), m[2], ...fields].filter(Boolean).join(" "));
    }
    expect(mine.size).toBe(71);
    expect(theirs.size).toBeGreaterThanOrEqual(70);
    for (const [frame, label] of theirs) expect(normalised(mine.get(frame)), `frame ${frame}`).toBe(label);
  });

  it.skipIf(!tshark)("marks every arrow of the impaired recordings as Wireshark's TCP analysis marks that frame", () => {
    const fixtures = fileURLToPath(new URL("../fixtures/impaired/", import.meta.url));
    let marked = 0;
    const unexpected: string[] = [], fixed: string[] = [];
    for (const name of readdirSync(fixtures).filter((f) => f.endsWith(".pcap"))) {
      const path = join(fixtures, name);
      const r = run(["--ladder", "tcp", "--ladder-limit", "none", path]);
      expect(r.code).toBe(0);
      const mine = arrows(r.stdout);
      if (name === "download-impaired-client.pcap") {
        // The closing sentence says it in plain words.
        expect(r.stdout).toContain("Wireshark's TCP analysis marks 17 duplicate ACKs from the client, 6 retransmissions (2 fast, 2 spurious) from the server, 3 out-of-order segments from the server. The capture is missing packets (6 segments not captured).");
      }
      const excluded = ladderExclusions[`impaired/${name}`] ?? {};
      for (const frame of Object.keys(excluded)) if (!mine.has(Number(frame))) fixed.push(`${name} frame ${frame} is excluded but not drawn (folded, or no such frame)`);
      const info = spawnSync("tshark", ["-r", path, "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Info"], { encoding: "utf8" }).stdout;
      for (const l of info.trim().split("\n")) {
        const [n, text] = l.split("\t");
        const want = marks(/^((?:\[TCP [^\]]*\] )*)/.exec(text!)![1]!);
        const label = mine.get(Number(n));
        if (label === undefined) continue; // folded: a run of unmarked packets
        const got = marks(/^((?:\[TCP [^\]]*\] )*)/.exec(label)![1]!);
        const reason = excluded[n!];
        if (reason) {
          if (got === want) fixed.push(`${name} frame ${n} now matches: remove its exclusion ("${reason}")`);
        } else if (got !== want) {
          unexpected.push(`${name} frame ${n}: "${got}" (tshark "${want}")`);
        }
        if (want) marked++;
      }
    }
    expect(unexpected).toEqual([]);
    expect(fixed).toEqual([]);
    expect(marked).toBeGreaterThan(100);
  });

  it("says how many matched and how many are drawn; --ladder-limit sets how many", () => {
    const all = run(["--ladder", "port 80", SAMPLE]);
    expect(all.stdout.match(/^Connection #/gm)).toHaveLength(5);
    expect(all.stdout.trimEnd().split("\n").at(-1)).toBe('Drew the 5 connections matching "port 80".');
    const two = run(["--ladder", "port 80", "--ladder-limit", "2", SAMPLE]);
    expect(two.code).toBe(0);
    expect([...two.stdout.matchAll(/^Connection #(\d+)/gm)].map((m) => Number(m[1]))).toEqual([1, 11]);
    expect(two.stdout.trimEnd().split("\n").at(-1)).toBe('Drew 2 of the 5 connections matching "port 80", the first by frame number (--ladder-limit N draws more, --ladder-limit none all).');
    for (const bad of ["0", "-3", "x", "1.5"]) {
      const r = run(["--ladder", "port 80", `--ladder-limit=${bad}`, SAMPLE]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr, bad).toMatch(/^tcp-handshake-scan: --ladder-limit: .* is not a count of connections \(1 or more, or none\)\n$/);
    }
  });

  it("draws text only: --format json, ndjson, csv or zeek with --ladder is a usage error, as parquet is", () => {
    for (const format of ["json", "ndjson", "csv", "zeek", "parquet"]) {
      const r = run(["--ladder", "47", "--format", format, SAMPLE]);
      expect(r, format).toMatchObject({ code: 2, stdout: "", stderr: `tcp-handshake-scan: --ladder draws text diagrams: not with --format ${format}\n` });
    }
    expect(run(["--ladder", "47", "--format", "text", SAMPLE]).stdout).toBe(run(["--ladder", "47", SAMPLE]).stdout);
  });

  it("draws only the selected connections that --filter keeps too", () => {
    // #47 is port 7000: --filter "port 80" leaves it out (it was drawn, the filter ignored)
    const none = run(["--ladder", "47", "--filter", "port 80", SAMPLE]);
    expect(none).toMatchObject({ code: 6, stdout: "" });
    expect(none.stderr).toBe('tcp-handshake-scan: no connection has id 47 and matches --filter "port 80"\n');
    const both = run(["--filter", "teardown fin-3", "--ladder", "port 80", SAMPLE]);
    expect(both.code).toBe(0);
    expect([...both.stdout.matchAll(/^Connection #(\d+)/gm)].map((m) => Number(m[1]))).toEqual([1, 11]);
    expect(both.stdout.trimEnd().split("\n").at(-1)).toBe('Drew the 2 connections matching "port 80" and --filter "teardown fin-3".');
    const one = run(["--ladder", "47", "--filter", "port 7000", SAMPLE]);
    expect(one.code).toBe(0);
    expect(one.stdout).toBe(run(["--ladder", "47", SAMPLE]).stdout);
  });

  it("exits 6 with one line when nothing matches: no such id, or no match", () => {
    const id = run(["--ladder", "999999", SAMPLE]);
    expect(id).toMatchObject({ code: 6, stdout: "" });
    expect(id.stderr).toBe("tcp-handshake-scan: no connection has id 999999 (an id is the frame number of a connection's first packet)\n");
    const expr = run(["--ladder", "port 5", SAMPLE]);
    expect(expr).toMatchObject({ code: 6, stdout: "", stderr: 'tcp-handshake-scan: no connection matches --ladder "port 5"\n' });
    const notFirst = run(["--ladder", "2", SAMPLE]); // frame 2 is the SYN/ACK of connection 1
    expect(notFirst.code).toBe(6);
  });

  it("an id with spaces around it, or written #N as the summary lists it, is that id; one past 2^53 - 1 is named as the user gave it", () => {
    expect(run(["--ladder", " 1 ", SAMPLE]).stdout).toBe(run(["--ladder", "1", SAMPLE]).stdout);
    // As the summary lists ids ("#1"): it was a filter syntax error.
    expect(run(["--ladder", "#1", SAMPLE])).toMatchObject({ code: 0, stdout: run(["--ladder", "1", SAMPLE]).stdout });
    expect(run(["--ladder", "#999999", SAMPLE]).stderr).toBe("tcp-handshake-scan: no connection has id 999999 (an id is the frame number of a connection's first packet)\n");
    expect(run(["--ladder", " 999999", SAMPLE]).stderr).toBe("tcp-handshake-scan: no connection has id 999999 (an id is the frame number of a connection's first packet)\n");
    // It was "... at column 4 of "id 9007199254740993"", an expression the user never typed.
    expect(run(["--ladder", "9007199254740993", SAMPLE])).toMatchObject({
      code: 2, stdout: "", stderr: 'tcp-handshake-scan: --ladder: "9007199254740993" is not a connection id (a frame number, at most 9007199254740991)\n',
    });
  });

  it("exits 3 with the input's line alone when no input could be read at all (not 6: the selection is not at fault)", () => {
    const notCapture = join(dir, "not-a-capture.pcap");
    writeFileSync(notCapture, "hello, not a capture at all\n");
    const r = run(["--ladder", "5", notCapture]);
    expect(r).toMatchObject({ code: 3, stdout: "" });
    expect(r.stderr).toMatch(/^tcp-handshake-scan: \S+not-a-capture\.pcap: byte 0: not a pcap or pcapng capture[^\n]*\n$/);
    const withSample = run(["--ladder", "999999", notCapture, SAMPLE]); // one read: the selection matched nothing there
    expect(withSample.code).toBe(6);
    expect(withSample.stderr).toContain("no connection has id 999999");
  });

  it("takes an expression of 8 000 terms, and refuses a deeply nested one with a usage error", () => {
    const terms = Array.from({ length: 8000 }, (_, k) => `port ${k + 10000}`).join(" or ") + " or port 9000";
    const r = run(["--ladder", terms, SAMPLE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Connection #33 /);
    const deep = "(".repeat(5000) + "port 80" + ")".repeat(5000);
    for (const flag of ["--filter", "--ladder"]) {
      const d = run([flag, deep, SAMPLE]);
      expect(d.code, flag).toBe(2);
      expect(d.stderr, flag).toMatch(new RegExp(`^tcp-handshake-scan: ${flag}: parentheses nested more than 200 deep at column 201 of "\\(+port 80\\)+"\\n$`));
    }
  });

  it("draws a file (read twice) as it draws the same bytes from a pipe, a FIFO or standard input (read once)", () => {
    const sample = readFileSync(SAMPLE);
    const cut = join(dir, "cut.pcap"), gz = join(dir, "sample.pcap.gz"), earlier = join(dir, "earlier.pcap");
    writeFileSync(cut, sample.subarray(0, sample.length - 37)); // ends inside its last record
    writeFileSync(gz, gzipSync(sample));
    generateCapture(earlier, { bytes: 3e5, snaplen: 96, seed: 9 }); // begins years before the sample
    const fifo = join(dir, "fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const once = (args: string, inputs: string) => spawnSync("bash", ["-c", `"${process.execPath}" "${BIN}" ${args} ${inputs}`], { encoding: "utf8", maxBuffer: 64 << 20 });
    const cases: [string, string, string][] = [
      ["--ladder tcp --ladder-limit 3", SAMPLE, `- < "${SAMPLE}"`],
      ["--ladder 'outcome rejected'", SAMPLE, `"${fifo}" & cat "${SAMPLE}" > "${fifo}"; wait $!`],
      ["--ladder 'not outcome complete'", cut, `<(cat "${cut}")`],
      ["--ladder tcp --ladder-limit 2", gz, `<(cat "${gz}")`],
      // The later file named first: read after the other, its frame numbers running on.
      ["--ladder 'port 80' --filter 'outcome complete' --ladder-limit none", `"${SAMPLE}" "${earlier}"`, `<(cat "${SAMPLE}") "${earlier}"`],
      ["--ladder 'port 5'", SAMPLE, `- < "${SAMPLE}"`],
    ];
    for (const [args, files, pipes] of cases) {
      const twice = once(args, files), one = once(args, pipes);
      expect(twice.stdout.length + twice.stderr.length, args).toBeGreaterThan(0);
      expect(twice.stdout, args).toBe(one.stdout);
      expect(twice.status, args).toBe(one.status);
      // The messages name the input: a file's path, or standard input's and a pipe's.
      const named = (stderr: string) => stderr.replace(/(<stdin>|\/dev\/fd\/\d+|\/proc\/self\/fd\/\d+)/g, "INPUT").replaceAll(cut, "INPUT").replaceAll(gz, "INPUT").replaceAll(fifo, "INPUT");
      expect(named(twice.stderr), args).toBe(named(one.stderr));
    }
    expect(once(cases[2]![0], cut).status).toBe(4);
    expect(once(cases[5]![0], SAMPLE).status).toBe(6);
    const inOrder = once(cases[4]![0], `"${earlier}" "${SAMPLE}"`).stdout;
    expect(inOrder).toBe(once(cases[4]![0], `"${SAMPLE}" "${earlier}"`).stdout);
    expect(Number(/^Connection #(\d+) +10\.99\.0\.1:/m.exec(inOrder)![1])).toBeGreaterThan(1000);
  });

  it("a selection of ids stops reading a file once they ended: it still says how many it drew, and a damaged tail past them is not read (exit 0)", async () => {
    const { writePcap } = await import("../helpers/capture-writer.js");
    const { Conversation, merge } = await import("../helpers/conversation.js");
    const { F } = await import("../helpers/packets.js");
    // Connections 1 and 3 close at once; another flow then runs for a minute, then the file is damaged.
    const closing = [0, 1].map((k) => new Conversation({ clientPort: 51000 + k, start: 1_700_000_000 + k * 0.01 })
      .c(F.SYN).s(F.SYN | F.ACK).c(F.ACK).c(F.FIN | F.ACK).s(F.FIN | F.ACK).c(F.ACK));
    const busy = new Conversation({ clientPort: 51002, start: 1_700_000_001 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK);
    for (let k = 0; k < 30_000; k++) busy.c({ flags: F.ACK | F.PSH, payload: 100, dt: 1 }).s({ flags: F.ACK, dt: 1 });
    const damaged = join(dir, "damaged-tail.pcap");
    writeFileSync(damaged, Buffer.concat([writePcap(merge(...closing, busy)), Buffer.from("a tail that is not a pcap record header, cut short")]));
    const both = run(["--ladder", "id 1 or id 3", "--threads", "1", damaged]); // (threads read ahead of the scan)
    expect(both.code).toBe(0);
    expect(both.stderr).toBe("");
    expect([...both.stdout.matchAll(/^Connection #(\d+)/gm)].map((m) => Number(m[1]))).toEqual([1, 3]);
    expect(both.stdout.trimEnd().split("\n").at(-1)).toBe('Drew the 2 connections matching "id 1 or id 3".');
    // A pinned id that ends unselected: nothing matches, and it is said so.
    const none = run(["--ladder", "id 1 and port 81", "--threads", "1", damaged]);
    expect(none).toMatchObject({ code: 6, stdout: "", stderr: 'tcp-handshake-scan: no connection matches --ladder "id 1 and port 81"\n' });
    // A pipe stops too, once they ended (a live capture's ladder ends by itself): the same ladders.
    const piped = spawnSync("sh", ["-c", `cat "${damaged}" | "${process.execPath}" "${BIN}" --ladder "id 1 or id 3" -`], { encoding: "utf8" });
    expect(piped.stdout).toBe(both.stdout);
    expect(piped.status).toBe(0);
    // Selections that pin no id read to the end, and report the damage.
    const all = spawnSync("sh", ["-c", `cat "${damaged}" | "${process.execPath}" "${BIN}" --ladder "port 51000" -`], { encoding: "utf8" });
    expect(all.status).toBe(4);
    expect(all.stderr).toMatch(/damaged-tail|<stdin>/);
  });

  it("under a SYN flood past --max-half-open: draws the first connections and counts every one", () => {
    const r = run(["--ladder", "port 80", "--ladder-limit", "3", "--max-half-open", "1000", FLOOD]);
    expect(r.code).toBe(0);
    expect([...r.stdout.matchAll(/^Connection #(\d+)/gm)].map((m) => Number(m[1]))).toEqual([1, 2, 3]);
    expect(r.stdout).toContain('Drew 3 of the 20000 connections matching "port 80"');
    expect(r.stdout).toContain("(unanswered, evicted)");
  });

  it("with many ladders held back behind a long first connection: the same text from a file and a pipe; a temporary directory it cannot write is one line, exit 5", async () => {
    const { writePcap } = await import("../helpers/capture-writer.js");
    const { Conversation, merge } = await import("../helpers/conversation.js");
    const { F } = await import("../helpers/packets.js");
    const long = new Conversation({ clientPort: 50000 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK);
    for (let k = 0; k < 20; k++) long.c({ flags: F.ACK | F.PSH, payload: 10, dt: 20000 }).s(F.ACK);
    const short = Array.from({ length: 300 }, (_, k) => new Conversation({ clientPort: 50001 + k, start: 1_700_000_000.01 + k * 0.001 })
      .c(F.SYN).s(F.SYN | F.ACK).c(F.ACK).c(F.FIN | F.ACK).s(F.FIN | F.ACK).c(F.ACK));
    const file = join(dir, "held-back.pcap");
    writeFileSync(file, writePcap(merge(long, ...short)));
    const fromFile = run(["--ladder", "tcp", "--ladder-limit", "none", file]);
    expect(fromFile.code).toBe(0);
    expect([...fromFile.stdout.matchAll(/^Connection #(\d+)/gm)]).toHaveLength(301);
    const piped = spawnSync("sh", ["-c", `cat ${file} | ${process.execPath} ${BIN} --ladder tcp --ladder-limit none -`], { encoding: "utf8", maxBuffer: 64 << 20 });
    expect(piped.status).toBe(0);
    expect(piped.stdout).toBe(fromFile.stdout);
    const noTmp = spawnSync(process.execPath, [BIN, "--ladder", "tcp", "--ladder-limit", "none", file],
      { encoding: "utf8", maxBuffer: 64 << 20, env: { ...process.env, TMPDIR: join(dir, "missing") } });
    expect(noTmp.status).toBe(5);
    expect(noTmp.stderr).toMatch(/^tcp-handshake-scan: cannot keep the ladders waiting for their turn in .*missing: no such file or directory \(ENOENT\)\n$/);
  });
});
