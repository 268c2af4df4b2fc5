// A history keeps its first HISTORY_MAX_LETTERS (65 535) letters in both trackers: the
// WebAssembly record's length is a u16 (assembly/tracker/history.ts drops the letters past it),
// and the reference tracker (tracker-context.ts appendLetter()) drops the same ones.

import { describe, it, expect } from "vitest";
import { writePcap } from "../../helpers/capture-writer.js";
import { scanWithBothTrackers } from "../../helpers/both-trackers.js";
import { Conversation } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";
import { HISTORY_MAX_LETTERS } from "../../../assembly/connection-layout.js";

const { SYN, ACK, RST, PSH } = F;

describe("a history past 65 535 letters", () => {
  it("keeps its first 65 535 letters in both trackers (a RST at each of 70 000 sequence numbers)", async () => {
    // Each RST at a new sequence number earns an r (notes section 5.2), all within the close linger.
    const c = new Conversation().c(SYN).s(SYN | ACK).c(ACK);
    for (let k = 0; k < 70_000; k++) c.s({ flags: RST, seq: 9000 + k, dt: 0.01 });
    const { connections: [r] } = await scanWithBothTrackers(writePcap(c.frames));
    expect(r!.history).toHaveLength(HISTORY_MAX_LETTERS);
    expect(r!.history).toBe(`ShA${"r".repeat(HISTORY_MAX_LETTERS - 3)}`);
  });

  // The reference tracker's fast path (sdk/connections/tracker-usual.ts acceptUsual()) appends
  // the sender's first D or A through appendLetter(), so past the cap it is dropped there too.
  it("drops a letter the usual packet's fast path earns past the cap, as the full walk does", async () => {
    // SYN, then 65 534 SYN/ACKs each at a new ISN (an h each, the highest first so that the
    // server's top and next byte stay at the first one's end): 65 535 letters. The client's ACK
    // (A) and the server's first data segment (d, on the fast path) come past the cap.
    const c = new Conversation({ serverIsn: 100_000 }).c(SYN);
    for (let k = 0; k < HISTORY_MAX_LETTERS - 1; k++) c.s({ flags: SYN | ACK, seq: 100_000 - k, dt: 0.01 });
    c.c({ flags: ACK, ack: 100_001 }).s({ flags: ACK | PSH, payload: 100 }).c(ACK);
    const { connections: [r] } = await scanWithBothTrackers(writePcap(c.frames));
    expect(r!.history).toBe(`S${"h".repeat(HISTORY_MAX_LETTERS - 1)}`);
  });
});
