// npm run bench:flood — the flow-table stress test: a SYN flood of FLOOD_SYNS half-open
// connections (default 2 000 000) from distinct source ports and addresses, FLOOD_RATE per
// second of capture time (default 1 000 000: with Zeek's 5 s attempt timer, up to 5 s worth
// are open at once). Prints the time, packets/s, peak RSS and how many connections came out:
// every SYN must come out as an S0 connection (timed out or ended with the capture).

import { openSync, writeSync, closeSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScanner } from "../sdk/index.js";

const syns = Number(process.env.FLOOD_SYNS ?? 2_000_000);
const rate = Number(process.env.FLOOD_RATE ?? 1_000_000);

/** Writes a pcap of `count` SYNs, `perSecond` per second of capture time, all to one server. */
export function writeSynFlood(path: string, count: number, perSecond: number): void {
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
    buf.writeUInt32BE(((10 << 24) | (n >>> 8)) >>> 0, p + 26); // a source address per 256 SYNs
    buf.writeUInt32BE(0xc0a80001, p + 30);
    buf.writeUInt16BE(1024 + (n & 0xff) * 200, p + 34);
    buf.writeUInt16BE(80, p + 36);
    buf.writeUInt32BE(n >>> 0, p + 38);
    buf[p + 46] = 0x50; buf[p + 47] = 0x02; buf.writeUInt16BE(1024, p + 48);
    if (++k === 65536) { writeSync(fd, buf); k = 0; }
  }
  writeSync(fd, buf, 0, k * record);
  closeSync(fd);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ths-flood-"));
  const path = join(dir, "flood.pcap");
  writeSynFlood(path, syns, rate);
  const started = performance.now();
  let emitted = 0, s0 = 0;
  for await (const c of createScanner(path)) {
    emitted++;
    if (c.connState === "S0") s0++;
  }
  const seconds = (performance.now() - started) / 1000;
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(`SYN flood: ${syns} SYNs at ${rate}/s of capture time (up to ${Math.min(syns, rate * 5)} open at once)`);
  console.log(`  ${seconds.toFixed(2)} s, ${(syns / seconds / 1e6).toFixed(2)} M packets/s, peak RSS ${rss.toFixed(0)} MB`);
  console.log(`  connections out: ${emitted} (${s0} S0)${emitted === syns ? "" : "  <-- MISSING CONNECTIONS"}`);
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) await main();
