import { describe, it, expect } from "vitest";
import { scan, CaptureReportBuilder } from "../../../sdk/index.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";

const { SYN, ACK, FIN, RST, PSH } = F;

describe("capture report", () => {
  it("counts outcomes, teardowns and states, and gives RTT percentiles per leg", async () => {
    const conversations: Conversation[] = [];
    for (let k = 0; k < 10; k++) {
      conversations.push(new Conversation({ clientPort: 1000 + k, start: 1_700_000_000 + k })
        .c(SYN).s({ flags: SYN | ACK, dt: 10 * (k + 1) }).c({ flags: ACK, dt: 2 }).c(FIN | ACK).s(FIN | ACK).c(ACK));
    }
    conversations.push(new Conversation({ clientPort: 2000, serverPort: 81 }).c(SYN).s({ flags: RST | ACK, seq: 0 }));
    conversations.push(new Conversation({ clientPort: 2001, serverPort: 81 }).c(SYN).s({ flags: RST | ACK, seq: 0 }));
    const { report } = await scan(writePcap(merge(...conversations)));
    expect(report.connections).toBe(12);
    expect(report.byOutcome).toEqual({ complete: 10, rejected: 2 });
    expect(report.byTeardown).toEqual({ "fin-3": 10, "rst-resp": 2 });
    expect(report.byConnState).toEqual({ SF: 10, REJ: 2 });
    expect(report.rttUs.synToSynAck).toMatchObject({ count: 10, max: 100000 });
    expect(Math.abs(report.rttUs.synToSynAck.p50! - 50000) / 50000).toBeLessThan(0.011);
    expect(report.rttUs.synAckToAck).toMatchObject({ count: 10, max: 2000 });
    expect(report.topFailedServers[0]).toMatchObject({ server: "10.0.0.2", port: 81, failed: 2, attempts: 2, outcomes: { rejected: 2 } });
    expect(report.quality.verdict).toBe("good");
  });

  it("names port scans and SYN floods by source", async () => {
    const scanConvs = Array.from({ length: 30 }, (_, k) =>
      new Conversation({ client: "10.9.9.9", server: "10.0.0.50", clientPort: 5555, serverPort: 1 + k, start: 1_700_000_000 + k * 0.01 }).c(SYN).s({ flags: RST | ACK, seq: 0 }));
    const floodConvs = Array.from({ length: 25 }, (_, k) =>
      new Conversation({ client: "10.7.7.7", server: "10.0.0.60", clientPort: 20000 + k, serverPort: 443, start: 1_700_000_000 + k * 0.01 }).c(SYN));
    const { report } = await scan(writePcap(merge(...scanConvs, ...floodConvs)));
    expect(report.scanSuspects).toEqual([
      { source: "10.9.9.9", kind: "port-scan", syns: 30, answered: 0, distinctPorts: 30, distinctHosts: 1 },
      { source: "10.7.7.7", kind: "syn-flood", syns: 25, answered: 0, distinctPorts: 1, distinctHosts: 1 },
    ]);
    // The same 25 connections with their SYN/ACKs missed but the SYNs acknowledged: answered, no flood.
    const missed = Array.from({ length: 25 }, (_, k) =>
      new Conversation({ client: "10.7.7.7", server: "10.0.0.60", clientPort: 20000 + k, serverPort: 443, start: 1_700_000_000 + k * 0.01 })
        .c(SYN).s({ flags: SYN | ACK, lost: true }).c(ACK).s(ACK));
    const unseen = (await scan(writePcap(merge(...missed)))).report;
    expect(unseen.byOutcome).toEqual({ complete: 25 });
    expect(unseen.scanSuspects).toEqual([]);
    expect(unseen.quality).toEqual({ verdict: "degraded", findings: [{ id: "syn-acks-missed", message: "25 connections' SYN/ACKs were not captured, though the server acknowledged the SYN: lost by the capture, or captured before the SYN (a connection of its own)" }] });
    // Per host: the port scan is one finding over 30 ports; the flood's host has one port.
    expect(report.topFailedHosts).toEqual([
      { server: "10.0.0.50", failed: 30, attempts: 30, ports: 30, port: null, outcomes: { rejected: 30 } },
      { server: "10.0.0.60", failed: 25, attempts: 25, ports: 1, port: 443, outcomes: { unanswered: 25 } },
    ]);
  });

  it("counts a host's attempts on all its ports, or on the one port its failures are on", async () => {
    const ok = (port: number, k: number) => new Conversation({ clientPort: 6000 + k, server: "10.0.0.70", serverPort: port, start: 1_700_000_000 + k }).c(SYN).s(SYN | ACK).c(ACK);
    const refused = (port: number, k: number) => new Conversation({ clientPort: 7000 + k, server: "10.0.0.70", serverPort: port, start: 1_700_000_100 + k }).c(SYN).s({ flags: RST | ACK, seq: 0 });
    const one = await scan(writePcap(merge(ok(80, 0), ok(443, 1), ok(443, 2), refused(443, 0))));
    expect(one.report.topFailedHosts).toEqual([{ server: "10.0.0.70", failed: 1, attempts: 3, ports: 1, port: 443, outcomes: { rejected: 1 } }]);
    const two = await scan(writePcap(merge(ok(80, 0), ok(443, 1), refused(443, 0), refused(8080, 1))));
    expect(two.report.topFailedHosts).toEqual([{ server: "10.0.0.70", failed: 2, attempts: 4, ports: 2, port: null, outcomes: { rejected: 2 } }]);
  });

  it("says when the capture is one-sided or snaplen-truncated", async () => {
    const convs = Array.from({ length: 6 }, (_, k) =>
      new Conversation({ clientPort: 3000 + k }).c({ flags: SYN, lost: true }).s({ flags: SYN | ACK, lost: true }).c(ACK).c(ACK | PSH, 100).c(ACK | PSH, 100));
    const frames = merge(...convs).map((f) => ({ ...f, data: f.data.subarray(0, 60), origLen: f.data.length }));
    const { report } = await scan(writePcap(frames, { snaplen: 60 }));
    const ids = report.quality.findings.map((f) => f.id);
    expect(ids).toContain("one-sided");
    expect(ids).toContain("missing-handshakes");
    expect(ids).toContain("snaplen");
    expect(report.quality.verdict).toBe("poor");
  });

  it("says when IP packets longer than their frame on the wire were dropped", async () => {
    // Original lengths below the IP's (a writer that stored 0, or the captured length less 4):
    // every packet is dropped, as Zeek drops it; the verdict must not be "good".
    const conv = new Conversation({ clientPort: 3100 }).c(SYN).s(SYN | ACK).c(ACK);
    const frames = conv.frames.map((f, k) => ({ ...f, origLen: k === 0 ? 0 : f.data.length - 4 }));
    const { report, captures } = await scan(writePcap(frames));
    expect(captures[0]!.stats.ipLenPastWire).toBe(3);
    expect(report.connections).toBe(0);
    expect(report.quality.findings).toContainEqual({ id: "ip-past-wire", message: "3 IP packets were longer than their frame on the wire (its original length) and were dropped, as Zeek drops them" });
    expect(report.quality.verdict).toBe("degraded");
  });

  it("says one packet or connection in the singular", async () => {
    // One snaplen-cut packet, one IP packet longer than its frame, one connection evicted (16 lone
    // SYNs under maxHalfOpen 1, a bound split over 64 flow groups: two of them share one): each
    // finding's count leads its sentence.
    const cut = new Conversation({ clientPort: 3200 }).c(SYN).s(SYN | ACK).c(ACK).s(ACK | PSH, 1000);
    const frames = cut.frames.map((f, k) => k === 3 ? { ...f, data: f.data.subarray(0, 80), origLen: f.data.length } : f);
    const past = new Conversation({ clientPort: 3201, start: 1_700_000_001 }).c(SYN).frames.map((f) => ({ ...f, origLen: f.data.length - 4 }));
    const lone = Array.from({ length: 16 }, (_, k) => new Conversation({ clientPort: 30000 + k, serverPort: 443, start: 1_700_000_002 + k / 1000 }).c(SYN).frames).flat();
    const { report } = await scan(writePcap([...frames, ...past, ...lone], { snaplen: 80 }), { maxHalfOpen: 1 });
    expect(report.byTeardown.evicted).toBe(1);
    const said = Object.fromEntries(report.quality.findings.map((f) => [f.id, f.message]));
    expect(said["snaplen"]).toMatch(/^1 packet was cut by the snapshot length;/);
    expect(said["ip-past-wire"]).toBe("1 IP packet was longer than its frame on the wire (its original length) and was dropped, as Zeek drops them");
    expect(said["evicted"]).toMatch(/^1 connection was ended early,/);
  });

  it("says how many packets a wrong TCP checksum dropped, first among the findings, with verification on", async () => {
    // A capture taken on the sending host: checksums offloaded, wrong in every packet but the server's.
    const conv = new Conversation({ clientPort: 3400 }).c(SYN).s(SYN | ACK).c(ACK).c(ACK | PSH, 100);
    const frames = conv.frames.map((f, k) => {
      if (k === 1) return f;
      const data = f.data.slice();
      data[data.length - (k === 3 ? 103 : 3)]! ^= 0xff; // a byte of the TCP header: its checksum no longer matches
      return { ...f, data };
    });
    const checked = (await scan(writePcap(frames), { verifyChecksums: true })).report;
    expect(checked.quality.findings[0]).toEqual({ id: "bad-checksums", message: expect.stringMatching(/^3 TCP packets were dropped for a wrong checksum \(--verify-checksums\): .*offload/) });
    expect((await scan(writePcap(frames))).report.quality.findings.map((f) => f.id)).not.toContain("bad-checksums");
    // The same from a record (the SDK's report over scan()'s records): one connection, one packet.
    const builder = new CaptureReportBuilder();
    builder.add({ ...(await scan(writePcap(frames.slice(0, 1)), { verifyChecksums: true })).connections[0]! });
    expect(builder.finish([], { maxGapSec: 0, backwardsSteps: 0 }).quality.findings[0]!.message).toMatch(/^1 TCP packet was dropped for a wrong checksum/);
  });

  it("gives a handshake's percentiles to the nanosecond", async () => {
    // A loopback handshake of 453 + 349 ns: each percentile of one value is that value (it read
    // 500 and 300 ns, rounded to 0.1 µs, beside a max of 453 and 349).
    const frames = new Conversation({ clientPort: 3300 }).c(SYN).s(SYN | ACK).c(ACK).frames
      .map((f, k) => ({ ...f, sec: 1_700_000_000, nsec: [1000, 1453, 1802][k]! }));
    const { report } = await scan(writePcap(frames, { nanosecond: true }));
    expect(report.rttUs.synToSynAck).toEqual({ count: 1, p50: 0.453, p90: 0.453, p99: 0.453, max: 0.453 });
    expect(report.rttUs.synAckToAck).toEqual({ count: 1, p50: 0.349, p90: 0.349, p99: 0.349, max: 0.349 });
  });
});

// The report's lists hold `top` entries (default 10) and say how many they were taken from.
describe("capture report lists' length", () => {
  // 12 hosts with failed handshakes, host k refused k + 1 times; 12 sources flooding with 20 + k SYNs.
  function capture(): Uint8Array {
    const convs: Conversation[] = [];
    for (let k = 0; k < 12; k++) {
      for (let n = 0; n <= k; n++) {
        convs.push(new Conversation({ client: "10.1.0.1", server: `10.2.0.${k + 1}`, clientPort: 1000 + 20 * k + n, serverPort: 80, start: 1_700_000_000 + k + n / 100 }).c(SYN).s({ flags: RST | ACK, seq: 0 }));
      }
      for (let n = 0; n < 20 + k; n++) {
        convs.push(new Conversation({ client: `10.3.0.${k + 1}`, server: "10.4.0.1", clientPort: 2000 + n, serverPort: 443, start: 1_700_000_100 + k + n / 100 }).c(SYN));
      }
    }
    return writePcap(merge(...convs));
  }
  const bytes = capture();

  it("are 10 long by default, most first, with the totals", async () => {
    const { report } = await scan(bytes);
    // The floods' target first (12 sources' 306 SYNs unanswered), then the refusing hosts.
    expect(report.topFailedHosts.map((h) => h.failed)).toEqual([306, 12, 11, 10, 9, 8, 7, 6, 5, 4]);
    expect(report.topFailedHosts[0]!.server).toBe("10.4.0.1");
    // The client the 12 hosts refused (78 SYNs, none answered) first, then the floods.
    expect(report.scanSuspects.map((s) => s.syns)).toEqual([78, 31, 30, 29, 28, 27, 26, 25, 24, 23]);
    expect(report.totals).toEqual({
      failedServers: { count: 13, exact: true }, failedHosts: { count: 13, exact: true }, scanSuspects: { count: 13, exact: true },
    });
  });

  it("follow reportTop: fewer, none, or all", async () => {
    const three = (await scan(bytes, { reportTop: 3 })).report;
    expect([three.topFailedServers.length, three.topFailedHosts.length, three.scanSuspects.length]).toEqual([3, 3, 3]);
    expect(three.scanSuspects.map((s) => s.syns)).toEqual([78, 31, 30]);
    expect(three.totals.failedHosts.count).toBe(13);
    const none = (await scan(bytes, { reportTop: 0 })).report;
    expect([none.topFailedServers, none.topFailedHosts, none.scanSuspects]).toEqual([[], [], []]);
    expect(none.totals.scanSuspects.count).toBe(13);
    const all = (await scan(bytes, { reportTop: Infinity })).report;
    expect([all.topFailedServers.length, all.topFailedHosts.length, all.scanSuspects.length]).toEqual([13, 13, 13]);
    expect((await scan(bytes, { reportTop: 13 })).report).toEqual(all);
  });

  it("refuses a top that is not a count", async () => {
    await expect(scan(bytes, { reportTop: -1 })).rejects.toThrow(/^reportTop must be a whole number of entries, 0 or more \(or Infinity: all\), not -1$/);
    await expect(scan(bytes, { reportTop: 1.5 })).rejects.toThrow(RangeError);
    await expect(scan(bytes, { reportTop: "5" as unknown as number })).rejects.toThrow(TypeError);
    expect(() => new CaptureReportBuilder({ top: NaN })).toThrow(/^top must be a whole number/);
    // null for its options: a TypeError that says what it takes (it read null's properties).
    expect(() => new CaptureReportBuilder(null as never)).toThrow(new TypeError("CaptureReportBuilder's options must be an object ({ top }), not null"));
  });
});
