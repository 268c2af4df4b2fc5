// examples/dask/scan_on_dask.py on a real Dask cluster (a local scheduler and 2 worker
// processes): map tasks over rotated captures whose connections cross file boundaries, reduce
// tasks over the buckets, and the buckets' Parquet files, read by DuckDB as one table, equal
// the single-machine scan's Parquet row for row. Needs Debian's python3-distributed
// (`apt-get install python3-distributed`; .ci/run installs it): skipped with a message without.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer, type Server } from "node:net";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { writeRotatedCaptures } from "../helpers/rotated-captures.js";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
const DRIVER = fileURLToPath(new URL("../../examples/dask/scan_on_dask.py", import.meta.url));
// Debian's Python, where apt puts python3-distributed (python3 on PATH may be another one).
const PYTHON = "/usr/bin/python3";
const hasDask = spawnSync(PYTHON, ["-c", "import dask.distributed"], { encoding: "utf8" }).status === 0;

const dir = mkdtempSync(join(tmpdir(), "ths-dask-"));
let duck: DuckDBConnection;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

if (!hasDask) {
  describe("examples/dask/scan_on_dask.py", () => {
    it.skip("python3-distributed is not installed (apt-get install python3-distributed): the Dask driver is not checked", () => {});
  });
}

describe.runIf(hasDask)("examples/dask/scan_on_dask.py", () => {
  // Dask's default HTTP port taken (another run, anything): its warning must not join the run's lines.
  let blocker: Server | undefined;
  beforeAll(async () => {
    duck = await (await DuckDBInstance.create(":memory:")).connect();
    blocker = await new Promise<Server | undefined>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(undefined)); // in use already: as good
      server.listen(8787, () => resolve(server));
    });
  });
  afterAll(() => { blocker?.close(); });

  it("a local cluster of 2 workers gives, in Parquet buckets read as one table, the single-machine scan", async () => {
    const files = writeRotatedCaptures(dir, { files: 6, seed: 3 });
    const parts = join(dir, "parts"), out = join(dir, "out"), single = join(dir, "single.parquet");
    const driver = spawnSync(PYTHON, [
      DRIVER, "--workers", "2", "--buckets", "5", "--files-per-task", "2", "--parts", parts, "--out", out,
      // The files in another order than the capture's: the tasks put them in capture order.
      "--command", `${process.execPath} ${BIN}`, ...[...files].reverse(),
    ], { encoding: "utf8", timeout: 180_000 });
    expect(driver.status, driver.stderr).toBe(0);
    expect(readdirSync(parts).filter((n) => n.startsWith("map-"))).toHaveLength(3);
    expect(readdirSync(out).sort()).toEqual([0, 1, 2, 3, 4].map((b) => `bucket-0000${b}.parquet`));
    expect(spawnSync(process.execPath, [BIN, "--format", "parquet", "-o", single, ...files]).status).toBe(0);

    const count = async (sql: string) => Number((await duck.runAndReadAll(sql)).getRowObjectsJson()[0]!.n);
    const buckets = `read_parquet('${out}/*.parquet')`, whole = `read_parquet('${single}')`;
    const total = await count(`SELECT count(*) AS n FROM ${whole}`);
    expect(total).toBeGreaterThan(500);
    expect(await count(`SELECT count(*) AS n FROM ${buckets}`)).toBe(total);
    // Every column of every row, both ways (EXCEPT ALL keeps duplicates apart).
    expect(await count(`SELECT count(*) AS n FROM (SELECT * FROM ${buckets} EXCEPT ALL SELECT * FROM ${whole})`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM (SELECT * FROM ${whole} EXCEPT ALL SELECT * FROM ${buckets})`)).toBe(0);
    // Connections that span rotated files are there once each.
    expect(await count(`SELECT count(*) - count(DISTINCT id) AS n FROM ${buckets}`)).toBe(0);
  }, 240_000);

  it("a capture that cannot be read, or a --command that cannot be started: the tool's own line and its exit code, no traceback, no reduce", () => {
    mkdirSync(join(dir, "unreadable"));
    const files = writeRotatedCaptures(join(dir, "unreadable"), { files: 2, seed: 5 });
    const missing = join(dir, "unreadable", "gone.pcap");
    const parts = join(dir, "unreadable-parts"), out = join(dir, "unreadable-out");
    const driver = spawnSync(PYTHON, [
      DRIVER, "--workers", "1", "--buckets", "2", "--files-per-task", "1", "--parts", parts, "--out", out,
      "--command", `${process.execPath} ${BIN}`, ...files, missing,
    ], { encoding: "utf8", timeout: 180_000 });
    expect(driver.status, driver.stderr).toBe(3);
    expect(driver.stderr).toBe(`tcp-handshake-scan: ${missing}: no such file\n`);
    expect(driver.stdout).toBe("");
    expect(readdirSync(out)).toEqual([]);

    const notStarted = spawnSync(PYTHON, [
      DRIVER, "--workers", "1", "--buckets", "2", "--parts", join(dir, "unstarted-parts"), "--out", join(dir, "unstarted-out"),
      "--command", join(dir, "no-such-tool"), ...files,
    ], { encoding: "utf8", timeout: 180_000 });
    expect(notStarted.status).toBe(127);
    expect(notStarted.stderr).toMatch(/no-such-tool partition --buckets 2 -o .*: cannot be started: No such file or directory\n$/);
    expect(notStarted.stderr).not.toContain("Traceback");
  }, 240_000);

  it("a capture cut short: every reduce says it as the scan does and keeps its bucket, the run ends 4 with the line once", async () => {
    const damaged = join(dir, "damaged");
    mkdirSync(damaged);
    const files = writeRotatedCaptures(damaged, { files: 2, seed: 6 });
    const last = files[files.length - 1]!;
    const bytes = readFileSync(last);
    writeFileSync(last, bytes.subarray(0, bytes.length - 7)); // inside its last record
    const parts = join(dir, "damaged-parts"), out = join(dir, "damaged-out"), single = join(dir, "damaged.parquet");
    const scan = spawnSync(process.execPath, [BIN, "--format", "parquet", "-o", single, ...files], { encoding: "utf8" });
    expect(scan.status).toBe(4);
    const driver = spawnSync(PYTHON, [
      DRIVER, "--workers", "1", "--buckets", "3", "--files-per-task", "1", "--parts", parts, "--out", out,
      "--command", `${process.execPath} ${BIN}`, ...files,
    ], { encoding: "utf8", timeout: 180_000 });
    expect(driver.status).toBe(4);
    expect(driver.stderr).toBe(scan.stderr); // the one line, printed once
    expect(readdirSync(out).sort()).toEqual([0, 1, 2].map((b) => `bucket-0000${b}.parquet`));
    const count = async (sql: string) => Number((await duck.runAndReadAll(sql)).getRowObjectsJson()[0]!.n);
    const buckets = `read_parquet('${out}/*.parquet')`, whole = `read_parquet('${single}')`;
    expect(await count(`SELECT count(*) AS n FROM ${buckets}`)).toBe(await count(`SELECT count(*) AS n FROM ${whole}`));
    expect(await count(`SELECT count(*) AS n FROM (SELECT * FROM ${buckets} EXCEPT ALL SELECT * FROM ${whole})`)).toBe(0);
  }, 240_000);

  it("a task whose tool is killed by a signal (the OOM killer's SIGKILL) fails the run with the shell's status and a line naming it", () => {
    mkdirSync(join(dir, "killed"));
    const files = writeRotatedCaptures(join(dir, "killed"), { files: 2, seed: 9 });
    // A tool that dies by SIGKILL in the task given `--bucket 1`, or in the map task of the second capture.
    const tool = (name: string, pattern: string) => {
      const path = join(dir, name);
      writeFileSync(path, `#!/bin/sh\ncase " $* " in *"${pattern}"*) kill -9 $$;; esac\nexec ${process.execPath} ${BIN} "$@"\n`, { mode: 0o755 });
      return path;
    };
    const runWith = (command: string, label: string) => spawnSync(PYTHON, [
      DRIVER, "--workers", "1", "--buckets", "3", "--files-per-task", "1", "--parts", join(dir, `${label}-parts`),
      "--out", join(dir, `${label}-out`), "--command", command, ...files,
    ], { encoding: "utf8", timeout: 180_000 });
    const reduce = runWith(tool("dies-in-reduce.sh", " --bucket 1 "), "killed-reduce");
    expect(reduce.status, reduce.stderr).toBe(137);
    expect(reduce.stderr).toMatch(/dies-in-reduce\.sh --from-partitions .* --bucket 1 .*: killed by SIGKILL\n$/);
    expect(reduce.stderr).not.toContain("Traceback");
    expect(readdirSync(join(dir, "killed-reduce-out")).sort()).toEqual(["bucket-00000.parquet", "bucket-00002.parquet"]);
    // A tool that exits without a word (a `timeout` in --command): its status and a line naming the bucket.
    const silentPath = join(dir, "silent-in-reduce.sh");
    writeFileSync(silentPath, `#!/bin/sh\ncase " $* " in *" --bucket 1 "*) exit 124;; esac\nexec ${process.execPath} ${BIN} "$@"\n`, { mode: 0o755 });
    const silent = runWith(silentPath, "silent-reduce");
    expect(silent.status, silent.stderr).toBe(124);
    expect(silent.stderr).toBe("bucket 1: the reduce task exited 124 without a line\n");
    expect(readdirSync(join(dir, "silent-reduce-out")).sort()).toEqual(["bucket-00000.parquet", "bucket-00002.parquet"]);
    const map = runWith(tool("dies-in-map.sh", files[1]!), "killed-map");
    expect(map.status, map.stderr).toBe(137);
    expect(map.stderr).toMatch(/dies-in-map\.sh partition .*: killed by SIGKILL\n$/);
    expect(map.stdout).toBe("");
    expect(readdirSync(join(dir, "killed-map-out"))).toEqual([]);
  }, 240_000);

  it("a count of 0 or less (--workers, --files-per-task, --buckets) is a usage error: no traceback, no wait for a worker that never comes", () => {
    mkdirSync(join(dir, "counts"));
    const files = writeRotatedCaptures(join(dir, "counts"), { files: 1, seed: 6, bytes: 2e5 });
    for (const [flag, value] of [["--workers", "0"], ["--files-per-task", "0"], ["--files-per-task", "-1"], ["--buckets", "0"]]) {
      const parts = join(dir, "counts-parts"), out = join(dir, "counts-out");
      const driver = spawnSync(PYTHON, [
        DRIVER, flag!, value!, "--parts", parts, "--out", out, "--command", `${process.execPath} ${BIN}`, ...files,
      ], { encoding: "utf8", timeout: 60_000 });
      expect(driver.status, `${flag} ${value}: ${driver.stderr}`).toBe(2);
      expect(driver.stderr).toContain(`error: argument ${flag}: '${value}' is not a whole number of 1 or more`);
      expect(driver.stderr).not.toContain("Traceback");
      expect(existsSync(parts) || existsSync(out)).toBe(false); // refused before any task ran
    }
  }, 240_000);

  it("an --out that cannot be a directory (a file there): one line and the tool's exit code for an output, 5, no traceback", () => {
    mkdirSync(join(dir, "out-file"));
    const files = writeRotatedCaptures(join(dir, "out-file"), { files: 1, seed: 9, bytes: 2e5 });
    const out = join(dir, "out-file", "taken");
    writeFileSync(out, "");
    const driver = spawnSync(PYTHON, [
      DRIVER, "--workers", "1", "--parts", join(dir, "out-file-parts"), "--out", out, "--command", `${process.execPath} ${BIN}`, ...files,
    ], { encoding: "utf8", timeout: 60_000 });
    expect(driver.status, driver.stderr).toBe(5);
    expect(driver.stderr).toBe(`${DRIVER}: ${out}: cannot make the output directory: File exists\n`);
    expect(existsSync(join(dir, "out-file-parts"))).toBe(false);
  }, 240_000);

  it("a --scheduler where none answers: one line naming it once Dask gives up, exit 2, no traceback", () => {
    mkdirSync(join(dir, "no-scheduler"));
    const files = writeRotatedCaptures(join(dir, "no-scheduler"), { files: 1, seed: 10, bytes: 2e5 });
    const driver = spawnSync(PYTHON, [
      DRIVER, "--scheduler", "tcp://127.0.0.1:9", "--parts", join(dir, "no-scheduler-parts"), "--out", join(dir, "no-scheduler-out"),
      "--command", `${process.execPath} ${BIN}`, ...files,
    ], { encoding: "utf8", timeout: 60_000, env: { ...process.env, DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT: "2s" } });
    expect(driver.status, driver.stderr).toBe(2);
    expect(driver.stderr).toMatch(/^\S+scan_on_dask\.py: --scheduler tcp:\/\/127\.0\.0\.1:9: cannot connect: .*\n$/);
  }, 240_000);

  it("the same capture twice (however spelled) is refused before any task; a line every reduce task gives is printed once", () => {
    mkdirSync(join(dir, "twice"));
    const [first, second] = writeRotatedCaptures(join(dir, "twice"), { files: 2, seed: 8, bytes: 2e5 });
    const driver = (files: string[], parts: string, out: string) => spawnSync(PYTHON, [
      DRIVER, "--workers", "1", "--buckets", "3", "--files-per-task", "1", "--parts", parts, "--out", out,
      "--command", `${process.execPath} ${BIN}`, ...files,
    ], { encoding: "utf8", timeout: 180_000 });
    const spelledAgain = join(dir, "twice", ".", first!.split("/").at(-1)!);
    const twice = driver([first!, second!, spelledAgain], join(dir, "twice-parts"), join(dir, "twice-out"));
    expect(twice.status, twice.stderr).toBe(2);
    expect(twice.stderr).toContain(`${first} and ${spelledAgain} are the same file: each capture once`);
    expect(existsSync(join(dir, "twice-parts"))).toBe(false);

    // A second run into the first's --parts: every bucket finds the other run's map output.
    const parts = join(dir, "reused-parts");
    expect(driver([first!], parts, join(dir, "reused-out-1")).status).toBe(0);
    const reused = driver([second!], parts, join(dir, "reused-out-2"));
    expect(reused.status).toBe(7);
    expect(reused.stderr).toBe(`tcp-handshake-scan: ${parts}: 2 map outputs, 1 expected: outputs of another run are mixed in\n`);
  }, 240_000);

  it("refuses an --out holding bucket files a run with more buckets left: read as one table, they would count twice", () => {
    mkdirSync(join(dir, "stale"));
    const files = writeRotatedCaptures(join(dir, "stale"), { files: 2, seed: 4 });
    const parts = join(dir, "stale-parts"), out = join(dir, "stale-out");
    mkdirSync(out);
    writeFileSync(join(out, "bucket-00007.parquet"), "");
    const driver = spawnSync(PYTHON, [
      DRIVER, "--workers", "1", "--buckets", "2", "--parts", parts, "--out", out, "--command", `${process.execPath} ${BIN}`, ...files,
    ], { encoding: "utf8", timeout: 180_000 });
    expect(driver.status).toBe(2);
    expect(driver.stderr).toContain(`${out} holds bucket files of another run (bucket-00007.parquet)`);
    expect(existsSync(parts)).toBe(false); // refused before any task ran
    expect(readdirSync(out)).toEqual(["bucket-00007.parquet"]);
  }, 240_000);
});
