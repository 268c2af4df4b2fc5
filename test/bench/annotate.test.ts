// `npm run bench:instructions -- --annotate NAME`: objdump's lines read back, a jitdump's code
// bytes, the printed hot path; then, where valgrind and objdump are installed, one real pass
// whose annotated function adds up to its count among the functions.

import { describe, it, expect } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateCapture } from "../../bench/generate.js";
import { jitdumpLoads } from "../../bench/jit-costs.js";
import { annotate, describeAnnotation, haveObjdump, parseObjdump } from "../../bench/annotate.js";
import { countInstructions, haveValgrind } from "../../bench/instructions.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("parseObjdump", () => {
  it("reads each instruction's address and text, and leaves out headers and a long instruction's second line of bytes", () => {
    const text = [
      "",
      "/tmp/x/code.bin:     file format binary",
      "",
      "Disassembly of section .data:",
      "",
      "0000000000001000 <.data>:",
      "    1000:\t55                   \tpush   %rbp",
      "    1001:\t48 89 e5             \tmov    %rsp,%rbp",
      "    1004:\t48 b8 95 d6 26 e8 0b \tmovabs $0x3e112e0be826d695,%rax",
      "    100b:\t2e 11 3e ",
      "    100e:\t0f 86 10 00 00 00    \tjbe    0x1024",
    ].join("\n");
    expect(parseObjdump(text)).toEqual([
      { address: 0x1000, text: "push %rbp" },
      { address: 0x1001, text: "mov %rsp,%rbp" },
      { address: 0x1004, text: "movabs $0x3e112e0be826d695,%rax" },
      { address: 0x100e, text: "jbe 0x1024" },
    ]);
  });
});

describe("jitdumpLoads with code", () => {
  it("gives each load's machine code, the bytes after its name", () => {
    const name = new TextEncoder().encode("JS:assembly/index/decode-42-turbofan");
    const code = Uint8Array.of(0x55, 0x48, 0x89, 0xe5, 0xc3);
    const record = new DataView(new ArrayBuffer(56 + name.length + 1 + code.length));
    record.setUint32(0, 0, true);
    record.setUint32(4, record.byteLength, true);
    record.setBigUint64(32, 0x4000n, true);
    record.setBigUint64(40, BigInt(code.length), true);
    new Uint8Array(record.buffer).set(name, 56);
    new Uint8Array(record.buffer).set(code, 56 + name.length + 1);
    const header = new DataView(new ArrayBuffer(40));
    header.setUint32(0, 0x4a695444, true);
    header.setUint32(8, 40, true);
    const bytes = new Uint8Array(40 + record.byteLength);
    bytes.set(new Uint8Array(header.buffer));
    bytes.set(new Uint8Array(record.buffer), 40);
    const [load] = jitdumpLoads(bytes, true);
    expect(load!.code).toEqual(code);
    expect(jitdumpLoads(bytes)[0]!.code).toBeUndefined();
  });
});

describe("describeAnnotation", () => {
  it("prints the function's instructions a packet and those that ran at least a quarter of a packet each", () => {
    const lines = describeAnnotation({
      name: "JS:assembly/tracker/track/accept-31-turbofan",
      total: 700,
      instructions: [
        { offset: 0, text: "push %rbp", count: 100 },
        { offset: 1, text: "jbe +1f", count: 24 },
        { offset: 0x1f, text: "ret", count: 25 },
      ],
    }, 100);
    expect(lines).toEqual([
      "JS:assembly/tracker/track/accept-31-turbofan: 7.0 instructions a packet; the 2 that ran 0.25 a packet or more (runs a packet, offset, instruction):",
      "     1.00      0  push %rbp",
      "     0.25     1f  ret",
    ]);
  });
});

describe.skipIf(!haveObjdump())("annotate", () => {
  it("disassembles the code at the address it ran at, each instruction with its count, jumps within it as offsets", () => {
    // push %rbp; jmp to the ret (a 2-byte short jump to +3); ret
    const code = Uint8Array.of(0x55, 0xeb, 0x00, 0xc3);
    const a = annotate({ name: "f", address: 0x7000, size: code.length, code }, new Map([[0x7000, 5], [0x7003, 5], [0x9000, 7]]));
    expect(a.total).toBe(10);
    expect(a.instructions.map((i) => [i.offset, i.text, i.count])).toEqual([[0, "push %rbp", 5], [1, "jmp +3", 0], [3, "ret", 5]]);
  });
});

const built = existsSync(join(ROOT, "dist", "bench", "instruction-pass.js"));
describe.skipIf(!built || !haveValgrind() || !haveObjdump())("countInstructions with --annotate, under valgrind", () => {
  it("annotates the named function: its instructions add up to its count among the functions", () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-annotate-test-"));
    try {
      const path = join(dir, "short.pcap");
      const g = generateCapture(path, { bytes: 300e3, snaplen: 96, mix: "short", concurrency: 50, seed: 7 });
      const c = countInstructions(ROOT, path, "track/processPacket");
      const a = c.annotation!;
      expect(a.name).toMatch(/^JS:assembly\/tracker\/track\/processPacket-\d+-turbofan$/);
      expect(a.total).toBe(c.functions.get("assembly/tracker/track/processPacket"));
      // Its first instruction runs once a call: once for most of the packets.
      expect(a.instructions[0]!.offset).toBe(0);
      expect(a.instructions[0]!.count).toBeGreaterThan(g.packets / 2);
      expect(a.instructions[0]!.count).toBeLessThanOrEqual(g.packets);
      expect(() => countInstructions(ROOT, path, "no/such/function")).toThrow(/^--annotate no\/such\/function: no WebAssembly function's name holds it/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
