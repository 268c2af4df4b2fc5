// Content gaps as Zeek's reassembler finds them: every hole an ACK passes is one gap (history
// G/g, counted logarithmically) and its bytes are missed bytes; several holes open at once are
// each counted; the FIN's sequence number is not a missed byte; payload cut by the snaplen is
// never delivered; with more holes open than the tracker keeps, missed bytes are not exact (null,
// "-" in the zeek output). Every scenario runs both trackers.

import { describe, it, expect } from "vitest";
import { writePcap, type Frame } from "../../helpers/capture-writer.js";
import { scanWithBothTrackers } from "../../helpers/both-trackers.js";
import { Conversation } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";
import { zeekRow } from "../../../cli/format/zeek-log.js";
import type { ConnectionRecord } from "../../../sdk/index.js";

const { SYN, ACK, FIN, PSH } = F;

async function only(frames: Frame[]): Promise<ConnectionRecord> {
  const { connections } = await scanWithBothTrackers(writePcap(frames));
  expect(connections).toHaveLength(1);
  return connections[0]!;
}

const zeekColumn = (c: ConnectionRecord, index: number) => zeekRow(c).split("\t")[index];
const MISSED = 14; // missed_bytes in conn.log's #fields

// The server sends `segments` of 100 bytes; those in `lost` never reach the capture.
function serverData(c: Conversation, segments: number, lost: number[]): Conversation {
  for (let k = 0; k < segments; k++) c.s({ flags: ACK | PSH, payload: 100, lost: lost.includes(k), dt: 1 });
  return c;
}

describe("content gaps and missed bytes", () => {
  it("counts every hole an ACK passes: each is a gap, its bytes missed", async () => {
    const c = new Conversation().c(SYN).s(SYN | ACK).c(ACK);
    serverData(c, 10, [1, 4, 7]).c(ACK); // three holes below one ACK
    const r = await only(c.frames);
    expect(r.resp.missedBytes).toBe(300);
    expect(r.orig.missedBytes).toBe(0);
    expect(r.history).toBe("ShAdg");
    expect(zeekColumn(r, MISSED)).toBe("300");
  });

  it("counts ten gaps as ten: a second G at the tenth, as Zeek's counter does", async () => {
    const c = new Conversation().c(SYN).s(SYN | ACK).c(ACK);
    serverData(c, 10, [0, 2, 4, 6, 8]).c(ACK);
    serverData(c, 10, [1, 3, 5, 7, 9]).c(ACK);
    const r = await only(c.frames);
    expect(r.resp.missedBytes).toBe(1000);
    expect(r.history).toBe("ShAdgg"); // gaps 1 and 10
  });

  it("holds blocks above holes until the hole fills: a retransmission leaves no gap", async () => {
    const c = new Conversation().c(SYN).s(SYN | ACK).c(ACK);
    serverData(c, 6, [1, 3]);
    c.s({ flags: ACK | PSH, payload: 100, seq: 5101, dt: 1 }).s({ flags: ACK | PSH, payload: 100, seq: 5301, dt: 1 }).c(ACK);
    const r = await only(c.frames);
    expect(r.resp.missedBytes).toBe(0);
    expect(r.history).not.toContain("g");
  });

  it("ends a gap at the FIN: its sequence number is not a missed byte", async () => {
    const c = new Conversation().c(SYN).s(SYN | ACK).c(ACK).c({ flags: ACK | PSH, payload: 538 }).s(ACK)
      .s({ flags: ACK | PSH, payload: 2902, lost: true }).s(FIN | ACK).c(ACK).c(FIN | ACK).s(ACK);
    const r = await only(c.frames);
    expect(r.resp.missedBytes).toBe(2902);
    expect(r.connState).toBe("SF");
    expect(r.history).toBe("ShADafgF");
  });

  it("counts payload cut by the snaplen as missed once acknowledged", async () => {
    const c = new Conversation().c(SYN).s(SYN | ACK).c(ACK);
    serverData(c, 4, []).c(ACK);
    const cut = c.frames.map((f, k) => (k >= 3 && k < 7 ? { ...f, data: f.data.subarray(0, 60), origLen: f.data.length } : f));
    const r = await only(cut);
    expect(r.resp.missedBytes).toBe(400);
    expect(r.anomalies["snaplen-truncated"]).toBe(1);
  });

  it("counts no gaps while the connection is not clean (mid-stream), as Zeek", async () => {
    const c = new Conversation();
    serverData(c, 5, [2]).c(ACK);
    const r = await only(c.frames);
    expect(r.handshake.outcome).toBe("mid-stream");
    expect(r.resp.missedBytes).toBe(0);
  });

  it("says missed bytes are not measured (null, zeek '-') when more holes are open than kept", async () => {
    const c = new Conversation().c(SYN).s(SYN | ACK).c(ACK);
    serverData(c, 20, [0, 2, 4, 6, 8, 10, 12, 14, 16]).c(ACK); // nine holes with data above each
    const r = await only(c.frames);
    expect(r.resp.missedBytes).toBeNull();
    expect(r.orig.missedBytes).toBe(0);
    expect(zeekColumn(r, MISSED)).toBe("-");
  });
});
