import { describe, it, expect } from "vitest";
import * as L from "../../../assembly/layout.js";
import { tcpIp, ethernet, F, concat } from "../../helpers/packets.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { decodeAll } from "../../helpers/decode.js";

async function one(spec: Parameters<typeof tcpIp>[0], opts: { verifyChecksums?: boolean; cut?: number } = {}) {
  const frame = ethernet(tcpIp(spec));
  const data = opts.cut ? frame.subarray(0, opts.cut) : frame;
  const { records, summary } = await decodeAll(writePcap([{ data, origLen: frame.length }]), opts);
  return { rec: records[0], records, summary, frameLength: frame.length };
}

describe("TCP header", () => {
  it("reads ports, sequence numbers, all nine flags, window and urgent pointer", async () => {
    const { rec } = await one({ sport: 443, dport: 61000, seq: 0xfffffff0, ack: 0x80000001, flags: 0x1ff, window: 1234, urgent: 77 });
    expect(rec).toMatchObject({ srcPort: 443, dstPort: 61000, seq: 0xfffffff0, ack: 0x80000001, flags: 0x1ff, window: 1234, urgent: 77 });
    expect(rec!.stopLayer).toBe(L.LAYER_NONE);
  });

  it("takes the payload length from the IP header, not the captured bytes", async () => {
    const { rec } = await one({ flags: F.ACK | F.PSH, payload: 1400 }, { cut: 14 + 20 + 20 + 10 });
    expect(rec!.payloadLen).toBe(1400);
    expect(rec!.ipLen).toBe(1440);
    expect(rec!.packetFlags & L.PKT_SNAPLEN_TRUNCATED).toBeTruthy();
    expect(rec!.stopLayer).toBe(L.LAYER_NONE);
  });

  it("decodes every option kind the classifier needs", async () => {
    const { rec } = await one({
      options: [
        { kind: "mss", value: 1460 }, { kind: "sackPermitted" }, { kind: "timestamps", value: 123456, echo: 654321 },
        { kind: "nop" }, { kind: "wscale", shift: 7 }, { kind: "mptcp", data: new Uint8Array([0x00, 0x81]) },
        { kind: "tfo", cookie: new Uint8Array(8) },
      ],
    });
    expect(rec).toMatchObject({ mss: 1460, windowScale: 7, tsVal: 123456, tsEcr: 654321, tfoCookieLen: 8 });
    const want = L.OPT_MSS | L.OPT_SACK_PERMITTED | L.OPT_TIMESTAMPS | L.OPT_WSCALE | L.OPT_MPTCP | L.OPT_TFO;
    expect(rec!.options).toBe(want);
  });

  it("counts SACK blocks and reads a TFO cookie request and the experimental TFO form", async () => {
    const sack = await one({ flags: F.ACK, options: [{ kind: "nop" }, { kind: "nop" }, { kind: "sack", blocks: [[1, 2], [3, 4], [5, 6]] }] });
    expect(sack.rec!.sackBlocks).toBe(3);
    expect(sack.rec!.options).toBe(L.OPT_SACK);
    const request = await one({ options: [{ kind: "tfo", cookie: new Uint8Array(0) }] });
    expect(request.rec!.tfoCookieLen).toBe(0);
    expect(request.rec!.options & L.OPT_TFO).toBeTruthy();
    const experimental = await one({ options: [{ kind: "tfoExperimental", cookie: new Uint8Array(8) }] });
    expect(experimental.rec!.options).toBe(L.OPT_TFO | L.OPT_TFO_EXPERIMENTAL);
    expect(experimental.rec!.tfoCookieLen).toBe(8);
  });

  it("stops at a malformed option but keeps the header", async () => {
    const { rec } = await one({ options: [{ kind: "mss", value: 1400 }, { kind: "raw", bytes: new Uint8Array([20, 1, 0, 0]) }] });
    expect(rec!.mss).toBe(1400);
    expect(rec!.options & L.OPT_MALFORMED).toBeTruthy();
    expect(rec!.stopLayer).toBe(L.LAYER_TCP_OPTIONS);
    expect(rec!.stopReason).toBe(L.STOP_INVALID);
  });

  it("marks options cut by the snapshot length as truncated", async () => {
    const { rec } = await one({ options: [{ kind: "mss", value: 1400 }, { kind: "timestamps", value: 1, echo: 2 }] }, { cut: 14 + 20 + 20 + 6 });
    expect(rec!.mss).toBe(1400);
    expect(rec!.tsVal).toBeNull();
    expect(rec!.stopLayer).toBe(L.LAYER_TCP_OPTIONS);
    expect(rec!.stopReason).toBe(L.STOP_TRUNCATED);
  });

  it("flags a data offset below 5 as invalid without trusting the payload length", async () => {
    const { rec } = await one({ dataOffsetWords: 3, payload: 10 });
    expect(rec!.stopLayer).toBe(L.LAYER_TCP);
    expect(rec!.stopReason).toBe(L.STOP_INVALID);
    expect(rec!.payloadLen).toBe(0);
    expect(rec!.flags).toBe(F.SYN);
  });

  it("keeps a header cut after the flags, and counts one cut before them", async () => {
    const cutAfterFlags = await one({ flags: F.SYN | F.ACK }, { cut: 14 + 20 + 14 });
    expect(cutAfterFlags.rec!.flags).toBe(F.SYN | F.ACK);
    expect(cutAfterFlags.rec!.stopLayer).toBe(L.LAYER_TCP);
    expect(cutAfterFlags.rec!.stopReason).toBe(L.STOP_TRUNCATED);
    const cutBefore = await one({}, { cut: 14 + 20 + 10 });
    expect(cutBefore.records).toHaveLength(0);
    expect(cutBefore.summary.stats.tcpUnreadable).toBe(1);
  });

  describe("checksum verification", () => {
    it("is off by default", async () => {
      const { rec, summary } = await one({ badChecksum: true });
      expect(rec!.packetFlags & (L.PKT_CHECKSUM_BAD | L.PKT_CHECKSUM_GOOD)).toBe(0);
      expect(summary.stats.badChecksum).toBe(0);
    });

    it("flags good and bad TCP checksums over IPv4 and IPv6", async () => {
      for (const v6 of [false, true]) {
        const good = await one({ v6, payload: 33 }, { verifyChecksums: true });
        expect(good.rec!.packetFlags & L.PKT_CHECKSUM_GOOD).toBeTruthy();
        const bad = await one({ v6, payload: 33, badChecksum: true }, { verifyChecksums: true });
        expect(bad.rec!.packetFlags & L.PKT_CHECKSUM_BAD).toBeTruthy();
        expect(bad.summary.stats.badChecksum).toBe(1);
      }
    });

    it("flags a bad IPv4 header checksum, and says when the segment was not all captured", async () => {
      const badHeader = await one({ ip4: { badHeaderChecksum: true } }, { verifyChecksums: true });
      expect(badHeader.rec!.packetFlags & L.PKT_CHECKSUM_BAD).toBeTruthy();
      const cut = await one({ payload: 100 }, { verifyChecksums: true, cut: 80 });
      expect(cut.rec!.packetFlags & L.PKT_CHECKSUM_UNVERIFIABLE).toBeTruthy();
    });
  });

  it("decodes a segment whose header is followed by Ethernet padding", async () => {
    const ip = tcpIp({ flags: F.ACK });
    const frame = concat(ethernet(ip), new Uint8Array(6));
    const { records } = await decodeAll(writePcap([{ data: frame }]), { verifyChecksums: true });
    expect(records[0]!.payloadLen).toBe(0);
    expect(records[0]!.packetFlags & L.PKT_CHECKSUM_GOOD).toBeTruthy();
  });
});
