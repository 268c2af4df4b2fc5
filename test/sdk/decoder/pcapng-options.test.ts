// pcapng text options reach the capture summary: the section's hardware, OS and application,
// each interface's name, description, filter and OS, in either byte order, across sections,
// and when blocks arrive in chunks of a few bytes.

import { describe, it, expect } from "vitest";
import { writePcapng } from "../../helpers/capture-writer.js";
import { decodeAll, chunked } from "../../helpers/decode.js";
import { Conversation } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";

const frames = new Conversation().c(F.SYN).s(F.SYN | F.ACK).c(F.ACK).frames;

function capture(bigEndian: boolean) {
  return writePcapng([
    {
      bigEndian,
      text: [[2, "x86_64 test rig"], [3, "Linux 6.1"], [4, "dumpcap (Wireshark) 4.0.17"], [1, "first section"]],
      interfaces: [{ text: [[2, "eth0"], [3, "uplink to the core"], [12, "Linux 6.1"]], filter: "tcp port 443" }, { linkType: 113 }],
      blocks: frames.map((frame) => ({ type: "epb" as const, frame })),
    },
    { bigEndian: !bigEndian, text: [[3, "FreeBSD 14"]], interfaces: [{ text: [[2, "em0"]] }], blocks: [] },
  ]);
}

describe("pcapng text options", () => {
  for (const bigEndian of [false, true]) {
    it(`reads section and interface options (${bigEndian ? "big" : "little"}-endian first section)`, async () => {
      const { summary, records } = await decodeAll(capture(bigEndian));
      expect(records).toHaveLength(3);
      expect(summary.sections.map(({ hardware, os, application, comments }) => ({ hardware, os, application, comments }))).toEqual([
        { hardware: "x86_64 test rig", os: "Linux 6.1", application: "dumpcap (Wireshark) 4.0.17", comments: ["first section"] },
        { hardware: undefined, os: "FreeBSD 14", application: undefined, comments: undefined },
      ]);
      expect(summary.interfaces.map(({ name, description, filter, os }) => ({ name, description, filter, os }))).toEqual([
        { name: "eth0", description: "uplink to the core", filter: "tcp port 443", os: "Linux 6.1" },
        { name: undefined, description: undefined, filter: undefined, os: undefined },
        { name: "em0", description: undefined, filter: undefined, os: undefined },
      ]);
    });
  }

  it("reads them when the input comes in chunks of a few bytes", async () => {
    const bytes = capture(false);
    const { summary } = await decodeAll(chunked(bytes, [3, 7, 1, 13]));
    expect(summary.sections[0]!.application).toBe("dumpcap (Wireshark) 4.0.17");
    expect(summary.interfaces[0]!.name).toBe("eth0");
    expect(summary.interfaces[2]!.name).toBe("em0");
  });

  it("has none for pcap, and says whether the input was gzip-compressed", async () => {
    const { gzipSync } = await import("node:zlib");
    const bytes = capture(false);
    expect((await decodeAll(bytes)).summary.compression).toBeNull();
    const gz = await decodeAll(gzipSync(bytes));
    expect(gz.summary.compression).toBe("gzip");
    expect(gz.summary.interfaces[0]!.name).toBe("eth0");
  });
});
