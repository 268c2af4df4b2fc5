import { describe, it, expect } from "vitest";
import { tcpIp, ethernet, concat, F } from "../../helpers/packets.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { decodeAll } from "../../helpers/decode.js";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { scan, type TcpPacketRecord } from "../../../sdk/index.js";

const frame = (sport: number) => ethernet(tcpIp({ sport, flags: F.ACK }));

describe("pcap", () => {
  for (const bigEndian of [false, true]) {
    for (const nanosecond of [false, true]) {
      it(`${bigEndian ? "big" : "little"}-endian ${nanosecond ? "nanosecond" : "microsecond"} files`, async () => {
        const bytes = writePcap([
          { data: frame(1), sec: 1591780863, nsec: 720289123 },
          { data: frame(2), sec: 1591780864, nsec: 5000 },
        ], { bigEndian, nanosecond, snaplen: 65535 });
        const { records, summary } = await decodeAll(bytes);
        const micro = (ns: number) => (nanosecond ? ns : Math.floor(ns / 1000) * 1000);
        expect(records.map((r) => [r.srcPort, r.tsSec, r.tsNsec])).toEqual([[1, 1591780863, micro(720289123)], [2, 1591780864, micro(5000)]]);
        expect(summary.container).toBe("pcap");
        expect(summary.sections).toEqual([{ offset: 0, byteOrder: bigEndian ? "big" : "little", version: "2.4" }]);
        expect(summary.interfaces[0]).toMatchObject({ linkType: 1, snaplen: 65535, tsUnitsPerSec: nanosecond ? 1e9 : 1e6 });
        expect(summary.stats).toMatchObject({ packets: 2, tcp: 2, firstTimestamp: { sec: 1591780863, nsec: micro(720289123) } });
        expect(records.map((r) => r.fileOffset)).toEqual([24, 24 + 16 + frame(1).length]);
        expect(records.map((r) => r.packetIndex)).toEqual([0, 1]);
      });
    }
  }

  for (const bigEndian of [false, true]) {
    it(`${bigEndian ? "big" : "little"}-endian modified files (Kuznetsov's tcpdump: 24-byte record headers): the same packets`, async () => {
      const frames = [
        { data: frame(1), sec: 1591780863, nsec: 720289000 },
        { data: ethernet(tcpIp({ sport: 2, flags: F.SYN, payload: 3 })), sec: 1591780864, nsec: 5000 },
        { data: frame(3).subarray(0, 40), origLen: frame(3).length, sec: 1591780865, nsec: 0 },
      ];
      const plain = await decodeAll(writePcap(frames, { bigEndian, snaplen: 65535 }));
      const modified = await decodeAll(writePcap(frames, { bigEndian, snaplen: 65535, modified: true }));
      const strip = (r: TcpPacketRecord) => ({ ...r, fileOffset: 0 });
      expect(modified.records.map(strip)).toEqual(plain.records.map(strip));
      expect(modified.records.map((r) => r.fileOffset)).toEqual([24, 24 + 24 + frame(1).length]); // (the third's TCP header is cut)
      expect(modified.summary.stats).toEqual(plain.summary.stats);
      expect(modified.summary.container).toBe("pcap");
      expect(modified.summary.sections).toEqual([{ offset: 0, byteOrder: bigEndian ? "big" : "little", version: "2.4" }]);
      expect(modified.summary.stats).toMatchObject({ packets: 3, truncated: 1 });
      expect(modified.summary.error).toBeNull();
      // Cut inside a record's header (past the 16 bytes of a plain one): the header is cut short.
      const bytes = writePcap(frames, { bigEndian, modified: true });
      const cut = await decodeAll(bytes.subarray(0, 24 + 20));
      expect(cut.summary.error).toMatchObject({ code: "capture.truncated_record_header", offset: 24 });
    });
  }

  it("the sample capture rewritten as a modified file: the same connections (tshark 4 reads both alike, 71 frames)", async () => {
    const plain = readFileSync(fileURLToPath(new URL("../../../examples/sample.pcap", import.meta.url)));
    const parts: Uint8Array[] = [Uint8Array.of(0x34, 0xcd, 0xb2, 0xa1), plain.subarray(4, 24)];
    for (let at = 24; at + 16 <= plain.length;) {
      const length = plain.readUInt32LE(at + 8);
      parts.push(plain.subarray(at, at + 16), Uint8Array.of(2, 0, 0, 0, 0x08, 0x00, 0, 0), plain.subarray(at + 16, at + 16 + length));
      at += 16 + length;
    }
    const modified = Buffer.concat(parts);
    const [a, b] = [await scan(plain), await scan(modified)];
    expect(JSON.stringify(b.connections)).toBe(JSON.stringify(a.connections));
    expect(b.captures[0]!.stats).toMatchObject({ packets: 71, tcp: 71 });
  });

  it("reports snaplen-truncated records and keeps their true lengths", async () => {
    const f = ethernet(tcpIp({ flags: F.ACK, payload: 1000 }));
    const { records, summary } = await decodeAll(writePcap([{ data: f.subarray(0, 96), origLen: f.length }], { snaplen: 96 }));
    expect(records[0]).toMatchObject({ capLen: 96, origLen: f.length, payloadLen: 1000 });
    expect(summary.stats.truncated).toBe(1);
  });

  it("reads an original length up to 2^32 - 1 as the wire's end: never wrapped below the IP length", async () => {
    // frame + origLen once wrapped 32 bits, and an IP length inside the frame seemed past the wire.
    for (const origLen of [0xfc000000, 0xff000000, 0xffffffff]) {
      const { records, summary } = await decodeAll(writePcap([{ data: frame(9), origLen }]));
      expect(records.map((r) => [r.srcPort, r.origLen]), `origLen ${origLen}`).toEqual([[9, origLen]]);
      expect(summary.stats.ipLenPastWire).toBe(0);
    }
  });

  it("swaps caplen and len in version 2.2 files, as libpcap does", async () => {
    const f = frame(9);
    const bytes = writePcap([{ data: f }], { versionMinor: 2 });
    // Write the record with (len, caplen) order by hand: the header is 24 bytes, lengths at 32.
    const v = new DataView(bytes.buffer);
    v.setUint32(24 + 8, f.length + 100, true);
    v.setUint32(24 + 12, f.length, true);
    const { records } = await decodeAll(bytes);
    expect(records[0]).toMatchObject({ capLen: f.length, origLen: f.length + 100 });
  });

  it("drops the frame check sequence that the link-type field announces", async () => {
    const f = concat(ethernet(tcpIp({ flags: F.ACK }), { pad: true }), new Uint8Array([1, 2, 3, 4]));
    const fcsField = 1 | 0x04000000 | (2 << 28); // FCS present, 2 x 16 bits
    const { records, summary } = await decodeAll(writePcap([{ data: f }], { linkField: fcsField }), { verifyChecksums: true });
    expect(records).toHaveLength(1);
    expect(summary.interfaces[0]!.fcsBytes).toBe(4);
  });

  it("carries an out-of-range timestamp fraction into the seconds, with a warning", async () => {
    const bytes = writePcap([{ data: frame(1), sec: 100 }], { nanosecond: true });
    new DataView(bytes.buffer).setUint32(24 + 4, 2147483648, true);
    const { records, summary } = await decodeAll(bytes);
    expect([records[0]!.tsSec, records[0]!.tsNsec]).toEqual([102, 147483648]);
    expect(summary.warnings[0]).toMatchObject({ code: "capture.timestamp_fraction_out_of_range", count: 1, offset: 24, packet: 1 });
  });

  describe("damaged files", () => {
    const good = writePcap([{ data: frame(1) }, { data: frame(2) }, { data: frame(3) }]);
    const recordLen = 16 + frame(1).length;

    it("refuses an empty input, a foreign magic and a cut file header", async () => {
      expect((await decodeAll(new Uint8Array(0))).summary.error).toMatchObject({ code: "capture.empty", offset: 0 });
      const elf = concat(new Uint8Array([0x7f, 0x45, 0x4c, 0x46]), new Uint8Array(40));
      expect((await decodeAll(elf)).summary.error).toMatchObject({ code: "capture.bad_magic", message: expect.stringContaining("0x7f454c46") });
      expect((await decodeAll(good.subarray(0, 20))).summary.error).toMatchObject({ code: "capture.truncated_file_header", offset: 0 });
    });

    it("refuses versions libpcap refuses and reserved link-type bits", async () => {
      expect((await decodeAll(writePcap([], { versionMajor: 1, versionMinor: 4 }))).summary.error?.code).toBe("capture.unsupported_version");
      expect((await decodeAll(writePcap([], { versionMinor: 5 }))).summary.error?.message).toContain("2.5");
      expect((await decodeAll(writePcap([], { linkField: 0x00300001 }))).summary.error).toMatchObject({ code: "pcap.linktype_reserved_bits", offset: 20 });
    });

    it("keeps every record before a cut record header or record body", async () => {
      const midHeader = await decodeAll(good.subarray(0, 24 + 2 * recordLen + 8));
      expect(midHeader.records).toHaveLength(2);
      expect(midHeader.summary.error).toMatchObject({ code: "capture.truncated_record_header", offset: 24 + 2 * recordLen, packet: 3 });
      const midBody = await decodeAll(good.subarray(0, good.length - 5));
      expect(midBody.records).toHaveLength(2);
      expect(midBody.summary.error).toMatchObject({ code: "capture.truncated_record", offset: 24 + 2 * recordLen, packet: 3 });
    });

    it("stops at an impossible record length without allocating for it", async () => {
      const bytes = good.slice();
      new DataView(bytes.buffer).setUint32(24 + recordLen + 8, 0xfe000000, true);
      const { records, summary } = await decodeAll(bytes);
      expect(records).toHaveLength(1);
      expect(summary.error).toMatchObject({ code: "capture.record_too_long", offset: 24 + recordLen, packet: 2 });
    });
  });
});
