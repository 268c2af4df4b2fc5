// `npm run bench:instructions -- --annotate NAME FILE`: one WebAssembly function's machine code
// with the instructions callgrind counted at each address, so that a hot path can be read line
// by line (which loads, which byte swaps, which spills a packet pays for) and a change to it judged
// by exact counts. V8's jitdump holds each compiled function's code bytes beside its name;
// binutils' objdump disassembles them at the address they ran at.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CodeLoad } from "./jit-costs.js";
import { BenchFailure, toolRuns } from "./bench-main.js";

export interface AnnotatedInstruction {
  /** Bytes from the function's start. */
  offset: number;
  /** The instruction as objdump writes it (mnemonic and operands). */
  text: string;
  /** Times it ran in the pass. */
  count: number;
}

export interface Annotation {
  /** The jitdump's name of the code (V8's: "JS:assembly/...-31-turbofan"). */
  name: string;
  /** Instructions run in the function in all. */
  total: number;
  instructions: AnnotatedInstruction[];
}

/**
 * objdump's lines for `-D -b binary -m i386:x86-64 --adjust-vma=BASE` as (address, text): an
 * instruction line is "  addr:\tbytes \tmnemonic operands"; a long instruction's bytes continue
 * on a line of their own with no mnemonic, which is left out.
 */
export function parseObjdump(text: string): { address: number; text: string }[] {
  const out: { address: number; text: string }[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*([0-9a-f]+):\t[0-9a-f ]+\t(.+)$/.exec(line);
    if (m) out.push({ address: parseInt(m[1]!, 16), text: m[2]!.replace(/\s+/g, " ").trim() });
  }
  return out;
}

/** Whether objdump (binutils) can be run here. */
export function haveObjdump(): boolean {
  return toolRuns("objdump");
}

/** The code of `load` disassembled, each instruction with its count from `costs` (by address). */
export function annotate(load: CodeLoad & { code: Uint8Array }, costs: Map<number, number>): Annotation {
  const dir = mkdtempSync(join(tmpdir(), "ths-annotate-"));
  try {
    const bin = join(dir, "code.bin");
    writeFileSync(bin, load.code);
    const r = spawnSync("objdump", ["-D", "-b", "binary", "-m", "i386:x86-64", `--adjust-vma=${load.address}`, bin], { encoding: "utf8", maxBuffer: 256 << 20 });
    if (r.error || r.status !== 0) throw new BenchFailure(`objdump could not disassemble ${load.name} (exit ${r.status}): ${r.error?.message ?? r.stderr.trim().split("\n").pop()}`);
    const end = load.address + load.code.length;
    // A jump or call into the function itself written as its offset (+1f3), not the address.
    const within = (text: string) => text.replace(/0x([0-9a-f]+)\b/g, (hex, digits: string) => {
      const a = parseInt(digits, 16);
      return a >= load.address && a < end ? `+${(a - load.address).toString(16)}` : hex;
    });
    const instructions = parseObjdump(r.stdout).map(({ address, text }) => ({ offset: address - load.address, text: within(text), count: costs.get(address) ?? 0 }));
    return { name: load.name, total: instructions.reduce((s, i) => s + i.count, 0), instructions };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The printed lines: the function's instructions a packet, then every instruction that ran at
 * least `share` times a packet (its hot path), in address order, as runs a packet, offset and text.
 */
export function describeAnnotation(a: Annotation, packets: number, share = 0.25): string[] {
  const per = (n: number) => (packets > 0 ? n / packets : 0);
  const hot = a.instructions.filter((i) => per(i.count) >= share);
  const lines = [`${a.name}: ${per(a.total).toFixed(1)} instructions a packet; the ${hot.length} that ran ${share} a packet or more (runs a packet, offset, instruction):`];
  for (const i of hot) lines.push(`  ${per(i.count).toFixed(2).padStart(7)}  ${i.offset.toString(16).padStart(5)}  ${i.text}`);
  return lines;
}
