// One scripted capture per handshake outcome and teardown kind, checked end to end: capture
// writer -> WebAssembly decoder -> tracker -> connection record.

import { describe, it, expect } from "vitest";
import { scan, createLineScanner, compileFilter, type ConnectionRecord, type ScanOptions } from "../../../sdk/index.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { scanWithBothTrackers } from "../../helpers/both-trackers.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F, ethernet, tcpIp } from "../../helpers/packets.js";

const { SYN, ACK, FIN, RST, PSH, ECE, CWR } = F;

// Every scenario runs through both trackers (WebAssembly, and the TypeScript reference), which
// must agree record for record (and on the report).
async function connectionsOf(frames: Conversation | ReturnType<typeof merge>, options?: ScanOptions): Promise<ConnectionRecord[]> {
  const list = frames instanceof Conversation ? frames.frames : frames;
  return (await scanWithBothTrackers(writePcap(list), options)).connections;
}

async function only(c: Conversation, options?: ScanOptions): Promise<ConnectionRecord> {
  const all = await connectionsOf(c, options);
  expect(all).toHaveLength(1);
  return all[0]!;
}

const handshake = (c: Conversation, rttMs = 20, ackMs = 5) =>
  c.c(SYN).s({ flags: SYN | ACK, dt: rttMs }).c({ flags: ACK, dt: ackMs });

describe("handshakes", () => {
  it("complete: RTT of each leg, exact, and a four-packet FIN close", async () => {
    const c = handshake(new Conversation(), 20, 5)
      .c(ACK | PSH, 100).s(ACK).s(ACK | PSH, 500).c(ACK)
      .c(FIN | ACK).s(ACK).s(FIN | ACK).c(ACK);
    const r = await only(c);
    expect(r).toMatchObject({
      connState: "SF", history: "ShADadFf",
      handshake: { outcome: "complete", synCount: 1, synAckCount: 1, rttSynToSynAckUs: 20000, rttSynAckToAckUs: 5000 },
      teardown: { kind: "fin", firstCloser: "orig" },
      orig: { addr: "10.0.0.1", port: 40000, pkts: 6, bytes: 100, flags: { syn: 1, synAck: 0, fin: 1, rst: 0 } },
      resp: { addr: "10.0.0.2", port: 80, pkts: 5, bytes: 500, flags: { syn: 0, synAck: 1, fin: 1, rst: 0 } },
    });
    expect(r.handshake.ack).toMatchObject({ acksSynAck: true, payload: 0, packet: 3 });
    expect(r.communityId).toMatch(/^1:[A-Za-z0-9+/]{27}=$/);
  });

  it("SYN/ACK sent again under its ISN: leg 1 to its first transmission, leg 2 from its last (round trips, no wait)", async () => {
    const c = new Conversation().c(SYN).s({ flags: SYN | ACK, dt: 10 }).s({ flags: SYN | ACK, seq: 5000, dt: 1000 }).c({ flags: ACK, dt: 1 });
    const r = await only(c);
    expect(r.handshake).toMatchObject({ outcome: "complete", synAckCount: 2, rttSynToSynAckUs: 10000, rttSynAckToAckUs: 1000 });
  });

  it("retransmitted SYN: counted, RTT from the transmission that was answered", async () => {
    const c = new Conversation().c(SYN).c({ flags: SYN, seq: 1000, dt: 1000 }).s({ flags: SYN | ACK, dt: 30 }).c(ACK);
    const r = await only(c);
    expect(r.handshake).toMatchObject({ outcome: "complete", synCount: 2, rttSynToSynAckUs: 30000 });
    expect(r.history).toBe("ShA");
  });

  it("rejected: RST in answer to the SYN", async () => {
    const r = await only(new Conversation().c(SYN).s({ flags: RST | ACK, seq: 0 }));
    expect(r).toMatchObject({ connState: "REJ", history: "Sr", handshake: { outcome: "rejected" }, teardown: { kind: "rst-resp", firstCloser: "resp" } });
  });

  it("unanswered: SYNs and nothing else, ended by the attempt timer when the capture goes on", async () => {
    const lone = new Conversation({ clientPort: 1 }).c(SYN).c({ flags: SYN, seq: 1000, dt: 1000 }).c({ flags: SYN, seq: 1000, dt: 2000 });
    const other = handshake(new Conversation({ clientPort: 2, start: 1_700_000_010 }));
    const [first, second] = await connectionsOf(merge(lone, other));
    expect(first).toMatchObject({ connState: "S0", history: "S", handshake: { outcome: "unanswered", synCount: 3 }, teardown: { kind: "timeout" } });
    expect(second!.orig.port).toBe(2);
    const alone = await only(new Conversation().c(SYN));
    expect(alone).toMatchObject({ connState: "S0", handshake: { outcome: "unanswered" }, teardown: { kind: "open" } });
  });

  it("SYN/ACK not captured, the server acknowledged the SYN: complete, neither leg timed", async () => {
    const c = new Conversation().c(SYN).s({ flags: SYN | ACK, lost: true }).c(ACK).c(ACK | PSH, 5).s(ACK)
      .c(FIN | ACK).s(FIN | ACK).c(ACK);
    const r = await only(c);
    expect(r).toMatchObject({
      connState: "SF", history: "SADaFf",
      handshake: { outcome: "complete", synCount: 1, synAckCount: 0, rttSynToSynAckUs: null, rttSynAckToAckUs: null, synPacket: null, ack: null },
    });
    // A bare ACK of the SYN is evidence enough.
    const bare = await only(new Conversation().c(SYN).s({ flags: SYN | ACK, lost: true }).s(ACK));
    expect(bare.handshake.outcome).toBe("complete");
  });

  it("SYN/ACK not captured, the SYN acknowledged, then a RST before the client's ACK: aborted, as with the SYN/ACK captured", async () => {
    const lost = (c: Conversation) => c.c(SYN).s({ flags: SYN | ACK, lost: true });
    for (const [c, state] of [
      [lost(new Conversation()).s(ACK).s({ flags: RST, dt: 1 }), "REJ"],
      [lost(new Conversation()).s(ACK).c({ flags: RST, dt: 1 }), "RSTOS0"],
      [lost(new Conversation()).s(ACK | PSH, 20).s({ flags: RST, dt: 1 }), "REJ"],
    ] as const) {
      const r = await only(c);
      expect(r.connState).toBe(state);
      expect(r.handshake).toMatchObject({ outcome: "aborted", synAckCount: 0, rttSynToSynAckUs: null });
    }
    // An ACK crossing the RST proves nothing, as with the SYN/ACK captured (aborted there too).
    const crossing = await only(lost(new Conversation()).s(ACK | PSH, 20).s({ flags: RST, dt: 1 }).c({ flags: ACK, dt: 1 }));
    expect(crossing.handshake.outcome).toBe("aborted");
    const captured = await only(new Conversation().c(SYN).s(SYN | ACK).s(ACK | PSH, 20).s({ flags: RST, dt: 1 }).c({ flags: ACK, dt: 1 }));
    expect(captured.handshake.outcome).toBe("aborted");
    // A RST answering the SYN, then a stray ACK of it: the refusal it was.
    const refused = await only(new Conversation().c(SYN).s({ flags: RST | ACK, seq: 0 }).s({ flags: ACK, dt: 1 }));
    expect(refused.handshake.outcome).toBe("rejected");
    // The client's ACK before the RST: it came up, then was reset.
    const reset = await only(lost(new Conversation()).c(ACK).s(ACK).c({ flags: RST | ACK, dt: 1 }));
    expect(reset.handshake.outcome).toBe("complete");
    expect(reset.teardown.kind).toBe("rst-orig");
  });

  it("a server ACK that does not acknowledge the SYN, or acknowledges more than was sent, leaves it unanswered", async () => {
    const at = await only(new Conversation().c(SYN).s({ flags: ACK, ack: 1000 }));
    expect(at.handshake.outcome).toBe("unanswered");
    const past = await only(new Conversation().c(SYN).s({ flags: ACK, ack: 1002 }));
    expect(past.handshake.outcome).toBe("unanswered");
    const ofData = await only(new Conversation().c(SYN).c({ flags: ACK | PSH, payload: 10, seq: 1001, ack: 5001 }).s({ flags: ACK, ack: 1011 }));
    expect(ofData.handshake.outcome).toBe("complete");
    const ofFin = await only(new Conversation().c(SYN).c({ flags: FIN | ACK, seq: 1001, ack: 5001 }).s({ flags: ACK, ack: 1002 }));
    expect(ofFin.handshake.outcome).toBe("complete");
    // A RST/ACK of the SYN is the refusal it always was.
    const refused = await only(new Conversation().c(SYN).s({ flags: RST | ACK, seq: 0 }));
    expect(refused.handshake.outcome).toBe("rejected");
  });

  it("a SYN retried with a new ISN starts a new connection and says so", async () => {
    const c = new Conversation().c(SYN).c({ flags: SYN, seq: 777777, dt: 1000 }).s({ flags: SYN | ACK }).c(ACK);
    const [a, b] = await connectionsOf(c);
    // The first ended when the second began: not "open" at the capture's end (it said so before).
    expect(a).toMatchObject({ connState: "S0", history: "S", teardown: { kind: "reused" } });
    expect(b).toMatchObject({ connState: "S1", history: "ShA", anomalies: { "syn-retransmit-different-isn": 1 }, teardown: { kind: "open" } });
    // The lines written in WebAssembly say the same.
    const parts: Uint8Array[] = [];
    for await (const chunk of createLineScanner(writePcap(c.frames), { threads: 1 }, { format: "ndjson" }).chunks()) parts.push(chunk.slice());
    const lines = Buffer.concat(parts).toString("utf8").trim().split("\n").map((l) => JSON.parse(l) as ConnectionRecord);
    expect(lines.map((l) => l.teardown.kind)).toEqual(["reused", "open"]);
    expect(await connectionsOf(c, {}).then((r) => r.filter((x) => compileFilter("teardown reused").matches(x)).length)).toBe(1);
  });

  it("a connection of refused packets only (bad checksums) that its idle timer ended timed out, not open at the end", async () => {
    // Found by a review: REMOVED_IDLE_EMPTY fell through to "open" ("still open when the capture ended").
    const T = 1_700_000_000;
    const frames = [
      { data: ethernet(tcpIp({ sport: 40000, dport: 80, flags: ACK | PSH, payload: 10, badChecksum: true, seq: 5, ack: 9 })), sec: T, nsec: 0 },
      { data: ethernet(tcpIp({ sport: 40000, dport: 80, flags: ACK, payload: 0, badChecksum: true, seq: 15, ack: 9 })), sec: T, nsec: 1000 },
      { data: ethernet(tcpIp({ sport: 41000, dport: 80, flags: SYN })), sec: T + 60, nsec: 0 },
    ];
    const [empty, later] = (await scanWithBothTrackers(writePcap(frames), { verifyChecksums: true })).connections;
    expect(empty).toMatchObject({ history: "C", teardown: { kind: "timeout" } });
    expect(later!.teardown.kind).toBe("open");
    const parts: Uint8Array[] = [];
    for await (const chunk of createLineScanner(writePcap(frames), { threads: 1, verifyChecksums: true }, { format: "ndjson" }).chunks()) parts.push(chunk.slice());
    expect(Buffer.concat(parts).toString("utf8").trim().split("\n").map((l) => (JSON.parse(l) as ConnectionRecord).teardown.kind)).toEqual(["timeout", "open"]);
  });

  it("aborted: the SYN/ACK answered by RST", async () => {
    const r = await only(new Conversation().c(SYN).s(SYN | ACK).c({ flags: RST, ack: 0 }));
    expect(r).toMatchObject({ handshake: { outcome: "aborted" }, teardown: { kind: "rst-orig" }, connState: "RSTO", history: "ShR" });
  });

  it("invalid: a SYN/ACK that does not acknowledge the SYN", async () => {
    const r = await only(new Conversation().c(SYN).s({ flags: SYN | ACK, ack: 999 }).c(ACK));
    expect(r.handshake.outcome).toBe("invalid");
    expect(r.anomalies["syn-ack-wrong-ack"]).toBe(1);
  });

  it("syn-ack-only: the SYN was not captured; oriented towards the server port", async () => {
    const r = await only(new Conversation().c({ flags: SYN, lost: true }).s(SYN | ACK).c(ACK).c(ACK | PSH, 10).s(ACK));
    expect(r).toMatchObject({ handshake: { outcome: "syn-ack-only" }, history: "^hADa", orig: { port: 40000 }, resp: { port: 80 } });
  });

  it("mid-stream: no handshake seen, and the record says its numbers are partial", async () => {
    const c = new Conversation().c({ flags: SYN, lost: true }).s({ flags: SYN | ACK, lost: true }).c({ flags: ACK, lost: true })
      .c(ACK | PSH, 50).s(ACK | PSH, 60).c(ACK);
    const r = await only(c);
    expect(r).toMatchObject({ connState: "OTH", handshake: { outcome: "mid-stream" }, anomalies: { "mid-stream-start": 1 } });
  });

  it("simultaneous open: both SYNs are marked (Zeek ends the first connection at the second SYN)", async () => {
    const c = new Conversation().c(SYN).s({ flags: SYN, dt: 1 }).c({ flags: SYN | ACK, seq: 1000 }).s({ flags: SYN | ACK, seq: 5000 });
    const all = await connectionsOf(c);
    expect(all.map((r) => r.handshake.outcome)).toEqual(["simultaneous-open", "simultaneous-open"]);
    expect(all[0]!.history).toBe("S");
  });

  it("SYN/ACK captured before the SYN: Zeek's late flip, or a new connection after a creation flip", async () => {
    const c = () => new Conversation().c({ flags: SYN, lost: true }).s(SYN | ACK).c({ flags: SYN, seq: 1000, dt: 0 }).c(ACK)
      .c(ACK | PSH, 5).s(ACK | PSH, 5).c(FIN | ACK).s(FIN | ACK).c(ACK);
    // Without likely server ports the SYN/ACK sender starts as originator, and the SYN flips it.
    const r = await only(c(), { likelyServerPorts: [] });
    expect(r).toMatchObject({ history: "Hs^ADdFf", connState: "SF", orig: { port: 40000 } });
    // With port 80 a likely server port, the SYN/ACK was flipped at once; the SYN then has a
    // sequence number the (silent) originator never used, so Zeek starts a new connection.
    const [first, second] = await connectionsOf(c());
    expect(first).toMatchObject({ history: "^h", handshake: { outcome: "syn-ack-only" } });
    expect(second).toMatchObject({ history: "SADdFf", orig: { port: 40000 } });
  });

  it("TCP Fast Open: cookie and data on the SYN, acknowledged by the SYN/ACK", async () => {
    const c = new Conversation()
      .c({ flags: SYN, payload: 120, options: [{ kind: "mss", value: 1460 }, { kind: "tfo", cookie: new Uint8Array(8) }] })
      .s({ flags: SYN | ACK, options: [{ kind: "mss", value: 1400 }] }).c(ACK);
    const r = await only(c);
    expect(r.handshake.outcome).toBe("complete");
    expect(r.handshake.options.orig).toMatchObject({ mss: 1460, tfo: { cookieLen: 8, data: 120 } });
    expect(r.handshake.options.resp).toMatchObject({ mss: 1400, tfo: null });
    expect(r.anomalies["syn-with-data"]).toBe(1);
  });

  it("data on the SYN or the SYN/ACK without a TFO option: data counted, no cookie (not a cookie request)", async () => {
    const r = await only(new Conversation().c({ flags: SYN, payload: 20 }).s({ flags: SYN | ACK, payload: 6 }).c(ACK));
    expect(r.handshake.options.orig!.tfo).toEqual({ cookieLen: null, data: 20 });
    expect(r.handshake.options.resp!.tfo).toEqual({ cookieLen: null, data: 6 });
  });

  it("sizes as Zeek's: data after a FIN counts, the FIN's octet does not; unacknowledged SYN data too", async () => {
    // Zeek's TCP_Endpoint::Size: max(last_seq, ack_seq) - start - 1 (the SYN), less 1 once a FIN
    // was seen; last_seq keeps moving past the FIN. 100 bytes, the FIN, then 10 bytes after it:
    const late = await only(handshake(new Conversation()).c(ACK | PSH, 100).c(FIN | ACK).c(ACK | PSH, 10).s(ACK).s(FIN | ACK).c(ACK));
    expect(late.orig.bytes).toBe(110);
    expect(late.anomalies["data-after-fin"]).toBe(1);
    // 20 bytes on the SYN that the SYN/ACK does not take, then a FIN at ISN + 1: Zeek's 21 - 1 - 1.
    const synData = await only(new Conversation().c({ flags: SYN, payload: 20 }).s(SYN | ACK).c(ACK).c({ flags: FIN | ACK, seq: 1001 }).s(FIN | ACK).c(ACK));
    expect(synData.orig.bytes).toBe(19);
    // The usual close: the last ACK's sequence number passes the FIN by its octet only.
    const usual = await only(handshake(new Conversation()).c(ACK | PSH, 100).c(FIN | ACK).s(FIN | ACK).c(ACK));
    expect(usual.orig.bytes).toBe(100);
  });

  it("ECN and the other options negotiated on each side", async () => {
    const opts = [{ kind: "mss" as const, value: 1460 }, { kind: "sackPermitted" as const }, { kind: "timestamps" as const, value: 1, echo: 0 }, { kind: "nop" as const }, { kind: "wscale" as const, shift: 7 }];
    const c = new Conversation().c({ flags: SYN | ECE | CWR, options: opts }).s({ flags: SYN | ACK | ECE, options: [{ kind: "mss", value: 1200 }] }).c(ACK);
    const r = await only(c);
    expect(r.handshake.options.orig).toEqual({ mss: 1460, windowScale: 7, sackPermitted: true, timestamps: true, ecn: { ece: true, cwr: true, ae: false }, tfo: null, mptcp: false });
    expect(r.handshake.options.resp).toMatchObject({ mss: 1200, windowScale: null, sackPermitted: false, ecn: { ece: true, cwr: false } });
  });
});

describe("teardowns", () => {
  const established = () => handshake(new Conversation()).c(ACK | PSH, 10).s(ACK | PSH, 20);

  it("fin-3: the server's FIN rides on its ACK of the client's FIN", async () => {
    const r = await only(established().c(FIN | ACK).s(FIN | ACK).c(ACK));
    expect(r.teardown).toEqual({ kind: "fin-3", firstCloser: "orig" });
    expect(r.connState).toBe("SF");
  });

  it("simultaneous close: both FINs sent before either was acknowledged", async () => {
    const c = established().c(FIN | ACK).s({ flags: FIN | ACK, ack: 1011, dt: 0 }).c(ACK).s(ACK);
    const r = await only(c);
    expect(r.teardown.kind).toBe("simultaneous-close");
  });

  it("server closes first", async () => {
    const r = await only(established().s(FIN | ACK).c(ACK).c(FIN | ACK).s(ACK));
    expect(r.teardown).toEqual({ kind: "fin", firstCloser: "resp" });
  });

  it("rst-orig and rst-resp on established connections", async () => {
    expect((await only(established().c(RST | ACK))).teardown).toEqual({ kind: "rst-orig", firstCloser: "orig" });
    const resp = await only(established().s(RST | ACK));
    expect(resp).toMatchObject({ teardown: { kind: "rst-resp" }, connState: "RSTR" });
  });

  it("fin-then-rst", async () => {
    const r = await only(established().c(FIN | ACK).s(RST | ACK));
    expect(r.teardown).toEqual({ kind: "fin-then-rst", firstCloser: "orig" });
  });

  it("half-closed by either side, and still open", async () => {
    expect((await only(established().c(FIN | ACK).s(ACK).s(ACK | PSH, 30))).teardown.kind).toBe("half-closed-orig");
    expect((await only(established().s(FIN | ACK).c(ACK))).teardown.kind).toBe("half-closed-resp");
    const open = await only(established());
    expect(open).toMatchObject({ teardown: { kind: "open", firstCloser: null }, connState: "S1" });
  });

  it("timeout: five minutes of silence while the capture goes on", async () => {
    const idle = established();
    const later = handshake(new Conversation({ clientPort: 40001, start: 1_700_000_400 }));
    const [first] = await connectionsOf(merge(idle, later));
    expect(first!.teardown.kind).toBe("timeout");
    expect(first!.connState).toBe("S1");
  });
});

describe("lifetimes and numbers", () => {
  it("port reuse after a close starts a new connection", async () => {
    const c = handshake(new Conversation()).c(FIN | ACK).s(FIN | ACK).c(ACK)
      .c({ flags: SYN, seq: 90000, dt: 100 }).s({ flags: SYN | ACK, seq: 190000 }).c(ACK);
    const all = await connectionsOf(c);
    expect(all.map((r) => [r.connState, r.history])).toEqual([["SF", "ShAFf"], ["S1", "ShA"]]);
  });

  it("sequence numbers wrapping past 2^32 keep sizes and states right", async () => {
    const c = handshake(new Conversation({ clientIsn: 0xffffff00, serverIsn: 0xfffffff0 }))
      .c(ACK | PSH, 1000).s(ACK).s(ACK | PSH, 3000).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);
    const r = await only(c);
    expect(r).toMatchObject({ connState: "SF", orig: { bytes: 1000 }, resp: { bytes: 3000 }, teardown: { kind: "fin-3" } });
  });

  it("retransmissions and zero windows go into the history", async () => {
    const c = handshake(new Conversation()).c(ACK | PSH, 100).c({ flags: ACK | PSH, payload: 100, seq: 1001 }).s({ flags: ACK, window: 0 });
    const r = await only(c);
    expect(r.history).toBe("ShADTaw");
    expect(r.anomalies["zero-window"]).toBe(1);
  });

  it("says when packets were cut by the snapshot length, once per connection", async () => {
    const c = handshake(new Conversation()).s(ACK | PSH, 1000).s(ACK | PSH, 1000).c(ACK);
    const frames = c.frames.map((f) => ({ ...f, data: f.data.subarray(0, 80), origLen: f.data.length }));
    const [r] = (await scan(writePcap(frames, { snaplen: 80 }))).connections;
    expect(r!.anomalies["snaplen-truncated"]).toBe(1);
    expect(r!.resp.bytes).toBe(2000);
  });

  it("IPv6 and VLAN-tagged connections", async () => {
    const r = await only(handshake(new Conversation({ v6: true, vlan: 42, client: "2001:db8::1", server: "2001:db8::2" })));
    expect(r).toMatchObject({ orig: { addr: "2001:db8::1" }, resp: { addr: "2001:db8::2" }, vlan: 42, connState: "S1" });
  });

  it("bad checksums are dropped with a C only when verification is on", async () => {
    const c = new Conversation().c(SYN);
    const frames = c.frames;
    frames[0]!.data[frames[0]!.data.length - 3]! ^= 0xff; // corrupt the TCP header (urgent pointer)
    const checked = await connectionsOf(frames, { verifyChecksums: true });
    expect(checked[0]).toMatchObject({ history: "C", connState: "OTH", anomalies: { "bad-checksum": 1 } });
    const unchecked = await connectionsOf(frames);
    expect(unchecked[0]!.history).toBe("S");
  });

  it("likely server ports decide the orientation of mid-stream connections", async () => {
    const midstream = () => new Conversation({ clientPort: 8080, serverPort: 40000 }).c(ACK | PSH, 10).s(ACK);
    expect((await only(midstream())).orig.port).toBe(40000);
    expect((await only(midstream(), { likelyServerPorts: [] })).orig.port).toBe(8080);
  });
});
