// partition (map) tasks over pipes (`<(zcat …)`, /dev/stdin) and files given together: one map
// output per task and capture, read in the scan's order, whose reduce is the scan.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writePcap, writePcapng } from "../helpers/capture-writer.js";
import { Conversation } from "../helpers/conversation.js";
import { F } from "../helpers/packets.js";
import { BIN, run, sorted, reduceAll, rotatedCapturesFixture } from "../helpers/partition-cli.js";

const { dir, files } = rotatedCapturesFixture("ths-partition-pipes-");

describe("map tasks over pipes", () => {
  // `<(zcat day1.pcap.gz)` is /dev/fd/63 in every task, of size 0: named by path and size, a
  // second task's output replaced the first's and the reduce lacked its connections (exit 0).
  it("two tasks over <(...) make two map outputs; a task run again replaces its own", () => {
    const parts = join(dir, "parts-pipes");
    const task = (file: string) => spawnSync("bash", ["-c", `"${process.execPath}" "${BIN}" partition --buckets 2 -o "${parts}" <(cat "${file}")`], { encoding: "utf8" });
    for (const file of [files[0]!, files[1]!, files[1]!]) expect(task(file)).toMatchObject({ status: 0, stderr: "" });
    expect(readdirSync(parts)).toHaveLength(2);
    const single = run(["--format", "ndjson", files[0]!, files[1]!]);
    expect(sorted(reduceAll(parts, 2, ["--maps", "2"]))).toEqual(sorted(single.stdout));
  }, 60_000);

  // With two captures or more, pipes among them were ordered by the command into replays (not
  // paths), which the map task refused: an internal error. They are read in capture order.
  it("one task over pipes and a file, given out of capture order: the reduce is the scan", () => {
    const parts = join(dir, "parts-pipes-order");
    const r = spawnSync("bash", ["-c", `"${process.execPath}" "${BIN}" partition --buckets 2 -o "${parts}" <(cat "${files[2]}") "${files[0]}" <(cat "${files[1]}")`], { encoding: "utf8" });
    expect(r).toMatchObject({ status: 0, stderr: "" });
    const single = run(["--format", "ndjson", files[0]!, files[1]!, files[2]!]);
    expect(sorted(reduceAll(parts, 2))).toEqual(sorted(single.stdout));
  }, 60_000);

  /** A capture of one whole conversation from `start` (epoch seconds), client port `port`. */
  const conversation = (start: number, port: number) =>
    new Conversation({ start, clientPort: port }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK).c(F.FIN | F.ACK).s(F.FIN | F.ACK).c(F.ACK).frames;
  const shell = (script: string) => spawnSync("bash", ["-c", script], { encoding: "utf8", maxBuffer: 1 << 28 });

  // The map task read the pipe last (as a scan does) but its manifest gave the pipe's real,
  // earlier first packet, by which the reduce ordered the batches: wrong records, exit 0.
  it("a pipe whose first 16 MiB hold no packet, with a file: read last by the map task, the reduce and the scan", () => {
    const padded = join(dir, "padded.pcapng");
    writeFileSync(padded, writePcapng([{ blocks: [
      // Two blocks of 9 MiB (a block may hold 16 MiB at most): 18 MiB before the first packet.
      { type: "unknown", blockType: 0x0bad, body: new Uint8Array(9 << 20) },
      { type: "unknown", blockType: 0x0bad, body: new Uint8Array(9 << 20) },
      ...conversation(1_000_000, 40001).map((frame) => ({ type: "epb" as const, frame })),
    ] }]));
    const parts = join(dir, "parts-pipe-last");
    const map = shell(`"${process.execPath}" "${BIN}" partition --buckets 2 -o "${parts}" <(cat "${padded}") "${files[0]}"`);
    expect(map.status, map.stderr).toBe(0);
    expect(map.stderr).toMatch(/no packet in its first 16 MiB/);
    const single = shell(`"${process.execPath}" "${BIN}" --format ndjson <(cat "${padded}") "${files[0]}"`);
    expect(single.status).toBe(0);
    expect(sorted(reduceAll(parts, 2))).toEqual(sorted(single.stdout));
  }, 60_000);

  // Pipes at one path (/dev/fd/63, /dev/stdin) whose captures begin at the same instant: two
  // captures. The reduce refused the first pair as one capture in two outputs (exit 7); /dev/stdin
  // redirected from a file was named after that path, and the second task replaced the first's output.
  it("two tasks over pipes or /dev/stdin whose captures begin at one instant: two map outputs, the reduce is the scan", () => {
    const a = join(dir, "same-start-a.pcap"), b = join(dir, "same-start-b.pcap");
    writeFileSync(a, writePcap(conversation(1_600_000_000, 40001)));
    writeFileSync(b, writePcap([...conversation(1_600_000_000, 40002), ...conversation(1_600_000_001, 40003)]));
    const single = run(["--format", "ndjson", a, b]);
    expect(single.code).toBe(0);
    // Which of two pipes at one path that begin at one instant comes first is not said (their
    // names tie): the records are compared without their ids and frame numbers.
    const withoutIds = (ndjson: string) => ndjson.trim().split("\n").map((l) => {
      const c = JSON.parse(l);
      return JSON.stringify([c.ts, c.duration, c.orig.port, c.orig.pkts, c.orig.bytes, c.resp.pkts, c.resp.bytes, c.connState, c.history, c.teardown.kind]);
    }).sort();
    for (const [name, input] of [["fd", (f: string) => `<(cat "${f}")`], ["stdin", (f: string) => `/dev/stdin < "${f}"`]] as const) {
      const parts = join(dir, `parts-same-start-${name}`);
      for (const f of [a, b]) expect(shell(`"${process.execPath}" "${BIN}" partition --buckets 2 -o "${parts}" ${input(f)}`)).toMatchObject({ status: 0, stderr: "" });
      expect(readdirSync(parts)).toHaveLength(2);
      expect(withoutIds(reduceAll(parts, 2, ["--maps", "2"]))).toEqual(withoutIds(single.stdout));
    }
  }, 60_000);

  it("Ctrl-C while a pipe's first packet is awaited (its writer silent): exit 130 at once", () => {
    const parts = join(dir, "parts-pipes-silent");
    const r = spawnSync("bash", ["-c", `cd '${dir}'; rm -f silent; mkfifo silent; (exec sleep 20) > silent & writer=$!
      '${process.execPath}' '${BIN}' partition --buckets 2 -o '${parts}' silent '${files[0]}' & pid=$!
      sleep 1; kill -INT $pid; wait $pid; echo "$?"; kill $writer`], { encoding: "utf8", timeout: 15_000 });
    expect(r.stdout.trim()).toBe("130");
  }, 30_000);
});
