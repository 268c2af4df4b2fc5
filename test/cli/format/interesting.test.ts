// The summary's "Slowest handshakes": a handshake is both legs' round trips, so a connection
// with one leg (an attempt reset before the ACK, the ACK not captured) is neither counted as
// measured nor ranked, where its first leg alone used to rank it among the fast ones.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";
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
