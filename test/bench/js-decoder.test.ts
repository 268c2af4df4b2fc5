// The benchmark's pure-TypeScript baseline must do the same work as the WebAssembly decoder:
// byte-identical records on the benchmark's own captures.

import { describe, it, expect } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as L from "../../assembly/layout.js";
import { decodeCapture } from "../../sdk/index.js";
import { generateCapture } from "../../bench/generate.js";
import { jsDecodeFile } from "../../bench/js-decoder.js";

async function wasmRecords(path: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const b of decodeCapture(path)) {
    for (let i = 0; i < b.count; i++) out.push(b.u8.slice(i * L.RECORD_SIZE, (i + 1) * L.RECORD_SIZE));
  }
  return out;
}

describe("benchmark baselines", () => {
  const dir = mkdtempSync(join(tmpdir(), "ths-bench-test-"));
  for (const snaplen of [0, 96]) {
    it(`the TypeScript decoder's records equal the WebAssembly decoder's (snaplen ${snaplen || "full"})`, async () => {
      const path = join(dir, `gen-${snaplen}.pcap`);
      const generated = generateCapture(path, { bytes: 3e6, snaplen, concurrency: 300, seed: 7 });
      const expected = await wasmRecords(path);
      expect(expected.length).toBe(generated.packets);
      const got: Uint8Array[] = [];
      const result = jsDecodeFile(path, 65536, (d) => {
        for (let i = 0; i < d.count; i++) got.push(d.outBytes.slice(i * L.RECORD_SIZE, (i + 1) * L.RECORD_SIZE));
      });
      expect(result.tcp).toBe(expected.length);
      expect(got.length).toBe(expected.length);
      for (let i = 0; i < got.length; i++) {
        if (Buffer.compare(got[i]!, expected[i]!) !== 0) expect({ record: i, bytes: [...got[i]!] }).toEqual({ record: i, bytes: [...expected[i]!] });
      }
    });
  }

  it("the generator writes the outcomes it promises", async () => {
    const path = join(dir, "mix.pcap");
    generateCapture(path, { bytes: 2e6, concurrency: 200, seed: 3 });
    let syn = 0, synAck = 0, rst = 0, fin = 0, v6 = 0, vlan = 0, n = 0;
    for await (const b of decodeCapture(path)) {
      for (let i = 0; i < b.count; i++) {
        const f = b.flags(i);
        n++;
        if ((f & (L.FLAG_SYN | L.FLAG_ACK)) === L.FLAG_SYN) syn++;
        if ((f & (L.FLAG_SYN | L.FLAG_ACK)) === (L.FLAG_SYN | L.FLAG_ACK)) synAck++;
        if (f & L.FLAG_RST) rst++;
        if (f & L.FLAG_FIN) fin++;
        if (b.ipVersion(i) === 6) v6++;
        if (b.vlan(i) !== L.NO_VLAN) vlan++;
      }
    }
    expect(syn).toBeGreaterThan(synAck); // unanswered SYNs are retransmitted
    expect(rst).toBeGreaterThan(0);
    expect(fin).toBeGreaterThan(0);
    expect(v6 / n).toBeGreaterThan(0.1);
    expect(vlan / n).toBeGreaterThan(0.1);
  });
});
