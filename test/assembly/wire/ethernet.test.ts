import { describe, it, expect } from "vitest";
import { tcpIp, ethernet, concat, u16, F } from "../../helpers/packets.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { decodeAll } from "../../helpers/decode.js";

const decodeFrames = (frames: Uint8Array[]) => decodeAll(writePcap(frames.map((data) => ({ data }))));

describe("Ethernet", () => {
  it("reads one, two and three VLAN tags (802.1Q, 802.1ad, the old 0x9100)", async () => {
    const ip = tcpIp({});
    const { records } = await decodeFrames([
      ethernet(ip, { vlans: [[0x8100, 10]] }),
      ethernet(ip, { vlans: [[0x88a8, 100], [0x8100, 20]] }),
      ethernet(ip, { vlans: [[0x9100, 7], [0x8100, 8], [0x8100, 9]] }),
      ethernet(ip),
    ]);
    expect(records.map((r) => [r.vlan, r.innerVlan])).toEqual([[10, null], [100, 20], [7, 8], [null, null]]);
  });

  it("reads IP under an MPLS label stack, and Ethernet behind a pseudowire control word", async () => {
    const ip = tcpIp({ sport: 1111 });
    const pw = concat(new Uint8Array(4), ethernet(tcpIp({ sport: 2222 }), { vlans: [[0x8100, 5]] }));
    const { records } = await decodeFrames([
      ethernet(ip, { mpls: [100, 200, 300] }),
      ethernet(pw, { mpls: [16] }, 0),
      ethernet(tcpIp({ v6: true, sport: 3333 }), { mpls: [1] }),
    ]);
    expect(records.map((r) => r.srcPort)).toEqual([1111, 2222, 3333]);
    expect(records[1]!.vlan).toBe(5);
  });

  it("reads PPPoE sessions, also under QinQ", async () => {
    const { records } = await decodeFrames([
      ethernet(tcpIp({}), { pppoe: true }),
      ethernet(tcpIp({ v6: true }), { pppoe: true, vlans: [[0x88a8, 1], [0x8100, 2]] }),
    ]);
    expect(records.map((r) => r.ipVersion)).toEqual([4, 6]);
    expect(records[1]!.vlan).toBe(1);
  });

  it("reads PPPoE sessions whose PPP protocol field is compressed to one byte (... 00 3d 21 45 ...)", async () => {
    const ip = tcpIp({});
    const session = concat(new Uint8Array([0x11, 0x00]), u16(0x1234), u16(ip.length + 1), new Uint8Array([0x21]), ip);
    const { records, summary } = await decodeFrames([ethernet(session, {}, 0x8864)]);
    expect(records).toHaveLength(1);
    expect(summary.stats.nonIp).toBe(0);
  });

  it("reads 802.2 LLC/SNAP and counts other 802.3 frames and EtherTypes as non-IP", async () => {
    const ip = tcpIp({});
    const snap = concat(new Uint8Array([0xaa, 0xaa, 0x03, 0, 0, 0]), u16(0x0800), ip);
    const stp = new Uint8Array([0x42, 0x42, 0x03, 0, 0, 0, 0]);
    const { records, summary } = await decodeFrames([
      ethernet(snap, {}, snap.length), ethernet(stp, {}, stp.length), ethernet(new Uint8Array(28), {}, 0x0806),
    ]);
    expect(records).toHaveLength(1);
    expect(summary.stats.nonIp).toBe(2);
  });

  it("reads through 802.1ah PBB, Cisco FabricPath and VN-Tag", async () => {
    const inner = ethernet(tcpIp({ sport: 7 }), { vlans: [[0x8100, 33]] });
    const pbb = ethernet(concat(new Uint8Array([0, 0, 0, 1]), inner), {}, 0x88e7);
    const fabricPath = ethernet(concat(new Uint8Array([0, 1]), inner), {}, 0x8903);
    const ip = tcpIp({ sport: 8 });
    const vntag = ethernet(concat(new Uint8Array(4), u16(0x8100), u16(12), u16(0x0800), ip), {}, 0x8926);
    const { records } = await decodeFrames([pbb, fabricPath, vntag]);
    expect(records.map((r) => [r.srcPort, r.vlan])).toEqual([[7, 33], [7, 33], [8, 12]]);
  });

  it("ignores the padding of short frames", async () => {
    const { records } = await decodeFrames([ethernet(tcpIp({ flags: F.ACK }), { pad: true })]);
    expect(records[0]!.payloadLen).toBe(0);
  });

  it("counts frames cut inside the link header", async () => {
    const { summary } = await decodeFrames([ethernet(tcpIp({})).subarray(0, 10), ethernet(tcpIp({}), { vlans: [[0x8100, 1]] }).subarray(0, 16)]);
    expect(summary.stats.linkInvalid).toBe(2);
  });
});
