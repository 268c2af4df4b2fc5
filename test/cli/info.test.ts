// `tcp-handshake-scan info`, run as the built command.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync, mkdtempSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { corpusDir } from "../helpers/decode.js";
import { writePcap, writePcapng } from "../helpers/capture-writer.js";
import { Conversation } from "../helpers/conversation.js";
import { readPcapFrames } from "../helpers/read-pcap.js";
import { ethernet, tcpIp, F } from "../helpers/packets.js";
import { udpTunnel, vxlan, outerIp } from "../helpers/tunnels.js";
import { fragmentV4, pieces } from "../helpers/fragments.js";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
const SAMPLE = fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url));

function run(args: string[], input?: Uint8Array) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("info", () => {
  it("describes the shipped sample", () => {
    const r = run(["info", SAMPLE]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/Container:\s+pcap 2\.4, little-endian/);
    expect(r.stdout).toMatch(/#0 {2}ETHERNET \(1\), snaplen 262144, microseconds/);
    expect(r.stdout).toMatch(/Packets:\s+71\n {2}TCP\s+71 \(100\.0%\)/);
  });

  it("gives data size, rates and average packet size as capinfos does", () => {
    const r = run(["info", SAMPLE]);
    const capinfos = spawnSync("capinfos", [SAMPLE], { encoding: "utf8" });
    if (capinfos.status !== 0) console.log("info: capinfos is not installed; its figures are taken as known");
    const theirs = capinfos.status === 0 ? capinfos.stdout : [
      "Data size:           5458 bytes", "Data byte rate:      1402 bytes/s", "Data bit rate:       11 kbps",
      "Average packet size: 76.87 bytes", "Average packet rate: 18 packets/s"].join("\n");
    const field = (text: string, name: string) => new RegExp(`^${name}:\\s+(.+)$`, "m").exec(text)?.[1];
    for (const name of ["Data byte rate", "Data bit rate", "Average packet size", "Average packet rate"]) {
      expect(field(r.stdout, name), name).toBe(field(theirs, name));
    }
    expect(field(r.stdout, "Data size")).toBe(`${field(theirs, "Data size")} (original packet lengths)`);
    expect(field(r.stdout, "File size")).toBe("6618 bytes");
    const json = JSON.parse(run(["info", "--json", SAMPLE]).stdout);
    expect(json).toMatchObject({ fileSize: 6618, compression: null, averagePacketSize: 5458 / 71 });
    // Over capinfos's span (two doubles near 1.7e9 s subtracted): within 1e-7 s of the exact 3.892163 s.
    expect(json.rates.dataBytesPerSec).toBeCloseTo(5458 / 3.892163, 4);
  });

  it("prints the rates and the average packet size as capinfos does on the corpus: cut, and ties to even", () => {
    const root = corpusDir();
    if (!root) return;
    // capinfos 4.0's lines where rounding and cutting differ (18 755.8 B/s, 102.6 packets/s, 2424.125 bytes).
    const known: Record<string, string[]> = {
      "ppp__tls2.pcap": ["Data byte rate:      18 kBps", "Data bit rate:       150 kbps", "Average packet size: 367.02 bytes", "Average packet rate: 51 packets/s"],
      "gopacket__test_loopback.pcap": ["Data byte rate:      248 kBps", "Data bit rate:       1990 kbps", "Average packet size: 2424.12 bytes", "Average packet rate: 102 packets/s"],
      // Out of time order: its earliest packet is not its first (capinfos runs from the earliest).
      "ppp__many_interfaces-1.pcapng": ["Data byte rate:      6157 bytes/s", "Data bit rate:       49 kbps", "Average packet size: 249.28 bytes", "Average packet rate: 24 packets/s"],
      // Rates over capinfos's span, the difference of two doubles (exact, the last digit moved).
      "../../zeek/traces/syn-then-stuff-then-rst.pcap": ["Data byte rate:      364 kBps", "Data bit rate:       2917 kbps", "Average packet size: 54.00 bytes", "Average packet rate: 6754 packets/s"],
      "../../zeek/traces/syn-then-ack-then-rst.pcap": ["Data byte rate:      351 kBps", "Data bit rate:       2810 kbps", "Average packet size: 54.00 bytes", "Average packet rate: 6506 packets/s"],
      "ppp__sll2.pcap": ["Data byte rate:      439 kBps", "Data bit rate:       3517 kbps", "Average packet size: 70.33 bytes", "Average packet rate: 6250 packets/s"],
      "ppp__nanosecs_big_endian.pcap": ["Data byte rate:      2732 kBps", "Data bit rate:       21 Mbps", "Average packet size: 219.80 bytes", "Average packet rate: 12 kpackets/s"],
    };
    const field = (text: string, name: string) => new RegExp(`^${name}:\\s+(.+)$`, "m").exec(text)?.[1];
    for (const [name, lines] of Object.entries(known)) {
      const path = join(root, "real", "good", name);
      const capinfos = spawnSync("capinfos", [path], { encoding: "utf8" });
      const theirs = capinfos.status === 0 ? capinfos.stdout : lines.join("\n");
      const ours = run(["info", path]).stdout;
      for (const f of ["Data byte rate", "Data bit rate", "Average packet size", "Average packet rate"]) {
        expect(field(ours, f), `${name}: ${f}`).toBe(field(theirs, f));
      }
    }
  });

  it("a capture of one instant or of no packet: rates and size 0 in the text, as capinfos prints them; null in --json", () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-cli-"));
    const field = (text: string, name: string) => new RegExp(`^${name}:\\s+(.+)$`, "m").exec(text)?.[1];
    for (const [name, frames] of [["one.pcap", 1], ["none.pcap", 0]] as const) {
      const path = join(dir, name);
      writeFileSync(path, writePcap(Array.from({ length: frames }, () => ({ data: ethernet(tcpIp({ flags: F.SYN })) }))));
      const ours = run(["info", path]).stdout;
      const capinfos = spawnSync("capinfos", [path], { encoding: "utf8" });
      const theirs = capinfos.status === 0 ? capinfos.stdout : [
        "Data byte rate:      0 bytes/s", "Data bit rate:       0 bits/s",
        `Average packet size: ${frames ? "54.00" : "0.00"} bytes`, "Average packet rate: 0 packets/s"].join("\n");
      for (const f of ["Data byte rate", "Data bit rate", "Average packet size", "Average packet rate"]) expect(field(ours, f), `${name}: ${f}`).toBe(field(theirs, f));
      expect(JSON.parse(run(["info", "--json", path]).stdout).rates).toBeNull();
    }
  });

  it("counts packets as capinfos does (pcapng custom blocks apart) and gives Simple Packet Blocks no time", () => {
    const root = corpusDir();
    if (!root) return;
    // 8 packets, 3 custom blocks: capinfos's average is over the 8 (the blocks took frame numbers).
    const custom = JSON.parse(run(["info", "--json", join(root, "real", "good", "gopacket__test202_be.pcapng")]).stdout);
    expect([custom.packets.total, custom.packets.nonPacketFrames, custom.averagePacketSize]).toEqual([8, 3, 288]);
    // Simple Packet Blocks only: no capture time (it printed 1970-01-01 and a duration of 0).
    const simple = JSON.parse(run(["info", "--json", join(root, "real", "good", "gopacket__test010.pcapng")]).stdout);
    expect([simple.packets.total, simple.firstTimestamp, simple.lastTimestamp, simple.duration, simple.rates]).toEqual([4, null, null, null, null]);
  });

  it("prints no rate for packets without a time (Simple Packet Blocks alone), as capinfos, which it printed as 0 /s", () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-info-spb-"));
    const path = join(dir, "spb.pcapng");
    const frame = { data: ethernet(tcpIp({ flags: F.SYN })) };
    writeFileSync(path, writePcapng([{ blocks: [{ type: "spb", frame }, { type: "spb", frame }] }]));
    const text = run(["info", path]).stdout;
    expect(text).toMatch(/^Packets: +2$/m);
    expect(text).toMatch(/^Average packet size: +\d+\.\d\d bytes$/m);
    expect(text).not.toMatch(/rate|First packet|Duration/);
    // A capture of one instant keeps its rates of 0, as capinfos prints them.
    writeFileSync(path, writePcapng([{ blocks: [{ type: "epb", frame: { ...frame, sec: 1_700_000_000 } }] }]));
    expect(run(["info", path]).stdout).toMatch(/^Data byte rate: +0 bytes\/s$/m);
  });

  it("runs from the earliest packet to the latest, as capinfos does, when the file is out of time order", () => {
    const root = corpusDir();
    if (!root) return;
    const path = join(root, "real", "good", "ppp__many_interfaces-1.pcapng"); // capinfos: 2.590777 s from 19:35:25.701568
    const r = run(["info", path]);
    expect(r.stdout).toMatch(/^First packet: +2015-08-16T19:35:25\.701568000Z \(1439753725\.701568000\)$/m);
    expect(r.stdout).toMatch(/^Duration: +2\.590777000 s$/m);
    const json = JSON.parse(run(["info", "--json", path]).stdout);
    expect(json).toMatchObject({ firstTimestamp: "1439753725.701568000", lastTimestamp: "1439753728.292345000", duration: "2.590777000" });
  });

  // capinfos -S -a -e prints each capture's first and last time as seconds; where capinfos is
  // missing, its 4.0 lines stand in.
  function capinfosTimes(path: string, known: [string, string]): { first: string; last: string } {
    const capinfos = spawnSync("capinfos", ["-S", "-a", "-e", path], { encoding: "utf8" });
    const text = capinfos.status === 0 ? capinfos.stdout : `First packet time: ${known[0]}\nLast packet time: ${known[1]}\n`;
    const field = (name: string) => new RegExp(`^${name}:\\s+(\\S+)$`, "m").exec(text)![1]!;
    return { first: field("First packet time"), last: field("Last packet time") };
  }

  it("keeps a pcapng count with the top bit set unsigned, as wiretap reads it, and warns where capinfos's span differs", () => {
    const root = corpusDir();
    if (!root) return;
    // Interface #1's stamps are 2^64 - ~5e14 microseconds. Wiretap reads them unsigned, as we do
    // (tshark's frame.time_epoch 18446744073204.126329 ...), so the latest packet agrees. capinfos
    // takes the earliest by nstime_cmp(), which casts the seconds' difference to an int:
    // 18446744073204 - 1422527998 wraps negative, and its span becomes interface #1's 0.151 s.
    const path = join(root, "real", "good", "ppp__pcapng-example.pcapng");
    const theirs = capinfosTimes(path, ["18446744073204.126329", "18446744073204.277451"]);
    const json = JSON.parse(run(["info", "--json", path]).stdout);
    expect(json.lastTimestamp).toBe(theirs.last.padEnd(24, "0"));
    expect(json.firstTimestamp).toBe("1422527998.578402281");
    expect(BigInt.asIntN(32, BigInt(theirs.first.split(".")[0]!) - 1422527998n)).toBeLessThan(0n);
    const warning = "timestamp of 18446744073204 s has the top bit of its 64-bit count set (before 1970 if read signed); read unsigned, as Wireshark does";
    // Frame 2 is stamped 2894531997.938836488 (tshark's frame.time_epoch), 17 037 days after frame 1,
    // the first far one; frames 60 on are 18446744073204 s, where float seconds hold 1/256 s.
    const far = "timestamps up to 213487517.9 days after the first packet's: times this far from it are kept to ~3.9 ms, " +
      "so durations and round trips of connections there may be off by that much (handshake round trips are given to 0.1 us there)";
    expect(json.warnings).toEqual([
      { code: "pcapng.timestamp_top_bit_set", message: warning, count: 100, offset: 10752, packet: 60 },
      { code: "capture.timestamp_far_from_first", message: far, count: 101, offset: 544, packet: 2 },
    ]);
    expect(run(["info", path]).stdout).toContain(`Warning: ${warning} — 100x, first at byte 10752 (packet 60) [pcapng.timestamp_top_bit_set]\n`);
    const scan = run([path, "--format", "ndjson", "-o", "/dev/null"]);
    expect(scan.stderr).toBe(`tcp-handshake-scan: ${path}: warning: ${warning} (100x, first at byte 10752)\n` +
      `tcp-handshake-scan: ${path}: warning: ${far} (101x, first at byte 544)\n`);
  });

  it("carries a nanosecond fraction of a second or more into the seconds, where capinfos prints it as read, and warns", () => {
    const root = corpusDir();
    if (!root) return;
    const path = join(root, "real", "good", "tcpdump__timestamp_invalid_nano.pcap");
    // capinfos: "1418145370.-2147483648", the fraction 2147483648 printed as a signed int.
    const theirs = capinfosTimes(path, ["1418145369.999999999", "1418145370.-2147483648"]);
    const json = JSON.parse(run(["info", "--json", path]).stdout);
    expect(json.firstTimestamp).toBe(theirs.first);
    const [sec, frac] = theirs.last.split(".") as [string, string];
    const fraction = BigInt.asUintN(32, BigInt(frac)); // the record's 32-bit field
    expect(json.lastTimestamp).toBe(`${BigInt(sec) + fraction / 1_000_000_000n}.${String(fraction % 1_000_000_000n).padStart(9, "0")}`);
    expect(json.duration).toBe("2.147483649");
    expect(json.warnings).toMatchObject([{ code: "capture.timestamp_fraction_out_of_range", count: 2, offset: 116, packet: 2 }]);
    const scan = run([path, "--format", "ndjson", "-o", "/dev/null"]);
    expect(scan.stderr).toBe(`tcp-handshake-scan: ${path}: warning: timestamp fraction 1000000000 is a second or more; carried into the seconds (2x, first at byte 116)\n`);
  });

  it("shows pcapng's capture OS, application and interface names, and whether the file was gzip-compressed", () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-cli-info-"));
    const path = join(dir, "named.pcapng.gz");
    writeFileSync(path, gzipSync(writePcapng([{
      text: [[3, "Linux 6.1"], [4, "dumpcap (Wireshark) 4.0.17"]],
      interfaces: [{ text: [[2, "eth0"], [3, "uplink"]], filter: "tcp port 443" }],
      blocks: new Conversation().c(F.SYN).s(F.SYN | F.ACK).frames.map((frame) => ({ type: "epb" as const, frame })),
    }])));
    const r = run(["info", path]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^File size: +\d+ bytes, gzip-compressed \(\d+ bytes decompressed\)$/m);
    expect(r.stdout).toMatch(/^Capture OS: +Linux 6\.1$/m);
    expect(r.stdout).toMatch(/^Capture application: +dumpcap \(Wireshark\) 4\.0\.17$/m);
    expect(r.stdout).toMatch(/^ {2}#0 {2}eth0 \(uplink\) {2}ETHERNET \(1\), snaplen 262144, microseconds\n {6}filter "tcp port 443"$/m);
    const json = JSON.parse(run(["info", "--json", path]).stdout);
    expect(json).toMatchObject({ compression: "gzip", sections: [{ os: "Linux 6.1", application: "dumpcap (Wireshark) 4.0.17" }], interfaces: [{ name: "eth0", description: "uplink", filter: "tcp port 443" }] });
  });

  it("escapes the capture's own text as the file name's: its newlines and terminal escapes forge no line and drive no terminal", () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-cli-info-"));
    const path = join(dir, "odd.pcapng");
    const odd = "a\r\nForged: yes\t\u001b[31mred\\";
    writeFileSync(path, writePcapng([{
      text: [[2, odd], [3, odd], [4, odd], [1, odd]],
      interfaces: [{ text: [[2, odd], [3, odd], [12, odd], [1, odd]] }],
      blocks: new Conversation().c(F.SYN).frames.map((frame) => ({ type: "epb" as const, frame })),
    }]));
    const r = run(["info", path]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(r.stdout).not.toMatch(/^Forged/m);
    const escaped = "a\\r\\nForged: yes\\t\\x1b[31mred\\\\";
    for (const label of ["Capture hardware:", "Capture OS:", "Capture application:", "Capture comment:"]) {
      expect(r.stdout).toContain(`${label.padEnd(22)}${escaped}\n`);
    }
    expect(r.stdout).toContain(`#0  ${escaped} (${escaped})  ETHERNET`);
    expect(r.stdout).toContain(`OS ${escaped}, comment "${escaped}"`);
    expect(JSON.parse(run(["info", "--json", path]).stdout).sections[0].os).toBe(odd);
  });

  it("prints one parseable JSON object per capture", () => {
    const r = run(["info", "--json", SAMPLE, SAMPLE]);
    expect(r.code).toBe(0);
    const objects = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(objects).toHaveLength(2);
    expect(objects[0]).toMatchObject({ container: "pcap", packets: { total: 71, tcp: 71, udp: 0 }, errors: [] });
  });

  it("reads standard input and gzip-compressed input", () => {
    const bytes = readFileSync(SAMPLE);
    const fromStdin = JSON.parse(run(["info", "--json", "-"], bytes).stdout);
    expect(fromStdin.packets.tcp).toBe(71);
    const dir = mkdtempSync(join(tmpdir(), "ths-cli-"));
    writeFileSync(join(dir, "s.pcap.gz"), gzipSync(bytes));
    expect(JSON.parse(run(["info", "--json", join(dir, "s.pcap.gz")]).stdout).packets.tcp).toBe(71);
  });

  it("a capture cut inside its first header, from standard input: the container alone (no empty version or byte order), and <stdin> named as the scan names it", () => {
    const cut = readFileSync(SAMPLE).subarray(0, 10); // a pcap file header is 24 bytes
    const r = run(["info", "-"], cut);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^File: +<stdin>\n/);
    expect(r.stdout).toMatch(/\nContainer: +pcap\n/); // its magic number read, not its version or byte order
    const ngSection = writePcapng([{ blocks: [] }]).subarray(0, 24); // the Section Header Block cut after its version
    const ng = run(["info", "-"], ngSection);
    expect(ng.code).toBe(3);
    expect(ng.stdout).toMatch(/\nContainer: +pcapng\n/);
    expect(ng.stderr).toMatch(/^tcp-handshake-scan: <stdin>: byte 0/);
    expect(ng.stderr.split("\n")).toHaveLength(2);
    const scan = run(["--format", "ndjson", "-"], ngSection);
    expect(scan.stderr).toBe(ng.stderr);
  });

  it("names the file and cause in one line, exit 3, for a missing file or a non-capture", () => {
    const missing = run(["info", "/no/such/file.pcap"]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe("tcp-handshake-scan: /no/such/file.pcap: no such file\n");
    const notCapture = run(["info", fileURLToPath(new URL("../../package.json", import.meta.url))]);
    expect(notCapture.code).toBe(3);
    expect(notCapture.stderr).toMatch(/^tcp-handshake-scan: .*package\.json: byte 0: not a pcap or pcapng capture: magic number 0x7b0a2020\n$/);
    // A fault in the file header names no packet: there is none yet.
    const dir = mkdtempSync(join(tmpdir(), "ths-cli-"));
    const reserved = join(dir, "reserved.pcap");
    writeFileSync(reserved, writePcap([], { linkField: 0x00300001 }));
    expect(run(["info", reserved]).stderr).toMatch(/reserved\.pcap: byte 20: link-type field 0x00300001 has reserved bits set\n$/);
  });

  it("reports what was read before damage, exit 4", () => {
    const bytes = readFileSync(SAMPLE);
    const dir = mkdtempSync(join(tmpdir(), "ths-cli-"));
    const cut = join(dir, "cut.pcap");
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    const r = run(["info", "--json", cut]);
    expect(r.code).toBe(4);
    const report = JSON.parse(r.stdout);
    expect(report.packets.tcp).toBe(70);
    expect(report.errors[0]).toMatchObject({ code: "capture.truncated_record", packet: 71 });
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("counts packets per tunnel type and level, and the IP datagrams reassembled", () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-cli-"));
    const path = join(dir, "tunnels.pcap");
    const frames = readPcapFrames(readFileSync(SAMPLE)).map((f) => ({ ...f, origLen: undefined, data: ethernet(udpTunnel({ src: "192.0.2.1", dst: "192.0.2.2" }, 50000, 4790, vxlan(9, f.data))) }));
    const big = tcpIp({ flags: F.ACK, payload: 3000 });
    const fragments = fragmentV4(big, pieces(big.length - 20, [1480, 1480])).map((ip) => ({ data: ethernet(ip) }));
    const deep = { data: ethernet(outerIp({ src: "192.0.2.1", dst: "192.0.2.2" }, 4, outerIp({ src: "192.0.2.3", dst: "192.0.2.4" }, 4, outerIp({ src: "192.0.2.5", dst: "192.0.2.6" }, 4, big)))) };
    const incomplete = fragmentV4(big, pieces(big.length - 20, [1480, 1480]), 99).slice(0, 2).map((ip) => ({ data: ethernet(ip) }));
    const sec = frames.at(-1)!.sec; // the same minute as the sample: nothing times out
    writeFileSync(path, writePcap([...frames, ...[...incomplete, ...fragments, deep].map((f) => ({ ...f, sec }))]));

    const text = run(["info", "--tunnel-ports", "vxlan=4790", path]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Tunnels:\s+ip 1 \(level 1\), 1 \(level 2\); vxlan 71 \(level 1\)\n {2}deepest level\s+1: 71, 2: 1, 3: 0\n {2}not decapsulated\s+1 too deep/);
    expect(text.stdout).toMatch(/IP reassembly:\s+1 datagram reassembled; never completed: 1 unfinished/);
    const json = JSON.parse(run(["info", "--json", "--tunnel-ports", "vxlan=4790", "--max-tunnel-depth", "3", path]).stdout);
    expect(json.packets).toMatchObject({ total: 71 + 5 + 1, tcp: 71 + 1 + 1, fragments: 4 });
    expect(json.tunnels).toMatchObject({ byType: { vxlan: [71, 0, 0], ip: [1, 1, 1] }, byDepth: [71, 0, 1], tooDeep: 0 });
    expect(json.reassembly).toMatchObject({ reassembled: 1, unfinished: 1, duplicates: 0 });
    // Without the port, the VXLAN packets are plain UDP.
    expect(JSON.parse(run(["info", "--json", path]).stdout).packets.udp).toBe(71);
  });

  it("rejects bad tunnel options with exit 2 and a one-line reason", () => {
    const ports = run(["info", "--tunnel-ports", "gre=4", SAMPLE]);
    expect(ports.code).toBe(2);
    expect(ports.stderr).toBe('tcp-handshake-scan: --tunnel-ports: "gre" is not one of vxlan, geneve, gtpu, teredo, ayiya, mpls-udp\n');
    const depth = run(["--max-tunnel-depth", "9", SAMPLE]);
    expect(depth.code).toBe(2);
    expect(depth.stderr).toBe('tcp-handshake-scan: --max-tunnel-depth: "9" is not a depth from 0 to 3\n');
  });

  it("rejects unknown options with exit 2, and answers --help", () => {
    expect(run(["info", "--jsonn", SAMPLE]).code).toBe(2);
    expect(run(["info"]).code).toBe(2);
    const help = run(["info", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--json");
    expect(help.stdout).toContain("--verify-checksums");
  });

  const root = corpusDir();
  it.runIf(root)("gives exit 3 or 4 and one line for every damaged corpus file", () => {
    const dir = join(root!, "real", "bad");
    const manifest = JSON.parse(readFileSync(join(root!, "real", "manifest.json"), "utf8")).files as { file: string; expect: string }[];
    for (const name of readdirSync(dir)) {
      const entry = manifest.find((e) => e.file === `bad/${name}`)!;
      const r = run(["info", join(dir, name)]);
      expect(r.code, name).toBe(entry.expect === "error" ? 3 : 4);
      expect(r.stderr, name).toMatch(new RegExp(`^tcp-handshake-scan: .*${name.replace(/\./g, "\\.")}: byte \\d+( \\(packet [1-9]\\d*\\))?: [^\\n]+\\n$`));
      expect(r.stderr, name).not.toMatch(/\n\s+at /);
    }
  });
});

describe("info's output", () => {
  it("a full disk: one line naming the output, exit 5", () => {
    const r = spawnSync("bash", ["-c", `node '${BIN}' info '${SAMPLE}' > /dev/full; echo "$?"`], { encoding: "utf8" });
    expect(r.stdout.trim()).toBe("5");
    expect(r.stderr).toBe("tcp-handshake-scan: standard output: cannot write the output: no space left on device (ENOSPC)\n");
  });

  it("standard output appended to one of the captures: a usage error, the capture untouched", () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-cli-info-"));
    const capture = join(dir, "victim.pcap");
    writeFileSync(capture, readFileSync(SAMPLE));
    const r = spawnSync("bash", ["-c", `node '${BIN}' info '${SAMPLE}' victim.pcap >> victim.pcap; echo "$?"`], { encoding: "utf8", cwd: dir });
    expect(r.stdout.trim()).toBe("2");
    expect(r.stderr).toBe("tcp-handshake-scan: standard output is the capture victim.pcap: it would be written while read (write elsewhere)\n");
    expect(readFileSync(capture)).toEqual(readFileSync(SAMPLE));
  });

  it("a reader gone before the first line: exit 141, quietly", async () => {
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, [BIN, "info", SAMPLE, SAMPLE], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d) => { stderr += d; });
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(141);
    expect(stderr).toBe("");
  });
});

// -q is the scan's and partition's "standard error carries errors alone"; info takes it too, so
// that a script can pass it to every command. Info draws no progress bar and its warnings are
// part of its report, so there is nothing more to drop: the same output, and errors still said.
describe("info -q", () => {
  it("is accepted, with the same report and nothing on standard error", () => {
    const plain = run(["info", SAMPLE]);
    for (const flag of ["-q", "--quiet"]) {
      expect(run(["info", flag, SAMPLE]), flag).toEqual(plain);
      expect(run([flag, "info", SAMPLE]), `${flag} first`).toEqual(plain);
    }
    expect(plain).toMatchObject({ code: 0, stderr: "" });
  });

  it("keeps an error's line and exit code", () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-cli-info-q-"));
    const cut = join(dir, "cut.pcap");
    const bytes = readFileSync(SAMPLE);
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    const plain = run(["info", cut]), quiet = run(["info", "-q", cut]);
    expect(quiet).toEqual(plain);
    expect(quiet.code).toBe(4);
    expect(quiet.stderr).toMatch(/^tcp-handshake-scan: .*cut\.pcap: byte \d+ \(packet \d+\): .*\n$/);
  });
});
