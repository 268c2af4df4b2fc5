// The WebAssembly tracker against the reference tracker in TypeScript: the same records, in the
// same order, and the same capture report, on every corpus capture (with and without checksum
// verification, with other timeouts and server ports), on a generated capture large enough to
// grow every table, and on the edge cases of the WebAssembly side's own bookkeeping: many
// connections ending at one instant (the ended buffer fills mid-call), histories longer than the
// inline letters, connections still open at the end in large numbers, half-open connections
// evicted past the limit.

import { describe, it, expect } from "vitest";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ScanOptions } from "../../../sdk/index.js";
import { scanWithBothTrackers } from "../../helpers/both-trackers.js";
import { generateCapture } from "../../../bench/generate.js";
import { writeSynFlood } from "../../../bench/flood.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F, tcpIp, ethernet, type TcpOption } from "../../helpers/packets.js";
import type { Frame } from "../../helpers/capture-writer.js";
import { rng, corpusDir } from "../../helpers/decode.js";

function captures(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...captures(path));
    else if (/\.(pcap|pcapng|cap|trace|dmp)(\.gz)?$/i.test(name)) out.push(path);
  }
  return out.sort();
}

const corpus = corpusDir();
const { SYN, ACK, RST, FIN } = F;

describe("WebAssembly tracker = reference tracker", () => {
  it.skipIf(!corpus)("on every corpus capture, with default and other settings", async () => {
    const files = captures(corpus!);
    expect(files.length).toBeGreaterThan(100);
    const settings: ScanOptions[] = [
      {},
      { verifyChecksums: true, ignoreChecksumsNets: ["10.0.0.0/8", "2001:db8::/32", "192.168.1.1"] },
      { likelyServerPorts: [], timeouts: { attempt: 1, close: 0.5, inactivity: 30, handshakeInactivity: 10 } },
    ];
    for (const file of files) for (const options of settings) await scanWithBothTrackers(file, options);
  }, 120_000);

  it("on a generated capture that grows every table", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "ths-wasm-tracker-")), "gen.pcap");
    generateCapture(path, { bytes: 12e6, snaplen: 96, seed: 7, concurrency: 6000 });
    const result = await scanWithBothTrackers(path);
    expect(result.connections.length).toBeGreaterThan(6000);
  }, 60_000);

  it("when hundreds of connections end at one instant, and thousands at the end of input", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "ths-wasm-tracker-")), "burst.pcap");
    writeSynFlood(path, 20_000, 1_000_000); // 20 ms of SYNs: all time out together or end with the input
    const late = new Conversation({ start: 1_700_000_030 }).c(SYN).s(SYN | ACK).c(ACK);
    const result = await scanWithBothTrackers(path);
    expect(result.connections.length).toBe(20_000);
    const withLate = await scanWithBothTrackers([path, writePcap(late.frames)]);
    expect(withLate.connections.filter((c) => c.teardown.kind === "timeout")).toHaveLength(20_000);
  }, 60_000);

  // Lone SYNs are held small until a second packet or their timer (assembly/tracker/pending.ts):
  // answered, retried, reset, timed out, with time steps backwards, on few ports so that
  // endpoints get reused, with checksum verification dropping some.
  it("on SYN soup: pending SYNs promoted, retried, timed out, with time going backwards", async () => {
    const random = rng(11);
    const frames: Frame[] = [];
    let time = 1_700_000_000;
    const kinds = [F.SYN, F.SYN, F.SYN, F.SYN | F.ACK, F.ACK, F.RST, F.SYN | F.ECE | F.CWR, F.FIN | F.ACK, F.RST | F.ACK];
    for (let k = 0; k < 4000; k++) {
      time += random() < 0.05 ? -random() * 3 : random() * 0.02 + (random() < 0.01 ? 7 : 0);
      const client = random() < 0.5;
      const host = `10.0.${Math.floor(random() * 4)}.${1 + Math.floor(random() * 8)}`;
      const port = 40000 + Math.floor(random() * 12);
      const tcp = {
        sport: client ? port : 80, dport: client ? 80 : port,
        seq: Math.floor(random() * 6) * 1000, ack: Math.floor(random() * 6) * 1000 + 1,
        flags: kinds[Math.floor(random() * kinds.length)]!, window: random() < 0.05 ? 0 : 512,
        payload: random() < 0.1 ? 20 : 0, badChecksum: random() < 0.03,
        options: random() < 0.5 ? [] : [
          { kind: "mss", value: 1200 + Math.floor(random() * 300) }, { kind: "wscale", shift: Math.floor(random() * 14) },
          { kind: "sackPermitted" }, ...(random() < 0.3 ? [{ kind: "tfo", cookie: new Uint8Array(Math.floor(random() * 3) * 4) }] : []),
        ] as TcpOption[],
      };
      const data = ethernet(tcpIp({ ...tcp, src: client ? host : "10.9.9.9", dst: client ? "10.9.9.9" : host }), { vlans: random() < 0.2 ? [[0x8100, 7]] : [] });
      const sec = Math.floor(time);
      frames.push({ data, sec, nsec: Math.floor((time - sec) * 1e9) });
    }
    // Then many left open at the end, lone SYNs and established connections interleaved: they
    // come out merged by id from the two kinds of storage.
    for (let k = 0; k < 1500; k++) {
      time += 0.001;
      const sec = Math.floor(time), nsec = Math.floor((time - sec) * 1e9);
      const tcp = { sport: 1024 + k, dport: 443, seq: 7, flags: k % 3 === 0 ? F.SYN | F.ACK : F.SYN };
      frames.push({ data: ethernet(tcpIp({ ...tcp, src: "10.7.0.1", dst: "10.7.0.2" })), sec, nsec });
    }
    const capture = writePcap(frames);
    await scanWithBothTrackers(capture);
    await scanWithBothTrackers(capture, { verifyChecksums: true, timeouts: { attempt: 2, handshakeInactivity: 1 } });
    await scanWithBothTrackers([capture, capture]); // the same again, as a second file: packet bases, time going back
    // Past the half-open limit the oldest end early, the same ones in both trackers; with an
    // attempt timeout past 5 s, half-open connections also stop being so at their idle check.
    for (const options of [{ maxHalfOpen: 3 }, { maxHalfOpen: 40, timeouts: { attempt: 7 } }, { maxHalfOpen: 1, verifyChecksums: true }]) {
      const result = await scanWithBothTrackers(capture, options);
      expect(result.report.byTeardown.evicted).toBeGreaterThan(0);
    }
  });

  it("with histories longer than the letters kept inline", async () => {
    const c = new Conversation().c(SYN).s(SYN | ACK).c(ACK);
    for (let k = 0; k < 60; k++) c.c({ flags: RST, seq: 90_000 + k * 7, dt: 1 }).s({ flags: FIN | ACK, seq: 70_000 + k * 3, dt: 1 });
    const other = new Conversation({ clientPort: 40001 }).c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
    const result = await scanWithBothTrackers(writePcap(merge(c, other)));
    expect(Math.max(...result.connections.map((r) => r.history.length))).toBeGreaterThan(100);
  });
});
