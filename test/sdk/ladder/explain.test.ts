// A ladder's closing words give the handshake's times as the summary gives them: a loopback
// handshake of a nanosecond capture in ns (it said "1 µs (SYN→SYN/ACK 0 µs, SYN/ACK→ACK 0 µs)"
// where the summary said 600 ns), a slow one in seconds ("24000 ms" where the summary said 24.00 s).

import { describe, it, expect } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { captureLadders, compileFilter } from "../../../sdk/index.js";
import { explainConnection, explainHandshake } from "../../../sdk/ladder/explain.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation } from "../../helpers/conversation.js";
import { F, ethernet, tcpIp } from "../../helpers/packets.js";

const { SYN, ACK, FIN } = F;
const BIN = fileURLToPath(new URL("../../../dist/cli/bin.cjs", import.meta.url));

describe("explainHandshake", () => {
  it("writes each leg and their sum in the unit the summary reads them in", async () => {
    const quick = new Conversation({ clientPort: 40000 }).c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
    // Loopback pace: 300 ns between packets.
    const loopback = quick.frames.map((f, k) => ({ ...f, sec: 1_700_000_000, nsec: 1000 + 300 * k }));
    const slow = new Conversation({ clientPort: 40001, start: 1_700_000_001 }).c(SYN).s({ flags: SYN | ACK, dt: 4000 }).c({ flags: ACK, dt: 20000 });
    const capture = join(mkdtempSync(join(tmpdir(), "ths-explain-")), "times.pcap");
    writeFileSync(capture, writePcap([...loopback, ...slow.frames], { nanosecond: true }));

    const { ladders } = await captureLadders(capture, compileFilter("tcp"));
    const said = ladders.map((l) => {
      const h = l.connection.handshake;
      return [h.rttSynToSynAckUs, h.rttSynAckToAckUs, explainHandshake(l.connection)];
    });
    expect(said).toEqual([
      [0.3, 0.3, "The handshake completed in 600 ns (SYN→SYN/ACK 300 ns, SYN/ACK→ACK 300 ns)."],
      [4_000_000, 20_000_000, "The handshake completed in 24.00 s (SYN→SYN/ACK 4.00 s, SYN/ACK→ACK 20.00 s)."],
    ]);
  });

  it("legs to the nanosecond within 2^20 s of the capture's first packet, to 0.1 µs past it", async () => {
    // 459 ns and 1 s + 1 ns legs (a ladder said "500 ns" beside its time column's 459 ns), then the
    // same handshake 2^21 s later, where a double's relative times are no longer exact to the ns.
    const at = (start: number, clientPort: number) => {
      const c = new Conversation({ clientPort, start }).c(SYN).s(SYN | ACK).c(ACK);
      return c.frames.map((f, k) => ({ ...f, sec: start + (k === 2 ? 1 : 0), nsec: [100, 559, 560][k]! }));
    };
    const capture = join(mkdtempSync(join(tmpdir(), "ths-explain-")), "ns.pcap");
    writeFileSync(capture, writePcap([...at(1_700_000_000, 40010), ...at(1_700_000_000 + 2 ** 21, 40011)], { nanosecond: true }));
    const { ladders } = await captureLadders(capture, compileFilter("tcp"));
    expect(ladders.map((l) => [l.connection.handshake.rttSynToSynAckUs, l.connection.handshake.rttSynAckToAckUs])).toEqual([
      [0.459, 1_000_000.001],
      [0.5, 1_000_000],
    ]);
    expect(explainHandshake(ladders[0]!.connection)).toBe("The handshake completed in 1.00 s (SYN→SYN/ACK 459 ns, SYN/ACK→ACK 1.00 s).");
    // The WebAssembly tracker and its line writer (the command's ndjson and csv) say the same.
    const cli = (format: string) => spawnSync(process.execPath, [BIN, "-q", "--threads", "1", "--format", format, capture], { encoding: "utf8" }).stdout;
    expect(cli("ndjson").trim().split("\n").map((l) => { const h = JSON.parse(l).handshake; return [h.rttSynToSynAckUs, h.rttSynAckToAckUs]; })).toEqual([[0.459, 1_000_000.001], [0.5, 1_000_000]]);
    expect(cli("csv")).toMatch(/,complete,1,1,0\.459,1000000\.001,/);
  });

  it("a SYN/ACK sent twice: the legs as round trips, no sum called the handshake's time", async () => {
    const twice = new Conversation({ clientPort: 40002 }).c(SYN).s({ flags: SYN | ACK, dt: 10 }).s({ flags: SYN | ACK, seq: 5000, dt: 1000 }).c({ flags: ACK, dt: 1 });
    const capture = join(mkdtempSync(join(tmpdir(), "ths-explain-")), "twice.pcap");
    writeFileSync(capture, writePcap(twice.frames));
    const { ladders } = await captureLadders(capture, compileFilter("tcp"));
    expect(explainHandshake(ladders[0]!.connection)).toBe("The handshake completed after 2 SYN/ACKs (round trips: SYN→SYN/ACK 10.00 ms, SYN/ACK→ACK 1.00 ms).");
  });
});

describe("a ladder with no packet to draw", () => {
  it("a SYN/ACK whose options the snaplen cut: known, not counted or drawn, and the ladder says why", async () => {
    // As Zeek's vntag_vlan_sandwich_clean.pcap: one SYN/ACK cut inside its options.
    const synAck = ethernet(tcpIp({ src: "10.0.0.2", dst: "10.0.0.1", sport: 443, dport: 56960, flags: SYN | ACK, seq: 7, ack: 1, options: [{ kind: "mss", value: 1460 }, { kind: "sackPermitted" }, { kind: "wscale", shift: 7 }] }));
    const capture = join(mkdtempSync(join(tmpdir(), "ths-explain-")), "cut.pcap");
    writeFileSync(capture, writePcap([{ data: synAck.subarray(0, 14 + 20 + 20 + 3), origLen: synAck.length, sec: 1_700_000_000 }]));
    const { ladders } = await captureLadders(capture, compileFilter("tcp"));
    expect(ladders).toHaveLength(1);
    const [ladder] = ladders;
    expect(ladder!.packets).toEqual([]);
    expect(ladder!.connection.handshake.outcome).toBe("syn-ack-only");
    expect(ladder!.connection.resp.pkts).toBe(0);
    expect(explainConnection(ladder!.connection)).toContain("Its packets' TCP options were cut by the snaplen: they tell the connection and its handshake, but, as in Zeek, are not counted, so none is drawn.");
  });
});
