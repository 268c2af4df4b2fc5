// Gzip input: every byte that inflates is decoded, whatever is wrong after it (a bad CRC or
// length in the trailer, trailing garbage, a cut), and the damage is reported with its code;
// concatenated members, zero padding and every optional header field read as gzip -d reads them.

import { describe, it, expect } from "vitest";
import { gzipSync, deflateRawSync, inflateRawSync, constants, crc32 } from "node:zlib";
import { generateCapture } from "../../../bench/generate.js";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writePcap } from "../../helpers/capture-writer.js";
import { tcpIp, ethernet, F } from "../../helpers/packets.js";
import { decodeAll, chunked } from "../../helpers/decode.js";
import { gunzip, crc32ByTable } from "../../../sdk/decoder/gzip.js";

function capture(count: number): Uint8Array {
  return writePcap(Array.from({ length: count }, (_, i) => ({
    data: ethernet(tcpIp({ sport: 2000 + i, flags: F.ACK, payload: (i * 53) % 900 })),
    sec: 1_700_000_000 + i,
  })));
}

const bytes = capture(200);
const gz = gzipSync(bytes);

/** The gzip bytes with the trailer's CRC (or length) damaged. */
function damaged(data: Uint8Array, field: "crc" | "length"): Uint8Array {
  const copy = new Uint8Array(data);
  copy[copy.length - (field === "crc" ? 8 : 4)]! ^= 0x5a;
  return copy;
}

/** A gzip member written by hand, with the optional header fields. */
function member(data: Uint8Array, fields: { extra?: Uint8Array; name?: string; comment?: string; hcrc?: boolean; badHcrc?: boolean }): Uint8Array {
  const flags = (fields.hcrc ? 2 : 0) | (fields.extra ? 4 : 0) | (fields.name ? 8 : 0) | (fields.comment ? 16 : 0);
  const parts: number[] = [0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3];
  if (fields.extra) parts.push(fields.extra.length & 255, fields.extra.length >> 8, ...fields.extra);
  if (fields.name) parts.push(...Buffer.from(fields.name), 0);
  if (fields.comment) parts.push(...Buffer.from(fields.comment), 0);
  if (fields.hcrc) {
    // The low 16 bits of the CRC-32 of the header before it (RFC 1952), checked as gzip 1.12 does.
    const check = (crc32(Uint8Array.from(parts)) & 0xffff) ^ (fields.badHcrc ? 0x5a5a : 0);
    parts.push(check & 255, check >> 8);
  }
  const trailer = new Uint8Array(8);
  new DataView(trailer.buffer).setUint32(0, crc32(data), true);
  new DataView(trailer.buffer).setUint32(4, data.length, true);
  return Buffer.concat([Buffer.from(parts), deflateRawSync(data), trailer]);
}

describe("gzip input", () => {
  it("reads one member, several concatenated, zero padding and every optional header field", async () => {
    const reference = await decodeAll(bytes);
    const cut = 7777; // members split the capture anywhere, even inside a record
    const inputs = [
      gz,
      Buffer.concat([gzipSync(bytes.subarray(0, cut)), gzipSync(bytes.subarray(cut))]),
      Buffer.concat([gz, new Uint8Array(1000)]),
      member(bytes, { extra: new Uint8Array(300).fill(7), name: "capture.pcap", comment: "a comment", hcrc: true }),
    ];
    for (const input of inputs) {
      for (const sizes of [[1 << 20], [1], [7, 3], [4096]]) {
        const r = await decodeAll(chunked(input, sizes));
        expect(r.summary.error, `${sizes}`).toBeNull();
        expect(r.records).toEqual(reference.records);
      }
    }
  });

  it("a bad CRC, a bad length or trailing garbage: every packet, then the error with its code", async () => {
    const reference = await decodeAll(bytes);
    const cases: [Uint8Array, string, RegExp][] = [
      [damaged(gz, "crc"), "gzip.bad_crc", /CRC-32 0x[0-9a-f]{8} but the data inflates to 0x[0-9a-f]{8}/],
      [damaged(gz, "length"), "gzip.bad_length", new RegExp(`length \\d+ but the data inflates to ${bytes.length} bytes`)],
      [Buffer.concat([gz, Buffer.from("garbage!")]), "gzip.trailing_garbage", new RegExp(`not gzip data .* at compressed byte ${gz.length}$`)],
      [Buffer.concat([gz, new Uint8Array(5), Buffer.from("x")]), "gzip.trailing_garbage", new RegExp(`other than zeros .* at compressed byte ${gz.length + 5}$`)],
    ];
    for (const [input, code, message] of cases) {
      for (const sizes of [[1 << 20], [1], [333]]) {
        const r = await decodeAll(chunked(input, sizes));
        expect(r.records, `${code} ${sizes}`).toEqual(reference.records);
        expect(r.summary.stats.packets).toBe(200);
        expect(r.summary.error).toMatchObject({ code, offset: bytes.length, packet: 201 }); // the frame number of the record not read
        expect(r.summary.error!.message).toMatch(message);
      }
    }
  });

  it("a large damaged file keeps its last inflated chunk", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-gzip-"));
    const path = join(dir, "big.pcap");
    generateCapture(path, { bytes: 3e6, seed: 3 });
    const plain = readFileSync(path);
    const reference = await decodeAll(plain);
    const r = await decodeAll(damaged(gzipSync(plain), "crc"));
    expect(r.summary.error?.code).toBe("gzip.bad_crc");
    expect(r.summary.stats).toEqual(reference.summary.stats);
    expect(r.records.length).toBe(reference.records.length);
  });

  it("damaged deflate data that inflates without complaint: the record it breaks is named, with what the trailer says", async () => {
    // Stored blocks (level 0): the capture's bytes as they are after the 10-byte header and a
    // 5-byte block header, so a flipped byte there inflates fine and only the CRC-32 tells.
    const stored = new Uint8Array(gzipSync(bytes, { level: 0 }));
    const record = 24 + 16 + (bytes[32]! | (bytes[33]! << 8)); // the second record's header
    stored[15 + record + 11]! ^= 0x40; // its captured length grows by 2^30
    const r = await decodeAll(stored);
    expect(r.records).toHaveLength(1);
    expect(r.summary.error).toMatchObject({ code: "gzip.bad_crc", offset: record, packet: 2 });
    expect(r.summary.error!.message).toMatch(/^impossible record length \d+, in data the gzip stream shows damaged: gzip trailer: CRC-32 0x[0-9a-f]{8} but the data inflates to 0x[0-9a-f]{8} \(corrupt data\), at compressed byte \d+$/);
    // The same bytes undamaged but for the record: the decoder's error alone.
    const plain = new Uint8Array(bytes);
    plain[record + 11]! ^= 0x40;
    expect((await decodeAll(plain)).summary.error).toMatchObject({ code: "capture.record_too_long", offset: record });
    // Gzipped intact, then cut, or followed by other bytes: that says nothing of the record.
    const intact = gzipSync(plain);
    expect((await decodeAll(intact.subarray(0, intact.length - 100))).summary.error).toMatchObject({ code: "capture.record_too_long", offset: record });
    expect((await decodeAll(Buffer.concat([intact, Buffer.from("trailing")]))).summary.error).toMatchObject({ code: "capture.record_too_long", offset: record });
    // No capture at all (its header unreadable): not inflated on to the trailer, the error as it was.
    const notCapture = damaged(gzipSync(Buffer.alloc(1 << 20, 7)), "crc");
    expect((await decodeAll(notCapture)).summary.error).toMatchObject({ code: "capture.bad_magic", offset: 0 });
  });

  it("a cut stream: what inflated, then gzip.truncated", async () => {
    for (const end of [5, 15, gz.length - 4, Math.floor(gz.length / 2)]) {
      const r = await decodeAll(gz.subarray(0, end));
      expect(r.summary.error?.code, String(end)).toBe("gzip.truncated");
    }
    expect((await decodeAll(gz.subarray(0, gz.length - 4))).summary.stats.packets).toBe(200);
  });

  it("deflate data ending exactly where the inflater's 16 KiB piece does, the trailer cut off: the trailer is named", async () => {
    // One stored block (5 bytes of header, then the bytes as they are) of exactly 16 384 bytes.
    const data = bytes.subarray(0, 16384 - 5);
    const block = Buffer.concat([Buffer.from([1, data.length & 255, data.length >> 8, ~data.length & 255, (~data.length >> 8) & 255]), data]);
    const noTrailer = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), block]);
    const r = await decodeAll(noTrailer);
    expect(r.summary.error).toMatchObject({ code: "gzip.truncated", message: "the gzip data is cut short in a member trailer at compressed byte 16394" });
    // One byte of the block less: in its deflate data.
    expect((await decodeAll(noTrailer.subarray(0, noTrailer.length - 1))).summary.error?.message).toBe("the gzip data is cut short in its deflate data (compressed byte 16393)");
  });

  it("a header with a reserved flag bit set is gzip.bad_header (RFC 1952), not read as deflate data", async () => {
    for (const bit of [0x20, 0x40, 0x80]) {
      const bad = new Uint8Array(gz);
      bad[3] = bad[3]! | bit;
      const r = await decodeAll(bad);
      expect(r.summary.error, `0x${bit.toString(16)}`).toMatchObject({ code: "gzip.bad_header" });
      expect(r.summary.error?.message).toContain("reserved flag bits set");
      expect(r.summary.stats.packets).toBe(0);
    }
  });

  it("a header whose own checksum (FHCRC) does not match is gzip.bad_header, as gzip says", async () => {
    const r = await decodeAll(member(bytes, { name: "capture.pcap", hcrc: true, badHcrc: true }));
    expect(r.summary.error).toMatchObject({ code: "gzip.bad_header" });
    expect(r.summary.error?.message).toMatch(/^gzip header checksum 0x[0-9a-f]{4}, but its bytes give 0x[0-9a-f]{4} \(a damaged header\), at compressed byte 0$/);
    expect(r.summary.stats.packets).toBe(0);
  });

  it("gunzip() on its own: corrupt deflate data is gzip.corrupt", async () => {
    const bad = new Uint8Array(gz);
    bad.fill(0xff, 10, 40);
    const out: Uint8Array[] = [];
    await expect((async () => { for await (const c of gunzip(chunked(bad, [64]))) out.push(c); })()).rejects.toMatchObject({ code: "gzip.corrupt" });
  });

  it("corrupt deflate data: every byte the compressed bytes before the damage inflate to comes first, then gzip.corrupt where inflating fails", async () => {
    // Node's inflater drops the output of the call that meets the damage (up to 16 KiB: a small
    // capture came out empty, its damage reported at compressed byte 0). The reference here is the
    // undamaged stream's own bytes: what its prefix up to the damage inflates to.
    const small = capture(20), large = capture(400);
    expect(small.length).toBeLessThan(16 << 10);
    let corrupt = 0;
    for (const plain of [small, large]) {
      const whole = gzipSync(plain);
      for (const at of [200, Math.floor(whole.length / 2)]) {
        const bad = new Uint8Array(whole);
        bad.fill(0xff, at, at + 16);
        const before = inflateRawSync(whole.subarray(10, at), { finishFlush: constants.Z_SYNC_FLUSH });
        const out: Uint8Array[] = [];
        const error = await (async () => { for await (const c of gunzip(chunked(bad, [4096]))) out.push(c); })().then(() => null, (e: unknown) => e as Error);
        const got = Buffer.concat(out);
        const where = `${plain.length} bytes, damage at ${at}`;
        // (Damage may also inflate without complaint: the trailer's CRC then says so.)
        expect(["gzip.corrupt", "gzip.bad_crc"], where).toContain((error as { code?: string } | null)?.code);
        expect(got.length, where).toBeGreaterThanOrEqual(before.length);
        expect(Buffer.compare(got.subarray(0, before.length), before), where).toBe(0);
        if ((error as { code?: string }).code !== "gzip.corrupt") continue;
        corrupt++;
        expect(Number(/at compressed byte (\d+)/.exec(error!.message)?.[1]), where).toBeGreaterThanOrEqual(at);
      }
    }
    expect(corrupt).toBeGreaterThanOrEqual(2);
    // Through the decoder: the packets before the damage, then the damage reported.
    const bad = new Uint8Array(gzipSync(small));
    bad.fill(0xff, 200, 216);
    const r = await decodeAll(bad);
    expect(r.summary.stats.packets).toBeGreaterThan(0);
    expect(r.summary.error?.message).toMatch(/corrupt deflate data at compressed byte \d+/);
  });

  it("the CRC-32 used where zlib has none agrees with zlib's, also chained", () => {
    const data = capture(50);
    expect(crc32ByTable(data, 0)).toBe(crc32(data));
    expect(crc32ByTable(data.subarray(1000), crc32ByTable(data.subarray(0, 1000), 0))).toBe(crc32(data));
    expect(crc32ByTable(new Uint8Array(0), 0)).toBe(0);
  });
});
