// `npm run bench:instructions`: callgrind's per-address counts paired with V8's jitdump. The
// parsers on hand-made inputs (each format's corners: relative addresses, a call's inclusive
// cost, a record that is not a code load), then, where valgrind is installed, one real count
// of a generated capture: every packet read, and the tracker's packet loop among its functions.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { generateCapture } from "../../bench/generate.js";
import { callgrindCosts, jitdumpLoads, costsByFunction } from "../../bench/jit-costs.js";
import { countInstructions, haveValgrind, perPacket, describeInstructions } from "../../bench/instructions.js";
import { benchBuilt, runBenchScript } from "../helpers/bench-script.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("callgrindCosts", () => {
  it("reads absolute, relative and repeated addresses, and leaves out a call's inclusive cost", () => {
    const text = [
      "version: 1", "positions: instr line", "events: Ir", "fl=(1) ???", "fn=(1) 0x0000100",
      "0x100 0 5", "+2 0 3", "* 0 1", "cfn=(2) other", "calls=1 0x200 0", "+4 0 1000", "+1 0 2", "-7 0 4", "totals: 1015",
    ].join("\n");
    expect([...callgrindCosts(text)]).toEqual([[0x100, 9], [0x102, 4], [0x107, 2]]);
  });
  it("reads a relative address in decimal, as callgrind writes it", () => {
    const text = ["positions: instr line", "events: Ir", "0x100 0 1", "+23 0 2", "-10 0 3", "+99 0 4"].join("\n");
    expect([...callgrindCosts(text)]).toEqual([[0x100, 1], [0x117, 2], [0x10d, 3], [0x170, 4]]);
  });
  it("reads instr-only positions", () => {
    expect([...callgrindCosts("positions: instr\nevents: Ir\n0x40 7\n+1 2\n")]).toEqual([[0x40, 7], [0x41, 2]]);
  });
});

// A jitdump: a 40-byte header, then records of (id, size, timestamp) and their bodies.
function jitdump(records: { id: number; address?: number; size?: number; name?: string }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const header = new DataView(new ArrayBuffer(40));
  header.setUint32(0, 0x4a695444, true);
  header.setUint32(4, 1, true);
  header.setUint32(8, 40, true);
  parts.push(new Uint8Array(header.buffer));
  for (const r of records) {
    const name = new TextEncoder().encode(r.name ?? "");
    const code = new Uint8Array(r.size ?? 0);
    const length = r.id === 0 ? 56 + name.length + 1 + code.length : 24;
    const v = new DataView(new ArrayBuffer(length));
    v.setUint32(0, r.id, true);
    v.setUint32(4, length, true);
    if (r.id === 0) {
      v.setBigUint64(32, BigInt(r.address!), true);
      v.setBigUint64(40, BigInt(code.length), true);
      new Uint8Array(v.buffer).set(name, 56);
    }
    parts.push(new Uint8Array(v.buffer));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

describe("jitdumpLoads and costsByFunction", () => {
  const bytes = jitdump([
    { id: 0, address: 0x1000, size: 0x20, name: "JS:assembly/tracker/track/accept-31-turbofan" },
    { id: 2 }, // a code move, say: not a load
    { id: 0, address: 0x2000, size: 0x10, name: "JS:assembly/index/decode-42-turbofan" },
  ]);
  it("finds each code load's name, address and size", () => {
    expect(jitdumpLoads(bytes)).toEqual([
      { name: "JS:assembly/tracker/track/accept-31-turbofan", address: 0x1000, size: 0x20 },
      { name: "JS:assembly/index/decode-42-turbofan", address: 0x2000, size: 0x10 },
    ]);
  });
  it("refuses a file that is not a jitdump", () => {
    expect(() => jitdumpLoads(new Uint8Array(64))).toThrow(/not a jitdump/);
  });
  it("adds each address's count to the function whose code holds it, and nothing outside", () => {
    const costs = new Map([[0x1000, 3], [0x101f, 4], [0x1020, 100], [0x2008, 5], [0x500, 7]]);
    expect([...costsByFunction(costs, jitdumpLoads(bytes))]).toEqual([
      ["JS:assembly/tracker/track/accept-31-turbofan", 7],
      ["JS:assembly/index/decode-42-turbofan", 5],
    ]);
  });
});

// The same program counted twice, positions compressed (callgrind's default) and written whole:
// the same count at every address.
describe.skipIf(!haveValgrind())("callgrindCosts on callgrind's own output", () => {
  it("reads compressed positions as their uncompressed twins", () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-callgrind-test-"));
    const listed = join(dir, "empty"); // what ls reads: the same both times
    mkdirSync(listed);
    try {
      const run = (name: string, extra: string[]) => {
        const out = join(dir, name);
        const r = spawnSync("valgrind", ["--tool=callgrind", "--dump-instr=yes", `--callgrind-out-file=${out}`, ...extra, "ls", listed], { encoding: "utf8" });
        expect(r.status).toBe(0);
        return readFileSync(out, "utf8");
      };
      const compressed = run("compressed.out", []), whole = run("whole.out", ["--compress-pos=no"]);
      expect(compressed).toMatch(/^\+[1-9]\d /m); // a relative address past 9, read wrong as hex
      const plain = callgrindCosts(whole);
      expect(plain.size).toBeGreaterThan(1000);
      expect(callgrindCosts(compressed)).toEqual(plain);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("countInstructions's failures", () => {
  it("says in one line that valgrind could not be run", () => {
    const path = process.env.PATH;
    process.env.PATH = "";
    try {
      expect(() => countInstructions(ROOT, "x.pcap")).toThrow(/^valgrind over x\.pcap failed \(exit null\): .*ENOENT/);
    } finally {
      process.env.PATH = path;
    }
  });
});

const built = existsSync(join(ROOT, "dist", "bench", "instruction-pass.js"));
describe.skipIf(!built || !haveValgrind())("bench:instructions under valgrind", () => {
  it("says in one line why the pass failed: its error, not its stack", () => {
    const missing = join(tmpdir(), "ths-instructions-no-such.pcap");
    expect(() => countInstructions(ROOT, missing)).toThrow(/^valgrind over .* failed \(exit 1\): instruction-pass: ENOENT[^\n]*no-such\.pcap'$/);
  }, 60_000);
  it("counts a whole pass of a capture, the tracker's loop and the decoder named; paths relative to ours too", () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-instructions-test-"));
    try {
      const path = join(dir, "short.pcap");
      const g = generateCapture(path, { bytes: 300e3, snaplen: 96, mix: "short", concurrency: 50, seed: 7 });
      // The pass runs in a directory of its own: relative paths failed there (ENOENT).
      check(countInstructions(relative(process.cwd(), ROOT) || ".", relative(process.cwd(), path)), g.packets, g.connections);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

// One decode + track pass counted: every packet read, every connection ended, both sides named.
function check(c: ReturnType<typeof countInstructions>, packets: number, connections: number): void {
  expect(c.packets).toBe(packets);
  expect(c.connections).toBe(connections);
  expect(c.functions.get("assembly/tracker/index/trackAt")).toBeGreaterThan(c.packets);
  expect(c.functions.get("assembly/index/decode")).toBeGreaterThan(c.packets);
  const p = perPacket(c);
  expect(p.decode).toBeGreaterThan(0);
  expect(p.track).toBeGreaterThan(0);
  expect(p.total).toBeGreaterThan(p.decode + p.track);
  const lines = describeInstructions("short.pcap", [c, { ...c, build: "again" }]);
  expect(lines[lines.length - 1]).toMatch(/^ {2}tracker, this build \/ again: 1\.000x \(0 a packet\); decoder 1\.000x$/);
}

// perPacket counts ~lib/* as the tracker module's: the decoder module must name none of its own.
describe("the modules' function names", () => {
  it("the decoder names no runtime (~lib) function and nothing of the tracker's", () => {
    const decoder = readFileSync(fileURLToPath(new URL("../../build/decoder.wasm", import.meta.url))).toString("latin1");
    expect(decoder).toContain("assembly/wire/ipv4/decodeIPv4"); // it has a name section
    for (const prefix of ["~lib/", "assembly/tracker/", "assembly/lines/"]) expect(decoder.includes(prefix), prefix).toBe(false);
    expect(perPacket({ build: "b", packets: 2, connections: 1, total: 100, functions: new Map([["assembly/index/decode", 10], ["~lib/rt/tlsf/allocateBlock", 4], ["assembly/lines/sink/put", 2], ["assembly/tracker/index/trackAt", 6]]) }))
      .toEqual({ decode: 5, track: 6, total: 50 });
  });
});

// A capture of no packets has no count a packet: one line says so (it printed NaN for each).
describe("describeInstructions on a capture of no packets", () => {
  it("is one line saying there are none", () => {
    const none = { build: "this build", packets: 0, connections: 0, total: 5e7, functions: new Map([["assembly/index/decode", 0]]) };
    expect(describeInstructions("empty.pcap", [none, { ...none, build: "other" }])).toEqual(["empty.pcap: no packets, nothing to count a packet"]);
  });
});

// The script's errors: one line naming the argument, file or tool, never a stack trace.
describe.skipIf(!benchBuilt("instructions"))("bench:instructions's errors", () => {
  it("no capture, a missing one, a directory that is not a build", () => {
    expect(runBenchScript("instructions", [])).toEqual({ code: 2, stdout: "", stderr: "bench:instructions: usage: node dist/bench/instructions.js [--annotate NAME] [DIR...] FILE... (DIR: another built checkout)\n" });
    for (const args of [["--annotate"], ["x.pcap", "--annotate"], ["--annotate", "--annotate", "x.pcap"]]) {
      expect(runBenchScript("instructions", args)).toEqual({ code: 2, stdout: "", stderr: "bench:instructions: --annotate needs a function's name (or part of it), e.g. --annotate track/processPacket\n" });
    }
    expect(runBenchScript("instructions", ["/no/such.pcap"])).toEqual({ code: 2, stdout: "", stderr: "bench:instructions: /no/such.pcap: no such file\n" });
    const notBuilt = mkdtempSync(join(tmpdir(), "ths-instructions-not-built-"));
    try {
      expect(runBenchScript("instructions", [notBuilt, "x.pcap"])).toEqual({ code: 2, stdout: "", stderr: `bench:instructions: ${notBuilt}: not a built checkout (no dist/sdk/index.js: npm run build there)\n` });
    } finally {
      rmSync(notBuilt, { recursive: true, force: true });
    }
  });

  it("no valgrind: one line, exit 1", () => {
    const r = runBenchScript("instructions", [fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url))], { PATH: "" });
    expect(r).toEqual({ code: 1, stdout: "", stderr: "bench:instructions: valgrind not found (apt-get install valgrind)\n" });
  });

  it.skipIf(!haveValgrind())("a capture of no packets: the line saying so, exit 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-instructions-empty-"));
    try {
      const empty = join(dir, "empty.pcap");
      generateCapture(empty, { bytes: 0, mix: "short", seed: 1 });
      expect(runBenchScript("instructions", [empty])).toEqual({ code: 1, stdout: `${empty}: no packets, nothing to count a packet\n`, stderr: "" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
