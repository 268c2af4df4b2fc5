// Where the output goes, and what happens when it cannot go there: a reader that goes away
// (| head) ends the run at once and quietly (exit 141, workers stopped: the process exits);
// a write that fails is one line naming the output (exit 5); -o - is standard output; -o never
// overwrites an input; an -o file appears only once the run is complete.

import { describe, it, expect, beforeAll } from "vitest";
import { spawnSync, spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync, statSync, lstatSync, chmodSync, symlinkSync, copyFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCapture } from "../../bench/generate.js";
import { Output } from "../../cli/output.js";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
const SAMPLE = fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ths-cli-output-"));
const BIG = join(dir, "big.pcap");
const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

beforeAll(() => {
  generateCapture(BIG, { bytes: 24e6, snaplen: 96, seed: 5 }); // ~12 000 connections of output
});

function run(args: string[], options: { cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 60_000, ...options });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A shell pipeline; `STATUS` is replaced by our command's exit status. Bounded by a timeout. */
function shell(script: string) {
  const started = Date.now();
  const r = spawnSync("bash", ["-c", script], { encoding: "utf8", timeout: 30_000, cwd: dir });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

describe("a reader that goes away (EPIPE)", () => {
  for (const threads of ["2", "1"]) {
    for (const format of ["ndjson", "csv", "zeek", "json", "parquet"]) {
      it(`--format ${format} --threads ${threads} | head -1: exit 141 at once, quietly`, () => {
        const r = shell(`node ${q(BIN)} --threads ${threads} --format ${format} ${q(BIG)} | head -1 >/dev/null; echo "\${PIPESTATUS[0]}"`);
        expect(r.signal, "the command did not exit").toBeNull();
        expect(r.stdout.trim()).toBe("141");
        expect(r.stderr).toBe("");
      });
    }
  }

  it("a reader that closes after the first bytes: the process (and its workers) ends within seconds", async () => {
    const child = spawn(process.execPath, [BIN, "--threads", "2", "--format", "ndjson", BIG], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => { stderr += d; });
    await new Promise<void>((resolve) => child.stdout.once("data", () => { child.stdout.destroy(); resolve(); }));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => { child.kill("SIGKILL"); resolve(null); }, 10_000);
      child.once("exit", (c) => { clearTimeout(timer); resolve(c); });
    });
    expect(code, "still running 10 s after its reader closed").toBe(141);
    expect(stderr).toBe("");
  });

  it("the summary, the default, into | head: exits, nothing on standard error", () => {
    const r = shell(`node ${q(BIN)} --threads 2 ${q(BIG)} | head -1; echo "\${PIPESTATUS[0]}"`);
    expect(r.signal).toBeNull();
    expect(r.stdout).toMatch(/^.*big\.pcap: \d+ packets .*\n(0|141)\n$/);
    expect(r.stderr).toBe("");
  });
});

describe("an output that cannot be written: one line naming it, exit 5", () => {
  it("--help and --version on a full disk: exit 5, one line", () => {
    for (const args of ["--help", "--version", "info --help", "partition --help"]) {
      const r = shell(`node ${q(BIN)} ${args} > /dev/full; echo "$?"`);
      expect(r.stdout.trim(), args).toBe("5");
      expect(r.stderr, args).toBe("tcp-handshake-scan: standard output: cannot write the output: no space left on device (ENOSPC)\n");
    }
  });

  it("standard output on a full disk (> /dev/full), every format", () => {
    for (const format of ["text", "ndjson", "csv", "zeek", "json", "parquet"]) {
      const r = shell(`node ${q(BIN)} --format ${format} ${q(SAMPLE)} > /dev/full; echo "$?"`);
      expect(r.stdout.trim(), format).toBe("5");
      expect(r.stderr, format).toBe("tcp-handshake-scan: standard output: cannot write the output: no space left on device (ENOSPC)\n");
    }
  });

  it("-o /dev/full, a missing directory, a directory, /proc/version", () => {
    const cases: [string, RegExp][] = [
      ["/dev/full", /^tcp-handshake-scan: \/dev\/full: cannot write the output: no space left on device \(ENOSPC\)\n$/],
      [join(dir, "no", "such", "dir", "x.csv"), /: cannot write the output: no such file or directory \(ENOENT\)\n$/],
      [dir, /: cannot write the output: is a directory \(EISDIR\)\n$/],
      ["/proc/version", /^tcp-handshake-scan: \/proc\/version: cannot write the output: .* \(E[A-Z]+\)\n$/],
    ];
    for (const [target, message] of cases) {
      for (const format of ["ndjson", "text"]) {
        const r = run(["--format", format, "-o", target, SAMPLE]);
        expect(r.code, target).toBe(5);
        expect(r.stderr, target).toMatch(message);
        expect(r.stdout).toBe("");
      }
    }
    expect(readdirSync(dir).filter((f) => f.endsWith(".partial"))).toEqual([]);
  });
});

describe("-o", () => {
  it("a file name of up to 255 bytes, ASCII or not: written (the temporary name beside it is cut to fit)", () => {
    const expected = run(["--format", "csv", SAMPLE]).stdout;
    for (const name of ["b".repeat(255), "b".repeat(232), "é".repeat(127)]) {
      const target = join(dir, name);
      const r = run(["--format", "csv", "-o", target, SAMPLE]);
      expect(r.code, `${Buffer.byteLength(name)} bytes`).toBe(0);
      expect(readFileSync(target, "utf8")).toBe(expected);
    }
    expect(readdirSync(dir).filter((f) => f.endsWith(".partial"))).toEqual([]);
  });

  it("/dev/stdout and /dev/stderr into a pipe: written in place, as -o - (they name the pipe, not a file to replace)", () => {
    const expected = run(["--format", "csv", SAMPLE]).stdout;
    for (const format of ["csv", "parquet"]) {
      const out = shell(`node ${q(BIN)} --format ${format} -o /dev/stdout ${q(SAMPLE)} | cat > via-stdout.${format}; echo "\${PIPESTATUS[0]}"`);
      expect(out.stderr, format).toBe("");
      expect(out.stdout.trim(), format).toBe("0");
      if (format === "csv") expect(readFileSync(join(dir, "via-stdout.csv"), "utf8")).toBe(expected);
      else expect(readFileSync(join(dir, "via-stdout.parquet")).subarray(0, 4).toString()).toBe("PAR1");
    }
    const err = shell(`node ${q(BIN)} --format csv -o /dev/stderr ${q(SAMPLE)} 2>&1 >/dev/null | cat; echo "\${PIPESTATUS[0]}"`);
    expect(err.stdout).toBe(`${expected}0\n`);
  });

  it("- is standard output", () => {
    const r = run(["--format", "csv", "-o", "-", SAMPLE]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^id,community_id,/);
  });

  it("naming an input, however spelled, is refused before anything is written; the input is left alone", () => {
    const victim = join(dir, "victim.pcap");
    copyFileSync(SAMPLE, victim);
    const link = join(dir, "victim-link.pcap");
    if (!existsSync(link)) symlinkSync(victim, link);
    const before = readFileSync(victim);
    for (const args of [["-o", victim, victim], ["-o", "./victim.pcap", SAMPLE, victim], ["--output", link, SAMPLE, "victim.pcap"], ["-o", victim, "-"]]) {
      const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: dir, input: args.includes("-") ? before : undefined });
      if (args.includes("-")) { expect(r.status).toBe(0); continue; } // standard input is not the file
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(/^tcp-handshake-scan: -o .* is the capture .*: it would be overwritten/);
      expect(readFileSync(victim).equals(before), args.join(" ")).toBe(true);
    }
    copyFileSync(SAMPLE, victim);
    // Standard output redirected to an input, and -o naming standard input's file.
    const appended = shell(`node ${q(BIN)} ${q(victim)} >> ${q(victim)}; echo "$?"`);
    expect(appended.stdout.trim()).toBe("2");
    expect(appended.stderr).toMatch(/standard output is the capture/);
    const fromStdin = shell(`node ${q(BIN)} -o ${q(victim)} - < ${q(victim)}; echo "$?"`);
    expect(fromStdin.stdout.trim()).toBe("2");
    expect(readFileSync(victim).equals(before)).toBe(true);
  });

  it("the file appears whole at the end, keeps the old file's mode, and leaves no temporary file", () => {
    const out = join(dir, "conns.ndjson");
    writeFileSync(out, "old\n");
    chmodSync(out, 0o640);
    const r = run(["--format", "ndjson", "-o", out, SAMPLE]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(9);
    expect(statSync(out).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).filter((f) => f.endsWith(".partial"))).toEqual([]);
  });

  it("-o a symbolic link to a file not made yet (or a chain of links): the file is made where it points, as > makes it, the link kept", () => {
    mkdirSync(join(dir, "runs"), { recursive: true });
    for (const [name, target] of [["latest.csv", "runs/run-1.csv"], ["chained.csv", "latest-link.csv"]] as const) {
      symlinkSync(target, join(dir, name));
    }
    symlinkSync("runs/run-2.csv", join(dir, "latest-link.csv"));
    for (const [link, target] of [["latest.csv", "runs/run-1.csv"], ["chained.csv", "runs/run-2.csv"]] as const) {
      const r = run(["--format", "csv", "-o", join(dir, link), SAMPLE]);
      expect(r.code, r.stderr).toBe(0);
      expect(lstatSync(join(dir, link)).isSymbolicLink(), link).toBe(true);
      expect(readFileSync(join(dir, target), "utf8").trim().split("\n"), target).toHaveLength(10);
    }
    expect(readdirSync(join(dir, "runs")).filter((f) => f.endsWith(".partial"))).toEqual([]);
  });

  it("a run stopped by a signal leaves the old file as it was and no temporary file", () => {
    const out = join(dir, "stopped.ndjson");
    writeFileSync(out, "old\n");
    // The capture comes through a pipe that stalls after the first 4 MB: the run is mid-way
    // (some records written) when it is stopped.
    const r = shell(`head -c 4000000 ${q(BIG)} > in.part; rm -f feed; mkfifo feed
      (cat in.part; exec sleep 20) > feed 2>/dev/null & feeder=$!
      node ${q(BIN)} --format ndjson -o ${q(out)} - < feed & pid=$!
      for k in $(seq 50); do ls -a | grep -q 'stopped.ndjson.*partial' && break; sleep 0.1; done; sleep 0.5
      ls -a | grep -c partial; kill -TERM $pid; wait $pid; echo "$?"; kill $feeder`);
    expect(r.stdout.trim().split("\n")).toEqual(["1", String(128 + 15)]);
    expect(readFileSync(out, "utf8")).toBe("old\n");
    expect(readdirSync(dir).filter((f) => f.endsWith(".partial"))).toEqual([]);
  });

  for (const [signal, status] of [["INT", 130], ["TERM", 143], ["HUP", 129], ["QUIT", 131]] as const) {
    it(`SIG${signal} mid-run with worker threads: the process ends at once as that signal, the old file as it was`, () => {
      const out = join(dir, `threads-${signal}.csv`);
      writeFileSync(out, "old\n");
      // As above, through a pipe that stalls mid-capture; two threads: the workers must not keep it alive.
      const r = shell(`head -c 6000000 ${q(BIG)} > in-${signal}.part; rm -f feed-${signal}; mkfifo feed-${signal}
        (cat in-${signal}.part; exec sleep 20) > feed-${signal} 2>/dev/null & feeder=$!
        node ${q(BIN)} --threads 2 --format csv -o ${q(out)} feed-${signal} & pid=$!
        for k in $(seq 50); do ls -a | grep -q 'threads-${signal}.csv.*partial' && break; sleep 0.1; done; sleep 0.5
        ls -a | grep -c 'threads-${signal}.csv.*partial'; kill -${signal} $pid; wait $pid; echo "$?"; kill $feeder`);
      expect(r.stdout.trim().split("\n")).toEqual(["1", String(status)]); // stopped mid-run, then ended as the signal
      // (bash reports a job ended by SIGHUP or SIGQUIT itself: "bash: line 5: PID Hangup  node ...")
      expect(r.stderr.split("\n").filter((l) => l && !/^bash: line \d+: +\d+ (Hangup|Quit)/.test(l))).toEqual([]);
      expect(readFileSync(out, "utf8")).toBe("old\n");
      expect(readdirSync(dir).filter((f) => f.endsWith(".partial"))).toEqual([]);
    });
  }

  it("Output: discard() after writing removes the temporary file and keeps the old one; close() puts the new one in place", async () => {
    const out = join(dir, "unit.txt");
    writeFileSync(out, "old\n");
    const failed = new Output(out);
    await failed.write("x".repeat(200_000)); // flushed to the temporary file
    expect(readdirSync(dir).filter((f) => f.startsWith(".unit.txt.") && f.endsWith(".partial"))).toHaveLength(1);
    failed.discard();
    expect(readFileSync(out, "utf8")).toBe("old\n");
    expect(readdirSync(dir).filter((f) => f.endsWith(".partial"))).toEqual([]);
    const fresh = join(dir, "fresh.txt");
    const ok = new Output(fresh);
    await ok.write("new\n");
    expect(existsSync(fresh)).toBe(false);
    await ok.close();
    expect(readFileSync(fresh, "utf8")).toBe("new\n");
  });

  describe("on every other exit, no temporary file is left; FILE holds the run's output or is as it was", () => {
    const out = join(dir, "exits.csv");
    const partials = () => readdirSync(dir).filter((f) => f.endsWith(".partial"));
    const damaged = join(dir, "damaged.pcap");
    const notCapture = join(dir, "not-a-capture.pcap");
    beforeAll(() => {
      writeFileSync(damaged, readFileSync(SAMPLE).subarray(0, 3000)); // ends inside packet 31
      writeFileSync(notCapture, "not a capture\n");
    });

    it("exit 4 (damaged mid-way): the records before the damage, as standard output has them", () => {
      writeFileSync(out, "old\n");
      const r = run(["--format", "csv", "-o", out, damaged]);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/damaged\.pcap: byte 2957 \(packet 31\)/);
      const stdout = run(["--format", "csv", damaged]);
      expect(stdout.code).toBe(4);
      expect(readFileSync(out, "utf8")).toBe(stdout.stdout);
      expect(stdout.stdout.trim().split("\n").length).toBeGreaterThan(1);
      expect(partials()).toEqual([]);
    });

    it("exit 3 for an input that is not a capture (read to its end, as standard output) and 6 (--ladder matched nothing)", () => {
      writeFileSync(out, "old\n");
      expect(run(["--format", "csv", "-o", out, SAMPLE, notCapture]).code).toBe(3);
      expect(readFileSync(out, "utf8")).toBe(run(["--format", "csv", SAMPLE, notCapture]).stdout);
      writeFileSync(out, "old\n");
      expect(run(["--ladder", "999", "-o", out, SAMPLE]).code).toBe(6);
      expect(readFileSync(out, "utf8")).toBe("");
      expect(partials()).toEqual([]);
    });

    it("exit 5 (the output failed mid-way: the file-size limit): the old file as it was, or none", () => {
      writeFileSync(out, "old\n");
      const fresh = join(dir, "exits-fresh.csv");
      for (const target of [out, fresh]) {
        // bash's ulimit -f counts KiB: the csv of BIG is megabytes, flushed in 64 KB writes.
        const r = shell(`ulimit -f 100; node ${q(BIN)} --quiet --format csv -o ${q(target)} ${q(BIG)}; echo "$?"`);
        expect(r.stdout.trim(), target).toBe("5");
        expect(r.stderr).toMatch(/exits(-fresh)?\.csv: cannot write the output: file too large \(EFBIG\)/);
      }
      expect(readFileSync(out, "utf8")).toBe("old\n");
      expect(existsSync(fresh)).toBe(false);
      expect(partials()).toEqual([]);
    });

    it("exit 2 (usage errors) and 3 (an input that cannot be opened): nothing is opened for writing", () => {
      writeFileSync(out, "old\n");
      const fresh = join(dir, "exits-never.csv");
      for (const [args, code] of [
        [["--bogus", SAMPLE], 2], [["--filter", "port", SAMPLE], 2], [["--top", "-1", SAMPLE], 2], [[], 2],
        [[join(dir, "missing.pcap")], 3], [[SAMPLE, join(dir, "missing.pcap")], 3],
      ] as const) {
        for (const target of [out, fresh]) {
          const r = run(["--format", "csv", "-o", target, ...args]);
          expect(r.code, args.join(" ")).toBe(code);
          expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
        }
      }
      expect(readFileSync(out, "utf8")).toBe("old\n");
      expect(existsSync(fresh)).toBe(false);
      expect(partials()).toEqual([]);
    });
  });

  it("a directory given as a capture is refused before anything is written", () => {
    const out = join(dir, "never.ndjson");
    const r = run(["--format", "ndjson", "-o", out, SAMPLE, dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/is a directory, not a capture/);
    expect(existsSync(out)).toBe(false);
  });
});
