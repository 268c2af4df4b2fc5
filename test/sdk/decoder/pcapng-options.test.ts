// pcapng text options reach the capture summary: the section's hardware, OS and application,
// each interface's name, description, filter and OS, in either byte order, across sections,
// and when blocks arrive in chunks of a few bytes.

import { describe, it, expect, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CAPTURE_TEXT_CHARS } from "../../../sdk/decoder/pcapng-options.js";
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

// An Interface Description Block of `options` (code, value) pairs written by hand, little-endian:
// millions of them where the test helper's writer would take minutes.
function bigInterfaceBlock(head: [number, string][], empties: number, tail: [number, string][]): Uint8Array {
  const enc = (list: [number, string][]) => list.map(([code, value]) => {
    const bytes = Buffer.from(value);
    const o = Buffer.alloc(4 + ((bytes.length + 3) & ~3));
    o.writeUInt16LE(code, 0); o.writeUInt16LE(bytes.length, 2); bytes.copy(o, 4);
    return o;
  });
  const empty = Buffer.alloc(4 * empties);
  for (let k = 0; k < empties; k++) empty.writeUInt16LE(1, 4 * k); // an empty comment
  const body = Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 4, 0]), ...enc(head), empty, ...enc(tail), Buffer.alloc(4)]);
  const block = Buffer.alloc(12 + body.length);
  block.writeUInt32LE(1, 0); block.writeUInt32LE(block.length, 4); body.copy(block, 8); block.writeUInt32LE(block.length, block.length - 4);
  return block;
}

describe("pcapng text options: what is kept stays small whatever the file says", () => {
  const dir = mkdtempSync(join(tmpdir(), "ths-pcapng-options-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const CLI = fileURLToPath(new URL("../../../dist/cli/bin.cjs", import.meta.url));

  it.skipIf(!existsSync(CLI))("a block of millions of options: walked without keeping one object an option", () => {
    // ~16 MiB: 4 M empty comments between an interface's name and its OS (a 16 MB file, or a few
    // hundred kB gzipped, took 570 MB: a view of every option was kept until the block was read).
    const path = join(dir, "many-options.pcapng");
    const packets = writePcapng([{ blocks: frames.map((frame) => ({ type: "epb" as const, frame })) }]);
    writeFileSync(path, Buffer.concat([packets, bigInterfaceBlock([[2, "eth9"], [1, "a comment"]], 4_000_000, [[12, "Linux 6.1"]])]));
    // A heap of 64 MB: 4 M views (~80 bytes each) would not fit.
    const r = spawnSync(process.execPath, ["--max-old-space-size=64", CLI, "info", "--json", path], { encoding: "utf8", maxBuffer: 1 << 26 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout) as { interfaces: { name?: string; os?: string; comments?: string[] }[] };
    expect(info.interfaces[1]).toMatchObject({ name: "eth9", os: "Linux 6.1", comments: ["a comment"] });
  });

  it("a capture's option texts share one budget: past it, they are left out and counted", async () => {
    const name = (k: number) => `${String(k).padStart(4, "0")}${"n".repeat(996)}`; // 1 000 characters
    const count = Math.ceil(CAPTURE_TEXT_CHARS / 1000) + 20;
    const bytes = writePcapng([{ interfaces: Array.from({ length: count }, (_, k) => ({ text: [[2, name(k)], [1, "c"]] as [number, string][] })), blocks: [] }]);
    const { summary } = await decodeAll(bytes);
    expect(summary.interfaces).toHaveLength(count);
    // Each interface's name (1 000) and comment (1): the budget runs out within the 66th.
    const kept = Math.ceil(CAPTURE_TEXT_CHARS / 1001);
    expect(summary.interfaces.slice(0, kept).map((i) => i.name)).toEqual(Array.from({ length: kept }, (_, k) => name(k)));
    expect(summary.interfaces.slice(kept).every((i) => i.name === undefined && i.comments === undefined)).toBe(true);
    expect(summary.optionTextsNotKept).toBe(2 * count - 2 * kept + (summary.interfaces[kept - 1]!.comments ? 0 : 1));
    expect(summary.interfaces[kept]!.linkType).toBe(1); // the interface itself is listed
    if (existsSync(CLI)) {
      const path = join(dir, "long-texts.pcapng");
      writeFileSync(path, bytes);
      const info = spawnSync(process.execPath, [CLI, "info", path], { encoding: "utf8" });
      expect(info.stdout).toContain(`Option texts:         ${summary.optionTextsNotKept} not shown (a capture's are kept to 64 K characters)\n`);
    }
    // Each capture has its own budget: one read after it keeps its texts, and says nothing of it.
    const again = await decodeAll(capture(false));
    expect([again.summary.interfaces[0]!.name, again.summary.optionTextsNotKept]).toEqual(["eth0", undefined]);
  });
});
