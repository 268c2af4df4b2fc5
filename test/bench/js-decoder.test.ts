// The benchmark's pure-TypeScript baseline must do the same work as the WebAssembly decoder:
// byte-identical records on the benchmark's own captures.

import { describe, it, expect } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as L from "../../assembly/layout.js";
import { decodeCapture } from "../../sdk/index.js";
import { generateCapture } from "../../bench/generate.js";
import { jsDecodeFile } from "../../bench/js-decoder.js";
import { writePcap, writePcapng } from "../helpers/capture-writer.js";
import { ethernet, tcpIp, F } from "../helpers/packets.js";

// A record's bytes, then its file offset and the levels of its tunnel record that it uses.
function recordBytes(records: Uint8Array, offsets: Float64Array, tunnels: Uint8Array, i: number): Uint8Array {
  const rec = records.slice(i * L.RECORD_SIZE, (i + 1) * L.RECORD_SIZE);
  const depth = rec[L.REC_TUNNEL_DEPTH]!;
  const tunnel = tunnels.slice(i * L.TUNNEL_RECORD_SIZE, i * L.TUNNEL_RECORD_SIZE + depth * L.TUNNEL_LEVEL_SIZE);
  const out = new Uint8Array(rec.length + 8 + tunnel.length);
  out.set(rec);
  new DataView(out.buffer).setFloat64(rec.length, offsets[i]!, true);
  out.set(tunnel, rec.length + 8);
  return out;
}

async function wasmRecords(path: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const b of decodeCapture(path)) {
    for (let i = 0; i < b.count; i++) out.push(recordBytes(b.u8, b.fileOffsets!, b.tunnels!, i));
  }
  return out;
}

describe("benchmark baselines", () => {
  const dir = mkdtempSync(join(tmpdir(), "ths-bench-test-"));
  for (const [snaplen, vxlan] of [[0, false], [96, false], [0, true], [128, true]] as const) {
    it(`the TypeScript decoder's records equal the WebAssembly decoder's (snaplen ${snaplen || "full"}${vxlan ? ", VXLAN" : ""})`, async () => {
      const path = join(dir, `gen-${snaplen}-${vxlan}.pcap`);
      const generated = generateCapture(path, { bytes: 3e6, snaplen, concurrency: 300, seed: 7, vxlan });
      const expected = await wasmRecords(path);
      expect(expected.length).toBe(generated.packets);
      const got: Uint8Array[] = [];
      const result = jsDecodeFile(path, 65536, (d) => {
        for (let i = 0; i < d.count; i++) got.push(recordBytes(d.outBytes, d.fileOffsets, d.tunnels, i));
      });
      expect(result.tcp).toBe(expected.length);
      expect(result.undecoded).toBe(0);
      expect(got.length).toBe(expected.length);
      for (let i = 0; i < got.length; i++) {
        if (Buffer.compare(got[i]!, expected[i]!) !== 0) expect({ record: i, bytes: [...got[i]!] }).toEqual({ record: i, bytes: [...expected[i]!] });
      }
    });
  }

  it("the VXLAN capture is the same traffic, every packet in a tunnel with its connection's VNI", async () => {
    const plain = join(dir, "same-plain.pcap"), wrapped = join(dir, "same-vxlan.pcap");
    generateCapture(plain, { bytes: 1e6, concurrency: 100, seed: 5 });
    generateCapture(wrapped, { bytes: 1e6, concurrency: 100, seed: 5, vxlan: true });
    const fields = async (path: string) => {
      const out: string[] = [];
      for await (const b of decodeCapture(path)) {
        for (let i = 0; i < b.count; i++) {
          const t = b.tunnel(i);
          if (path === wrapped) expect(t.map((x) => [x.type, x.id! >= 5000 && x.id! < 5016, x.dstPort])).toEqual([["vxlan", true, 4789]]);
          out.push(`${b.srcAddr(i)} ${b.srcPort(i)} ${b.seq(i)} ${b.flags(i)} ${b.payloadLen(i)}`);
        }
      }
      return out;
    };
    const a = await fields(plain), b = await fields(wrapped);
    expect(b.slice(0, a.length)).toEqual(a.slice(0, b.length));
    expect(Math.min(a.length, b.length)).toBeGreaterThan(500);
  });

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

  const PIPELINE = fileURLToPath(new URL("../../dist/bench/js-pipeline.js", import.meta.url));
  const CLI = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
  it.skipIf(!existsSync(PIPELINE) || !existsSync(CLI))("the TypeScript pipeline writes the command's records, tunnel chains included (the bench's \"vs TS\" compares the same work)", () => {
    for (const [snaplen, vxlan] of [[96, false], [146, true]] as const) {
      const path = join(dir, `same-work-${vxlan}.pcap`);
      generateCapture(path, { bytes: 1e6, snaplen, concurrency: 100, seed: 11, vxlan });
      const lines = (command: string[]) => {
        const r = spawnSync(process.execPath, [...command, path], { encoding: "utf8", maxBuffer: 1 << 28 });
        expect(r.status).toBe(0);
        return r.stdout.trim().split("\n").map((l) => JSON.stringify(JSON.parse(l))).sort();
      };
      const ours = lines([CLI, "--format", "ndjson", "--threads", "1"]);
      expect(lines([PIPELINE])).toEqual(ours);
      if (vxlan) expect(ours.every((l) => JSON.parse(l).tunnel.chain[0].type === "vxlan")).toBe(true);
    }
  });

  it.skipIf(!existsSync(PIPELINE))("the TypeScript pipeline exits 4 on a capture it could not read whole (never timed as the whole file)", () => {
    const path = join(dir, "cut.pcap");
    generateCapture(path, { bytes: 1e6, concurrency: 100, seed: 5 });
    const bytes = readFileSync(path);
    expect(spawnSync(process.execPath, [PIPELINE, path], { stdio: "ignore" }).status).toBe(0);
    const cut = join(dir, "cut-short.pcap");
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    const r = spawnSync(process.execPath, [PIPELINE, cut], { encoding: "utf8" });
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/^js-pipeline: \S+cut-short\.pcap: \d+ bytes at the end make no whole record\n$/);
    // Another container or link type: refused (exit 3), not read as 0 records and exit 0.
    const frame = { data: ethernet(tcpIp({ flags: F.SYN })) };
    for (const [name, bytes, why] of [
      ["ng.pcapng", writePcapng([{ blocks: [{ type: "epb", frame }] }]), /not a classic pcap file \(magic 0x0a0d0d0a/],
      ["sll.pcap", writePcap([frame], { linkType: 113 }), /link type 113, not Ethernet/],
    ] as const) {
      writeFileSync(join(dir, name), bytes);
      const refused = spawnSync(process.execPath, [PIPELINE, join(dir, name)], { encoding: "utf8" });
      expect(refused.status, name).toBe(3);
      expect(refused.stderr, name).toMatch(why);
    }
  });
});
