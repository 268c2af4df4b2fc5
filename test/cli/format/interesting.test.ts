// The summary's "Slowest handshakes": a handshake is both legs' round trips, so a connection
// with one leg (an attempt reset before the ACK, the ACK not captured) is neither counted as
// measured nor ranked, where its first leg alone used to rank it among the fast ones. The failed
// handshakes in the order they began, connections begun in one frame (an A-MSDU's) too.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F, ethernet, tcpIp } from "../../helpers/packets.js";
import { outerIp, gre, amsdu } from "../../helpers/tunnels.js";
import { handshakeTime } from "../../../cli/format/interesting.js";
import type { ConnectionRecord } from "../../../sdk/index.js";

const BIN = fileURLToPath(new URL("../../../dist/cli/bin.cjs", import.meta.url));

describe("the slowest handshakes", () => {
  it("rank and count only handshakes with both legs measured", () => {
    const { SYN, ACK, RST } = F;
    const capture = join(mkdtempSync(join(tmpdir(), "ths-interesting-")), "legs.pcap");
    writeFileSync(capture, writePcap(merge(
      new Conversation({ clientPort: 1001 }).c(SYN).s({ flags: SYN | ACK, dt: 20 }).c({ flags: ACK, dt: 5 }),
      new Conversation({ clientPort: 1002 }).c(SYN).s({ flags: SYN | ACK, dt: 300 }).c({ flags: RST, dt: 1 }), // aborted
      new Conversation({ clientPort: 1003 }).c(SYN).s({ flags: SYN | ACK, dt: 200 }), // no ACK captured
    )));
    const r = spawnSync(process.execPath, [BIN, capture], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const list = r.stdout.split("\n\n").find((s) => s.startsWith("Slowest handshakes"))!;
    expect(list.split("\n")[0]).toMatch(/^Slowest handshakes \(the 1 measured; handshake:/);
    expect(list.split("\n").slice(2).map((l) => l.trim().split(/ +/).slice(-2).join(" "))).toEqual(["25.00 ms"]);
  });

  it("list equal handshakes in the order they began, for any --top", () => {
    // Two 150 ms handshakes: #1 begins first but ends last (its FIN comes 20 s later), #2 ends first (its close timeout passes before).
    const { SYN, ACK, FIN } = F;
    const capture = join(mkdtempSync(join(tmpdir(), "ths-interesting-")), "ties.pcap");
    writeFileSync(capture, writePcap(merge(
      new Conversation({ clientPort: 2001 }).c(SYN).s({ flags: SYN | ACK, dt: 100 }).c({ flags: ACK, dt: 50 }).c({ flags: FIN | ACK, dt: 20_000 }).s(FIN | ACK).c(ACK),
      new Conversation({ clientPort: 2002, start: 1_700_000_000.001 }).c(SYN).s({ flags: SYN | ACK, dt: 100 }).c({ flags: ACK, dt: 50 }).c(FIN | ACK).s(FIN | ACK).c(ACK),
    )));
    const firstRows = (top: string) => {
      const r = spawnSync(process.execPath, [BIN, "--top", top, capture], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      const list = r.stdout.split("\n\n").find((s) => s.startsWith("Slowest handshakes"))!;
      return list.split("\n").slice(2).map((l) => l.trim().split(/ +/)[0]);
    };
    expect(firstRows("2")).toEqual(["#1", "#2"]);
    expect(firstRows("1")).toEqual(["#1"]);
  });

  it("handshakeTime is null unless both legs were measured", () => {
    const record = (a: number | null, b: number | null) => ({ handshake: { rttSynToSynAckUs: a, rttSynAckToAckUs: b } }) as ConnectionRecord;
    expect(handshakeTime(record(20, 5))).toBe(25);
    expect(handshakeTime(record(20, null))).toBeNull();
    expect(handshakeTime(record(null, 5))).toBeNull();
  });
});

describe("the failed handshakes", () => {
  it("come in the order they began, those begun in one A-MSDU frame in the order of its subframes, for any --top", () => {
    // Unanswered SYNs: three in one frame (ports out of order), one alone after them.
    const syn = (sport: number) => tcpIp({ flags: F.SYN, sport, dport: 80 });
    const aruba = (ips: Uint8Array[]) => ethernet(outerIp({ src: "192.0.2.1", dst: "192.0.2.2" }, 47, gre(0x8200, amsdu(ips))));
    const capture = join(mkdtempSync(join(tmpdir(), "ths-interesting-")), "amsdu.pcap");
    writeFileSync(capture, writePcap([{ data: aruba([syn(50008), syn(50006), syn(50007)]), sec: 1_700_000_000 }, { data: ethernet(syn(50001)), sec: 1_700_000_001 }]));
    const ports = (top: string) => {
      const r = spawnSync(process.execPath, [BIN, "--top", top, capture], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      const list = r.stdout.split("\n\n").find((s) => s.startsWith("Failed handshakes"))!;
      return [...list.matchAll(/10\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
    };
    expect(ports("10")).toEqual([50008, 50006, 50007, 50001]);
    expect(ports("2")).toEqual([50008, 50006]);
  });
});
