// A map task's files as a developer may pass them: in any order. The map reads them in capture
// order (by first packet, as the partition command and a scan of rotated files order them), so
// the reduce gives the scan's records, and a retry with the files in another order replaces the
// same map output.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { scan, partitionCaptures, createBucketScanner, openPartitionSet, type ConnectionRecord } from "../../../sdk/index.js";
import { writeRotatedCaptures } from "../../helpers/rotated-captures.js";

const dir = mkdtempSync(join(tmpdir(), "ths-partition-order-"));
let files: string[];
let single: ConnectionRecord[];

beforeAll(async () => {
  files = writeRotatedCaptures(dir, { files: 4, seed: 5 });
  single = (await scan(files)).connections;
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const byId = (records: ConnectionRecord[]) => [...records].sort((a, b) => a.id - b.id).map((r) => JSON.stringify(r));

describe("partitionCaptures over files out of capture order", () => {
  it("reads them in capture order: the buckets give the scan's records", async () => {
    const out = join(dir, "parts");
    const shuffled = [files[2]!, files[0]!, files[3]!, files[1]!];
    const { captures } = await partitionCaptures(shuffled, out, { buckets: 3 });
    expect(captures.map((c) => c.source)).toEqual(files);
    const union: ConnectionRecord[] = [];
    for (let b = 0; b < 3; b++) for await (const c of createBucketScanner(openPartitionSet(out, b, 1), b)) union.push(c);
    expect(single.length).toBeGreaterThan(500);
    expect(byId(union)).toEqual(byId(single));
  }, 120_000);

  it("a retry with the files in another order replaces the same map output", async () => {
    const out = join(dir, "retry");
    const first = await partitionCaptures([files[1]!, files[0]!], out, { buckets: 2 });
    const again = await partitionCaptures([files[0]!, files[1]!], out, { buckets: 2 });
    expect(again.dir).toBe(first.dir);
    expect(readdirSync(out)).toEqual([basename(first.dir)]);
  }, 120_000);

  it("a retry once a file cut short was copied whole replaces its output; the same file in two outputs is refused", async () => {
    const out = join(dir, "grown");
    const live = join(dir, "live.pcap");
    const whole = readFileSync(files[0]!);
    writeFileSync(live, whole.subarray(0, Math.floor(whole.length / 2))); // still being copied
    const cut = await partitionCaptures([live], out, { buckets: 1 });
    expect(cut.captures[0]!.error?.code).toMatch(/^capture\.truncated_record/);
    writeFileSync(live, whole);
    const again = await partitionCaptures([live], out, { buckets: 1 });
    expect(again.dir).toBe(cut.dir);
    expect(readdirSync(out)).toHaveLength(1);
    const reduced: ConnectionRecord[] = [];
    for await (const c of createBucketScanner(openPartitionSet(out, 0), 0)) reduced.push(c);
    expect(reduced.map((r) => JSON.stringify(r)).sort()).toEqual((await scan(live)).connections.map((r) => JSON.stringify(r)).sort());
    // A second task naming it beside another file: the file in two outputs, whatever the sizes.
    await partitionCaptures([live, files[1]!], out, { buckets: 1 });
    expect(() => openPartitionSet(out, 0)).toThrow(/live\.pcap is in two map outputs .*: its connections would be counted twice/);
  }, 120_000);

  it("another capture at the same path (a machine's own /data/eth0.pcap) is a map output of its own, not a retry", async () => {
    const out = join(dir, "same-path");
    const eth0 = join(dir, "eth0.pcap");
    writeFileSync(eth0, readFileSync(files[0]!));
    const one = await partitionCaptures([eth0], out, { buckets: 1 });
    writeFileSync(eth0, readFileSync(files[2]!)); // the next machine's file, at the same path
    const other = await partitionCaptures([eth0], out, { buckets: 1 });
    expect(other.dir).not.toBe(one.dir);
    expect(readdirSync(out)).toHaveLength(2);
  }, 120_000);
});

describe("partitionCaptures with many buckets", () => {
  // Each bucket's buffer was 16 MiB / buckets bytes: not a whole number of 32-bit words for 257,
  // 1000 or 2000 buckets, whose first word view threw (an internal error of the command).
  for (const buckets of [257, 1000]) {
    it(`${buckets} buckets: the buckets give the scan's records`, async () => {
      const out = join(dir, `many-${buckets}`);
      await partitionCaptures(files.slice(0, 2), out, { buckets });
      const union: ConnectionRecord[] = [];
      for (let b = 0; b < buckets; b++) for await (const c of createBucketScanner(openPartitionSet(out, b, 1), b)) union.push(c);
      expect(byId(union)).toEqual(byId((await scan(files.slice(0, 2))).connections));
    }, 120_000);
  }
});

describe("partitionCaptures' arguments", () => {
  it("are checked before anything is written: a TypeError or RangeError naming the argument", async () => {
    const out = join(dir, "refused");
    const call = (files: unknown, options: unknown) => partitionCaptures(files as string[], out, options as { buckets: number });
    await expect(call(files[0], { buckets: 2 })).rejects.toThrow(new TypeError("files must be a list of capture paths, not \"" + files[0] + "\""));
    await expect(call([], { buckets: 2 })).rejects.toThrow(new TypeError("files: an empty list names no capture"));
    await expect(call([files[0], new Uint8Array(4)], { buckets: 2 })).rejects.toThrow(new TypeError("files[1] must be a path, not a Uint8Array"));
    await expect(call([files[0], ""], { buckets: 2 })).rejects.toThrow(new TypeError("files[1] must be a path, not \"\""));
    await expect(call(files, undefined)).rejects.toThrow(new TypeError("options must be an object with buckets, not undefined"));
    await expect(call(files, { buckets: 0 })).rejects.toThrow(new RangeError("buckets: 0 is not from 1 to 65536"));
    await expect(call(files, { buckets: 2, chunkSize: -1 })).rejects.toThrow(RangeError);
    expect(existsSync(out)).toBe(false);
  });

  // It wrote a map output no reduce would take ("in two map outputs", naming this one twice).
  it("one capture named twice (another spelling, a link): a RangeError, nothing written", async () => {
    const out = join(dir, "refused-twice");
    const link = join(dir, "link.pcap");
    symlinkSync(files[0]!, link);
    const spelled = join(dir, ".", basename(files[0]!)).replace(dir, `${dir}/.`);
    await expect(partitionCaptures([files[0]!, files[1]!, spelled], out, { buckets: 2 }))
      .rejects.toThrow(new RangeError(`files[2] (${spelled}) is files[0] (${files[0]}): each capture once (its connections would be counted twice)`));
    await expect(partitionCaptures([link, files[0]!], out, { buckets: 2 })).rejects.toThrow(/^files\[1\] .* is files\[0\] /);
    expect(existsSync(out)).toBe(false);
  });
});
