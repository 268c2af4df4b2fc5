// The bound on connection records (maxConnections), checked before each packet (which may then
// add one): past it the least recently active end at once as "evicted", one-sided and
// mid-stream ones before the others; none is lost, the summary counts them, both trackers
// evict the same ones, and the option is validated.

import { describe, it, expect } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writePcap, type Frame } from "../../helpers/capture-writer.js";
import { scanWithBothTrackers } from "../../helpers/both-trackers.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F, ethernet, tcpIp } from "../../helpers/packets.js";
import { rng } from "../../helpers/decode.js";
import { writeFlood } from "../../../bench/flood.js";
import { scan, type ConnectionRecord } from "../../../sdk/index.js";

const { SYN, ACK, FIN, RST, PSH } = F;

const evicted = (all: ConnectionRecord[]) => all.filter((c) => c.teardown.kind === "evicted");

describe("the bound on connection records", () => {
  it("ends a pure-ACK flood's oldest first, keeps at most the bound, loses none, and says so", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "ths-evict-")), "acks.pcap");
    writeFlood(path, 5000, 1_000_000, 0x10);
    const result = await scanWithBothTrackers(path, { maxConnections: 1000 });
    expect(result.connections).toHaveLength(5000);
    const gone = evicted(result.connections);
    // The oldest went, the first packets' connections: 1000 are left, and the last packet's.
    expect(gone).toHaveLength(3999);
    expect(Math.max(...gone.map((c) => c.id))).toBe(3999);
    expect(result.connections.filter((c) => c.teardown.kind === "open").every((c) => c.id > 3999)).toBe(true);
    expect(result.report.byTeardown.evicted).toBe(3999);
    expect(result.report.quality.findings.map((f) => f.id)).toContain("evicted");
  });

  it("evicts one-sided and mid-stream connections before established ones, least recently active first", async () => {
    // Ten established connections, then a hundred one-sided mid-stream ones, the bound 20.
    const established = Array.from({ length: 10 }, (_, k) => new Conversation({ clientPort: 20000 + k, start: 1_700_000_000 + k * 0.001 })
      .c(SYN).s(SYN | ACK).c(ACK).c({ flags: ACK | PSH, payload: 10 }).s(ACK));
    const flood: Frame[] = [];
    for (let k = 0; k < 100; k++) {
      flood.push({ data: ethernet(tcpIp({ src: `10.9.${k >> 8}.${k & 255}`, dst: "10.0.0.2", sport: 3000 + k, dport: 80, flags: ACK, seq: 5, ack: 9 })), sec: 1_700_000_001, nsec: k * 1000 });
    }
    const frames = [...merge(...established), ...flood];
    const { connections } = await scanWithBothTrackers(writePcap(frames), { maxConnections: 20 });
    expect(connections).toHaveLength(110);
    expect(connections.filter((c) => c.orig.port >= 20000 && c.orig.port < 20010).every((c) => c.teardown.kind === "open")).toBe(true);
    expect(evicted(connections)).toHaveLength(89);
    expect(evicted(connections).every((c) => c.handshake.outcome === "mid-stream")).toBe(true);
  });

  it("evicts established ones too when nothing else is left, least recently active first", async () => {
    const conversations = Array.from({ length: 30 }, (_, k) => new Conversation({ clientPort: 20000 + k, start: 1_700_000_000 + k })
      .c(SYN).s(SYN | ACK).c(ACK));
    for (let k = 0; k < 30; k++) conversations[0]!.c({ flags: ACK, dt: 1000 }); // the first keeps sending keep-alives
    const { connections } = await scanWithBothTrackers(writePcap(merge(...conversations)), { maxConnections: 10 });
    const gone = evicted(connections).map((c) => c.orig.port).sort((a, b) => a - b);
    expect(gone).toEqual(Array.from({ length: 20 }, (_, k) => 20001 + k));
  });

  it("both trackers evict the same connections in random traffic, with the half-open bound too", async () => {
    const random = rng(5);
    const frames: Frame[] = [];
    let time = 1_700_000_000;
    const kinds = [SYN, SYN, ACK, ACK | PSH, SYN | ACK, RST, FIN | ACK, ACK];
    for (let k = 0; k < 6000; k++) {
      time += random() * 0.01 + (random() < 0.002 ? 20 : 0);
      const client = random() < 0.6;
      const host = `10.1.${Math.floor(random() * 8)}.${1 + Math.floor(random() * 30)}`;
      const port = 40000 + Math.floor(random() * 40);
      const tcp = {
        sport: client ? port : 443, dport: client ? 443 : port, flags: kinds[Math.floor(random() * kinds.length)]!,
        seq: Math.floor(random() * 4) * 1000, ack: Math.floor(random() * 4) * 1000 + 1, payload: random() < 0.2 ? 30 : 0,
      };
      const sec = Math.floor(time);
      frames.push({ data: ethernet(tcpIp({ ...tcp, src: client ? host : "10.2.0.1", dst: client ? "10.2.0.1" : host })), sec, nsec: Math.floor((time - sec) * 1e9) });
    }
    const capture = writePcap(frames);
    for (const options of [{ maxConnections: 50 }, { maxConnections: 7, maxHalfOpen: 5 }, { maxConnections: 1, maxHalfOpen: 1 }]) {
      const result = await scanWithBothTrackers(capture, options);
      expect(evicted(result.connections).length).toBeGreaterThan(0);
    }
  });

  it("is the same with worker threads when no worker reaches its share", async () => {
    const capture = writePcap(merge(...Array.from({ length: 40 }, (_, k) => new Conversation({ clientPort: 20000 + k }).c(SYN).s(SYN | ACK).c(ACK))));
    const one = await scan(capture, { threads: 1, maxConnections: 1000 });
    const three = await scan(capture, { threads: 3, maxConnections: 1000 });
    expect(three.connections).toStrictEqual(one.connections);
  });

  it("is validated: a whole number of connections, at least 1, or Infinity", async () => {
    const capture = writePcap(new Conversation().c(SYN).frames);
    for (const bad of [0, -1, 2.5, NaN]) {
      await expect(scan(capture, { maxConnections: bad })).rejects.toThrow(RangeError);
      await expect(scan(capture, { maxHalfOpen: bad })).rejects.toThrow(/maxHalfOpen/);
    }
    expect((await scan(capture, { maxConnections: Infinity })).connections).toHaveLength(1);
  });
});
