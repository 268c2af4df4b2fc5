// The text summary (golden): long IPv6 endpoints, a port scan of one host (one line, not one per
// port), a simultaneous close, a handshake slow enough to be counted in seconds, an unanswered
// SYN the capture ended on, and the same capture filtered ("N of M"). Columns are as wide as
// their widest cell: every row of a table has its columns at the same offsets.

import { describe, it, expect, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writePcap } from "../helpers/capture-writer.js";
import { Conversation, merge } from "../helpers/conversation.js";
import { F } from "../helpers/packets.js";
import { golden } from "../helpers/golden.js";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ths-cli-summary-"));
const CAPTURE = join(dir, "mixed.pcap");

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout.replaceAll(CAPTURE, "mixed.pcap"), stderr: r.stderr };
}

beforeAll(() => {
  const { SYN, ACK, FIN, RST, PSH } = F;
  const t0 = 1_700_000_000;
  const long6 = { client: "2001:db8:1234:5678:9abc:def0:1234:5678", server: "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", v6: true };
  const convs = [
    new Conversation({ ...long6, clientPort: 61000, serverPort: 443, start: t0 }).c(SYN).s(SYN | ACK).c(ACK).c(ACK | PSH, 10).s(ACK | PSH, 20)
      .c(FIN | ACK).s({ flags: FIN | ACK, ack: 1011, dt: 0 }).c(ACK).s(ACK), // simultaneous close
    new Conversation({ ...long6, clientPort: 61001, serverPort: 8443, start: t0 + 0.5 }).c(SYN).s({ flags: RST | ACK, seq: 0 }),
    // A slow handshake: 4 s to the SYN/ACK, 20 s more to the ACK.
    new Conversation({ client: "192.168.100.200", server: "10.0.0.7", clientPort: 50000, start: t0 + 1 }).c(SYN).s({ flags: SYN | ACK, dt: 4000 }).c({ flags: ACK, dt: 20000 })
      .c(FIN | ACK).s(FIN | ACK).c(ACK),
    // Still waiting for an answer when the capture ends.
    new Conversation({ client: "192.168.100.200", server: "10.0.0.8", clientPort: 50001, start: t0 + 29 }).c(SYN),
  ];
  // A port scan of one host: 30 ports, every SYN refused.
  for (let port = 1; port <= 30; port++) {
    convs.push(new Conversation({ client: "198.51.100.66", server: "10.0.0.50", clientPort: 40000 + port, serverPort: port, start: t0 + 2 + port / 100 }).c(SYN).s({ flags: RST | ACK, seq: 0 }));
  }
  writeFileSync(CAPTURE, writePcap(merge(...convs)));
});

/** Each table's rows must put their columns at the same offsets as its header line. */
function expectAligned(summary: string): void {
  for (const block of summary.split("\n\n")) {
    const lines = block.split("\n");
    const header = lines.findIndex((l) => /^ {0,2}\S.*\S {2}\S/.test(l) && !l.startsWith("  !"));
    if (header < 0 || lines[0]!.startsWith("Capture quality")) continue;
    // Header cells after the first: where each starts and ends.
    const columns = [...lines[header]!.matchAll(/(?<= {2})\S+(?: \S+)*/g)].map((m) => ({ at: m.index, end: m.index + m[0].length }));
    for (const row of lines.slice(header + 1).filter((l) => l.startsWith("  ") && !l.startsWith("  ("))) {
      // Every column the header starts is where a cell of the row starts, or, right-aligned, where
      // a cell of the row ends with the header's label.
      for (const { at, end } of columns) {
        const leftAligned = row[at - 1] === " " || row[at - 2] === " " || row.length <= at;
        const rightAligned = row[end - 1] !== " " && (row[end] === " " || row.length === end);
        expect(leftAligned || rightAligned, `${row}\n${lines[header]}`).toBe(true);
      }
    }
  }
}

describe("text summary", () => {
  it("IPv6 endpoints, a port scan of one host, a simultaneous close, a slow handshake (golden)", () => {
    const r = run([CAPTURE]);
    expect(r.code).toBe(0);
    golden("mixed-summary.txt", r.stdout);
    expect(r.stdout).toContain("10.0.0.50 (30 ports)");
    expect(r.stdout).not.toMatch(/ms\d|s\d+ ms/); // RTT columns never run together
    expectAligned(r.stdout);
  });

  it("a filtered run says how many of all matched (golden)", () => {
    const expression = "ip6 or host 10.0.0.50 and port 1 or host 10.0.0.8";
    const r = run(["--filter", expression, CAPTURE]);
    expect(r.code).toBe(0);
    golden("mixed-summary-filtered.txt", r.stdout);
    expect(r.stdout.split("\n")[0]).toBe(`mixed.pcap: 78 packets (78 TCP), 4 of 34 TCP connections match "${expression}"`);
    expect(r.stdout).toMatch(/unanswered +capture ended/);
    expectAligned(r.stdout);
  });

  it("says once, not 1 times", () => {
    const conv = new Conversation({ start: 1_700_000_000 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK);
    const frames = conv.frames;
    frames[2] = { ...frames[2]!, sec: frames[0]!.sec! - 1 }; // one step backwards in time
    const path = join(dir, "backwards.pcap");
    writeFileSync(path, writePcap(frames));
    expect(run([path]).stdout).toContain("timestamps step backwards once");
  });
});
