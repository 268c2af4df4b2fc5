import { describe, it, expect } from "vitest";
import { tcpIp, ethernet, sll, F } from "../../helpers/packets.js";
import { writePcapng, type InterfaceSpec, type SectionSpec } from "../../helpers/capture-writer.js";
import { decodeAll } from "../../helpers/decode.js";

const frame = (sport: number) => ethernet(tcpIp({ sport, flags: F.ACK }));

describe("pcapng", () => {
  for (const bigEndian of [false, true]) {
    it(`reads a ${bigEndian ? "big" : "little"}-endian section with Enhanced Packet Blocks`, async () => {
      const { records, summary } = await decodeAll(writePcapng([{
        bigEndian,
        blocks: [{ type: "epb", frame: { data: frame(1), sec: 1700000000, nsec: 123456000 } }, { type: "epb", frame: { data: frame(2), sec: 1700000001 } }],
      }]));
      expect(records.map((r) => [r.srcPort, r.tsSec, r.tsNsec])).toEqual([[1, 1700000000, 123456000], [2, 1700000001, 0]]);
      expect(summary.container).toBe("pcapng");
      expect(summary.sections).toEqual([{ offset: 0, byteOrder: bigEndian ? "big" : "little", version: "1.0" }]);
    });
  }

  it("fine if_tsresol (2^-35 .. 2^-63, 10^-10 .. 10^-19): the exact fraction, never carried into a 10th digit", async () => {
    // Each interface's finest value under a whole second and a few others: nanoseconds are
    // floor(fraction * 10^9 / units), computed here with BigInt from the ticks the writer stored.
    const resolutions = [...Array.from({ length: 29 }, (_, k) => 0x80 | (35 + k)), ...Array.from({ length: 10 }, (_, k) => 10 + k)];
    const offset = 1_700_000_000;
    const blocks = resolutions.flatMap((_, iface) => [999_999_999, 999_999_998, 500_000_000, 1].map((nsec) => ({
      type: "epb" as const, iface, frame: { data: frame(iface), sec: offset + (resolutions[iface] === 19 ? 0 : 1), nsec },
    })));
    const { records, summary } = await decodeAll(writePcapng([{ interfaces: resolutions.map((tsresol) => ({ tsresol, tsoffset: offset })), blocks }]));
    expect(summary.error).toBeNull();
    expect(records).toHaveLength(blocks.length);
    records.forEach((r, k) => {
      const r8 = resolutions[r.interfaceId]!;
      const units = r8 & 0x80 ? 1n << BigInt(r8 & 0x7f) : 10n ** BigInt(r8);
      const whole = BigInt(blocks[k]!.frame.sec - offset);
      const ticks = whole * units + (BigInt(blocks[k]!.frame.nsec) * units) / 1_000_000_000n;
      expect([r.tsSec, r.tsNsec], `if_tsresol ${r8.toString(16)}`).toEqual([offset + Number(whole), Number(((ticks % units) * 1_000_000_000n) / units)]);
      expect(r.tsNsec).toBeLessThan(1e9);
    });
  });

  it("reads sections of up to 65 536 interfaces; one more is an error at its block", async () => {
    const many = Array.from({ length: 65536 }, (_, k) => ({ linkType: k % 7 === 0 ? 101 : 1 }));
    const last = 65535;
    const ok = await decodeAll(writePcapng([{
      interfaces: many,
      blocks: [{ type: "epb", iface: 1500, frame: { data: frame(1), sec: 1700000000 } }, { type: "epb", iface: last, frame: { data: frame(2), sec: 1700000001 } }],
    }]));
    expect(ok.summary.error).toBeNull();
    expect(ok.summary.interfaces).toHaveLength(1000); // the first 1 000 described, all counted
    expect(ok.summary.interfaceCount).toBe(65536);
    expect(ok.records.map((r) => r.interfaceId)).toEqual([1500, last]);
    const tooMany = await decodeAll(writePcapng([{ interfaces: [...many, {}], blocks: [] }]));
    expect(tooMany.summary.error).toMatchObject({ code: "pcapng.too_many_interfaces", message: "more than 65536 interfaces in one section" });
    expect(tooMany.summary.error!.offset).toBe(28 + 65536 * 20); // the 65 537th interface block
  });

  it("applies if_tsresol (powers of 10 and of 2) and if_tsoffset per interface", async () => {
    const { records, summary } = await decodeAll(writePcapng([{
      interfaces: [{ tsresol: 9 }, { tsresol: 0x88 }, { tsresol: 3, tsoffset: 1600000000 }, {}],
      blocks: [
        { type: "epb", iface: 0, frame: { data: frame(0), sec: 1700000000, nsec: 999999999 } },
        { type: "epb", iface: 1, frame: { data: frame(1), sec: 1700000000, nsec: 500000000 } },
        { type: "epb", iface: 2, frame: { data: frame(2), sec: 1700000000, nsec: 250000000 } },
        { type: "epb", iface: 3, frame: { data: frame(3), sec: 1700000000, nsec: 7000 } },
      ],
    }]));
    expect(records.map((r) => [r.interfaceId, r.tsSec, r.tsNsec])).toEqual([
      [0, 1700000000, 999999999], [1, 1700000000, 500000000], [2, 1700000000, 250000000], [3, 1700000000, 7000],
    ]);
    expect(summary.interfaces.map((i) => [i.tsUnitsPerSec, i.tsOffsetSec])).toEqual([[1e9, 0], [256, 0], [1000, 1600000000], [1e6, 0]]);
  });

  it("reads a 64-bit timestamp count of 2^63 or more unsigned, as Wireshark does, with one warning at its first block", async () => {
    // 2^63 microseconds is 9223372036854.775808 s, 2^63 nanoseconds 9223372036.854775808 s.
    const stamps: [number, number, number][] = [
      [0, 9223372036854, 775807000], // 2^63 - 1 ticks: no warning
      [0, 9223372036854, 775808000], // 2^63
      [1, 9223372036, 854775808], //    2^63 nanoseconds
      [0, 18446744073709, 551615000], // 2^64 - 1
    ];
    const blocks = stamps.map(([iface, sec, nsec], k) => ({ type: "epb" as const, iface, frame: { data: frame(k), sec, nsec } }));
    const bytes = writePcapng([{ interfaces: [{}, { tsresol: 9 }], blocks }]);
    const { records, summary } = await decodeAll(bytes);
    expect(records.map((r) => [r.interfaceId, r.tsSec, r.tsNsec])).toEqual(stamps);
    // Section header 28 bytes, interface blocks 20 and 32 (with if_tsresol), then the first packet.
    const epbLen = 32 + Math.ceil(frame(0).length / 4) * 4;
    expect(summary.warnings).toEqual([{
      code: "pcapng.timestamp_top_bit_set", count: 3, offset: 28 + 20 + 32 + epbLen, packet: 2,
      message: "timestamp of 9223372036854 s has the top bit of its 64-bit count set (before 1970 if read signed); read unsigned, as Wireshark does",
    }, {
      // 2^63 ns lies 2^63 us - 2^63 ns before the first packet, 2^64 - 1 us farther after it: the
      // farthest is said (float seconds hold ~2 ms there), at the first far one's block.
      code: "capture.timestamp_far_from_first", count: 2, offset: 28 + 20 + 32 + 2 * epbLen, packet: 3,
      message: "timestamps up to 106751991.2 days after the first packet's: times this far from it are kept to ~2.0 ms, " +
        "so durations and round trips of connections there may be off by that much (handshake round trips are given to 0.1 us there)",
    }]);
  });

  it("reads interfaces of different link types, Simple and obsolete Packet Blocks, and skips unknown blocks", async () => {
    const { records, summary } = await decodeAll(writePcapng([{
      interfaces: [{ linkType: 1 }, { linkType: 113 }],
      blocks: [
        { type: "unknown", blockType: 4, body: new Uint8Array(10) }, // name resolution
        { type: "epb", iface: 1, frame: { data: sll(tcpIp({ sport: 11 })), sec: 5 } },
        { type: "spb", frame: { data: frame(12) } },
        { type: "pb", iface: 0, frame: { data: frame(13), sec: 7 } },
        { type: "unknown", blockType: 0x40000bad, body: new Uint8Array(3) }, // custom
        { type: "epb", iface: 0, frame: { data: frame(14), sec: 8 } },
      ],
    }]));
    expect(records.map((r) => [r.srcPort, r.linkType, r.tsSec])).toEqual([[11, 113, 5], [12, 1, 5], [13, 1, 7], [14, 1, 8]]);
    expect(summary.interfaces.map((i) => i.linkTypeName)).toEqual(["ETHERNET", "LINUX_SLL"]);
  });

  it("reads several sections of different byte orders, each with its own interfaces", async () => {
    const sections: SectionSpec[] = [
      { interfaces: [{ linkType: 113 }], blocks: [{ type: "epb", frame: { data: sll(tcpIp({ sport: 1 })) } }] },
      { bigEndian: true, interfaces: [{ linkType: 1 }, { linkType: 101 }], blocks: [{ type: "epb", iface: 1, frame: { data: tcpIp({ sport: 2 }) } }] },
      { interfaces: [{ linkType: 1 }], blocks: [{ type: "epb", frame: { data: frame(3) } }] },
    ];
    const { records, summary } = await decodeAll(writePcapng(sections));
    expect(records.map((r) => [r.srcPort, r.linkType])).toEqual([[1, 113], [2, 101], [3, 1]]);
    expect(summary.sections.map((s) => s.byteOrder)).toEqual(["little", "big", "little"]);
    expect(summary.interfaces.map((i) => [i.section, i.id])).toEqual([[0, 0], [1, 0], [1, 1], [2, 0]]);
  });

  it("keeps snaplen-truncated packets with their original length", async () => {
    const f = ethernet(tcpIp({ flags: F.ACK, payload: 500 }));
    const { records } = await decodeAll(writePcapng([{ blocks: [{ type: "epb", frame: { data: f.subarray(0, 60), origLen: f.length } }] }]));
    expect(records[0]).toMatchObject({ capLen: 60, origLen: f.length, payloadLen: 500 });
  });

  describe("damaged files", () => {
    const good = writePcapng([{ blocks: [1, 2, 3].map((p) => ({ type: "epb" as const, frame: { data: frame(p) } })) }]);
    const shbLen = 28, idbLen = 20, epbLen = 32 + Math.ceil(frame(1).length / 4) * 4;
    const epb = (k: number) => shbLen + idbLen + k * epbLen;
    const patch = (offset: number, value: number) => {
      const b = good.slice();
      new DataView(b.buffer).setUint32(offset, value, true);
      return b;
    };

    it("stops at an unknown interface id, keeping what came before", async () => {
      const { records, summary } = await decodeAll(patch(epb(1) + 8, 5));
      expect(records).toHaveLength(1);
      expect(summary.error).toMatchObject({ code: "pcapng.unknown_interface", offset: epb(1), packet: 2 });
    });

    it("stops at a block length that is not a multiple of 4 or whose trailer differs", async () => {
      const unaligned = await decodeAll(patch(epb(2) + 4, epbLen + 1));
      expect(unaligned.records).toHaveLength(2);
      expect(unaligned.summary.error).toMatchObject({ code: "pcapng.block_length_invalid", offset: epb(2) });
      // Either length may be the damaged one: the error names the block's start, where the first is.
      const trailer = await decodeAll(patch(epb(1) + epbLen - 4, epbLen + 4));
      expect(trailer.records).toHaveLength(1);
      expect(trailer.summary.error).toMatchObject({ code: "pcapng.block_trailer_mismatch", offset: epb(1), packet: 2 });
      const grown = await decodeAll(patch(epb(1) + 4, epbLen + 8));
      expect(grown.summary.error).toMatchObject({ code: "pcapng.block_trailer_mismatch", offset: epb(1), packet: 2 });
      expect(grown.summary.error!.message).toBe(`the length at the end of the pcapng block starting here (${epbLen}) differs from the one at its start`);
    });

    // The options of the one interface below start at byte 44: the section header's 28 bytes, then
    // the interface block's type, length, link type, reserved and snaplen.
    const OPTIONS_AT = 28 + 16;
    const withInterface = (spec: InterfaceSpec, patchAt: number, u16: number) => {
      const b = writePcapng([{ interfaces: [spec], blocks: [{ type: "epb", frame: { data: frame(1), sec: 1700000000, nsec: 5000 } }] }]);
      new DataView(b.buffer, b.byteOffset).setUint16(patchAt, u16, true);
      return b;
    };

    it("stops at an interface option that runs past its block (the options after it, if_tsresol among them, would go unread)", async () => {
      const { records, summary } = await decodeAll(withInterface({ tsresol: 9, text: [[2, "eth0"]] }, OPTIONS_AT + 8 + 2, 0x7fff));
      expect(records).toHaveLength(0);
      expect(summary.error).toMatchObject({
        code: "pcapng.option_length_invalid", offset: OPTIONS_AT + 8, packet: 1, // if_name, after if_tsresol's 8 bytes
        message: "interface option of 32767 bytes runs past the end of its block",
      });
    });

    it("warns of a section header option that runs past its block, shows those before it and reads on", async () => {
      // shb_hardware (2) then shb_os (3): the section header's options start at byte 24.
      const text: [number, string][] = [[2, "x86"], [3, "Linux"]];
      const b = writePcapng([{ text, blocks: [{ type: "epb", frame: { data: frame(1), sec: 1700000000, nsec: 5000 } }] }]);
      new DataView(b.buffer, b.byteOffset).setUint16(24 + 8 + 2, 0x7fff, true); // shb_os's length
      const { records, summary } = await decodeAll(b);
      expect(records).toHaveLength(1);
      expect(summary.error).toBeNull();
      expect(summary.sections[0]).toMatchObject({ hardware: "x86" });
      expect(summary.sections[0]!.os).toBeUndefined();
      expect(summary.warnings).toEqual([expect.objectContaining({
        code: "pcapng.section_option_length_invalid", offset: 24 + 8, count: 1,
        message: "section header option of 32767 bytes runs past the end of its block: the section's options from there are not read (no packet depends on them)",
      })]);
      const whole = await decodeAll(writePcapng([{ text, blocks: [] }]));
      expect(whole.summary.warnings).toEqual([]);
      expect(whole.summary.sections[0]).toMatchObject({ hardware: "x86", os: "Linux" });
    });

    it("says an if_tsresol, if_tsoffset or if_fcslen too short for its value, and ignores it", async () => {
      const resol = await decodeAll(withInterface({ tsresol: 9 }, OPTIONS_AT + 2, 0));
      expect(resol.summary.error).toBeNull();
      expect(resol.records.map((r) => [r.tsSec, r.tsNsec])).toEqual([[1700000000000, 5000000]]); // nanosecond ticks read as microseconds
      expect(resol.summary.warnings.find((w) => w.code === "pcapng.option_too_short")).toMatchObject({
        offset: OPTIONS_AT, message: "if_tsresol of 0 bytes, shorter than its 1-byte value: ignored",
      });
      const offset = await decodeAll(withInterface({ tsoffset: 1000 }, OPTIONS_AT + 2, 4));
      expect(offset.summary.error).toBeNull();
      expect(offset.records.map((r) => r.tsSec)).toEqual([1700000000 - 1000]);
      expect(offset.summary.warnings.map((w) => [w.code, w.message])).toEqual([["pcapng.option_too_short", "if_tsoffset of 4 bytes, shorter than its 8-byte value: ignored"]]);
    });

    it("stops at a packet longer than its block and at a cut block", async () => {
      const tooLong = await decodeAll(patch(epb(0) + 20, 65536));
      expect(tooLong.records).toHaveLength(0);
      expect(tooLong.summary.error?.code).toBe("pcapng.packet_length_invalid");
      const cut = await decodeAll(good.subarray(0, epb(2) + 20));
      expect(cut.records).toHaveLength(2);
      expect(cut.summary.error).toMatchObject({ code: "capture.truncated_record", offset: epb(2), packet: 3 });
    });

    it("refuses section versions libpcap refuses, and a bad byte-order magic", async () => {
      for (const [major, minor] of [[0, 1], [1, 1], [2, 0]] as const) {
        const { summary } = await decodeAll(writePcapng([{ versionMajor: major, versionMinor: minor, blocks: [] }]));
        expect(summary.error).toMatchObject({ code: "capture.unsupported_version", offset: 12 });
      }
      expect((await decodeAll(writePcapng([{ versionMinor: 2, blocks: [] }]))).summary.error).toBeNull();
      const { summary } = await decodeAll(patch(8, 0x11223344));
      expect(summary.error?.code).toBe("pcapng.bad_byte_order_magic");
    });

    it("keeps the first section when a later one has an unsupported version", async () => {
      const bytes = writePcapng([
        { blocks: [{ type: "epb", frame: { data: frame(1) } }] },
        { versionMajor: 2, blocks: [{ type: "epb", frame: { data: frame(2) } }] },
      ]);
      const { records, summary } = await decodeAll(bytes);
      expect(records).toHaveLength(1);
      expect(summary.error).toMatchObject({ code: "capture.unsupported_version", packet: 2 });
    });
  });

  it("numbers frames as Wireshark: journal entries, custom blocks and Sysdig events take a frame number, other blocks none", async () => {
    // tshark 4.0 lists the first four below as frames 1-4 (checked by hand), so the SYN is its frame 5.
    const body = new Uint8Array([0x69, 0x7e, 0, 0, 1, 2, 3, 4]); // a custom block's PEN (32361), then data
    const numbered = [0x00000bad, 0x40000bad, 9, 0x204, 0x208, 0x216, 0x217, 0x221, 0x222];
    const skipped = [4, 5, 0xa, 0x80000001, 0x1234];
    const blocks = [...numbered, ...skipped].map((blockType) => ({ type: "unknown" as const, blockType, body }));
    const { records, summary } = await decodeAll(writePcapng([{ blocks: [...blocks, { type: "epb", frame: { data: frame(7) } }] }]));
    expect(summary.error).toBeNull();
    expect(records.map((r) => [r.srcPort, r.packetIndex])).toEqual([[7, numbered.length]]);
    // capinfos counts the packet only; the frame numbers count the others too.
    expect([summary.stats.packets, summary.stats.nonPacketFrames, summary.stats.nonIp]).toEqual([1, numbered.length, 0]);
  });

  it("reads if_fcslen in bytes (0, 2, 4) or bits (16, 32); any other value removes nothing, with a warning", async () => {
    const withFcs = new Uint8Array([...frame(9), 0xde, 0xad, 0xbe, 0xef]);
    for (const [fcslen, bytes] of [[0, 0], [2, 2], [4, 4], [16, 2], [32, 4], [7, 0], [64, 0]] as const) {
      const { records, summary } = await decodeAll(writePcapng([{ interfaces: [{ fcslen }], blocks: [{ type: "epb", frame: { data: withFcs } }] }]));
      expect(records.map((r) => r.srcPort), `if_fcslen ${fcslen}`).toEqual([9]);
      expect(summary.interfaces[0]!.fcsBytes).toBe(bytes);
      const warned = summary.warnings.filter((w) => w.code === "pcapng.fcslen_unknown");
      expect(warned.map((w) => w.message)).toEqual(bytes === 0 && fcslen !== 0 ? [`if_fcslen ${fcslen} is no frame check sequence's length (0, 2 or 4 bytes; 16 or 32 bits): frames are read whole`] : []);
    }
  });

  it("describes the first 1 000 sections and interfaces and counts them all; option texts and comments kept short", async () => {
    const long = "x".repeat(5000);
    const sections: SectionSpec[] = Array.from({ length: 2500 }, (_, k) => ({
      bigEndian: k % 2 === 1,
      text: k === 0 ? [[2, long], ...Array.from({ length: 20 }, (_, c): [number, string] => [1, `comment ${c}`])] : [],
      interfaces: [{ linkType: 1 }],
      blocks: k === 2499 ? [{ type: "epb" as const, frame: { data: frame(5) } }] : [],
    }));
    const { records, summary } = await decodeAll(writePcapng(sections));
    expect(summary.error).toBeNull();
    expect(records.map((r) => r.srcPort)).toEqual([5]);
    expect([summary.sections.length, summary.sectionCount, summary.interfaces.length, summary.interfaceCount]).toEqual([1000, 2500, 1000, 2500]);
    expect(summary.sections[0]!.hardware).toBe(`${"x".repeat(1024)}… (5000 bytes)`);
    expect(summary.sections[0]!.comments).toEqual(Array.from({ length: 16 }, (_, c) => `comment ${c}`));
    expect(summary.sections[999]!.byteOrder).toBe("big");
  });
  it("says when whole seconds, or the parts they are added from, reach 2^53 (if_tsoffset, if_tsresol 0), where a double rounds them", async () => {
    for (const tsoffset of [2 ** 62, -(2 ** 62)]) {
      const { records, summary } = await decodeAll(writePcapng([{ interfaces: [{ tsoffset }], blocks: [1, 2].map((k) => ({ type: "epb" as const, frame: { data: frame(k), sec: tsoffset } })) }]));
      expect(records).toHaveLength(2);
      expect(summary.warnings.map((w) => [w.code, w.count, w.message])).toEqual([[
        "pcapng.timestamp_not_exact", 2, `timestamp of ${tsoffset} s: its tick count's seconds or if_tsoffset reach 2^53, where a 64-bit float rounds whole seconds, so these are rounded`,
      ]]);
    }
    // Parts that cancel out: one tick a second (if_tsresol 0), 2^62 + 5 of them and an offset of
    // -2^62: 5 s after 1970 in truth, but each part is rounded before they are added.
    const ticks = 2n ** 62n + 5n;
    const cancel = writePcapng([{ interfaces: [{ tsresol: 0, tsoffset: -(2 ** 62) }], blocks: [{ type: "epb", frame: { data: frame(1), sec: Number(ticks) - 2 ** 62 } }] }]);
    expect((await decodeAll(cancel)).summary.warnings.map((w) => w.code)).toEqual(["pcapng.timestamp_not_exact"]);
    const near = await decodeAll(writePcapng([{ interfaces: [{ tsoffset: 2 ** 52 }], blocks: [{ type: "epb", frame: { data: frame(1), sec: 2 ** 52 } }] }]));
    expect(near.summary.warnings).toEqual([]);
  });

  it("says a Simple Packet Block before any timed packet: it has no time and is taken as at 0 s", async () => {
    const { records, summary } = await decodeAll(writePcapng([{
      blocks: [{ type: "spb", frame: { data: frame(1) } }, { type: "epb", frame: { data: frame(2), sec: 5 } }, { type: "spb", frame: { data: frame(3) } }],
    }]));
    expect(records.map((r) => [r.srcPort, r.tsSec])).toEqual([[1, 0], [2, 5], [3, 5]]);
    expect(summary.warnings.map((w) => [w.code, w.count, w.offset, w.packet])).toEqual([["pcapng.simple_packet_untimed", 1, 28 + 20, 1]]);
  });
});
