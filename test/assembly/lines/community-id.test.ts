// The wasm Community ID (assembly/lines/community-id.ts, its own SHA-1 and base64) against
// communityId() (node's SHA-1): the spec's example, every corpus connection, random flows.

import { describe, it, expect } from "vitest";
import { communityId } from "../../../sdk/connections/community-id.js";
import { addressBytes, corpusRecords, wasmCommunityId } from "../../helpers/wasm-lines.js";
import { rng } from "../../helpers/decode.js";

function js(src: Uint8Array, srcPort: number, dst: Uint8Array, dstPort: number, seed = 0): string {
  const bytes = new Uint8Array(32);
  bytes.set(src, 0);
  bytes.set(dst, 16);
  return communityId(bytes, src.length as 4 | 16, 0, srcPort, 16, dstPort, seed);
}

describe("the wasm Community ID", () => {
  it("gives the spec's TCP example", () => {
    const src = addressBytes("128.232.110.120"), dst = addressBytes("66.35.250.204");
    expect(wasmCommunityId(src, 34855, dst, 80)).toBe("1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    expect(wasmCommunityId(dst, 80, src, 34855)).toBe("1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
  });

  it("gives every corpus connection's Community ID", async (ctx) => {
    const records = await corpusRecords();
    if (records.length === 0) return ctx.skip();
    for (const c of records) {
      expect(wasmCommunityId(addressBytes(c.orig.addr), c.orig.port, addressBytes(c.resp.addr), c.resp.port)).toBe(c.communityId);
    }
  }, 300_000);

  it("matches node's SHA-1 on random flows, seeds, equal addresses and port orders", () => {
    const random = rng(1);
    const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
    for (let i = 0; i < 10_000; i++) {
      const length = i % 2 ? 16 : 4;
      const src = bytes(length), dst = i % 7 === 0 ? src.slice() : bytes(length);
      const sp = Math.floor(random() * 65536), dp = i % 5 === 0 ? sp : Math.floor(random() * 65536);
      const seed = i % 3 === 0 ? Math.floor(random() * 65536) : 0;
      expect(wasmCommunityId(src, sp, dst, dp, seed)).toBe(js(src, sp, dst, dp, seed));
    }
  });
});
