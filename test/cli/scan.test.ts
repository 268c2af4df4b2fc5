// The main command, run as the built binary: golden outputs for the shipped sample and a
// scripted scenario capture, every format read back with a real parser, and the exit codes
// and one-line messages for bad input. UPDATE_GOLDEN=1 rewrites the golden files.

import { describe, it, expect, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseCsv } from "csv-parse/sync";
import { writePcap } from "../helpers/capture-writer.js";
import { Conversation, merge } from "../helpers/conversation.js";
import { F, ethernet } from "../helpers/packets.js";
import { readPcapFrames } from "../helpers/read-pcap.js";
import { udpTunnel, vxlan } from "../helpers/tunnels.js";
import { corpusDir } from "../helpers/decode.js";
import { golden } from "../helpers/golden.js";
import { readDoc, between } from "../helpers/doc-section.js";
import { writeFlood } from "../../bench/flood.js";
import { generateCapture } from "../../bench/generate.js";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
const SAMPLE = fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ths-cli-scan-"));
const SCENARIO = join(dir, "scenarios.pcap");

function run(args: string[], input?: Uint8Array) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: "utf8", maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  const { SYN, ACK, FIN, RST, PSH } = F;
  const convs = [
    new Conversation({ clientPort: 50001, start: 1_700_000_000 }).c(SYN).s({ flags: SYN | ACK, dt: 12 }).c({ flags: ACK, dt: 3 })
      .c(ACK | PSH, 300).s(ACK).s(ACK | PSH, 1400).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK),
    new Conversation({ clientPort: 50002, serverPort: 8443, start: 1_700_000_000.2 }).c(SYN).s({ flags: RST | ACK, seq: 0 }),
    new Conversation({ clientPort: 50003, server: "10.0.0.9", start: 1_700_000_000.3 }).c(SYN).c({ flags: SYN, seq: 1000, dt: 1000 }),
    new Conversation({ clientPort: 50004, v6: true, start: 1_700_000_000.4 }).c(SYN).s(SYN | ACK).c(ACK).s(ACK | PSH, 10).c(RST | ACK),
  ];
  // A long transfer, to be folded in its ladder.
  const bulk = new Conversation({ clientPort: 50005, start: 1_700_000_000.5 }).c(SYN).s(SYN | ACK).c(ACK).c(ACK | PSH, 100);
  for (let k = 0; k < 40; k++) bulk.s({ flags: ACK, payload: 1448, dt: 1 });
  bulk.c(ACK).s(FIN | ACK).c(FIN | ACK).s(ACK);
  writeFileSync(SCENARIO, writePcap(merge(...convs, bulk)));
});

describe("tcp-handshake-scan <capture>", () => {
  it("summary of the shipped sample (golden)", () => {
    const r = run([SAMPLE]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    golden("sample-summary.txt", r.stdout.replace(SAMPLE, "examples/sample.pcap"));
  });

  it("summary of the impaired recordings, with the connection-health section (golden)", () => {
    const dir = fileURLToPath(new URL("../fixtures/impaired/", import.meta.url));
    const files = readdirSync(dir).filter((f) => f.endsWith(".pcap")).sort().map((f) => join(dir, f));
    const r = run(["--top", "5", ...files]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Connection health (Wireshark's TCP analysis)");
    expect(r.stdout).toContain("! 1 connection acknowledged data the capture does not hold");
    golden("impaired-summary.txt", r.stdout.split(dir).join("impaired/"));
  });

  it("summary and ladders of the scenario capture (golden)", () => {
    const summary = run([SCENARIO]);
    expect(summary.code).toBe(0);
    golden("scenarios-summary.txt", summary.stdout.replace(SCENARIO, "scenarios.pcap"));
    const ladders = run(["--ladder", "id 0 or id 1 or outcome unanswered or host 2001:db8::c or port 50005", SCENARIO]);
    expect(ladders.code).toBe(0);
    golden("scenarios-ladders.txt", ladders.stdout);
  });

  it("ladder by id on the sample (golden), the id taken from the records", () => {
    const records = run(["--format", "ndjson", SAMPLE]).stdout.trim().split("\n").map((l) => JSON.parse(l));
    const halfClose = records.find((c) => c.resp.port === 7000);
    const byId = run(["--ladder", String(halfClose.id), SAMPLE]);
    expect(byId.code).toBe(0);
    golden("sample-ladder-half-close.txt", byId.stdout);
    expect(run(["--ladder", "port 7000", SAMPLE]).stdout).toBe(byId.stdout);
  });

  it("json parses and holds every connection, the captures and the report", () => {
    const r = run(["--format", "json", SAMPLE]);
    const doc = JSON.parse(r.stdout);
    expect(doc.connections).toHaveLength(9);
    expect(doc.report.byConnState).toEqual({ SF: 4, REJ: 1, RSTR: 1, RSTO: 1, S0: 1, S1: 1 });
    expect(doc.captures[0].stats.packets).toBe(71);
  });

  it("decapsulates on the ports --tunnel-ports adds, and not past --max-tunnel-depth", () => {
    const path = join(dir, "vxlan-4790.pcap");
    const frames = readPcapFrames(readFileSync(SAMPLE)).map((f) => ({ ...f, origLen: undefined, data: ethernet(udpTunnel({ src: "192.0.2.1", dst: "192.0.2.2" }, 50000, 4790, vxlan(9, f.data))) }));
    writeFileSync(path, writePcap(frames));
    const plain = JSON.parse(run(["--format", "json", SAMPLE]).stdout).connections;
    const wrapped = JSON.parse(run(["--format", "json", "--tunnel-ports", "vxlan=4790", path]).stdout).connections;
    expect(wrapped.map(({ tunnel: _, ...rest }: { tunnel: unknown }) => rest)).toEqual(plain);
    const identity = wrapped[0].tunnel.identity;
    const chain = [{ type: "vxlan", src: "192.0.2.1", dst: "192.0.2.2", sport: 50000, dport: 4790, vni: 9 }];
    for (const c of wrapped) expect(c.tunnel).toEqual({ types: ["vxlan"], identity, parents: [identity], changes: 0, chain });
    // The csv's tunnel columns, and zeek's tunnel_parents: one uid, the tunnel's, for every connection.
    const csv = parseCsv(run(["--format", "csv", "--tunnel-ports", "vxlan=4790", path]).stdout, { columns: true }) as Record<string, string>[];
    for (const row of csv) {
      expect(row).toMatchObject({
        tunnel: "vxlan", tunnel_identity: identity, tunnel_parents: identity, tunnel_changes: "0",
        tunnel_chain: "vxlan 192.0.2.1:50000-192.0.2.2:4790 vni=9",
      });
    }
    const zeek = run(["--format", "zeek", "--tunnel-ports", "vxlan=4790", path]).stdout.split("\n");
    const column = zeek.find((l) => l.startsWith("#fields"))!.split("\t").indexOf("tunnel_parents") - 1;
    const parents = new Set(zeek.filter((l) => l !== "" && !l.startsWith("#")).map((l) => l.split("\t")[column]));
    expect([...parents]).toHaveLength(1);
    expect([...parents][0]).toMatch(/^C[0-9A-Za-z]{17}$/);
    expect(JSON.parse(run(["--format", "json", path]).stdout).connections).toHaveLength(0);
    expect(JSON.parse(run(["--format", "json", "--tunnel-ports", "vxlan=4790", "--max-tunnel-depth", "0", path]).stdout).connections).toHaveLength(0);
  });

  it("ndjson is one parseable record per line, filtered", () => {
    const r = run(["--format", "ndjson", "--filter", "not outcome complete", SAMPLE]);
    const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(rows.map((c) => c.handshake.outcome)).toEqual(["rejected", "unanswered"]);
  });

  it("csv parses with a CSV parser, one row per connection", () => {
    const r = run(["--format", "csv", SAMPLE]);
    const rows = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(9);
    expect(rows[0]).toMatchObject({
      id: "1", conn_state: "SF", history: "ShADadFf", outcome: "complete", teardown: "fin-3", orig_mss: "1460",
      first_packet: "1", orig_sack_permitted: "true", resp_sack_permitted: "true", orig_timestamps: "true", resp_timestamps: "true",
      orig_mptcp: "false", resp_mptcp: "false", inner_vlan: "",
    });
    expect(rows.find((x) => x.orig_addr === "fd00:99::1")).toBeDefined();
    // A side that sent no SYN has no handshake options: empty cells, not false.
    const unanswered = rows.find((x) => x.outcome === "unanswered")!;
    expect(unanswered).toMatchObject({ orig_sack_permitted: "true", resp_sack_permitted: "", resp_mss: "", resp_ecn: "" });
    // Every column is documented in the csv table (docs/columns.md), and nothing else is.
    const section = between(readDoc("docs/columns.md"), "\n## csv columns\n", "\n## Parquet columns\n");
    const documented = new Set([...section.matchAll(/^\|([^|]+)\|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([a-z0-9_]+)`/g)].map((n) => n[1])));
    expect([...documented].sort()).toEqual(Object.keys(rows[0]!).sort());
  });

  it("zeek output has the conn.log header and rows that fit its #fields", () => {
    const r = run(["--format", "zeek", "-o", join(dir, "conn.log"), SAMPLE]);
    expect(r.code).toBe(0);
    const lines = readFileSync(join(dir, "conn.log"), "utf8").trim().split("\n");
    expect(lines[0]).toBe("#separator \\x09");
    const fields = lines.find((l) => l.startsWith("#fields"))!.split("\t").slice(1);
    const types = lines.find((l) => l.startsWith("#types"))!.split("\t").slice(1);
    expect(fields.length).toBe(types.length);
    const rows = lines.filter((l) => !l.startsWith("#")).map((l) => l.split("\t"));
    expect(rows).toHaveLength(9);
    for (const row of rows) expect(row.length).toBe(fields.length);
    const col = (name: string) => fields.indexOf(name);
    expect(rows.map((row) => row[col("conn_state")])).toContain("REJ");
    expect(rows[0]![col("uid")]).toMatch(/^C[0-9A-Za-z]{17}$/);
    expect(lines[lines.length - 1]).toMatch(/^#close\t\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d$/);
    // Zeek's last base column and its community-id policy script's column, after tunnel_parents;
    // then the TCP analysis columns, after every column of Zeek's.
    const zeekEnd = fields.indexOf("community_id");
    expect(fields.slice(zeekEnd - 2, zeekEnd + 1)).toEqual(["tunnel_parents", "ip_proto", "community_id"]);
    expect(types.slice(zeekEnd - 1, zeekEnd + 1)).toEqual(["count", "string"]);
    expect(fields.slice(zeekEnd + 1, zeekEnd + 3)).toEqual(["orig_retransmission", "orig_fast_retransmission"]);
    expect(fields[fields.length - 1]).toBe("max_gap_us");
    const records = run(["--format", "ndjson", SAMPLE]).stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(rows.map((row) => row[col("community_id")])).toEqual(records.map((c) => c.communityId));
    expect(rows.every((row) => row[col("ip_proto")] === "6")).toBe(true);
    expect(rows.map((row) => Number(row[col("orig_ack_rtt_samples")]))).toEqual(records.map((c) => c.analysis.orig.ackRttUs.samples));
    // A double as Zeek's writer gives it: ".0" after a whole number ("disambiguate from integer").
    const asZeek = (v: number | null) => (v === null ? "-" : Number.isInteger(v) ? `${v}.0` : String(v));
    expect(rows.map((row) => row[col("resp_ack_rtt_max_us")])).toEqual(records.map((c) => asZeek(c.analysis.resp.ackRttUs.max)));
    expect(rows.some((row) => /^\d+\.0$/.test(row[col("resp_ack_rtt_max_us")]!))).toBe(true);
    expect(rows.map((row) => row[col("max_gap_us")])).toEqual(records.map((c) => asZeek(c.analysis.maxGapUs)));
    expect(types.filter((t, k) => t === "double" && rows.some((row) => /^-?\d+$/.test(row[k]!)))).toEqual([]);
  });

  it("zeek #open and #close are the wall clock in local time, as Zeek's ASCII writer writes them", () => {
    // UTC+14 (POSIX names the offset with the opposite sign): a local time no UTC clock shows.
    const r = spawnSync(process.execPath, [BIN, "--format", "zeek", SAMPLE], { encoding: "utf8", env: { ...process.env, TZ: "Etc/GMT-14" } });
    const open = /^#open\t(\d{4})-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)$/m.exec(r.stdout)!;
    const shown = Date.UTC(Number(open[1]), Number(open[2]) - 1, Number(open[3]), Number(open[4]), Number(open[5]), Number(open[6]));
    expect(Math.abs(shown - Date.now() - 14 * 3600_000)).toBeLessThan(120_000);
  });

  it("reads several files as one capture, in the order of their first packets", () => {
    const first = join(dir, "part-b.pcap"), second = join(dir, "part-a.pcap");
    const { SYN, ACK, FIN } = F;
    const conv = new Conversation({ start: 1_700_000_100 }).c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
    writeFileSync(first, writePcap(conv.frames.slice(0, 3)));
    writeFileSync(second, writePcap(conv.frames.slice(3)));
    const r = run(["--format", "ndjson", second, first]); // named in the wrong order
    const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ connState: "SF", history: "ShAFf", firstPacket: 1, lastPacket: 6 });
  });

  it("gives the same records on one thread and on two, also under Node or V8 options (workers inherit them)", () => {
    const one = run(["--format", "ndjson", "--threads", "1", SAMPLE]);
    expect(one.code).toBe(0);
    for (const nodeOptions of [[], ["--max-semi-space-size=16"], ["--stack-size=2000", "--no-warnings"]]) {
      const r = spawnSync(process.execPath, [...nodeOptions, BIN, "--format", "ndjson", "--threads", "2", SAMPLE], { encoding: "utf8" });
      expect(r.stderr, nodeOptions.join(" ")).toBe("");
      expect(r.stdout).toBe(one.stdout);
    }
  });

  it("writes ndjson, csv and zeek lines byte for byte alike on 1, 2 and 3 threads, with and without WebAssembly (from 3 on, the workers write them)", () => {
    const short = join(dir, "short-96.pcap");
    generateCapture(short, { bytes: 3e6, snaplen: 96, seed: 11, mix: "short", concurrency: 300 });
    // --threads is capped at the cores available: this machine is made to say it has four.
    const fourCores = "data:text/javascript,import os from 'node:os'; import { syncBuiltinESMExports } from 'node:module'; os.availableParallelism = () => 4; syncBuiltinESMExports();";
    const stamps = (text: string) => text.replace(/^#(open|close)\t.*$/gm, "#$1");
    for (const args of [["--format", "ndjson"], ["--format", "csv"], ["--format", "zeek"], ["--format", "ndjson", "--filter", "state RSTO or state REJ"]]) {
      const one = run([...args, "--threads", "1", short]);
      expect(one.code).toBe(0);
      expect(one.stdout.split("\n").length, args.join(" ")).toBeGreaterThan(args.length > 2 ? 20 : 500);
      // and with the WebAssembly writers turned off (the JS writers throughout)
      for (const [threads, wasm] of [["1", "0"], ["2", "1"], ["2", "0"], ["3", "1"], ["3", "0"]]) {
        const env = { ...process.env, TCP_SCAN_WASM_LINES: wasm };
        const r = spawnSync(process.execPath, ["--import", fourCores, BIN, ...args, "--threads", threads, short], { encoding: "utf8", env, maxBuffer: 64 << 20 });
        expect(r.stderr, `${args.join(" ")} --threads ${threads}, wasm ${wasm}`).toBe("");
        expect(stamps(r.stdout), `${args.join(" ")} --threads ${threads}, wasm ${wasm}`).toBe(stamps(one.stdout));
      }
    }
  });

  it("reads standard input", () => {
    const r = run(["--format", "ndjson", "-"], readFileSync(SAMPLE));
    expect(r.stdout.trim().split("\n")).toHaveLength(9);
  });

  it("usage errors: one line, exit 2", () => {
    for (const args of [["--format", "yaml", SAMPLE], ["--filter", "port x", SAMPLE], ["--server-ports", "http", SAMPLE], ["--bogus", SAMPLE], []]) {
      const r = run(args);
      expect(r.code, args.join(" ")).toBe(2);
      if (args.length) expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
    }
  });

  it("--max-connections bounds the connections kept (none lifts it); a bad value is a usage error", () => {
    // Two packets a connection (one-packet ones are bounded by --max-half-open): 3 000 records.
    const flood = join(dir, "acks.pcap");
    writeFlood(flood, 6000, 1_000_000, 0x10, 2);
    // Each of the 64 virtual shards keeps 10, and the one its last packet made.
    const bounded = run(["--format", "ndjson", "--max-connections", "640", flood]);
    expect(bounded.code).toBe(0);
    const kinds = bounded.stdout.trim().split("\n").map((l) => JSON.parse(l).teardown.kind);
    const evicted = kinds.filter((k) => k === "evicted").length;
    expect(kinds).toHaveLength(3000);
    expect(evicted).toBeGreaterThanOrEqual(3000 - 64 * 11);
    expect(evicted).toBeLessThanOrEqual(3000 - 64 * 10);
    const summary = run(["--max-connections", "640", flood]);
    expect(summary.stdout).toMatch(new RegExp(`evicted +${evicted}\\b`));
    // The teardown's row names the limit that ended these, not --max-half-open alone: none was half-open.
    const row = summary.stdout.split("\n").find((l) => /^ +evicted /.test(l));
    expect(row).toContain("--max-connections");
    expect(row).not.toContain("half-open,");
    const unbounded = run(["--format", "ndjson", "--max-connections", "none", flood]);
    expect(unbounded.stdout).not.toContain("evicted");
    for (const bad of ["0", "1.5", "many"]) {
      const r = run(["--max-connections", bad, flood]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr, bad).toMatch(/--max-connections/);
    }
  });

  it("--help documents every flag with examples, quickly", () => {
    const started = Date.now();
    const r = run(["--help"]);
    expect(r.code).toBe(0);
    for (const flag of ["--format", "--output", "--filter", "--ladder", "--server-ports", "--verify-checksums", "--tunnel-ports", "--max-tunnel-depth", "--top", "--threads", "--max-half-open", "--max-connections", "--no-progress", "--quiet"]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain("Examples:");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  const root = corpusDir();
  it.runIf(root)("every damaged corpus file: documented exit code, one line, results before the damage", () => {
    const bad = join(root!, "real", "bad");
    const manifest = JSON.parse(readFileSync(join(root!, "real", "manifest.json"), "utf8")).files as { file: string; expect: string }[];
    for (const name of readdirSync(bad)) {
      const entry = manifest.find((e) => e.file === `bad/${name}`)!;
      const r = run(["--format", "ndjson", join(bad, name)]);
      expect(r.code, name).toBe(entry.expect === "error" ? 3 : 4);
      // One line for the error; what was read before it may also have drawn warnings (a
      // damaged record's stamp far from the first packet's), each a line after it.
      const [error, ...warnings] = r.stderr.trim().split("\n");
      expect(error, name).toMatch(/^tcp-handshake-scan: .+: byte \d+( \(packet [1-9]\d*\))?: /);
      for (const w of warnings) expect(w, name).toMatch(/^tcp-handshake-scan: .+: warning: .+ \(\d+x, first at byte \d+\)$/);
    }
  });
});
