// The bounds on connections: one-packet connections of any kind (maxHalfOpen: a lone SYN, a
// mid-stream ACK, ...), past which the oldest ends at once, and connection records
// (maxConnections), checked before each packet (which may then add one): past it the least
// recently active end at once as "evicted", one-sided and mid-stream ones before the others;
// none is lost, the summary counts them, both trackers evict the same ones, and the options are
// validated.

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
import { VIRTUAL_SHARDS } from "../../../sdk/connections/tracker-options.js";
import { keysInShard, packetShards, endedOldestPerShard } from "../../helpers/virtual-shards.js";

const { SYN, ACK, FIN, RST, PSH } = F;

const evicted = (all: ConnectionRecord[]) => all.filter((c) => c.teardown.kind === "evicted");

describe("the bound on connection records", () => {
  // (An evicted RST or FIN connection keeps its rst-* or half-closed teardown: it had closed.)
  for (const [kind, flags] of [["pure-ACK", 0x10], ["SYN/ACK", 0x12]] as const) {
    it(`holds a ${kind} flood's one-packet connections under maxHalfOpen, ends the oldest first, loses none, and says so`, async () => {
      const path = join(mkdtempSync(join(tmpdir(), "ths-evict-")), "flood.pcap");
      writeFlood(path, 5000, 1_000_000, flags);
      const result = await scanWithBothTrackers(path, { maxHalfOpen: 16 * VIRTUAL_SHARDS, maxConnections: 10 });
      expect(result.connections).toHaveLength(5000);
      const gone = evicted(result.connections);
      // Each virtual shard ended its oldest: its last 16 are left (5 000 fill every shard). None
      // was a record (maxConnections 10 evicted none of them).
      expect(gone).toHaveLength(5000 - 16 * VIRTUAL_SHARDS);
      const kept = result.connections.filter((c) => c.teardown.kind !== "evicted").map((c) => c.id);
      expect(endedOldestPerShard(await packetShards(path), gone.map((c) => c.id), kept, 16)).toBe(true);
      expect(result.report.byTeardown.evicted).toBe(5000 - 16 * VIRTUAL_SHARDS);
      expect(result.report.quality.findings.map((f) => f.id)).toContain("evicted");
    });
  }

  it("ends the oldest records of a two-packet pure-ACK flood past maxConnections", async () => {
    const frames: Frame[] = [];
    for (let k = 0; k < 3000; k++) {
      const data = ethernet(tcpIp({ src: `10.9.${k >> 8}.${k & 255}`, dst: "10.0.0.2", sport: 3000 + (k % 1000), dport: 80, flags: ACK, seq: 5, ack: 9 }));
      frames.push({ data, sec: 1_700_000_001, nsec: k * 1000 }, { data, sec: 1_700_000_001, nsec: k * 1000 + 500 });
    }
    const result = await scanWithBothTrackers(writePcap(frames), { maxConnections: 16 * VIRTUAL_SHARDS });
    expect(result.connections).toHaveLength(3000);
    // Each virtual shard keeps its 16, and the one its last packet made (3 000 fill every shard).
    const gone = evicted(result.connections);
    expect(gone.length).toBeGreaterThanOrEqual(3000 - 17 * VIRTUAL_SHARDS);
    expect(gone.length).toBeLessThanOrEqual(3000 - 16 * VIRTUAL_SHARDS);
    const shards = await packetShards(frames), open = result.connections.filter((c) => c.teardown.kind === "open");
    for (const c of open) expect(gone.some((g) => shards[g.id - 1] === shards[c.id - 1] && g.id > c.id)).toBe(false);
  });

  // Each virtual shard (tracker-options.ts) keeps its share of the bound (maxConnections / 64)
  // and ends its own: these put all their flows in one shard, whose share is the bound / 64.
  it("evicts one-sided and mid-stream connections before established ones, least recently active first", async () => {
    // Ten established connections, then a hundred one-sided mid-stream ones, the share 20.
    const client = (port: number) => new Conversation({ clientPort: port, start: 1_700_000_000 + (port - 20000) * 0.001 });
    const ports = await keysInShard(Array.from({ length: 2000 }, (_, k) => 20000 + k), (port) => client(port).c(SYN).frames[0]!, 10);
    const established = ports.keys.map((port) => client(port).c(SYN).s(SYN | ACK).c(ACK).c({ flags: ACK | PSH, payload: 10 }).s(ACK));
    const midStream = (k: number) => ethernet(tcpIp({ src: `10.9.${k >> 8}.${k & 255}`, dst: "10.0.0.2", sport: 3000 + k, dport: 80, flags: ACK, seq: 5, ack: 9 }));
    const sources = await keysInShard(Array.from({ length: 20_000 }, (_, k) => k), (k) => ({ data: midStream(k), sec: 1_700_000_001 }), 100, ports.shard);
    const flood: Frame[] = [];
    for (const [n, k] of sources.keys.entries()) {
      // Two packets each: records (a one-packet connection is held apart, under maxHalfOpen).
      flood.push({ data: midStream(k), sec: 1_700_000_001, nsec: n * 1000 }, { data: midStream(k), sec: 1_700_000_001, nsec: n * 1000 + 500 });
    }
    const frames = [...merge(...established), ...flood];
    const { connections } = await scanWithBothTrackers(writePcap(frames), { maxConnections: 20 * VIRTUAL_SHARDS });
    expect(connections).toHaveLength(110);
    expect(connections.filter((c) => ports.keys.includes(c.orig.port)).every((c) => c.teardown.kind === "open")).toBe(true);
    expect(evicted(connections)).toHaveLength(89);
    expect(evicted(connections).every((c) => c.handshake.outcome === "mid-stream")).toBe(true);
  });

  it("evicts established ones too when nothing else is left, least recently active first", async () => {
    const conversation = (port: number, k: number) => new Conversation({ clientPort: port, start: 1_700_000_000 + k });
    const { keys } = await keysInShard(Array.from({ length: 3000 }, (_, k) => 20000 + k), (port) => conversation(port, 0).c(SYN).frames[0]!, 30);
    const conversations = keys.map((port, k) => conversation(port, k).c(SYN).s(SYN | ACK).c(ACK));
    for (let k = 0; k < 30; k++) conversations[0]!.c({ flags: ACK, dt: 1000 }); // the first keeps sending keep-alives
    const { connections } = await scanWithBothTrackers(writePcap(merge(...conversations)), { maxConnections: 10 * VIRTUAL_SHARDS });
    const gone = evicted(connections).map((c) => keys.indexOf(c.orig.port)).sort((a, b) => a - b);
    expect(gone).toEqual(Array.from({ length: 20 }, (_, k) => 1 + k));
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
