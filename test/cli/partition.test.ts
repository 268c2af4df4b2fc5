// partition (map) and --from-partitions (reduce) as commands: the union of the buckets equals
// the scan of all the captures; a damaged capture fails its map task with the scan's line and
// exit code, and what it held before the damage still counts; partitions missing, cut short,
// of another version or inconsistent are refused (exit 7), a bucket out of range is a usage error
// (damaged ones: partition-damage.test.ts; map tasks over pipes: partition-pipes.test.ts).

import { describe, it, expect, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { rmSync, readFileSync, writeFileSync, truncateSync, statSync, unlinkSync, cpSync, readdirSync, existsSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { PARTITION_FORMAT_VERSION } from "../../sdk/partition/format.js";
import { checksum } from "../../sdk/partition/checksum.js";
import { writePcap, writePcapng, type Frame } from "../helpers/capture-writer.js";
import { Conversation } from "../helpers/conversation.js";
import { F, ethernet, tcpIp } from "../helpers/packets.js";
import { udpTunnel, vxlan } from "../helpers/tunnels.js";
import { BIN, run, sorted, reduceAll, rotatedCapturesFixture } from "../helpers/partition-cli.js";

const { dir, files } = rotatedCapturesFixture("ths-partition-cli-");

describe("partition, then --from-partitions for every bucket", () => {
  it("equals the scan of every capture: map tasks over file subsets, given in any order", () => {
    const parts = join(dir, "parts");
    for (const subset of [[files[3]!, files[0]!], [files[2]!, files[1]!]]) {
      const r = run(["partition", "--buckets", "5", "-o", parts, ...subset]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^${parts}/map-[0-9a-f]{16}\\n$`));
    }
    const single = run(["--format", "ndjson", ...files]);
    expect(single.code).toBe(0);
    expect(sorted(reduceAll(parts, 5, ["--maps", "2"]))).toEqual(sorted(single.stdout));
  }, 120_000);

  it("a damaged capture: the scan's error line and exit code, in the map task and in every reduce task; what was read before counts", () => {
    const damaged = join(dir, "damaged.pcap");
    const bytes = readFileSync(files[1]!);
    writeFileSync(damaged, bytes.subarray(0, Math.floor(bytes.length * 0.6))); // cut inside a packet
    const set = [files[0]!, damaged, files[2]!];
    const single = run(["--format", "ndjson", ...set]);
    expect(single.code).toBe(4);
    const parts = join(dir, "parts-damaged");
    const a = run(["partition", "--buckets", "3", "-o", parts, files[0]!, damaged]);
    expect(a.code).toBe(4);
    expect(a.stderr).toBe(single.stderr);
    expect(a.stderr).toMatch(/damaged\.pcap: byte \d+ \(packet \d+\): /);
    expect(run(["partition", "--buckets", "3", "-o", parts, files[2]!]).code).toBe(0);
    // Each reduce task says it as the scan does (exit 4): its bucket is whole up to the damage.
    expect(sorted(reduceAll(parts, 3, [], { code: 4, stderr: single.stderr }))).toEqual(sorted(single.stdout));
  }, 120_000);

  it("damage before any packet, after a frame that is no packet (a pcapng block Wireshark numbers): 3 from the scan, the map and every reduce", () => {
    const frame = { data: ethernet(tcpIp({ flags: F.SYN })), sec: 1_700_000_000 };
    const whole = writePcapng([{ blocks: [{ type: "unknown", blockType: 0x0bad, body: new Uint8Array(8) }, { type: "epb", frame }] }]);
    const cut = join(dir, "no-packet-before-damage.pcapng");
    writeFileSync(cut, whole.subarray(0, whole.length - 10));
    const single = run(["--format", "ndjson", cut]);
    expect(single.code).toBe(3);
    const parts = join(dir, "parts-no-packet");
    expect(run(["partition", "--buckets", "2", "-o", parts, cut])).toMatchObject({ code: 3, stderr: single.stderr });
    expect(reduceAll(parts, 2, [], { code: 3, stderr: single.stderr })).toBe("");
  }, 60_000);
});

describe("partition's output cannot be written", () => {
  // A file-size limit fails the writes as a full disk does (EFBIG instead of ENOSPC).
  it("a write that fails is the output's failure (exit 5, one line naming DIR), not the capture's", () => {
    const parts = join(dir, "parts-limited");
    const r = spawnSync("bash", ["-c", `ulimit -f 64; exec '${process.execPath}' '${BIN}' partition --buckets 1 -o '${parts}' '${files[0]}'`], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(5);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`tcp-handshake-scan: ${parts}: cannot write the partitions: file too large (EFBIG)\n`);
    expect(existsSync(parts)).toBe(false); // the temporary directory removed, and the directory made for it
  });

  it("a directory that was there before stays, with what it held; the one a failed run made for itself goes", () => {
    const parts = join(dir, "parts-kept"), earlier = join(parts, "earlier-run");
    mkdirSync(earlier, { recursive: true });
    const r = spawnSync("bash", ["-c", `ulimit -f 64; exec '${process.execPath}' '${BIN}' partition --buckets 1 -o '${join(parts, "deeper", "still")}' '${files[0]}'`], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(5);
    expect(readdirSync(parts)).toEqual(["earlier-run"]);
  });

  it("more buckets than files the process may open (a low ulimit -Hn): exit 5, one line, no temporary directory", () => {
    const parts = join(dir, "parts-files");
    const r = spawnSync("bash", ["-c", `ulimit -n 200; exec '${process.execPath}' '${BIN}' partition --buckets 500 -o '${parts}' '${files[0]}'`], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(5);
    expect(r.stderr).toBe(`tcp-handshake-scan: ${parts}: cannot write the partitions: too many open files (EMFILE)\n`);
    expect(existsSync(parts)).toBe(false);
  });

  for (const [signal, status] of [["INT", 130], ["TERM", 143], ["HUP", 129], ["QUIT", 131]] as const) {
    it(`SIG${signal} mid-task: the process ends as that signal and leaves no temporary directory`, () => {
      const parts = join(dir, `parts-${signal}`);
      // A pipe that stalls mid-capture: the task is waiting to read more when the signal comes.
      const r = spawnSync("bash", ["-c", `cd '${dir}'; rm -f feed-${signal}; mkfifo feed-${signal}
        (head -c 20000 '${files[0]}'; exec sleep 20) > feed-${signal} 2>/dev/null & feeder=$!
        '${process.execPath}' '${BIN}' partition --buckets 2 -o '${parts}' feed-${signal} & pid=$!
        for k in $(seq 50); do ls -a '${parts}' 2>/dev/null | grep -q '^\\.map-' && break; sleep 0.1; done; sleep 0.3
        ls -a '${parts}' | grep -c '^\\.map-'; kill -${signal} $pid; wait $pid; echo "$?"; kill $feeder`], { encoding: "utf8", timeout: 30_000 });
      expect(r.stdout.trim().split("\n")).toEqual(["1", String(status)]); // stopped mid-task, then ended as the signal
      expect(r.stderr).not.toMatch(/tcp-handshake-scan/); // (bash reports a hang-up itself)
      expect(existsSync(parts)).toBe(false);
    });
  }

  it("-o a directory that cannot be made although its parent exists (/proc/x): exit 5 at once, not a hang", () => {
    const r = spawnSync(process.execPath, [BIN, "partition", "--buckets", "1", "-o", "/proc/no-such-partitions", files[0]!], { encoding: "utf8", timeout: 20_000, killSignal: "SIGKILL" });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(5);
    expect(r.stderr).toBe("tcp-handshake-scan: /proc/no-such-partitions: cannot write the partitions: no such file or directory (ENOENT)\n");
  });

  it("standard output on a full disk: exit 5 and one line, as a scan's", () => {
    const parts = join(dir, "parts-stdout-full");
    const r = spawnSync("bash", ["-c", `'${process.execPath}' '${BIN}' partition --buckets 1 -o '${parts}' '${files[0]}' > /dev/full`], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(5);
    expect(r.stderr).toBe("tcp-handshake-scan: standard output: cannot write the output: no space left on device (ENOSPC)\n");
  });
});

describe("--from-partitions and the scan write csv and zeek the same way", () => {
  it("each bucket: the scan's header and footer; all buckets: the scan's rows", () => {
    const parts = join(dir, "parts-lines");
    expect(run(["partition", "--buckets", "2", "-o", parts, ...files]).code).toBe(0);
    // zeek's #open and #close carry the time of writing; the rest of its header and footer must match.
    const header = (text: string) => text.split("\n").filter((l, i) => (l.startsWith("#") || i === 0) && !/^#(open|close)\b/.test(l));
    const rows = (text: string) => text.split("\n").filter((l, i) => l !== "" && !l.startsWith("#") && i > 0);
    for (const format of ["csv", "zeek"]) {
      const single = run(["--format", format, ...files]);
      expect(single.code).toBe(0);
      let reduced: string[] = [];
      for (let b = 0; b < 2; b++) {
        const r = run(["--from-partitions", parts, "--bucket", String(b), "--format", format]);
        expect(r.code).toBe(0);
        expect(header(r.stdout)).toEqual(header(single.stdout));
        reduced = reduced.concat(rows(r.stdout));
      }
      expect(reduced.length).toBeGreaterThan(10);
      expect(reduced.sort()).toEqual(rows(single.stdout).sort());
    }
  }, 120_000);
});

describe("--from-partitions of a single bucket writes what the scan writes, byte for byte", () => {
  // One bucket holds every flow: its connections are the scan's, in the scan's order. The lines
  // come from the tracker's groups (in WebAssembly without --filter, else from the record
  // values) and Parquet from the record values, as the scan's own are.
  it("ndjson, csv, Parquet; with and without --filter", () => {
    const parts = join(dir, "parts-one");
    expect(run(["partition", "--buckets", "1", "-o", parts, ...files]).code).toBe(0);
    const filter = ["--filter", "outcome rejected or retransmissions > 0 or port 443"];
    for (const args of [["--format", "ndjson"], ["--format", "csv"], ["--format", "ndjson", ...filter], ["--format", "csv", ...filter]]) {
      const single = run([...args, ...files]);
      const reduced = run(["--from-partitions", parts, "--bucket", "0", ...args]);
      expect(reduced.stderr).toBe("");
      expect(reduced.code).toBe(0);
      expect(single.stdout.length, args.join(" ")).toBeGreaterThan(1000);
      expect(reduced.stdout, args.join(" ")).toBe(single.stdout);
    }
    for (const extra of [[], filter]) {
      const scanned = join(dir, "scan.parquet"), reducedFile = join(dir, "reduce.parquet");
      expect(run(["--format", "parquet", "-o", scanned, ...extra, ...files]).code).toBe(0);
      expect(run(["--from-partitions", parts, "--bucket", "0", "--format", "parquet", "-o", reducedFile, ...extra]).code).toBe(0);
      expect(readFileSync(reducedFile).equals(readFileSync(scanned)), extra.join(" ")).toBe(true);
    }
  }, 120_000);
});

describe("--key-by-tunnel with --from-partitions", () => {
  // The same inner endpoints in two VXLAN tenants: two connections keyed by tunnel, one by
  // Zeek's key. The flow hash is the inner endpoints', so both tenants land in one bucket and
  // the reduce task's tracker is where the key is made: the option is the reduce's.
  it("keys the bucket's connections as the scan with --key-by-tunnel keys them", () => {
    const inVni = (vni: number, start: number): Frame[] => new Conversation({ clientPort: 45000, start })
      .c(F.SYN).s(F.SYN | F.ACK).c(F.ACK).c({ flags: F.ACK | F.PSH, payload: 20 }).c(F.FIN | F.ACK).s(F.FIN | F.ACK).c(F.ACK)
      .frames.map((f) => ({ ...f, data: ethernet(udpTunnel({ src: "192.0.2.1", dst: "192.0.2.2" }, 50000, 4789, vxlan(vni, f.data), true)) }));
    const frames = [...inVni(1, 1_700_000_000), ...inVni(2, 1_700_000_000.005)];
    frames.sort((x, y) => x.sec! - y.sec! || x.nsec! - y.nsec!);
    const capture = join(dir, "tenants.pcap"), parts = join(dir, "parts-tenants");
    writeFileSync(capture, writePcap(frames));
    expect(run(["partition", "--buckets", "2", "-o", parts, capture]).code).toBe(0);
    for (const keyed of [[], ["--key-by-tunnel"]]) {
      const single = run(["--format", "ndjson", ...keyed, capture]);
      expect(single.code).toBe(0);
      expect(single.stdout.trim().split("\n"), keyed.join(" ")).toHaveLength(keyed.length ? 2 : 1);
      expect(sorted(reduceAll(parts, 2, keyed)), keyed.join(" ")).toEqual(sorted(single.stdout));
    }
  }, 60_000);
});

describe("partitions that cannot be reduced", () => {
  let parts: string;
  let maps: string[];
  beforeAll(() => {
    parts = join(dir, "good");
    expect(run(["partition", "--buckets", "2", "-o", parts, files[0]!]).code).toBe(0);
    expect(run(["partition", "--buckets", "2", "-o", parts, files[1]!]).code).toBe(0);
    maps = readdirSync(parts).sort();
  }, 60_000);

  /** A copy of the good partitions, changed by `change`, reduced for bucket 0. */
  function broken(name: string, change: (copy: string) => void, extra: string[] = []) {
    const copy = join(dir, name);
    cpSync(parts, copy, { recursive: true });
    change(copy);
    return run(["--from-partitions", copy, "--bucket", "0", ...extra]);
  }

  const refused = (r: { code: number | null; stdout: string; stderr: string }, message: RegExp) => {
    expect(r.code).toBe(7);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  };

  it("a map output missing (--maps says how many)", () => {
    refused(broken("one-less", (c) => rmSync(join(c, maps[1]!), { recursive: true }), ["--maps", "2"]), /1 map output, 2 expected/);
    refused(run(["--from-partitions", parts, "--bucket", "0", "--maps", "3"]), /2 map outputs, 3 expected: a map task has not finished/);
  });

  it("a bucket file missing or cut short", () => {
    refused(broken("no-bucket", (c) => unlinkSync(join(c, maps[0]!, "bucket-00000.bin"))), /bucket-00000\.bin: missing: the map output has no bucket 0/);
    refused(broken("cut", (c) => { const f = join(c, maps[1]!, "bucket-00000.bin"); truncateSync(f, statSync(f).size - 100); }), /cut short/);
  });

  it("a map output of another packet layout or format version", () => {
    refused(broken("layout", (c) => {
      const f = join(c, maps[0]!, "manifest.json");
      writeFileSync(f, readFileSync(f, "utf8").replace(/"layoutVersion": \d+/, '"layoutVersion": 999'));
    }), new RegExp(`written by another version \\(partition format ${PARTITION_FORMAT_VERSION}, packet layout 999; this one reads ${PARTITION_FORMAT_VERSION} and \\d+\\): run partition again`));
    refused(broken("header", (c) => {
      const f = join(c, maps[0]!, "bucket-00000.bin");
      const bytes = readFileSync(f);
      bytes.writeUInt32LE(999, 12); // the header's packet layout
      bytes.writeUInt32LE(checksum(bytes.subarray(0, 28)), 28); // as another version would seal it
      writeFileSync(f, bytes);
    }), new RegExp(`bucket-00000\\.bin: written by another version \\(partition format ${PARTITION_FORMAT_VERSION}, packet layout 999;`));
  });

  it("a file header whose version field is damaged: the byte, and damage or another version (not a version taken on trust)", () => {
    refused(broken("header-damaged", (c) => {
      const f = join(c, maps[0]!, "bucket-00000.bin");
      const bytes = readFileSync(f);
      bytes[10] ^= 0xff; // the format version's third byte: 0x00ff0003, the checksum left as it was
      writeFileSync(f, bytes);
    }), new RegExp(`bucket-00000\\.bin: byte 8: the file header names partition format ${PARTITION_FORMAT_VERSION | 0xff0000}, packet layout \\d+ `
      + `\\(this one reads ${PARTITION_FORMAT_VERSION} and \\d+\\) and its checksum does not match: damaged, or written by another version`));
  });

  it("an incomplete map output, a capture in two, and other --buckets", () => {
    refused(broken("incomplete", (c) => unlinkSync(join(c, maps[0]!, "manifest.json"))), /an incomplete map output/);
    refused(broken("twice", (c) => cpSync(join(c, maps[0]!), join(c, "map-0000000000000000"), { recursive: true })), /is in two map outputs/);
    const other = join(dir, "other-buckets");
    cpSync(parts, other, { recursive: true });
    expect(run(["partition", "--buckets", "3", "-o", other, files[2]!]).code).toBe(0);
    refused(run(["--from-partitions", other, "--bucket", "0"]), /: [23] buckets, .*: [23]: every map task of a run takes the same --buckets/);
  });

  // It overwrote the file and exited 0; the next reduce was refused (exit 7).
  it("-o naming a file of a map output (or through a link to DIR): a usage error, the file unchanged", () => {
    const copy = join(dir, "own-output");
    cpSync(parts, copy, { recursive: true });
    symlinkSync(copy, join(dir, "own-output-link"));
    for (const target of [join(copy, maps[0]!, "bucket-00000.bin"), join(copy, maps[1]!, "manifest.json"), join(dir, "own-output-link", maps[0]!, "clock.bin")]) {
      const before = readFileSync(target);
      const r = run(["--from-partitions", copy, "--bucket", "0", "-o", target]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^tcp-handshake-scan: -o .* is in the map output .*map-[0-9a-f]{16}: it would be overwritten while the reduce tasks read it \(write elsewhere\)\n$/);
      expect(readFileSync(target).equals(before)).toBe(true);
    }
    // Beside the map outputs is fine.
    expect(run(["--from-partitions", copy, "--bucket", "0", "-o", join(copy, "bucket-0.ndjson")]).code).toBe(0);
  });

  it("no partitions at all; a bucket out of range and other mistakes are usage errors", () => {
    refused(run(["--from-partitions", join(dir, "nowhere"), "--bucket", "0"]), /no such directory of partitions/);
    for (const args of [
      ["--from-partitions", parts, "--bucket", "2"], ["--from-partitions", parts], ["--from-partitions", parts, "--bucket", "0", files[0]!],
      ["--from-partitions", parts, "--bucket", "0", "--format", "text"], ["--from-partitions", parts, "--bucket", "0", "--verify-checksums"],
      ["partition", "-o", parts, files[0]!], ["partition", "--buckets", "2", files[0]!], ["partition", "--buckets", "0", "-o", parts, files[0]!],
    ]) {
      const r = run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
    }
  });

  it("--format parquet onto a terminal (no -o, -o -, -o /dev/stdout) is a usage error, as for a scan", () => {
    for (const o of ["", "-o -", "-o /dev/stdout"]) {
      const tty = spawnSync("script", ["-qec", `node '${BIN}' --from-partitions '${parts}' --bucket 0 --format parquet ${o}; echo "exit $?"`, "/dev/null"], { encoding: "utf8", timeout: 30_000 });
      if (tty.error !== undefined) return; // no script(1): no terminal to test with
      expect(tty.stdout, o).toMatch(/^tcp-handshake-scan: --format parquet: (standard output|-o \/dev\/stdout) is (a|the) terminal \(use -o FILE, or a pipe\)\r?\nexit 2\r?\n$/);
    }
  });

  it("--maps 0 or not a number is a usage error naming the option, not partitions refused", () => {
    for (const value of ["0", "-1", "two", "1.5"]) {
      const r = run(["--from-partitions", parts, "--bucket", "0", "--maps", value]);
      expect(r, value).toMatchObject({ code: 2, stdout: "" });
      expect(r.stderr, value).toMatch(/^tcp-handshake-scan: --maps: "[^"]*" is not a count of map outputs \(1 or more\)\n$/);
    }
  });

  it("--bucket -1 or not a whole number is a usage error saying what a bucket is", () => {
    for (const value of ["-1", "one", "0.5"]) {
      const r = run(["--from-partitions", parts, "--bucket", value]);
      expect(r, value).toEqual({ code: 2, stdout: "", stderr: `tcp-handshake-scan: --bucket: "${value}" is not a bucket number (0 or more)\n` });
    }
  });
});
