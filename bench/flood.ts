// npm run bench:flood — the flow-table stress test: floods of FLOOD_SYNS one-packet connections
// (default "1000000,2000000,4000000"), from distinct source ports and addresses, FLOOD_RATE per
// second of capture time (default 1 000 000: with Zeek's timers every one would still be open at
// the end), of each kind in FLOOD_KINDS (default "syn,ack"): lone SYNs (half-open), pure ACKs
// (a mid-stream scan), both in turn (mix), RSTs, SYN/ACKs (backscatter), FIN/ACKs: each held
// as a one-packet connection under --max-half-open. Runs the command on each (the
// summary, with the cores available and with one thread), and prints the time, packets/s, peak
// RSS, and how the connections came out: every packet must come out as a connection (S0 for
// SYNs, OTH for ACKs, RSTs and SYN/ACKs, SH for FIN/ACKs), those past the limit (--max-half-open, default 100 000) as "evicted"
// (RSTs and FINs keep their teardown).

import { openSync, writeSync, closeSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { measureRun } from "./measure-run.js";
import { namesVariable, numberListVariable, numberVariable, runBench } from "./bench-main.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(ROOT, "dist", "cli", "bin.cjs");
const KINDS: Record<string, { flags: number | number[]; state: string }> = {
  syn: { flags: 0x02, state: "S0" },
  ack: { flags: 0x10, state: "OTH" },
  mix: { flags: [0x02, 0x10], state: "" }, // SYNs and ACKs in turn
  rst: { flags: 0x04, state: "OTH" },
  synack: { flags: 0x12, state: "OTH" }, // backscatter
  finack: { flags: 0x11, state: "SH" },
};

/** Writes a pcap of `count` SYNs, `perSecond` per second of capture time, all to one server. */
export function writeSynFlood(path: string, count: number, perSecond: number): void {
  writeFlood(path, count, perSecond, 0x02);
}

/**
 * Writes a pcap of `count` one-packet connections with these TCP flags (0x10: a pure-ACK
 * mid-stream scan; 0x12: SYN/ACK backscatter; 0x04: RSTs), `perSecond` per second of capture
 * time, all to one server. With `repeatEvery` n, every n-th packet repeats the flow of the one
 * before it (a second packet: those connections become records).
 */
export function writeFlood(path: string, count: number, perSecond: number, flags: number | readonly number[], repeatEvery = 0): void {
  const cycle = typeof flags === "number" ? [flags] : flags;
  const fd = openSync(path, "w");
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0); header.writeUInt16LE(2, 4); header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16); header.writeUInt32LE(1, 20);
  writeSync(fd, header);
  const frame = 54, record = 16 + frame;
  const buf = Buffer.alloc(record * 65536);
  let k = 0;
  for (let n = 0; n < count; n++) {
    const o = k * record;
    const usec = Math.floor((n * 1e6) / perSecond);
    buf.writeUInt32LE(1_700_000_000 + Math.floor(usec / 1e6), o);
    buf.writeUInt32LE(usec % 1e6, o + 4);
    buf.writeUInt32LE(frame, o + 8);
    buf.writeUInt32LE(frame, o + 12);
    const p = o + 16;
    buf.fill(0, p, p + frame);
    buf.writeUInt16BE(0x0800, p + 12);
    buf[p + 14] = 0x45; buf.writeUInt16BE(40, p + 16); buf[p + 22] = 64; buf[p + 23] = 6;
    const f = repeatEvery > 0 && n % repeatEvery === repeatEvery - 1 ? n - 1 : n; // the flow
    buf.writeUInt32BE(((10 << 24) | (f >>> 8)) >>> 0, p + 26); // a source address per 256 SYNs
    buf.writeUInt32BE(0xc0a80001, p + 30);
    buf.writeUInt16BE(1024 + (f & 0xff) * 200, p + 34);
    buf.writeUInt16BE(80, p + 36);
    buf.writeUInt32BE(n >>> 0, p + 38);
    buf[p + 46] = 0x50; buf[p + 47] = cycle[n % cycle.length]!; buf.writeUInt16BE(1024, p + 48);
    if (++k === 65536) { writeSync(fd, buf); k = 0; }
  }
  writeSync(fd, buf, 0, k * record);
  closeSync(fd);
}

interface Run { seconds: number; rssMb: number; connections: number; state: number; evicted: number }

/** Runs the command's summary on `path`; wall time, peak RSS and the counts it printed. */
async function run(path: string, args: string[], state: string): Promise<Run> {
  const { seconds, maxRssMb, stdout } = await measureRun("node", [CLI, "--quiet", ...args, path], { node: true, keepStdout: true });
  const count = (re: RegExp) => Number(re.exec(stdout)?.[1] ?? 0);
  return {
    seconds,
    rssMb: maxRssMb,
    connections: count(/(\d+) TCP connections/),
    state: state ? count(new RegExp(`\\n  ${state} +(\\d+)`)) : count(/\n  S0 +(\d+)/) + count(/\n  OTH +(\d+)/),
    evicted: count(/\n  evicted +(\d+)/),
  };
}

async function main(): Promise<void> {
  // The settings, checked before a flood is written.
  const sizes = numberListVariable("FLOOD_SYNS", "1000000,2000000,4000000", (n) => Number.isInteger(n) && n > 0, "a whole number of packets (1 or more)");
  const rate = numberVariable("FLOOD_RATE", 1_000_000, (n) => n > 0, "a number of packets a second (above 0)");
  const kinds = namesVariable("FLOOD_KINDS", "syn,ack", Object.keys(KINDS), "kind");
  const dir = mkdtempSync(join(tmpdir(), "ths-flood-"));
  const cores = availableParallelism();
  console.log(`Floods at ${rate}/s of capture time (all open at once without the limits); ${cores} cores`);
  console.log(`${"kind".padStart(5)} ${"packets".padStart(10)} ${"threads".padStart(8)} ${"seconds".padStart(8)} ${"Mpkt/s".padStart(7)} ${"peak RSS".padStart(9)} ${"out as".padStart(10)} ${"evicted".padStart(9)}`);
  try {
    for (const kind of kinds) {
      const { flags, state } = KINDS[kind]!;
      for (const packets of sizes) {
        const path = join(dir, "flood.pcap");
        writeFlood(path, packets, rate, flags);
        for (const threads of [cores, 1]) {
          const r = await run(path, ["--threads", String(threads)], state);
          const lost = r.connections !== packets || r.state !== packets ? "  <-- MISSING CONNECTIONS" : "";
          console.log(`${kind.padStart(5)} ${String(packets).padStart(10)} ${String(threads).padStart(8)} ${r.seconds.toFixed(2).padStart(8)} ${(packets / r.seconds / 1e6).toFixed(2).padStart(7)} ${`${r.rssMb.toFixed(0)} MiB`.padStart(9)} ${`${r.state} ${state || "S0+OTH"}`.padStart(10)} ${String(r.evicted).padStart(9)}${lost}`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) await runBench("bench:flood", main);
