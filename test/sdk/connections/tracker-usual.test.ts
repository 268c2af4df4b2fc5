// The usual packet's fast path (tracker-usual.ts, assembly/tracker/usual.ts): each scenario runs
// the reference tracker twice — with the fast path and with its test forced false, so that every
// packet takes the full rule walk — and the WebAssembly tracker, and all three must give the same
// records and report. The path each packet took is checked too (u: the fast path, .: the walk),
// so that the packets around a retransmission, a zero window, a keep-alive, a gap, a FIN are
// known to have left it and the usual ones right after them to have come back to it. The same
// for connections first seen mid-stream (both endpoints PARTIAL), whose gaps are never reported.

import { describe, it, expect, vi } from "vitest";
import { writePcap, type Frame, type PcapOptions } from "../../helpers/capture-writer.js";
import { scanWithBothTrackers } from "../../helpers/both-trackers.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F, type TcpOption } from "../../helpers/packets.js";
import { corpusDir, capturesUnder } from "../../helpers/decode.js";
import { scan, type ConnectionRecord } from "../../../sdk/index.js";

const { SYN, ACK, FIN, PSH, RST } = F;

// The reference tracker's usual-packet test, switchable, and the path of every accepted packet.
const fast = vi.hoisted(() => ({ on: true, path: "" }));
vi.mock("../../../sdk/connections/tracker-usual.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../sdk/connections/tracker-usual.js")>();
  return {
    ...real,
    isUsual: (...args: Parameters<typeof real.isUsual>) => {
      const usual = real.isUsual(...args);
      if (fast.on) fast.path += usual ? "u" : ".";
      return fast.on && usual;
    },
  };
});

/** Both trackers with the fast path agree with the full rule walk; the records and the path. */
async function agree(frames: Frame[], pcap: PcapOptions = {}): Promise<{ records: ConnectionRecord[]; path: string }> {
  const capture = writePcap(frames, pcap);
  fast.on = false;
  const walk = await scan(capture, { tracker: "typescript" });
  fast.on = true;
  fast.path = "";
  const both = await scanWithBothTrackers(capture);
  const path = fast.path;
  expect(both.connections).toStrictEqual(walk.connections);
  expect(both.report).toStrictEqual(walk.report);
  return { records: both.connections, path };
}

const handshake = () => new Conversation().c(SYN).s(SYN | ACK).c(ACK);
const data = (n = 100) => ({ flags: ACK | PSH, payload: n });

describe("the usual packet's fast path", () => {
  it("takes it for in-order data and pure ACKs, each side's first D and A included", async () => {
    const c = handshake().c(data()).s(ACK).c(data()).s(ACK).c(data()).s(data(50)).c(ACK).s(data(50)).c(ACK)
      .c(FIN | ACK).s(FIN | ACK).c(ACK);
    const { records: [r], path } = await agree(c.frames);
    // SYN, SYN/ACK, ACK; then data and ACKs, the first D, a and d (their letters) among them; FINs
    // and the last ACK after them.
    expect(path).toBe("...uuuuuuuuu...");
    expect(r!.history).toBe("ShADadFf");
    expect(r!.orig.bytes).toBe(300);
    expect(r!.resp.bytes).toBe(100);
    expect(r!.connState).toBe("SF");
  });

  it("leaves it for a retransmission and comes back for the data right after", async () => {
    const c = handshake().c(data()).s(ACK).c(data()).s(ACK)
      .c({ flags: ACK | PSH, payload: 100, seq: 1101 }) // the second segment again
      .s(ACK).c(data()).s(ACK);
    const { records: [r], path } = await agree(c.frames);
    expect(path).toBe("...uuuu.uuu");
    expect(r!.history).toBe("ShADaT");
    expect(r!.orig.pkts).toBe(6);
    expect(r!.orig.bytes).toBe(300);
  });

  it("leaves it for a zero window and a keep-alive, not for a window change or a duplicate ACK", async () => {
    const c = handshake().c(data()).s(ACK)
      .s({ flags: ACK, window: 0 }) // zero window
      .s({ flags: ACK, window: 8192 }) // a window update: the same ACK again
      .s({ flags: ACK, window: 4096 }) // a window change, again the same ACK (a duplicate for Wireshark)
      .c({ flags: ACK, payload: 0, seq: 1100 }) // keep-alive: one below the next byte
      .c({ flags: ACK, payload: 1, seq: 1100 }) // keep-alive with its one byte
      .c(data()).s(ACK);
    const { records: [r], path } = await agree(c.frames);
    expect(path).toBe("...uu.uu..uu");
    expect(r!.history).toBe("ShADawT");
    expect(r!.anomalies["zero-window"]).toBe(1);
  });

  it("reports a gap on the usual ACK that covers payload cut by the snaplen", async () => {
    const c = handshake().c(data()).s(ACK).c(data()).c(data()).s(ACK).c(data()).s(ACK);
    const cut = c.frames.map((f, k) => (k >= 5 && k < 7 ? { ...f, data: f.data.subarray(0, 60), origLen: f.data.length } : f));
    const { records: [r], path } = await agree(cut);
    expect(path).toBe("...uuuuuuu");
    expect(r!.orig.missedBytes).toBe(200);
    expect(r!.history).toBe("ShADaG");
    expect(r!.anomalies["snaplen-truncated"]).toBe(1);
  });

  it("records a side's first pure ACK before the gap that same ACK reports", async () => {
    // The server's first pure ACK covers the client's data cut by the snaplen: on the fast
    // path it earns its letter (a) and reports the gap (G), in the full walk's order: the
    // letter first (historyLetter), then the gap (reassemble).
    const c = handshake().c(data()).s(ACK).c(data()).s(ACK);
    const cut = c.frames.map((f, k) => (k === 3 ? { ...f, data: f.data.subarray(0, 60), origLen: f.data.length } : f));
    const { records: [r], path } = await agree(cut);
    expect(path).toBe("...uuuu");
    expect(r!.history).toBe("ShADaG");
    expect(r!.orig.missedBytes).toBe(100);
  });

  it("leaves it while out-of-order blocks are held, for both sides", async () => {
    const c = handshake().c(data()).s(data()).c(data()).s(ACK)
      .c({ ...data(), lost: true }).c(data()) // above a hole: held
      .s({ flags: ACK, ack: 1201 }) // up to the hole: the block stays held
      .s({ ...data(), ack: 1201 }).c(data()) // the peer's, then the sender's, stream holds a block
      .s(ACK) // past the block: a gap, the block delivered
      .c(data()).s(ACK);
    const { records: [r], path } = await agree(c.frames);
    expect(path).toBe("...uuuu.....uu");
    expect(r!.orig.missedBytes).toBe(100);
    expect(r!.history).toBe("ShADdaG");
  });

  it("leaves it for a connection whose SYN was not captured, its roles turned round", async () => {
    // The ACK after a lone SYN/ACK flips the roles (history "^h"), a rule the fast path does not
    // apply: its test never holds for that packet (nor, here, for the packets after it).
    const c = new Conversation({ clientPort: 40010 }).s(SYN | ACK).c(ACK).c(data()).s(ACK).c(data()).s(data()).c(ACK);
    const { records: [r], path } = await agree(c.frames);
    expect(path).toBe(".......");
    expect(r!.history).toBe("^hADad");
  });

  it("leaves it before the handshake's third packet and once a side has sent a FIN; mid-stream, from both sides' first packets on", async () => {
    const noThird = new Conversation({ clientPort: 40001 }).c(SYN).s(SYN | ACK).s(data()).s(data()).c(ACK).s(data()).c(data()).c(data());
    const midStream = new Conversation({ clientPort: 40002 }).c(data()).s(ACK).c(data()).s(ACK).c(data());
    const halfClosed = new Conversation({ clientPort: 40003 }).c(SYN).s(SYN | ACK).c(ACK).c(data()).s(ACK).c(FIN | ACK)
      .s(data()).s(data()).c(ACK).s(FIN | ACK).c(ACK);
    for (const [conv, expected] of [[noThird, ".....uuu"], [midStream, "..uuu"], [halfClosed, "...uu......"]] as const) {
      const { path } = await agree(conv.frames);
      expect(path).toBe(expected);
    }
    const { records } = await agree(merge(noThird, midStream, halfClosed));
    expect(records).toHaveLength(3);
  });

  it("counts the sequence number passing 2^32 on the fast path, and a RST leaves it", async () => {
    const c = new Conversation({ clientIsn: 0xfffffe00 }).c(SYN).s(SYN | ACK).c(ACK);
    for (let k = 0; k < 8; k++) c.c(data(200)).s(ACK);
    c.c(RST | ACK);
    const { records: [r], path } = await agree(c.frames);
    expect(path).toBe(`...${"u".repeat(16)}.`);
    expect(r!.orig.bytes).toBe(1600);
    expect(r!.history).toBe("ShADaR");
  });
});

// After a FIN, what the walk does besides the bookkeeping: the duration stops once both have
// closed, a zero window is not counted against a CLOSED peer, the second closer's ACK notes
// whether it covers the first FIN, the FIN's sequence number is stepped over, data after a FIN
// and a retransmitted FIN are anomalies. These packets take the walk (a fast path for the peer
// CLOSED needs a branch on every usual packet, for the duration: it cost more than it saved).
describe("packets after a FIN", () => {
  it("the last ACKs once both sides have closed, late ones included: the duration stops at the second FIN", async () => {
    const c = handshake().c(data()).s(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK)
      .c({ flags: ACK, dt: 2000 }) // the last ACK again, two seconds on (the close linger is five)
      .s({ flags: ACK, dt: 10 }); // and one from the server, one past its FIN
    const { records, path } = await agree(c.frames);
    expect(path).toBe("...uu.....");
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect(r.history).toBe("ShADaFf");
    expect(r.connState).toBe("SF");
    expect(r.duration).toBeCloseTo(0.06, 9); // SYN at 10 ms, the server's FIN at 70 ms
  });

  it("a long half-close: the server's data, a zero window and a keep-alive after the client's FIN", async () => {
    const c = handshake().c(data()).s(ACK).c(FIN | ACK)
      .s(ACK) // acknowledges the client's FIN
      .s(data()).c(ACK).s(data()).c(ACK)
      .s({ flags: ACK, window: 0 }); // not counted: the client has closed
    c.s({ flags: ACK, seq: c.nextSeq(1) - 1 }) // keep-alive
      .s(data()).c(ACK).s(FIN | ACK).c(ACK);
    const { records: [r], path } = await agree(c.frames);
    expect(path).toBe(`...uu${".".repeat(12)}`);
    expect(r!.history).toBe("ShADaFdf");
    expect(r!.anomalies["zero-window"]).toBeUndefined();
    expect(r!.resp.bytes).toBe(300);
    expect(r!.connState).toBe("SF");
  });

  it("a retransmitted FIN, data after it, a RST at the end", async () => {
    const c = handshake().c(data()).s(ACK);
    const finSeq = c.nextSeq(0);
    c.c(FIN | ACK).c({ flags: FIN | ACK, seq: finSeq }).s(ACK)
      .c({ flags: ACK | PSH, payload: 50, seq: finSeq + 1 }) // data after the FIN
      .s(ACK).s(RST | ACK);
    const { records: [r], path } = await agree(c.frames);
    expect(path).toBe("...uu......");
    expect(r!.anomalies["fin-retransmit"]).toBe(1);
    expect(r!.anomalies["data-after-fin"]).toBe(1);
    expect(r!.history).toBe("ShADaFr");
  });

  it("both closing at once: neither FIN acknowledges the other's", async () => {
    const c = handshake().c(data()).s(ACK);
    const ackOfData = c.highestReceived(1);
    c.c(FIN | ACK).s({ flags: FIN | ACK, ack: ackOfData }).c(ACK).s(ACK).c(ACK);
    const { records: [r], path } = await agree(c.frames);
    expect(path).toBe("...uu.....");
    expect(r!.history).toBe("ShADaFf");
    expect(r!.connState).toBe("SF");
  });
});

// Frames cut to `snaplen` bytes, as a capture with that snaplen holds them.
const cutTo = (snaplen: number, frames: Frame[]): Frame[] =>
  frames.map((f) => (f.data.length > snaplen ? { ...f, data: f.data.subarray(0, snaplen), origLen: f.data.length } : f));

// An IPv6 TCP Fast Open handshake whose SYN and SYN/ACK the 96-byte snaplen cuts inside their
// options: handshake evidence, but neither is accepted, so both endpoints start PARTIAL.
const LINUX: TcpOption[] = [{ kind: "mss", value: 1440 }, { kind: "sackPermitted" }, { kind: "timestamps", value: 1, echo: 0 }, { kind: "nop" }, { kind: "wscale", shift: 7 }];
const COOKIE: TcpOption = { kind: "tfo", cookie: new Uint8Array(8).fill(7) };
const cutHandshake = (clientPort: number) => new Conversation({ v6: true, clientPort, serverPort: 443 })
  .c({ flags: SYN, payload: 200, options: [...LINUX, COOKIE] }) // seq 1000, its data up to 1201
  .s({ flags: SYN | ACK, options: [...LINUX, COOKIE], dt: 20 });

describe("the fast path mid-stream (both endpoints PARTIAL)", () => {
  it("takes it for data both ways and pure ACKs once both sides have sent, first letters included", async () => {
    const c = new Conversation({ clientPort: 41001 }).c(data()).s(ACK).c(data()).s(data(50)).c(ACK).s(data(50)).c(data()).s(ACK);
    const { records: [r], path } = await agree(c.frames);
    // Each side's first packet moves it from INACTIVE to PARTIAL: the rules; the server's first
    // data segment (d) and the client's first pure ACK (A) on the fast path.
    expect(path).toBe("..uuuuuu");
    expect(r!.history).toBe("DadA");
    expect(r!.orig.bytes).toBe(300);
    expect(r!.resp.bytes).toBe(100);
    expect(r!.connState).toBe("OTH");
  });

  it("leaves it for a retransmission, a zero window and keep-alives, and comes back after each", async () => {
    const c = new Conversation({ clientPort: 41002 }).c(data()).s(ACK).c(data()).s(ACK)
      .c({ flags: ACK | PSH, payload: 100, seq: 1100 }) // the second segment again
      .s(ACK)
      .s({ flags: ACK, window: 0 }) // zero window
      .s({ flags: ACK, window: 8192 }) // the window opens: the same ACK again
      .c({ flags: ACK, seq: 1199 }) // keep-alive: one below the next byte
      .c({ flags: ACK, payload: 1, seq: 1199 }) // keep-alive with its one byte: a retransmission
      .c(data()).s(ACK);
    const { records: [r], path } = await agree(c.frames);
    expect(path).toBe("..uu.u.u..uu");
    expect(r!.history).toBe("DaTwA"); // the keep-alive is the client's first pure ACK
    expect(r!.anomalies["zero-window"]).toBe(1);
    expect(r!.orig.bytes).toBe(300);
  });

  it("leaves it while a block above a hole is held; the hole is no reported gap (neither stream is clean)", async () => {
    const c = new Conversation({ clientPort: 41003 }).c(data()).s(ACK)
      .c({ ...data(), lost: true }).c(data()) // above a hole: held
      .s(ACK) // past the block: delivered, the hole passed over
      .c(data()).s(ACK);
    const { records: [r], path } = await agree(c.frames);
    expect(path).toBe("....uu");
    expect(r!.orig.missedBytes).toBe(0);
    expect(r!.history).toBe("Da");
  });

  it("moves the peer's next byte on the usual ACK past payload cut by the snaplen, and reports no gap", async () => {
    const c = new Conversation({ clientPort: 41004 }).c(data()).s(ACK).c(data()).c(data()).s(ACK).c(data()).s(ACK);
    const cut = c.frames.map((f, k) => (k >= 2 && k < 4 ? cutTo(60, [f])[0]! : f));
    const { records: [r], path } = await agree(cut);
    expect(path).toBe("..uuuuu");
    expect(r!.orig.missedBytes).toBe(0);
    expect(r!.history).toBe("Da");
    expect(r!.anomalies["snaplen-truncated"]).toBe(1);
  });

  it("leaves it once a side has sent a FIN, for both sides, through a RST", async () => {
    const c = new Conversation({ clientPort: 41005 }).c(data()).s(ACK).c(data()).s(ACK)
      .c(FIN | ACK).s(data()).c(ACK).s(RST | ACK);
    const { records: [r], path } = await agree(c.frames);
    expect(path).toBe("..uu....");
    expect(r!.history).toBe("DaFdAr");
  });

  it("leaves it for the ACKs of a side that sent a SYN mid-stream, each an ack-without-syn-ack", async () => {
    // A pure SYN with the client's first sequence number: no reuse, and the client stays
    // PARTIAL (a SYN moves it only while the server is INACTIVE). The server's first packet
    // after the SYN walks the rules (it acknowledges the SYN, no SYN/ACK captured: the
    // handshake's evidence), its later ones keep the fast path; the client's ACKs each count
    // the anomaly, so they walk the rules.
    const c = new Conversation({ clientPort: 41006 }).c(data()).s(ACK).c({ flags: SYN, seq: 1000 })
      .s(data()).c(ACK).s(data()).c(ACK);
    const { records: [r], path } = await agree(c.frames);
    expect(path).toBe(".....u.");
    expect(r!.handshake.outcome).toBe("complete");
    expect(r!.history).toBe("DaSdA");
    expect(r!.anomalies["ack-without-syn-ack"]).toBe(2);
  });

  it("keeps the hour a server port's SYN/ACK set mid-stream: the fast path moves only the handshake's minute", async () => {
    // Port 22's inactivity timeout (an hour) comes with the responder's SYN/ACK (updateTimers);
    // the fast path's packets after it must leave it: still one connection 1 000 s later, a new
    // one past the hour.
    const c = new Conversation({ clientPort: 41009, serverPort: 22 }).c(data()).s(ACK).s(SYN | ACK).s(data()).c(ACK)
      .c(data()).s(ACK).wait(1_000_000).c(data()).s(ACK).wait(4_000_000).c(data()).s(ACK);
    const { records, path } = await agree(c.frames);
    expect(path).toBe(".....uuuu..");
    expect(records.map((r) => [r.history, r.duration])).toStrictEqual([["DahdA", 1000.08], ["Da", 0.01]]);
  });

  it("takes it after a handshake cut by the snaplen, once its third packet is seen", async () => {
    const c = cutHandshake(41007).c({ flags: ACK, dt: 5 }).c(data(300)).s(ACK).s(data(900)).c(ACK).c(data()).s(ACK)
      .c(FIN | ACK).s(FIN | ACK).c(ACK);
    const { records: [r], path } = await agree(cutTo(96, c.frames), { snaplen: 96 });
    // The SYN and SYN/ACK are not accepted; the third packet and the client's data come while
    // the server is still INACTIVE, its first ACK makes it PARTIAL: then the fast path.
    expect(path).toBe("...uuuu...");
    expect(r!.handshake).toMatchObject({ outcome: "complete", synCount: 1, synAckCount: 1 });
    expect(r!.orig.missedBytes).toBe(0);
  });

  it("leaves it after a handshake cut by the snaplen until its third packet (the responder's data counts)", async () => {
    // The client's first segment carries no ACK: not the third packet. The server's segments
    // before the client's ACK are what it sent under its ISN, which that ACK is judged against.
    const c = cutHandshake(41008).c({ flags: PSH, payload: 100, dt: 5 })
      .s({ flags: ACK | PSH, payload: 100, ack: 1201 }).s({ flags: ACK | PSH, payload: 100, ack: 1201 })
      .c(ACK).s(data()).c(ACK);
    const { records: [r], path } = await agree(cutTo(96, c.frames), { snaplen: 96 });
    expect(path).toBe("....uu");
    expect(r!.handshake).toMatchObject({ outcome: "complete" });
    expect(r!.anomalies["handshake-ack-wrong-ack"]).toBeUndefined();
  });
});

const corpus = corpusDir();
describe.runIf(corpus)("the fast path on the corpus: the same records as the full rule walk", () => {
  it("every capture of ../shared/corpus", async () => {
    let usual = 0;
    for (const file of capturesUnder(corpus!)) {
      fast.on = false;
      const walk = await scan(file, { tracker: "typescript" });
      fast.on = true;
      fast.path = "";
      const both = await scanWithBothTrackers(file);
      expect(both.connections, file).toStrictEqual(walk.connections);
      expect(both.report, file).toStrictEqual(walk.report);
      usual += fast.path.split("u").length - 1;
    }
    expect(usual).toBeGreaterThan(1000);
  }, 600_000);
});
