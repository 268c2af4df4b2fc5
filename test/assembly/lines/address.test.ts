// The wasm address writer (assembly/lines/address.ts) against ByteSink.address and the records'
// own address text (formatAddress): IPv4, and IPv6 per RFC 5952 (first longest zero run of two or
// more groups as "::", ::ffff: mapped addresses ending in their dotted quad).

import { describe, it, expect } from "vitest";
import { addressBytes, corpusRecords, jsAddress, wasmAddress } from "../../helpers/wasm-lines.js";
import { rng } from "../../helpers/decode.js";

const v6 = (groups: number[]) => {
  const bytes = new Uint8Array(16);
  groups.forEach((g, k) => { bytes[2 * k] = g >> 8; bytes[2 * k + 1] = g & 255; });
  return bytes;
};

describe("the wasm address writer", () => {
  it("writes every address of the corpus's records as the records do", async (ctx) => {
    const texts = new Set((await corpusRecords()).flatMap((c) => [c.orig.addr, c.resp.addr]));
    if (texts.size === 0) return ctx.skip();
    for (const text of texts) {
      const bytes = addressBytes(text);
      expect(wasmAddress(bytes)).toBe(text);
      expect(jsAddress(bytes, bytes.length === 4 ? 4 : 6)).toBe(text);
    }
  }, 300_000);

  it("compresses the first longest run of two or more zero groups, and maps ::ffff:", () => {
    const cases: [number[], string][] = [
      [[0, 0, 0, 0, 0, 0, 0, 0], "::"],
      [[0, 0, 0, 0, 0, 0, 0, 1], "::1"],
      [[1, 0, 0, 0, 0, 0, 0, 0], "1::"],
      [[0x2001, 0xdb8, 0, 1, 0, 0, 0, 1], "2001:db8:0:1::1"],
      [[0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], "2001:db8::1:0:0:1"],
      [[0x2001, 0, 1, 0x0abc, 0x00f0, 0x000f, 0xffff, 0x1000], "2001:0:1:abc:f0:f:ffff:1000"],
      [[0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201], "::ffff:192.0.2.1"],
      [[0, 0, 0, 0, 1, 0xffff, 0xc000, 0x0201], "::1:ffff:c000:201"],
      [[0xfe80, 0, 0, 0, 0x0202, 0xb3ff, 0xfe1e, 0x8329], "fe80::202:b3ff:fe1e:8329"],
    ];
    for (const [groups, text] of cases) {
      expect(wasmAddress(v6(groups))).toBe(text);
      expect(jsAddress(v6(groups), 6)).toBe(text);
    }
    expect(wasmAddress(Uint8Array.of(0, 0, 0, 0))).toBe("0.0.0.0");
    expect(wasmAddress(Uint8Array.of(255, 10, 100, 9))).toBe("255.10.100.9");
  });

  it("matches ByteSink.address on random addresses with random zero groups", () => {
    const random = rng(52);
    for (let i = 0; i < 20_000; i++) {
      const groups = Array.from({ length: 8 }, () => {
        const r = random();
        return r < 0.5 ? 0 : r < 0.6 ? 0xffff : Math.floor(random() * 0x10000) >> Math.floor(random() * 16);
      });
      const bytes = v6(groups);
      expect(wasmAddress(bytes)).toBe(jsAddress(bytes, 6));
      const four = Uint8Array.from({ length: 4 }, () => Math.floor(random() * 256));
      expect(wasmAddress(four)).toBe(jsAddress(four, 4));
    }
  });
});
