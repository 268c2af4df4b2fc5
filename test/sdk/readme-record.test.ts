// The README's "The connection record" and "Connection health" as a user reads them: every field
// the record table names is in a record (or, for the fields present only when tagged or
// tunnelled, absent from a record that is neither), every field a record has is named there,
// and the lists of anomalies, analysis counts and report fields are the program's.

import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { scan, compileFilter, ANOMALIES, ANALYSIS_COUNTS, CONN_STATE_DESCRIPTIONS, type ConnectionRecord, type CaptureReport } from "../../sdk/index.js";
import { writePcap } from "../helpers/capture-writer.js";
import { ethernet, tcpIp, F } from "../helpers/packets.js";
import { udpTunnel, vxlan } from "../helpers/tunnels.js";
import { between } from "../helpers/doc-section.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const readme = readFileSync(`${ROOT}README.md`, "utf8");
const section = between(readme, "\n## The connection record\n", "\n### csv and Parquet columns\n");
const recordTable = between(section, "\n## The connection record\n", "\nAnomalies:");
const health = between(section, "\n### Connection health\n", null);

/** The first cell of each row of a table, as its backticked names. */
function firstCells(table: string): string[][] {
  return table.split("\n").filter((line) => line.startsWith("| `"))
    .map((line) => [...line.split(" | ")[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

/**
 * A row's names as full paths: `handshake.synCount`, `synAckCount` is two fields of handshake;
 * `handshake.options.orig` / `.resp` two fields of handshake.options.
 */
function fieldPaths(cells: string[]): string[] {
  const paths: string[] = [];
  for (const name of cells) {
    const parent = paths.length ? paths.at(-1)!.split(".").slice(0, -1).join(".") : "";
    const relative = name.startsWith(".") ? name.slice(1) : paths.length && !name.includes(".") ? name : null;
    paths.push(relative !== null && parent ? `${parent}.${relative}` : name);
  }
  return paths;
}

function lookup(record: unknown, path: string): { found: boolean; value: unknown } {
  let at: unknown = record;
  for (const key of path.split(".")) {
    if (at === null || typeof at !== "object" || !(key in at)) return { found: false, value: undefined };
    at = (at as Record<string, unknown>)[key];
  }
  return { found: true, value: at };
}

/** Every key path of an object, objects' own keys included (`orig`, `orig.flags`, `orig.flags.syn`). */
function keyPaths(value: unknown, prefix = ""): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, v]) => [`${prefix}${key}`, ...keyPaths(v, `${prefix}${key}.`)]);
}

// Present only on a VLAN-tagged or tunnelled connection ("when tagged", "absent otherwise").
const OPTIONAL = ["vlan", "innerVlan", "tunnel"];

/** One SYN inside VXLAN, its inner frame double-tagged (802.1ad 100, 802.1Q 200). */
function tunnelledSyn(): Uint8Array {
  const inner = ethernet(tcpIp({ src: "192.168.0.1", dst: "192.168.0.2", sport: 40000, dport: 80, flags: F.SYN, options: [{ kind: "mss", value: 1460 }] }),
    { vlans: [[0x88a8, 100], [0x8100, 200]] });
  return writePcap([{ data: ethernet(udpTunnel({ src: "10.1.0.1", dst: "10.1.0.2" }, 50000, 4789, vxlan(42, inner))) }]);
}

let sample: ConnectionRecord[];
let report: CaptureReport;
let tunnelled: ConnectionRecord;

beforeAll(async () => {
  ({ connections: sample, report } = await scan(`${ROOT}examples/sample.pcap`));
  [tunnelled] = (await scan(tunnelledSyn())).connections as [ConnectionRecord];
});

describe("README: the connection record", () => {
  const named = firstCells(recordTable).flatMap(fieldPaths);

  it("names the fields of its table as full paths", () => {
    expect(named).toEqual(expect.arrayContaining(["id", "handshake.rttSynAckToAckUs", "handshake.options.resp", "analysis.maxGapUs", "teardown.firstCloser"]));
  });

  it("has every field its table names", () => {
    for (const c of sample) {
      for (const path of named.filter((p) => !OPTIONAL.includes(p))) expect(lookup(c, path).found, `#${c.id} ${path}`).toBe(true);
      for (const path of OPTIONAL) expect(lookup(c, path).found, `#${c.id} ${path} (not tagged or tunnelled)`).toBe(false);
    }
    expect(tunnelled.vlan).toBe(100);
    expect(tunnelled.innerVlan).toBe(200);
    for (const path of named) expect(lookup(tunnelled, path).found, `tunnelled: ${path}`).toBe(true);
  });

  it("names every field a record has", () => {
    // A key is named when it is a word of some code span of the section (`orig`, `handshake.ack`,
    // `flags: { syn, synAck, fin, rst }`).
    const words = new Set([...section.matchAll(/`([^`]+)`/g)].flatMap((m) => m[1]!.match(/[A-Za-z][A-Za-z0-9-]*/g) ?? []));
    const keys = new Set([...sample, tunnelled].flatMap((c) => keyPaths(c)).map((path) => path.split(".").at(-1)!));
    expect([...keys].filter((key) => !/^\d+$/.test(key) && !words.has(key))).toEqual([]);
  });

  it("has the handshake's frame numbers and options where the table says, null elsewhere", () => {
    const failed = sample.filter((c) => c.handshake.outcome === "rejected" || c.handshake.outcome === "unanswered");
    const complete = sample.filter((c) => c.handshake.outcome === "complete");
    expect(failed.length).toBeGreaterThan(0);
    expect(complete.length).toBeGreaterThan(0);
    for (const { id, handshake: h } of failed) {
      expect([h.synPacket, h.synAckPacket, h.ack, h.options.resp], `#${id}`).toEqual([null, null, null, null]);
      expect(h.options.orig, `#${id}`).not.toBeNull();
    }
    for (const { id, firstPacket, lastPacket, handshake: h } of complete) {
      const frames = [h.synPacket!, h.synAckPacket!, h.ack!.packet];
      expect(frames, `#${id}`).toEqual([...frames].sort((a, b) => a - b));
      expect(Math.min(...frames) >= firstPacket && Math.max(...frames) <= lastPacket, `#${id}`).toBe(true);
    }
  });

  it("lists the outcomes, teardown kinds and conn_states the program knows, in its order", () => {
    const row = (field: string) => recordTable.split("\n").find((line) => line.startsWith(`| \`${field}\``))!.split(" | ")[1]!;
    /** The values the filter language names when given one it does not know. */
    const known = (keyword: string) => {
      try { compileFilter(`${keyword} bogus`); } catch (error) { return /one of: ([^)]*)\)/.exec((error as Error).message)![1]!.split(", "); }
      throw new Error(`${keyword} bogus was taken`);
    };
    const listed = (cell: string) => [...cell.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]!);
    expect(listed(row("handshake.outcome").split("Judged as")[0]!)).toEqual(known("outcome"));
    expect(listed(row("teardown.kind")).filter((v) => !v.startsWith("-"))).toEqual(known("teardown"));
    const states = /\(([A-Z0-9, ]+)\)/.exec(row("connState"))![1]!.split(", ");
    expect(states).toEqual(known("state"));
    expect(states).toEqual(Object.keys(CONN_STATE_DESCRIPTIONS));
  });

  it("lists the anomalies the program names", () => {
    const listed = [...section.slice(section.indexOf("\nAnomalies:"), section.indexOf("each is described once")).matchAll(/`([a-z-]+)`/g)].map((m) => m[1]);
    expect(listed).toEqual(Object.keys(ANOMALIES));
  });
});

describe("README: connection health", () => {
  it("lists the analysis counts of each side, in the record's order", () => {
    const table = between(health, "\n### Connection health\n", "\nAlso per side:");
    const listed = firstCells(table).map((cells) => cells[0]);
    expect(listed).toEqual([...ANALYSIS_COUNTS]);
    expect(Object.keys(sample[0]!.analysis.orig).slice(0, listed.length)).toEqual(listed);
  });

  it("names the ack-RTT statistics and the other per-side measures", () => {
    const also = between(health, "\nAlso per side:", "\n\n");
    const stats = /`ackRttUs \{ ([^}]+) \}`/.exec(also)![1]!.split(", ");
    const side = sample.find((c) => c.analysis.orig.ackRttUs.samples > 0)!.analysis.orig;
    expect(Object.keys(side.ackRttUs)).toEqual(stats);
    // "without samples, `samples` is 0 and the five times are `null`"; "`null` below two" packets
    expect(also).toMatch(/without samples, `samples` is 0 and the five times are\s+`null`/);
    const silent = sample.find((c) => c.resp.pkts === 0)!.analysis.resp;
    expect(silent.ackRttUs).toEqual({ samples: 0, min: null, mean: null, max: null, p50: null, p95: null });
    expect(also).toMatch(/`maxGapUs` \(largest\s+silence between two of its packets, `null` below two\)/);
    expect(silent.maxGapUs).toBeNull();
    const rest = Object.keys(side).slice(ANALYSIS_COUNTS.length + 1);
    for (const key of rest) expect(also, key).toContain(`\`${key}\``);
  });
});

describe("README: the capture-level report", () => {
  it("names the report's fields, in its order", () => {
    const sdk = between(readme, "\n## The SDK\n", "\n## Benchmarks\n");
    const para = between(sdk, "The capture-level report (", "`ScanOptions`");
    // The top-level names: those not given as the parts of another (`.synAckToAck`, a count's fields).
    const top = ["connections", "byOutcome", "byTeardown", "byConnState", "rttUs", "topFailedServers", "topFailedHosts", "scanSuspects", "totals", "quality", "timeline"];
    for (const key of top) expect(para, key).toMatch(new RegExp(`\`${key}[.\`]`));
    expect(Object.keys(report)).toEqual(top);
    const named = new Set([...para.matchAll(/`([a-zA-Z0-9.]+)`/g)].flatMap((m) => m[1]!.split(".")).filter(Boolean));
    const leaves = [report.rttUs.synToSynAck, report.topFailedServers[0], report.topFailedHosts[0], report.totals, report.totals.failedHosts, report.quality, report.timeline].flatMap((o) => Object.keys(o!));
    expect(leaves.filter((key) => !named.has(key))).toEqual([]);
    expect(Object.keys(report.rttUs)).toEqual(["synToSynAck", "synAckToAck"]);
  });
});
