// The summary's "Ack-RTT per server" row of a busy server, checked against the ndjson lines of
// the same capture: it counts every connection and takes its percentiles and max over all of
// them, not over the first thousand to end (a server with 1 500 connections was "1000", and
// the slower last 500 were left out of its p90 and max).

import { describe, it, expect, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";
import { readableDuration } from "../../../cli/format/summary-text.js";

const BIN = fileURLToPath(new URL("../../../dist/cli/bin.cjs", import.meta.url));
const CAPTURE = join(mkdtempSync(join(tmpdir(), "ths-health-")), "busy.pcap");

function run(args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args, CAPTURE], { encoding: "utf8", maxBuffer: 64 << 20 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

beforeAll(() => {
  const { SYN, ACK, FIN, PSH } = F;
  const convs: Conversation[] = [];
  // 1 500 clients of one server; the server answers the last 500 requests 50 ms late instead of 1 ms.
  for (let i = 0; i < 1500; i++) {
    convs.push(new Conversation({ client: `10.1.${i >> 8}.${i & 255}`, clientPort: 20000 + i, serverPort: 443, start: 1_700_000_000 + i / 100 })
      .c(SYN).s(SYN | ACK).c(ACK).c(ACK | PSH, 10).s({ flags: ACK, dt: i < 1000 ? 1 : 50 })
      .c(FIN | ACK).s(FIN | ACK).c(ACK));
  }
  writeFileSync(CAPTURE, writePcap(merge(...convs)));
});

describe("the summary's ack-RTT per server", () => {
  it("counts every connection of a busy server and takes its percentiles over all of them", () => {
    const means = run(["--format", "ndjson"]).trim().split("\n")
      .map((l) => JSON.parse(l).analysis.orig.ackRttUs.mean as number | null)
      .filter((m): m is number => m !== null)
      .sort((a, b) => a - b);
    expect(means.length).toBe(1500);
    const rank = (q: number) => means[Math.ceil(q * means.length) - 1]!;

    const row = run([]).split("\n").find((l) => l.startsWith("  10.0.0.2:443 "));
    expect(row?.trim().split(/\s{2,}/)).toEqual([
      "10.0.0.2:443", "1500", ...[rank(0.5), rank(0.9), rank(0.99), means[means.length - 1]!].map(readableDuration),
    ]);
  });
});

describe("the summary's lists of connections cut by --top", () => {
  it("say how many they leave out, as the other lists do, and count one more server in the singular", () => {
    const out = run(["--top", "3"]);
    expect(out).toContain("Highest ack-RTT (mean over both sides' samples; the 3 highest of 1500)");
    // Two servers, one shown.
    const { SYN, ACK, FIN, PSH } = F;
    const two = join(mkdtempSync(join(tmpdir(), "ths-health-")), "two.pcap");
    writeFileSync(two, writePcap(merge(...["10.0.0.2", "10.0.0.3"].map((server, i) =>
      new Conversation({ server, client: "10.9.0.1", clientPort: 30000 + i, serverPort: 443, start: 1_700_000_000 + i })
        .c(SYN).s(SYN | ACK).c(ACK).c(ACK | PSH, 10).s({ flags: ACK, dt: 2 }).c(FIN | ACK).s(FIN | ACK).c(ACK)))));
    const r = spawnSync(process.execPath, [BIN, "--top", "1", two], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("  (1 more server)\n");
    expect(r.stdout).toContain("Highest ack-RTT (mean over both sides' samples; the 1 highest of 2)");
    // Not cut: no count.
    expect(spawnSync(process.execPath, [BIN, two], { encoding: "utf8" }).stdout).toContain("Highest ack-RTT (mean over both sides' samples)\n");
  });

  it("orders servers of as many connections by their numbers, and says 'at least' past the servers it keeps", () => {
    const { SYN, ACK, FIN, PSH } = F;
    const path = join(mkdtempSync(join(tmpdir(), "ths-health-")), "many.pcap");
    // 10 002 servers of one connection each: 10.5.x.y:80, then two more on 443.
    const servers: [string, number][] = Array.from({ length: 10_000 }, (_, i) => [`10.5.${i >> 8}.${i & 255}`, 80]);
    servers.push(["10.6.0.1", 443], ["10.6.0.2", 443]);
    writeFileSync(path, writePcap(merge(...servers.map(([server, port], i) =>
      new Conversation({ server, client: "10.9.0.1", clientPort: 1024 + (i % 60000), serverPort: port, start: 1_700_000_000 + i / 1000 })
        .c(SYN).s(SYN | ACK).c(ACK).c(ACK | PSH, 10).s({ flags: ACK, dt: 2 }).c(FIN | ACK).s(FIN | ACK).c(ACK)))));
    const r = spawnSync(process.execPath, [BIN, "--top", "3", path], { encoding: "utf8", maxBuffer: 64 << 20 });
    expect(r.status, r.stderr).toBe(0);
    const table = r.stdout.slice(r.stdout.indexOf("Ack-RTT per server"));
    // Not 10.5.0.10, .100, .101 (their text's order).
    expect(table.split("\n").slice(2, 5).map((line) => line.trim().split(/ +/)[0])).toEqual(["10.5.0.0:80", "10.5.0.1:80", "10.5.0.2:80"]);
    expect(table).toContain("  (at least 9997 more servers; 2 connections to servers past the first 10000 not counted)\n");
  });
});
