// Captures that are not plain files: named pipes (alone and with other files), process
// substitution, /dev/stdin, standard input beside files; the same file given twice; a damaged
// gzip trailer. Every case bounded by a timeout (a FIFO opened twice used to hang forever).

import { describe, it, expect, beforeAll } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { mkdirSync, mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writePcap, writePcapng } from "../helpers/capture-writer.js";
import { Conversation } from "../helpers/conversation.js";
import { F } from "../helpers/packets.js";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
const SAMPLE = fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ths-cli-inputs-"));
const EARLY = join(dir, "early.pcap"); // first packet before the sample's
const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

function shell(script: string) {
  const r = spawnSync("bash", ["-c", script], { encoding: "utf8", timeout: 30_000, cwd: dir });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const ids = (ndjson: string) => ndjson.trim().split("\n").map((l) => JSON.parse(l).id as number);

let reference: string;
beforeAll(() => {
  const { SYN, ACK, FIN } = F;
  const conv = new Conversation({ start: 1_500_000_000, clientPort: 42000, serverPort: 7000 }).c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
  writeFileSync(EARLY, writePcap(conv.frames));
  reference = spawnSync(process.execPath, [BIN, "--format", "ndjson", SAMPLE, EARLY], { encoding: "utf8" }).stdout;
  expect(ids(reference)).toHaveLength(10);
});

describe("inputs that cannot seek", () => {
  const cases: [string, string][] = [
    ["a named pipe alone", `rm -f p1; mkfifo p1; cat ${q(SAMPLE)} > p1 & node ${q(BIN)} --format ndjson p1`],
    ["a named pipe with another file (read in first-packet order)", `rm -f p2; mkfifo p2; cat ${q(SAMPLE)} > p2 & node ${q(BIN)} --format ndjson p2 ${q(EARLY)}`],
    ["two named pipes", `rm -f p3 p4; mkfifo p3 p4; cat ${q(SAMPLE)} > p3 & cat ${q(EARLY)} > p4 & node ${q(BIN)} --format ndjson p3 p4`],
    ["process substitution", `node ${q(BIN)} --format ndjson <(cat ${q(SAMPLE)}) ${q(EARLY)}`],
    ["a gzip stream through process substitution", `node ${q(BIN)} --format ndjson <(gzip -c ${q(SAMPLE)}) <(cat ${q(EARLY)})`],
    ["/dev/stdin from a pipe", `cat ${q(SAMPLE)} | node ${q(BIN)} --format ndjson /dev/stdin ${q(EARLY)}`],
    ["/dev/stdin from a file", `node ${q(BIN)} --format ndjson /dev/stdin ${q(EARLY)} < ${q(SAMPLE)}`],
    ["- beside a file", `cat ${q(SAMPLE)} | node ${q(BIN)} --format ndjson - ${q(EARLY)}`],
  ];
  for (const [name, script] of cases) {
    it(name, () => {
      const r = shell(`${script}; echo "exit $?"`);
      expect(r.signal, "hung").toBeNull();
      expect(r.stderr).toBe("");
      const lines = r.stdout.trim().split("\n");
      expect(lines.pop()).toBe("exit 0");
      if (name.includes("alone")) expect(lines).toHaveLength(9); // the sample's connections
      else expect(lines).toEqual(reference.trim().split("\n")); // as when both are plain files
    });
  }
});

describe("the same file twice", () => {
  it("is refused, however spelled, before anything is read (info describes each as asked)", () => {
    const r = shell(`ln -sf ${q(SAMPLE)} link.pcap; cp ${q(SAMPLE)} copy.pcap
      for args in "${SAMPLE} ${SAMPLE}" "${SAMPLE} link.pcap" "copy.pcap ./copy.pcap ${EARLY}"; do node ${q(BIN)} $args; echo "exit $?"; done
      cat ${q(SAMPLE)} | node ${q(BIN)} - /dev/stdin; echo "exit $?"
      node ${q(BIN)} info --json ${q(SAMPLE)} link.pcap | wc -l`);
    expect(r.stdout.trim().split("\n")).toEqual(["exit 2", "exit 2", "exit 2", "exit 2", "2"]);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/sample\.pcap is given twice: each capture once/);
    expect(lines[1]).toMatch(/sample\.pcap and link\.pcap are the same file/);
    expect(lines[3]).toMatch(/- \(standard input\) and \/dev\/stdin are the same file/);
    // A copy is another file: read too, as asked.
    expect(Number(shell(`node ${q(BIN)} --format ndjson ${q(SAMPLE)} copy.pcap | wc -l`).stdout)).toBeGreaterThan(9);
  });
});

describe("a gzip capture damaged after its data", () => {
  it("exit 4 with every connection, the error naming the file and the trailer", () => {
    const gz = gzipSync(readFileSync(SAMPLE));
    gz[gz.length - 7]! ^= 0xff; // the CRC
    const path = join(dir, "bad-crc.pcap.gz");
    writeFileSync(path, gz);
    const r = spawnSync(process.execPath, [BIN, "--format", "ndjson", path], { encoding: "utf8" });
    expect(r.status).toBe(4);
    expect(r.stdout.trim().split("\n")).toHaveLength(9);
    expect(r.stderr).toMatch(/^tcp-handshake-scan: .*bad-crc\.pcap\.gz: byte 6618 \(packet 72\): gzip trailer: CRC-32 .*\n$/);
    const garbage = join(dir, "garbage.pcap.gz");
    writeFileSync(garbage, Buffer.concat([gzipSync(readFileSync(SAMPLE)), Buffer.from("trailing junk")]));
    const g = spawnSync(process.execPath, [BIN, "--format", "ndjson", garbage], { encoding: "utf8" });
    expect(g.status).toBe(4);
    expect(g.stdout.trim().split("\n")).toHaveLength(9);
  });
});

describe("standard input that fails before its first byte", () => {
  it("is an input read up to byte 0, named <stdin>, not a failure to open; the other inputs are read", () => {
    // Standard input open for writing only: its first read fails (EBADF). That once threw out of
    // the scan (no input read, "cannot read (EBADF)"); a failure after a byte never did.
    const r = shell(`: > write-only; node ${q(BIN)} --format ndjson - ${q(EARLY)} 0> write-only; echo "exit $?"
      node ${q(BIN)} info - 0> write-only; echo "exit $?"`);
    const lines = r.stdout.trim().split("\n");
    expect(lines.filter((l) => l.startsWith("exit"))).toEqual(["exit 3", "exit 3"]);
    expect(lines.filter((l) => l.startsWith("{"))).toHaveLength(1); // EARLY's connection
    expect(r.stdout).toMatch(/Error: byte 0 \(packet 1\): reading the input failed: EBADF.*\[input\.read_failed\]/);
    expect(r.stderr).toMatch(/^tcp-handshake-scan: <stdin>: byte 0 \(packet 1\): reading the input failed: EBADF: bad file descriptor, read\n/);
  });
});

describe("paths that cannot be looked up", () => {
  it("say why in plain words with the code, one line each, exit 3, for a scan and info alike", () => {
    const long = "a".repeat(300);
    const r = shell(`: > plain; ln -sfn loop loop
      for p in plain/x loop ${long}; do node ${q(BIN)} "$p"; echo "exit $?"; node ${q(BIN)} info "$p"; echo "exit $?"; done`);
    expect(r.stdout.trim().split("\n").filter((l) => l.startsWith("exit"))).toEqual(Array(6).fill("exit 3"));
    const lines = r.stderr.trim().split("\n");
    expect(lines.filter((l) => l.includes("plain/x: cannot read: a component of the path is not a directory (ENOTDIR)"))).toHaveLength(2);
    expect(lines.filter((l) => l.includes("loop: cannot read: too many symbolic links (ELOOP)"))).toHaveLength(2);
    expect(lines.filter((l) => l.endsWith(`${long}: cannot read: file name too long (ENAMETOOLONG)`))).toHaveLength(2);
    expect(lines).toHaveLength(6); // no Node text after the words (it named the call and the path again)
  });
});

describe("many files", () => {
  // Rotated captures (a day of 5-minute files is 288) were peeked at all at once: each file open
  // with its decoder, EMFILE past the open-file limit and memory growing with the count.
  it("hundreds of rotated files under a small open-file limit: read in time order, as one file of the same packets", () => {
    const { SYN, ACK, FIN } = F;
    const many = join(dir, "many");
    const files: string[] = [], frames = [];
    mkdirSync(many, { recursive: true });
    for (let k = 0; k < 300; k++) {
      const conv = new Conversation({ start: 1_600_000_000 + 60 * k, clientPort: 10000 + k }).c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
      files.push(join(many, `rot-${String(299 - k).padStart(3, "0")}.pcap`)); // names in the reverse of time order
      frames.push(...conv.frames);
      writeFileSync(files[k]!, writePcap(conv.frames));
    }
    writeFileSync(join(dir, "all.pcap"), writePcap(frames));
    const one = shell(`node ${q(BIN)} --format csv all.pcap`);
    const r = shell(`ulimit -n 200; node ${q(BIN)} --format csv many/*.pcap`);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(one.stdout);
    expect(r.stdout.trim().split("\n")).toHaveLength(301);
    const parts = shell(`ulimit -n 200; node ${q(BIN)} partition --buckets 2 -o parts many/*.pcap`);
    expect(parts.stderr).toBe("");
    expect(parts.code).toBe(0);
  });
});

describe("a pipe with no packet as far as it is read ahead", () => {
  it("is read after the other captures, and says so (not with -q)", () => {
    const { SYN, ACK } = F;
    const late = new Conversation({ start: 1_500_000_000, clientPort: 43000 }).c(SYN).s(SYN | ACK).c(ACK);
    const filler = Array.from({ length: 17 }, () => ({ type: "unknown" as const, blockType: 0x0bad, body: new Uint8Array(1 << 20) }));
    writeFileSync(join(dir, "far.pcapng"), writePcapng([{ blocks: [...filler, ...late.frames.map((frame) => ({ type: "epb" as const, frame }))] }]));
    const warned = shell(`cat far.pcapng | node ${q(BIN)} --format ndjson - ${q(EARLY)}`);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toBe("tcp-handshake-scan: <stdin>: warning: no packet in its first 16 MiB, as far as a pipe is read ahead: read after the other captures, so its connections may be out of time order with theirs (give it as a file)\n");
    expect(ids(warned.stdout)).toHaveLength(2);
    expect(shell(`cat far.pcapng | node ${q(BIN)} -q --format ndjson - ${q(EARLY)}`).stderr).toBe("");
    expect(shell(`node ${q(BIN)} --format ndjson far.pcapng ${q(EARLY)}`).stderr).toBe("");
    // A map task says it too (its inputs are named: a FIFO here).
    const fifo = join(dir, "far.fifo");
    shell(`rm -f ${q(fifo)} && mkfifo ${q(fifo)}`);
    const parts = shell(`(cat far.pcapng > ${q(fifo)} &) ; node ${q(BIN)} partition --buckets 2 -o far-parts ${q(fifo)} ${q(EARLY)}`);
    expect(parts.code).toBe(0);
    expect(parts.stderr).toBe(`tcp-handshake-scan: ${fifo}: warning: no packet in its first 16 MiB, as far as a pipe is read ahead: read after the other captures, so its connections may be out of time order with theirs (give it as a file)\n`);
  });
});

describe("pipes that spend the shared look-ahead", () => {
  it("a pipe whose writer opens after two others spent it still finds its first packet (each may read its first 256 KiB)", () => {
    const filler = Array.from({ length: 20 }, () => ({ type: "unknown" as const, blockType: 0x0bad, body: new Uint8Array(1 << 20) }));
    const late = new Conversation({ start: 1_500_000_000, clientPort: 43100 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK);
    writeFileSync(join(dir, "far20.pcapng"), writePcapng([{ blocks: [...filler, ...late.frames.map((frame) => ({ type: "epb" as const, frame: { ...frame, sec: frame.sec! + 100_000_000 } }))] }]));
    writeFileSync(join(dir, "near.pcap"), writePcap(late.frames));
    const make = "rm -f fa fb fc; mkfifo fa fb fc; (cat far20.pcapng > fa &); (cat far20.pcapng > fb &); (sleep 2; cat near.pcap > fc) &";
    const r = shell(`${make} timeout 30 node ${q(BIN)} --format csv fa fb fc`);
    expect(r.code).toBe(0);
    // fa and fb spent the 32 MiB: read last, each with its line; fc (its first packet at byte 24) first.
    expect(r.stderr.split("\n").filter(Boolean).map((l) => l.split(":")[1])).toEqual([" fa", " fb"]);
    expect(r.stderr).not.toContain("fc:");
    const rows = r.stdout.trim().split("\n").slice(1).map((l) => l.split(",")[2]!.split(".")[0]);
    expect(rows).toEqual(["1500000000", "1600000000"]); // fa and fb hold the same connection: one row
  }, 60_000);
});

describe("a directory redirected to standard input", () => {
  it("is said to be a directory, as /dev/stdin's open says it, not an empty input; standard input named <stdin> as in every other message", () => {
    expect(shell(`node ${q(BIN)} - < ${q(dir)}`)).toMatchObject({ code: 3, stdout: "", stderr: "tcp-handshake-scan: <stdin>: is a directory, not a capture\n" });
    expect(shell(`node ${q(BIN)} /dev/stdin < ${q(dir)}`)).toMatchObject({ code: 3, stderr: "tcp-handshake-scan: /dev/stdin: is a directory, not a capture\n" });
    expect(shell(`node ${q(BIN)} info - < ${q(dir)}`)).toMatchObject({ code: 3, stdout: "", stderr: "tcp-handshake-scan: <stdin>: is a directory, not a capture\n" });
  });
});

describe("pipes fed by one writer", () => {
  // tee opens every pipe before it writes a byte: a scan that opened pipes a few at a time (as it
  // peeks files) waited on the first ones while tee waited for it to open the ninth.
  it("ten named pipes from one tee: every one read, scan, partition and info", () => {
    const fifos = Array.from({ length: 10 }, (_, k) => `tee${k}`);
    const make = `rm -f ${fifos.join(" ")}; mkfifo ${fifos.join(" ")}; (tee ${fifos.join(" ")} < ${q(SAMPLE)} > /dev/null) &`;
    const r = shell(`${make} timeout 20 node ${q(BIN)} -q --format csv ${fifos.join(" ")}`);
    expect(r.code).toBe(0);
    // As the same ten copies given as files (their connections overlap in time, as the pipes').
    const copies = fifos.map((f) => `copy-${f}.pcap`);
    const files = shell(`for c in ${copies.join(" ")}; do cp ${q(SAMPLE)} $c; done; node ${q(BIN)} -q --format csv ${copies.join(" ")}`);
    expect(r.stdout).toBe(files.stdout);
    expect(r.stdout.trim().split("\n").length).toBeGreaterThan(9);
    const parts = shell(`${make} timeout 20 node ${q(BIN)} partition -q --buckets 2 -o tee-parts ${fifos.join(" ")}`);
    expect(parts.code).toBe(0);
    // info reads them in the order given: it waited for good on the second pipe's open.
    const info = shell(`${make} timeout 20 node ${q(BIN)} info --json ${fifos.join(" ")}`);
    expect([info.code, info.stderr]).toEqual([0, ""]);
    const one = JSON.parse(shell(`node ${q(BIN)} info --json ${q(SAMPLE)}`).stdout);
    expect(info.stdout.trim().split("\n").map((l) => JSON.parse(l))).toEqual(fifos.map((f) => ({ ...one, file: f, fileSize: null })));
  });

  it("info over pipes and one that cannot be opened (a socket): the pipes described, that one's line, exit 3", async () => {
    const sock = join(dir, "info.sock");
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const make = "rm -f ia ib; mkfifo ia ib; (cat " + q(SAMPLE) + " > ia &); (cat " + q(SAMPLE) + " > ib &);";
      const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn("bash", ["-c", `${make} timeout 20 node ${q(BIN)} info --json ia ib ${q(sock)}`], { cwd: dir });
        let stdout = "", stderr = "";
        child.stdout.on("data", (d) => { stdout += d; });
        child.stderr.on("data", (d) => { stderr += d; });
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      });
      expect(r.code).toBe(3);
      expect(r.stdout.trim().split("\n").map((l) => JSON.parse(l).file)).toEqual(["ia", "ib", sock]);
      expect(r.stderr).toMatch(new RegExp(`^tcp-handshake-scan: ${sock.replace(/[.]/g, "\\.")}: .*\n$`));
    } finally {
      server.close();
    }
  });
});
