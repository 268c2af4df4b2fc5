// The capture clock follows every packet, TCP or not, as Zeek's does: a TCP connection whose
// only later traffic is UDP (or ARP, or an unreadable packet) times out when that traffic's
// time passes its timer, instead of staying "open" to the end. The decoder hands the latest
// time of any packet read to the trackers once per batch (PacketBatch.latestSec), not a record
// per packet. Both trackers agree, and so do worker threads.

import { describe, it, expect } from "vitest";
import { writePcap, type Frame } from "../../helpers/capture-writer.js";
import { scanWithBothTrackers } from "../../helpers/both-trackers.js";
import { Conversation } from "../../helpers/conversation.js";
import { F, ethernet, ipv4, u16, concat } from "../../helpers/packets.js";
import { scan, decodeCapture } from "../../../sdk/index.js";

const { SYN, ACK, PSH } = F;
const TWO_YEARS = 2 * 365 * 86400;

function udp(sec: number): Frame {
  const datagram = concat(u16(5353), u16(5353), u16(12), u16(0), new Uint8Array([1, 2, 3, 4]));
  return { data: ethernet(ipv4({ src: "10.0.0.9", dst: "10.0.0.10", protocol: 17 }, datagram)), sec };
}

function arp(sec: number): Frame {
  return { data: ethernet(new Uint8Array(28), {}, 0x0806), sec };
}

const established = () => new Conversation().c(SYN).s(SYN | ACK).c(ACK).c({ flags: ACK | PSH, payload: 10 }).s(ACK);

describe("the capture clock", () => {
  it("ends an idle connection on its inactivity timer when only UDP follows, two years later", async () => {
    const frames = [...established().frames, udp(1_700_000_000 + TWO_YEARS)];
    const { connections } = await scanWithBothTrackers(writePcap(frames));
    expect(connections).toHaveLength(1);
    expect(connections[0]).toMatchObject({ connState: "S1", teardown: { kind: "timeout" } });
    // Without the UDP packet it is still open at the end.
    const alone = await scanWithBothTrackers(writePcap(established().frames));
    expect(alone.connections[0]!.teardown.kind).toBe("open");
  });

  it("ends an unanswered SYN on its attempt timer when an ARP packet comes 6 s later", async () => {
    const frames = [...new Conversation().c(SYN).frames, arp(1_700_000_006)];
    const { connections } = await scanWithBothTrackers(writePcap(frames));
    expect(connections[0]).toMatchObject({ connState: "S0", teardown: { kind: "timeout" } });
  });

  it("keeps a connection whose timer is not yet due", async () => {
    const frames = [...established().frames, udp(1_700_000_100)];
    const { connections } = await scanWithBothTrackers(writePcap(frames));
    expect(connections[0]!.teardown.kind).toBe("open");
  });

  it("follows the other packets of a later file too", async () => {
    const first = writePcap(established().frames);
    const second = writePcap([udp(1_700_000_000 + TWO_YEARS)]);
    const { connections } = await scanWithBothTrackers([first, second]);
    expect(connections[0]!.teardown.kind).toBe("timeout");
  });

  it("the same with worker threads", async () => {
    const frames: Frame[] = [];
    for (let k = 0; k < 50; k++) frames.push(...new Conversation({ clientPort: 30000 + k }).c(SYN).s(SYN | ACK).c(ACK).frames);
    frames.push(udp(1_700_000_000 + 400));
    const capture = writePcap(frames);
    const one = await scan(capture, { threads: 1 });
    const three = await scan(capture, { threads: 3 });
    expect(three.connections).toStrictEqual(one.connections);
    expect(one.connections.every((c) => c.teardown.kind === "timeout")).toBe(true);
  });

  it("is carried on every decoded batch as the latest time of any packet read", async () => {
    const capture = writePcap([...new Conversation().c(SYN).frames, udp(1_700_000_050)]);
    const seen: number[] = [];
    for await (const batch of decodeCapture(capture, { everyStep: true })) seen.push(batch.latestSec);
    expect(seen[seen.length - 1]).toBe(1_700_000_050);
  });
});
