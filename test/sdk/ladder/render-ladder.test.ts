// renderLadder's argument: a ladder as captureLadders and drawLadders give it, else one TypeError
// saying what it takes (it read `.connection` of whatever came, in Node's words). Relative
// sequence numbers of connections that began before the capture, as Wireshark counts them.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { captureLadders, compileFilter, renderLadder } from "../../../sdk/index.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";

const SAMPLE = fileURLToPath(new URL("../../../examples/sample.pcap", import.meta.url));

describe("renderLadder", () => {
  it("refuses what is no ladder, naming what it takes", () => {
    for (const [bad, kind] of [[null, "null"], [undefined, "undefined"], [[], "an array"], [{}, "object"], ["x", "string"]] as const) {
      expect(() => renderLadder(bad as never), kind).toThrow(new TypeError(`renderLadder takes a ladder (what captureLadders or drawLadders give: { connection, packets }), not ${kind}`));
    }
  });

  it("draws a ladder it is given", async () => {
    const { ladders } = await captureLadders(SAMPLE, compileFilter("id 1"));
    expect(renderLadder(ladders[0]!)).toMatch(/\[SYN\]/);
  });
});

describe("renderLadder's relative Seq and Ack, for connections that began before the capture", () => {
  const { ACK, PSH } = F;
  const capture = join(mkdtempSync(join(tmpdir(), "ths-ladder-mid-")), "mid-stream.pcap");
  writeFileSync(capture, writePcap(merge(
    // Only the server is heard: the client's side counts from the server's first ACK number.
    new Conversation({ clientPort: 40001, serverPort: 443 })
      .s({ flags: PSH | ACK, seq: 5000, ack: 1000, payload: 10 }).s({ flags: PSH | ACK, seq: 5010, ack: 1000, payload: 10 }),
    // The server's ACK comes first; the client's first packet is 200 bytes past it (missed by the capture).
    new Conversation({ clientPort: 40002, serverPort: 443, start: 1_700_000_001 })
      .s({ flags: PSH | ACK, seq: 7000, ack: 3000, payload: 10 }).c({ flags: ACK, seq: 3200, ack: 7010 }),
  )));

  /** Frame number → the arrow's flags and fields, as drawn. */
  async function labels(): Promise<Map<number, string>> {
    const { ladders } = await captureLadders(capture, compileFilter("tcp"));
    const text = ladders.map(renderLadder).join("\n");
    return new Map([...text.matchAll(/^ *(\d+) +[\d.]+ +\S+ +\|<?-+ (\[.+?) -+>?\|/gm)].map((m) => [Number(m[1]), m[2]!]));
  }

  it("counts a side from the peer's first ACK number when that comes before the side's own first packet", async () => {
    expect(Object.fromEntries(await labels())).toEqual({
      1: "[PSH, ACK] Seq=1 Ack=1 Win=65535 Len=10", // not Ack=1000, the raw number
      2: "[PSH, ACK] Seq=11 Ack=1 Win=65535 Len=10",
      3: "[PSH, ACK] Seq=1 Ack=1 Win=65535 Len=10",
      4: "[ACK] Seq=201 Ack=11 Win=65535 Len=0", // not Seq=1: 200 bytes past the ACK number
    });
  });

  it.skipIf(spawnSync("tshark", ["-v"]).status !== 0)("as tshark counts them", async () => {
    const out = spawnSync("tshark", ["-n", "-r", capture, "-T", "fields", "-e", "frame.number", "-e", "tcp.seq", "-e", "tcp.ack"], { encoding: "utf8" }).stdout;
    const mine = await labels();
    for (const line of out.trim().split("\n")) {
      const [frame, seq, ack] = line.split("\t");
      expect(mine.get(Number(frame)), `frame ${frame}`).toContain(`Seq=${seq} Ack=${ack} `);
    }
  });
});

describe("renderLadder's columns", () => {
  it("the endpoints' line spans the arrows, the server's column where its states are, also for two long IPv6 endpoints", async () => {
    const capture = join(mkdtempSync(join(tmpdir(), "ths-ladder-width-")), "v6.pcap");
    const long6 = { v6: true, client: "2001:db8:1234:5678:9abc:def0:1234:5678", server: "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", clientPort: 61000, serverPort: 8443 };
    writeFileSync(capture, writePcap(merge(
      new Conversation(long6).c(F.SYN),
      new Conversation({ ...long6, clientPort: 61001, start: 1_700_000_001 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK),
      new Conversation({ clientPort: 40000, start: 1_700_000_002 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK),
    )));
    const { ladders } = await captureLadders(capture, compileFilter("tcp"));
    expect(ladders).toHaveLength(3);
    for (const ladder of ladders) {
      const lines = renderLadder(ladder).split("\n");
      const head = lines.findIndex((l) => l.startsWith("frame "));
      const header = lines[head]!, row = lines[head + 1]!;
      const closing = row.lastIndexOf("|");
      // The server's endpoint ends above the arrow's closing bar, "server" starts above its state.
      expect(header.indexOf(formatEnd(ladder)) + formatEnd(ladder).length - 1, header).toBe(closing);
      expect(header.length - "server".length, header).toBe(closing + 3);
    }
  });
});

describe("renderLadder's time column", () => {
  it("a session of half an hour: every row's arrow starts in the same column", async () => {
    const capture = join(mkdtempSync(join(tmpdir(), "ths-ladder-time-")), "long.pcap");
    const { SYN, ACK, FIN, PSH } = F;
    writeFileSync(capture, writePcap(new Conversation({ serverPort: 22 }).c(SYN).s(SYN | ACK).c(ACK)
      .c({ flags: PSH | ACK, payload: 10, dt: 250_000 }).s(ACK).c({ flags: PSH | ACK, payload: 10, dt: 1_500_000 }).s(ACK)
      .c(FIN | ACK).s(FIN | ACK).c(ACK).frames));
    const { ladders } = await captureLadders(capture, compileFilter("tcp"));
    const rows = renderLadder(ladders[0]!).split("\n").filter((l) => /^ +\d+ +-?[\d.]+ /.test(l));
    expect(rows.map((r) => r.split(/ +/)[2])).toContain("1750.030000");
    expect(new Set(rows.map((r) => r.indexOf("|")))).toEqual(new Set([rows[0]!.indexOf("|")]));
  });
});

/** The server's endpoint as the ladder prints it. */
function formatEnd(ladder: { connection: { resp: { addr: string; port: number } } }): string {
  const { addr, port } = ladder.connection.resp;
  return addr.includes(":") ? `[${addr}]:${port}` : `${addr}:${port}`;
}

// A TCP Fast Open SYN is marked as tshark's Info column marks it: TFO=R for a cookie request
// (the option with no cookie), TFO=C for a cookie (a client's on its SYN, with data, or the one
// a server hands out on its SYN/ACK), RFC 7413's kind 34 or the experimental kind 254 alike. The
// record keeps which options a packet had, not their order: they are drawn in one fixed order
// (MSS, SACK_PERM, WS, TFO: Linux's), so this capture puts them in that order, as tshark would list them.
describe("renderLadder's TCP Fast Open marks", () => {
  const capture = join(mkdtempSync(join(tmpdir(), "ths-ladder-tfo-")), "tfo.pcap");
  const { SYN, ACK, FIN } = F;
  const cookie = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  writeFileSync(capture, writePcap(merge(
    // A cookie request; the server's SYN/ACK hands one out.
    new Conversation({ clientPort: 41001, start: 1_700_000_000 })
      .c({ flags: SYN, options: [{ kind: "mss", value: 1460 }, { kind: "sackPermitted" }, { kind: "nop" }, { kind: "wscale", shift: 7 }, { kind: "tfo", cookie: new Uint8Array(0) }] })
      .s({ flags: SYN | ACK, options: [{ kind: "mss", value: 1460 }, { kind: "tfo", cookie }] }).c(ACK),
    // The cookie again, with 100 bytes of data on the SYN.
    new Conversation({ clientPort: 41002, start: 1_700_000_001 })
      .c({ flags: SYN, payload: 100, options: [{ kind: "mss", value: 1460 }, { kind: "tfo", cookie }] })
      .s({ flags: SYN | ACK, options: [{ kind: "mss", value: 1460 }] }).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK),
    // The experimental form (kind 254, magic F989).
    new Conversation({ clientPort: 41003, start: 1_700_000_002 })
      .c({ flags: SYN, options: [{ kind: "mss", value: 1400 }, { kind: "tfoExperimental", cookie }] }).s({ flags: SYN | ACK }).c(ACK),
    // Data on a SYN without TFO: its Len says so, no mark.
    new Conversation({ clientPort: 41004, start: 1_700_000_003 })
      .c({ flags: SYN, payload: 10, options: [{ kind: "mss", value: 1400 }] }).s({ flags: SYN | ACK }).c(ACK),
  )));

  /** Frame number → the SYN's or SYN/ACK's arrow text, as drawn. */
  async function synLabels(): Promise<Map<number, string>> {
    const { ladders } = await captureLadders(capture, compileFilter("tcp"));
    const text = ladders.map(renderLadder).join("\n");
    return new Map([...text.matchAll(/^ *(\d+) +[\d.]+ +\S+ +\|<?-+ (\[SYN.+?) -+>?\|/gm)].map((m) => [Number(m[1]), m[2]!]));
  }

  it("TFO=R, TFO=C, the experimental form, and no mark without the option", async () => {
    expect(Object.fromEntries(await synLabels())).toEqual({
      1: "[SYN] Seq=0 Win=65535 Len=0 MSS=1460 SACK_PERM WS=128 TFO=R",
      2: "[SYN, ACK] Seq=0 Ack=1 Win=65535 Len=0 MSS=1460 TFO=C",
      4: "[SYN] Seq=0 Win=65535 Len=100 MSS=1460 TFO=C",
      5: "[SYN, ACK] Seq=0 Ack=101 Win=65535 Len=0 MSS=1460",
      10: "[SYN] Seq=0 Win=65535 Len=0 MSS=1400 TFO=C",
      11: "[SYN, ACK] Seq=0 Ack=1 Win=65535 Len=0",
      13: "[SYN] Seq=0 Win=65535 Len=10 MSS=1400",
      14: "[SYN, ACK] Seq=0 Ack=11 Win=65535 Len=0",
    });
  });

  it("the header's options: a cookie request, a cookie, and data without the option said as such", async () => {
    const { ladders } = await captureLadders(capture, compileFilter("tcp"));
    const options = ladders.map((l) => /^Options: (.*)$/m.exec(renderLadder(l))![1]);
    expect(options[0]).toMatch(/^client .*TFO cookie request; server .*TFO cookie 8 B$/);
    expect(options[3]).toMatch(/^client MSS=1400 10 B of data, no TFO option; server/);
  });

  it.skipIf(spawnSync("tshark", ["-v"]).status !== 0)("as tshark's Info column shows them", async () => {
    const out = spawnSync("tshark", ["-n", "-r", capture, "-Y", "tcp.flags.syn == 1", "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Info"], { encoding: "utf8" }).stdout;
    const mine = await synLabels();
    for (const line of out.trim().split("\n")) {
      const [frame, info] = line.split("\t");
      // tshark's Info: "41001 → 80 [SYN] Seq=0 ... TFO=R", then perhaps "[TCP segment of a reassembled PDU]".
      const theirs = /(\[SYN.*?)(?: \[TCP segment.*)?$/.exec(info!)![1];
      expect(mine.get(Number(frame)), `frame ${frame}`).toBe(theirs);
    }
  });
});

// A part of the handshake the capture missed: Wireshark still scales the windows of a side whose
// SYN offered window scaling (the other side's shown as sent), and the sides' states move on.
describe("renderLadder where the capture missed a SYN or a SYN/ACK", () => {
  const { SYN, ACK, PSH, FIN, RST } = F;
  const ws = [{ kind: "wscale" as const, shift: 7 }];
  const exchange = (c: Conversation) => c.c({ flags: ACK | PSH, payload: 5, window: 502 }).s({ flags: ACK, window: 509 })
    .c({ flags: FIN | ACK, window: 502 }).s({ flags: FIN | ACK, window: 509 }).c({ flags: ACK, window: 502 });
  const noSynAck = exchange(new Conversation({ clientPort: 42001 }).c({ flags: SYN, options: ws }).s({ flags: SYN | ACK, options: ws, lost: true }).c({ flags: ACK, window: 502 }));
  const noSyn = exchange(new Conversation({ clientPort: 42002 }).c({ flags: SYN, options: ws, lost: true }).s({ flags: SYN | ACK, options: ws }).c({ flags: ACK, window: 502 }));
  const drawn = async (c: Conversation) => {
    const file = join(mkdtempSync(join(tmpdir(), "ths-ladder-missed-")), "c.pcap");
    writeFileSync(file, writePcap(c.frames));
    const { ladders } = await captureLadders(file, compileFilter("tcp"));
    return { file, text: renderLadder(ladders[0]!) };
  };
  const rows = (text: string) => [...text.matchAll(/^ *(\d+) +[\d.]+ +(\S+) +\|.*?Win=(\d+).*\| +(\S+)$/gm)].map((m) => [Number(m[1]), m[2], Number(m[3]), m[4]]);

  it("SYN/ACK not captured: the client's windows scaled, the server's as sent; both ESTABLISHED after the ACK", async () => {
    const { file, text } = await drawn(noSynAck);
    expect(text).toContain("Win is scaled for the client by its WS multiplier, as Wireshark shows it (this connection has no SYN/ACK from the server); the server's as sent");
    expect(rows(text)).toEqual([
      [1, "SYN-SENT", 65535, "LISTEN"], [2, "ESTABLISHED", 502 * 128, "ESTABLISHED"], [3, "ESTABLISHED", 502 * 128, "ESTABLISHED"],
      [4, "ESTABLISHED", 509, "ESTABLISHED"], [5, "FIN-WAIT-1", 502 * 128, "CLOSE-WAIT"], [6, "TIME-WAIT", 509, "LAST-ACK"], [7, "TIME-WAIT", 502 * 128, "CLOSED"],
    ]);
    expect(text).toContain("The server acknowledged the SYN, but the capture has no SYN/ACK for it (missed, or captured before the SYN and counted as a connection of its own): the connection came up, and the handshake cannot be timed.");
    const tshark = spawnSync("tshark", ["-n", "-r", file, "-T", "fields", "-e", "tcp.window_size"], { encoding: "utf8" });
    if (tshark.status === 0) expect(tshark.stdout.trim().split("\n").map(Number)).toEqual(rows(text).map((r) => r[2]));
  });

  it("an ACK that acknowledges only the ISN, not the SYN, ends no handshake (RFC 9293), and nobody answered", async () => {
    const c = new Conversation({ clientPort: 42003 }).c(SYN).s({ flags: ACK, ack: 1000 }).c({ flags: RST, dt: 1 });
    const { text } = await drawn(c);
    expect([...text.matchAll(/^ *(\d+) +[\d.]+ +(\S+) +\|.*\| +(\S+)$/gm)].map((m) => [Number(m[1]), m[2], m[3]])).toEqual([
      [1, "SYN-SENT", "LISTEN"], [2, "SYN-SENT", "LISTEN"], [3, "CLOSED", "LISTEN"],
    ]);
    expect(text).toContain("No SYN/ACK or RST answered 1 SYN, and the server's one packet did not acknowledge what the client had sent (the SYN, and no more).");
  });

  it("SYN not captured: the server's windows scaled; the client SYN-SENT until the SYN/ACK", async () => {
    const { file, text } = await drawn(noSyn);
    expect(text).toContain("Win is scaled for the server by its WS multiplier, as Wireshark shows it (this connection has no SYN from the client); the client's as sent");
    expect(rows(text).map((r) => [r[0], r[1], r[3]])).toEqual([
      [1, "ESTABLISHED", "SYN-RECEIVED"], [2, "ESTABLISHED", "ESTABLISHED"], [3, "ESTABLISHED", "ESTABLISHED"], [4, "ESTABLISHED", "ESTABLISHED"],
      [5, "FIN-WAIT-1", "CLOSE-WAIT"], [6, "TIME-WAIT", "LAST-ACK"], [7, "TIME-WAIT", "CLOSED"],
    ]);
    const tshark = spawnSync("tshark", ["-n", "-r", file, "-T", "fields", "-e", "tcp.window_size"], { encoding: "utf8" });
    if (tshark.status === 0) expect(tshark.stdout.trim().split("\n").map(Number)).toEqual(rows(text).map((r) => r[2]));
  });
});
