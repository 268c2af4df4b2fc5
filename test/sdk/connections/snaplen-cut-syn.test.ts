// SYNs cut by the snaplen inside their options, as IPv6 TCP Fast Open SYNs (cookie and data)
// are at 96 bytes: Zeek discards such a packet (the connection exists, nothing is accepted) and
// starts another connection at the SYN/ACK. The record keeps one connection from the SYN, with
// the handshake its fixed header proves (counted, timed, answered), and Zeek's conn_state and
// history: those of the connection Zeek starts at the SYN/ACK. Both trackers agree. (The data
// segments are cut too: G and g are the gaps Zeek finds in them.)

import { describe, it, expect } from "vitest";
import { writePcap, type Frame } from "../../helpers/capture-writer.js";
import { scanWithBothTrackers } from "../../helpers/both-trackers.js";
import { Conversation, type Step } from "../../helpers/conversation.js";
import { F, type TcpOption } from "../../helpers/packets.js";
import type { ConnectionRecord } from "../../../sdk/index.js";

const { SYN, ACK, FIN, PSH } = F;
const SNAPLEN = 96;
const LINUX: TcpOption[] = [{ kind: "mss", value: 1440 }, { kind: "sackPermitted" }, { kind: "timestamps", value: 1, echo: 0 }, { kind: "nop" }, { kind: "wscale", shift: 7 }];
const TFO_SYN: Step = { flags: SYN, payload: 200, options: [...LINUX, { kind: "tfo", cookie: new Uint8Array(8).fill(7) }] };
const SYN_ACK: Step = { flags: SYN | ACK, options: LINUX, dt: 20 };

async function records(c: Conversation): Promise<ConnectionRecord[]> {
  const frames: Frame[] = c.frames.map((f) => (f.data.length > SNAPLEN ? { ...f, data: f.data.subarray(0, SNAPLEN), origLen: f.data.length } : f));
  return (await scanWithBothTrackers(writePcap(frames, { snaplen: SNAPLEN }))).connections;
}

const exchange = (c: Conversation) => c.c({ flags: ACK, dt: 5 }).c({ flags: ACK | PSH, payload: 300 }).s(ACK)
  .s({ flags: ACK | PSH, payload: 900 }).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK);

describe("a SYN cut inside its options", () => {
  it("to a likely server port: one record, the handshake complete, Zeek's ^h history", async () => {
    const all = await records(exchange(new Conversation({ v6: true, serverPort: 443 }).c(TFO_SYN).s(SYN_ACK)));
    expect(all).toHaveLength(1);
    const r = all[0]!;
    expect(r.handshake).toMatchObject({ outcome: "complete", synCount: 1, synAckCount: 1, rttSynToSynAckUs: 20000, rttSynAckToAckUs: 5000, synPacket: 1 });
    expect(r.handshake.options.orig?.tfo).toMatchObject({ data: 200 });
    expect(r).toMatchObject({ id: 1, connState: "SF", history: "^hADaGdgFf", orig: { port: 40000, pkts: 5 }, anomalies: { "snaplen-truncated": 1 } });
  });

  it("to another port: Zeek's orientation and flip, the handshake complete", async () => {
    const all = await records(exchange(new Conversation({ v6: true, serverPort: 8443 }).c(TFO_SYN).s(SYN_ACK)));
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ connState: "SF", history: "^hADadFf", orig: { port: 40000 }, handshake: { outcome: "complete", synCount: 1 } });
  });

  it("never answered: unanswered, with nothing Zeek accepted", async () => {
    const all = await records(new Conversation({ v6: true, serverPort: 443 }).c(TFO_SYN));
    expect(all[0]).toMatchObject({ connState: "OTH", history: "", handshake: { outcome: "unanswered", synCount: 1 }, orig: { pkts: 0 } });
  });

  it("retransmitted whole: one record, two SYNs, Zeek's history from the whole one", async () => {
    // Linux retries a TFO SYN without its data; the data follows the handshake.
    const c = new Conversation({ v6: true, serverPort: 443 }).c(TFO_SYN)
      .c({ flags: SYN, seq: 1000, options: LINUX, dt: 1000 }).s({ ...SYN_ACK, ack: 1001 })
      .c({ flags: ACK, seq: 1001, ack: 5001, dt: 5 }).c({ flags: ACK | PSH, seq: 1001, ack: 5001, payload: 200 }).s({ flags: ACK, ack: 1201 });
    const all = await records(c);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ history: "ShADaG", connState: "S1", handshake: { outcome: "complete", synCount: 2, rttSynToSynAckUs: 20000 } });
  });

  it("whole SYNs at the same snaplen are not affected", async () => {
    const all = await records(exchange(new Conversation({ v6: true, serverPort: 443 }).c({ flags: SYN, options: LINUX }).s(SYN_ACK)));
    expect(all[0]).toMatchObject({ history: "ShADaGdgFf", connState: "SF", orig: { pkts: 6 }, handshake: { outcome: "complete", synCount: 1 } });
  });
});
