// Partitions damaged after they were written (a disk, a copy): every part the reduce reads
// carries a checksum. A bucket file found damaged while it is read gives one line naming the file
// and the damaged chunk's byte, exit 4, and the connections tracked before it (as a damaged
// capture does); a file cut short, a damaged clock file, file header or manifest are refused
// before anything is written (exit 7). Never a silently different result.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, readFileSync, writeFileSync, truncateSync, cpSync, readdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeRotatedCaptures } from "../helpers/rotated-captures.js";
import { chunkPlaces, resealChunkHeader, resealManifest, CHUNK_HEADER, type ChunkPlace } from "../helpers/partition-chunks.js";
import { PARTITION_FORMAT_VERSION } from "../../sdk/partition/format.js";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ths-partition-damage-"));
const parts = join(dir, "parts");
let map: string; // the map output's directory name
let good: string; // bucket 0's connections, undamaged
let chunks: ChunkPlace[]; // bucket 0's chunks

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 120_000, maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of the partitions with `file` of the map output changed by `change`; bucket 0 reduced. */
function damaged(name: string, file: string, change: (bytes: Buffer, path: string) => void, extra: string[] = []) {
  const copy = join(dir, name);
  cpSync(parts, copy, { recursive: true });
  const path = join(copy, map, file);
  change(readFileSync(path), path);
  return { path, ...run(["--from-partitions", copy, "--bucket", "0", ...extra]) };
}

const flip = (offset: number) => (bytes: Buffer, path: string) => { bytes[offset]! ^= 0x10; writeFileSync(path, bytes); };

beforeAll(() => {
  const files = writeRotatedCaptures(dir, { files: 2, seed: 5 });
  const r = run(["partition", "--buckets", "2", "-o", parts, ...files]);
  expect(r.code).toBe(0);
  map = readdirSync(parts)[0]!;
  chunks = chunkPlaces(readFileSync(join(parts, map, "bucket-00000.bin")));
  const reduced = run(["--from-partitions", parts, "--bucket", "0"]);
  expect(reduced.code).toBe(0);
  good = reduced.stdout;
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One line naming the file and the byte of the damage, exit 4, and the connections before it. */
function readUpToDamage(r: { path: string; code: number | null; stdout: string; stderr: string }, at: number, cause: string) {
  expect(r.stderr).toBe(`tcp-handshake-scan: ${r.path}: byte ${at}: ${cause}: the bucket file is damaged (run its partition task again)\n`);
  expect(r.code).toBe(4);
  // Those that ended before the damage as in the undamaged run; those still open then, ended
  // there (as at a capture's end): the same ids, never a connection the undamaged run lacks.
  const ids = new Set(good.trim().split("\n").map((l) => JSON.parse(l).id));
  const lines = r.stdout === "" ? [] : r.stdout.trim().split("\n");
  for (const line of lines) expect(ids.has(JSON.parse(line).id)).toBe(true);
  return lines;
}

describe("a bucket file damaged after it was written", () => {
  it("has chunks enough to damage a late one", () => {
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    expect(chunks.at(-1)!.at + chunks.at(-1)!.bytes).toBe(readFileSync(join(parts, map, "bucket-00000.bin")).length);
  });

  it("a byte of a chunk's records: exit 4 naming that chunk; the connections before it are written", () => {
    const last = chunks.at(-1)!;
    const r = damaged("payload", "bucket-00000.bin", flip(last.at + CHUNK_HEADER + 100));
    const lines = readUpToDamage(r, last.at, "the checksum of the chunk's records does not match");
    const goodLines = new Set(good.trim().split("\n"));
    expect(lines.filter((l) => goodLines.has(l)).length).toBeGreaterThan(0);
    // The first chunk: nothing was tracked before it.
    const first = damaged("payload-first", "bucket-00000.bin", flip(chunks[0]!.at + CHUNK_HEADER + (chunks[0]!.records - 1) * 128 + 5));
    expect(readUpToDamage(first, chunks[0]!.at, "the checksum of the chunk's records does not match")).toEqual([]);
  });

  it("a byte of a chunk's header (its count, its batch, its checksum): exit 4 naming that chunk", () => {
    const k = Math.floor(chunks.length / 2), at = chunks[k]!.at;
    for (const field of [4, 0, 8, 29]) {
      readUpToDamage(damaged(`header-${field}`, "bucket-00000.bin", flip(at + field)), at, "a chunk header's checksum does not match");
    }
  });

  it("tunnel bytes its records do not have, with a header checksum that matches (a map task's mistake): exit 4", () => {
    readUpToDamage(damaged("tunnel-bytes", "bucket-00000.bin", (bytes, path) => {
      bytes.writeUInt32LE(48, chunks[1]!.at + 20);
      resealChunkHeader(bytes, chunks[1]!.at);
      writeFileSync(path, bytes);
    }), chunks[1]!.at, "a chunk's tunnel levels are 0 bytes, its header says 48");
  });

  it("written to -o FILE, as zeek: the file is put in place with the connections before the damage and the footer", () => {
    const out = join(dir, "damaged.zeek");
    const r = damaged("to-file", "bucket-00000.bin", flip(chunks.at(-1)!.at + CHUNK_HEADER + 1), ["--format", "zeek", "-o", out]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/bucket-00000\.bin: byte \d+: the checksum of the chunk's records does not match/);
    const text = readFileSync(out, "utf8");
    expect(text).toMatch(/^#separator/);
    expect(text).toMatch(/\n#close\t[^\n]+\n$/);
    expect(text.split("\n").filter((l) => l && !l.startsWith("#")).length).toBeGreaterThan(0);
  });

  it("cut short inside a chunk: refused before anything is written (exit 7), naming that chunk's byte", () => {
    const k = chunks.length - 2, cut = chunks[k]!.at + CHUNK_HEADER + 300;
    const r = damaged("cut", "bucket-00000.bin", (_b, path) => truncateSync(path, cut));
    expect(r).toMatchObject({ code: 7, stdout: "" });
    expect(r.stderr).toMatch(new RegExp(`^tcp-handshake-scan: ${r.path}: byte ${chunks[k]!.at}: the file ends inside the chunk there \\(${cut} bytes, \\d+ written\\): cut short\\n$`));
    const between = damaged("cut-between", "bucket-00000.bin", (_b, path) => truncateSync(path, chunks[k]!.at));
    expect(between).toMatchObject({ code: 7, stdout: "" });
    expect(between.stderr).toMatch(new RegExp(`: byte ${chunks[k]!.at}: the file ends there, before the chunks written after it`));
    const header = damaged("cut-header", "bucket-00000.bin", (_b, path) => truncateSync(path, 20));
    expect(header).toMatchObject({ code: 7, stdout: "" });
    expect(header.stderr).toMatch(/bucket-00000\.bin: byte 0: the file ends inside its header \(20 bytes, \d+ written\): cut short\n$/);
  });

  it("cut short inside a chunk, the manifest's size changed to match: found while reading (exit 4)", () => {
    const k = chunks.length - 2, cut = chunks[k]!.at + CHUNK_HEADER + 300;
    const copy = join(dir, "cut-and-manifest");
    cpSync(parts, copy, { recursive: true });
    truncateSync(join(copy, map, "bucket-00000.bin"), cut);
    const manifestPath = join(copy, map, "manifest.json");
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    manifest.bucketBytes[0] = cut;
    writeFileSync(manifestPath, resealManifest(manifest));
    const r = { path: join(copy, map, "bucket-00000.bin"), ...run(["--from-partitions", copy, "--bucket", "0"]) };
    readUpToDamage(r, chunks[k]!.at, `the file ends inside this chunk of ${chunks[k]!.records} records (${chunks[k]!.bytes - CHUNK_HEADER} bytes after its header, 300 there)`);
  });
});

describe("the other partition files damaged: refused before anything is written (exit 7)", () => {
  const refused = (r: { path: string; code: number | null; stdout: string; stderr: string }, message: string) => {
    expect(r).toMatchObject({ code: 7, stdout: "" });
    expect(r.stderr).toBe(`tcp-handshake-scan: ${r.path}: ${message}\n`);
  };

  it("a bucket file's header", () => {
    refused(damaged("file-header", "bucket-00000.bin", flip(24)), "byte 0: the file header's checksum does not match: damaged");
  });

  it("a clock entry, or the clock file's header", () => {
    refused(damaged("clock", "clock.bin", flip(32 + 3 * 24 + 9)), `byte ${32 + 3 * 24}: a clock entry's checksum does not match: damaged (run its partition task again)`);
    refused(damaged("clock-header", "clock.bin", flip(20)), "byte 0: the file header's checksum does not match: damaged");
    refused(damaged("bucket-magic", "bucket-00000.bin", flip(3)), 'byte 0: not a bucket file (its first 8 bytes are not "THSBUCKT"): damaged, or another file put there');
    refused(damaged("clock-magic", "clock.bin", flip(3)), 'byte 0: not a clock file (its first 8 bytes are not "THSCLOCK"): damaged, or another file put there');
  });

  it("a manifest's field changed (valid JSON still)", () => {
    refused(damaged("manifest", "manifest.json", (bytes, path) => {
      const manifest = JSON.parse(bytes.toString("utf8"));
      manifest.files[1].packets += 1; // frame numbers would be off by one
      writeFileSync(path, JSON.stringify(manifest, null, 1));
    }), "its checksum does not match its fields: edited or damaged (run its partition task again)");
    // Its spacing is not a field: reformatted, it is read as before.
    const r = damaged("manifest-spacing", "manifest.json", (bytes, path) => writeFileSync(path, JSON.stringify(JSON.parse(bytes.toString("utf8")))));
    expect(r).toMatchObject({ code: 0, stderr: "", stdout: good });
  });

  it("partitions of the format before checksums: written by another version", () => {
    const r = damaged("version-2", "manifest.json", (bytes, path) => {
      const manifest = JSON.parse(bytes.toString("utf8"));
      manifest.version = 2;
      delete manifest.checksum;
      writeFileSync(path, JSON.stringify(manifest, null, 1));
    });
    expect(r).toMatchObject({ code: 7, stdout: "" });
    expect(r.stderr).toMatch(new RegExp(`written by another version \\(partition format 2, packet layout \\d+; this one reads ${PARTITION_FORMAT_VERSION} and \\d+\\): run partition again with this version\\n$`));
    expect(PARTITION_FORMAT_VERSION).toBe(5);
  });

  it("a bucket file that is not a file (a directory in its place): one line, not an internal error", () => {
    const r = damaged("not-a-file", "bucket-00000.bin", (_bytes, path) => { rmSync(path); mkdirSync(path); });
    refused(r, "not a regular file: the map output is damaged (run its partition task again)");
  });

  it("undamaged copies read as the original", () => {
    expect(existsSync(join(parts, map, "manifest.json"))).toBe(true);
    const r = damaged("untouched", "clock.bin", () => {});
    expect(r).toMatchObject({ code: 0, stderr: "", stdout: good });
  });
});
