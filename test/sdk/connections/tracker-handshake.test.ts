// The handshake judged as RFC 9293 does: the third packet may acknowledge anything the
// responder has sent (data or a FIN before it); the responder acknowledging the originator's
// data proves the handshake when the third packet was not captured; several SYN/ACK ISNs are
// each a candidate, and both RTT legs come from the one answered; an RTT is null only when a
// packet was not seen. Every scenario runs both trackers.

import { describe, it, expect } from "vitest";
import { writePcap, type Frame } from "../../helpers/capture-writer.js";
import { scanWithBothTrackers } from "../../helpers/both-trackers.js";
import { Conversation } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";
import type { ConnectionRecord } from "../../../sdk/index.js";

const { SYN, ACK, FIN, RST, PSH } = F;

async function connections(frames: Frame[]): Promise<ConnectionRecord[]> {
  return (await scanWithBothTrackers(writePcap(frames))).connections;
}

async function only(c: Conversation): Promise<ConnectionRecord> {
  const all = await connections(c.frames);
  expect(all).toHaveLength(1);
  return all[0]!;
}

describe("the third packet acknowledges anything the responder sent", () => {
  it("data on the SYN/ACK", async () => {
    const r = await only(new Conversation().c(SYN).s({ flags: SYN | ACK, payload: 110, dt: 20 }).c({ flags: ACK, dt: 5 }).c(FIN | ACK).s(FIN | ACK).c(ACK));
    expect(r.handshake).toMatchObject({ outcome: "complete", rttSynToSynAckUs: 20000, rttSynAckToAckUs: 5000, ack: { acksSynAck: true } });
    expect(r.anomalies["handshake-ack-wrong-ack"]).toBeUndefined();
  });

  it("data the server sent before the client's ACK arrived", async () => {
    const c = new Conversation().c(SYN).s({ flags: SYN | ACK, dt: 20 }).s({ flags: ACK | PSH, payload: 50, dt: 1 }).c({ flags: ACK, dt: 4 });
    const r = await only(c);
    expect(r.handshake).toMatchObject({ outcome: "complete", rttSynAckToAckUs: 5000, ack: { acksSynAck: true } });
  });

  it("the server's FIN before the client's ACK", async () => {
    const r = await only(new Conversation().c(SYN).s(SYN | ACK).s(FIN | ACK).c(ACK).c(FIN | ACK).s(ACK));
    expect(r.handshake).toMatchObject({ outcome: "complete", ack: { acksSynAck: true } });
  });

  it("but not past what the responder sent, nor the SYN/ACK's own sequence number", async () => {
    const past = await only(new Conversation().c(SYN).s(SYN | ACK).c({ flags: ACK, ack: 5002 }));
    expect(past.handshake).toMatchObject({ outcome: "invalid", rttSynAckToAckUs: null, ack: { acksSynAck: false } });
    expect(past.anomalies["handshake-ack-wrong-ack"]).toBe(1);
    const short = await only(new Conversation().c(SYN).s(SYN | ACK).c({ flags: ACK, ack: 5000 }));
    expect(short.handshake.outcome).toBe("invalid");
  });
});

describe("the responder acknowledging the originator's data", () => {
  it("completes a handshake whose third packet was not captured: a RST later is not an abort", async () => {
    const c = new Conversation().c(SYN).s(SYN | ACK).c({ flags: ACK, lost: true }).c({ flags: ACK | PSH, payload: 300, lost: true })
      .s({ flags: ACK, dt: 5 }).c({ flags: RST | ACK, dt: 5 });
    const r = await only(c);
    expect(r.handshake).toMatchObject({ outcome: "complete", ack: null, rttSynAckToAckUs: null });
    expect(r.teardown.kind).toBe("rst-orig");
  });

  it("is needed: without it, the RST after the SYN/ACK is an abort", async () => {
    const c = new Conversation().c(SYN).s(SYN | ACK).c({ flags: ACK, lost: true }).s({ flags: ACK, dt: 5 }).c({ flags: RST | ACK, dt: 5 });
    expect((await only(c)).handshake.outcome).toBe("aborted");
  });
});

describe("several SYN/ACKs with different ISNs", () => {
  // The client retries its SYN; the server answers each SYN with a new ISN.
  const twoSynAcks = () => new Conversation().c(SYN)
    .s({ flags: SYN | ACK, seq: 70000, dt: 20 })
    .s({ flags: SYN | ACK, seq: 90000, dt: 20 });

  it("the ACK of the first: complete, both legs from the first", async () => {
    const r = await only(twoSynAcks().c({ flags: ACK, ack: 70001, dt: 5 }));
    expect(r.handshake).toMatchObject({ outcome: "complete", synAckCount: 2, rttSynToSynAckUs: 20000, rttSynAckToAckUs: 25000, synAckPacket: 2 });
  });

  it("the ACK of the second: complete, both legs from the second", async () => {
    const r = await only(twoSynAcks().c({ flags: ACK, ack: 90001, dt: 5 }));
    expect(r.handshake).toMatchObject({ outcome: "complete", rttSynToSynAckUs: 40000, rttSynAckToAckUs: 5000, synAckPacket: 3 });
  });

  it("an ACK of neither is invalid", async () => {
    const r = await only(twoSynAcks().c({ flags: ACK, ack: 80001, dt: 5 }));
    expect(r.handshake.outcome).toBe("invalid");
  });

  it("retransmissions of the answered one move the second leg's start", async () => {
    const c = twoSynAcks().s({ flags: SYN | ACK, seq: 70000, dt: 30 }).c({ flags: ACK, ack: 70001, dt: 5 });
    expect((await only(c)).handshake).toMatchObject({ rttSynToSynAckUs: 20000, rttSynAckToAckUs: 5000 });
  });
});

describe("RTTs are null only when a packet was not seen", () => {
  it("at the capture's first packet: a zero RTT is 0", async () => {
    const r = await only(new Conversation().c(SYN).s({ flags: SYN | ACK, dt: 0 }).c({ flags: ACK, dt: 0 }));
    expect(r.handshake).toMatchObject({ rttSynToSynAckUs: 0, rttSynAckToAckUs: 0 });
  });

  it("before the capture's first packet (timestamps out of order)", async () => {
    const later = new Conversation({ clientPort: 41000, start: 1_700_000_100 }).c(SYN).frames;
    const handshake = new Conversation().c(SYN).s({ flags: SYN | ACK, dt: 20 }).c({ flags: ACK, dt: 5 }).frames;
    const all = await connections([...later, ...handshake]);
    expect(all.find((r) => r.orig.port === 40000)!.handshake).toMatchObject({ rttSynToSynAckUs: 20000, rttSynAckToAckUs: 5000 });
  });

  it("negative when the answer's timestamp is earlier", async () => {
    const r = await only(new Conversation().c(SYN).s({ flags: SYN | ACK, dt: -10 }).c({ flags: ACK, dt: 15 }));
    expect(r.handshake).toMatchObject({ outcome: "complete", rttSynToSynAckUs: -10000, rttSynAckToAckUs: 15000 });
  });
});
