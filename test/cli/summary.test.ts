// The text summary (golden): long IPv6 endpoints, a port scan of one host (one line, not one per
// port), a simultaneous close, a handshake slow enough to be counted in seconds, an unanswered
// SYN the capture ended on, and the same capture filtered ("N of M"). Columns are as wide as
// their widest cell: every row of a table has its columns at the same offsets.

import { describe, it, expect, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writePcap } from "../helpers/capture-writer.js";
import { Conversation, merge } from "../helpers/conversation.js";
import { F } from "../helpers/packets.js";
import { golden } from "../helpers/golden.js";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
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

  it("a filtered headline agrees in number: 1 matches, 0 match", () => {
    const conv = new Conversation({ start: 1_700_000_000 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK);
    const path = join(dir, "one.pcap");
    writeFileSync(path, writePcap(conv.frames));
    const headline = (args: string[]) => run([...args, path]).stdout.split("\n")[0]!.replace(/^.*?, /, "").replace(/^[^,]*, /, "");
    expect(headline(["--filter", "port 80"])).toBe('1 of 1 TCP connection matches "port 80"');
    expect(headline(["--filter", "port 81"])).toBe('0 of 1 TCP connections match "port 81"');
    expect(run(["--filter", "host 10.0.0.8", CAPTURE]).stdout.split("\n")[0]).toMatch(/ 1 of 34 TCP connections matches "host 10\.0\.0\.8"$/);
  });

  it("rates a capture it could not read at all, or one of no packets, as poor; one unreadable input of two as degraded", () => {
    const empty = join(dir, "empty.pcap");
    writeFileSync(empty, new Uint8Array(0));
    const alone = run([empty]);
    expect(alone.code).toBe(3);
    expect(alone.stdout).toContain("Capture quality: poor\n  ! ");
    expect(run([empty, CAPTURE]).stdout).toContain("Capture quality: degraded\n");
    // A capture with its header and no packet: nothing read either, said as such.
    const none = join(dir, "none.pcap");
    writeFileSync(none, writePcap([]));
    const nothing = run([none]);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toContain("Capture quality: poor\n  ! the capture holds no packets\n");
  });

  it("names no order for one server with failed handshakes", () => {
    const path = join(dir, "refused.pcap");
    writeFileSync(path, writePcap(new Conversation({ start: 1_700_000_000, serverPort: 81 }).c(F.SYN).s({ flags: F.RST | F.ACK, seq: 0 }).frames));
    const out = run([path]).stdout;
    expect(out).toMatch(/^Servers with failed handshakes .*\n  10\.0\.0\.2:81 .*\n  \(a host with failures on several ports is one line\)\n/m);
  });

  it("says once, not 1 times", () => {
    const conv = new Conversation({ start: 1_700_000_000 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK);
    const frames = conv.frames;
    frames[2] = { ...frames[2]!, sec: frames[0]!.sec! - 1 }; // one step backwards in time
    const path = join(dir, "backwards.pcap");
    writeFileSync(path, writePcap(frames));
    expect(run([path]).stdout).toContain("timestamps step backwards once");
  });

  it("says 4096+ where distinct ports or hosts are counted no further, in both tables", () => {
    // One source's SYNs to 5 000 ports of one host, unanswered: a port scan of one server host.
    const frames = Array.from({ length: 5000 }, (_, k) =>
      new Conversation({ client: "10.9.9.9", server: "10.2.0.1", clientPort: 40_000, serverPort: 1 + k, start: 1_700_000_000 + k * 1e-3 }).c(F.SYN).frames[0]!);
    const path = join(dir, "portscan.pcap");
    writeFileSync(path, writePcap(frames));
    const out = run([path, "--max-half-open", "none"]).stdout;
    expect(out).toMatch(/^  10\.2\.0\.1 \(4096\+ ports\) +5000 +5000 +5000 unanswered$/m);
    expect(out).toMatch(/^  10\.9\.9\.9 +port-scan +5000 +0 +4096\+ +1$/m);
  });
});

// "Servers with failed handshakes" and "SYN scan / flood suspects" follow --top as the
// connection lists do (10 by default, none with 0, all with enough), and say how many more
// there were when some are left out. 12 hosts refuse a client, host k k times; 12 sources flood.
describe("the summary's server lists and --top", () => {
  const path = join(dir, "many-servers.pcap");
  beforeAll(() => {
    const { SYN, RST, ACK } = F;
    const convs: Conversation[] = [];
    for (let k = 1; k <= 12; k++) {
      for (let n = 0; n < k; n++) {
        convs.push(new Conversation({ client: "10.1.0.1", server: `10.2.0.${k}`, clientPort: 1000 + 20 * k + n, serverPort: 80, start: 1_700_000_000 + k + n / 100 }).c(SYN).s({ flags: RST | ACK, seq: 0 }));
      }
      for (let n = 0; n < 20 + k; n++) {
        convs.push(new Conversation({ client: `10.3.0.${k}`, server: "10.4.0.1", clientPort: 2000 + n, serverPort: 443, start: 1_700_000_100 + k + n / 100 }).c(SYN));
      }
    }
    writeFileSync(path, writePcap(merge(...convs)));
  });
  /** The rows of the table under `title`, and the line after them. */
  const section = (text: string, title: string) => {
    const lines = text.split("\n");
    const at = lines.findIndex((l) => l.startsWith(title));
    if (at < 0) return null;
    const end = lines.findIndex((l, k) => k > at && !/^ {2}[^ (]/.test(l));
    return { rows: lines.slice(at + 1, end), after: lines[end] };
  };

  it("lists 10 by default and says how many more", () => {
    const r = run([path]);
    expect(r.code).toBe(0);
    const servers = section(r.stdout, "Servers with failed handshakes")!;
    expect(servers.rows).toHaveLength(10);
    expect(servers.after).toBe("  (3 more servers; most failures first; a host with failures on several ports is one line)");
    const suspects = section(r.stdout, "SYN scan / flood suspects")!;
    expect(suspects.rows).toHaveLength(10);
    expect(suspects.after).toBe("  (3 more sources)");
    expect(r.stdout).toMatch(/Failed handshakes \(the first 10 of 396,/);
  });

  it("lists --top N of them", () => {
    const r = run(["--top", "2", path]);
    const servers = section(r.stdout, "Servers with failed handshakes")!;
    expect(servers.rows.map((row) => row.trim().split(/ +/)[0])).toEqual(["10.4.0.1:443", "10.2.0.12:80"]);
    expect(servers.after).toMatch(/^ {2}\(11 more servers; /);
    expect(section(r.stdout, "SYN scan / flood suspects")!.after).toBe("  (11 more sources)");
  });

  it("lists all, with no more to say, when --top is large enough", () => {
    const r = run(["--top", "13", path]);
    const servers = section(r.stdout, "Servers with failed handshakes")!;
    expect(servers.rows).toHaveLength(13);
    expect(servers.after).toBe("  (most failures first; a host with failures on several ports is one line)");
    expect(section(r.stdout, "SYN scan / flood suspects")!.rows).toHaveLength(13);
    expect(section(r.stdout, "SYN scan / flood suspects")!.after).toBe("");
    expectAligned(r.stdout);
  });

  it("lists none with --top 0, as the connection lists", () => {
    const r = run(["--top", "0", path]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/Servers with failed handshakes|SYN scan \/ flood suspects|Failed handshakes \(/);
    expect(r.stdout).toMatch(/^Handshakes /m);
  });

  it("the same through the record path (TCP_SCAN_SUMMARY_RECORDS=1) and with a filter", () => {
    for (const top of ["2", "13"]) {
      const plain = run(["--top", top, path]).stdout;
      const records = spawnSync(process.execPath, [BIN, "--top", top, path], { encoding: "utf8", env: { ...process.env, TCP_SCAN_SUMMARY_RECORDS: "1" } });
      expect(records.stdout, `--top ${top}`).toBe(plain);
      const filtered = run(["--top", top, "--filter", "tcp", path]).stdout;
      expect(section(filtered, "Servers with failed handshakes"), `--filter, --top ${top}`).toEqual(section(plain, "Servers with failed handshakes"));
    }
  });
});

describe("the quality line for an input that failed", () => {
  it("a file that is not a capture, or empty, could not be read (exit 3); one cut short is damaged (exit 4)", () => {
    const notCapture = join(dir, "notes.txt");
    writeFileSync(notCapture, "root:x:0:0:root:/root:/bin/bash\n");
    const empty = join(dir, "empty.pcap");
    writeFileSync(empty, "");
    const cut = join(dir, "cut.pcap");
    const whole = readFileSync(CAPTURE);
    writeFileSync(cut, whole.subarray(0, whole.length - 7));
    const unreadable = run([CAPTURE, notCapture]);
    expect(unreadable.code).toBe(3);
    expect(unreadable.stdout).toContain(`! ${notCapture} could not be read: byte 0: not a pcap or pcapng capture`);
    expect(unreadable.stdout).not.toContain("is damaged");
    expect(run([empty]).stdout).toContain(`! ${empty} could not be read: byte 0: the input is empty (0 bytes)`);
    const damaged = run([cut]);
    expect(damaged.code).toBe(4);
    expect(damaged.stdout).toMatch(new RegExp(`! ${cut.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} is damaged at byte \\d+: .*; results cover what came before`));
  });
});
