import { describe, it, expect } from "vitest";
import { tcpIp, ethernet } from "../helpers/packets.js";
import { writePcap } from "../helpers/capture-writer.js";
import { decodeAll } from "../helpers/decode.js";

async function hashes(specs: Parameters<typeof tcpIp>[0][], hashSeed = 0): Promise<number[]> {
  const { records } = await decodeAll(writePcap(specs.map((s) => ({ data: ethernet(tcpIp(s)) }))), { hashSeed });
  return records.map((r) => r.flowHash);
}

describe("flow hash", () => {
  it("is the same in both directions, for IPv4 and IPv6", async () => {
    const [a, b] = await hashes([
      { src: "10.1.2.3", dst: "192.168.7.9", sport: 51000, dport: 443 },
      { src: "192.168.7.9", dst: "10.1.2.3", sport: 443, dport: 51000 },
    ]);
    expect(a).toBe(b);
    const [c, d] = await hashes([
      { v6: true, src: "2001:db8::5", dst: "fe80::1", sport: 1, dport: 2 },
      { v6: true, src: "fe80::1", dst: "2001:db8::5", sport: 2, dport: 1 },
    ]);
    expect(c).toBe(d);
  });

  it("separates flows that differ in one port or address, and flows to oneself", async () => {
    const hs = await hashes([
      { src: "10.0.0.1", dst: "10.0.0.2", sport: 1000, dport: 80 },
      { src: "10.0.0.1", dst: "10.0.0.2", sport: 1001, dport: 80 },
      { src: "10.0.0.1", dst: "10.0.0.3", sport: 1000, dport: 80 },
      { src: "10.0.0.1", dst: "10.0.0.1", sport: 1000, dport: 1000 },
      { src: "10.0.0.2", dst: "10.0.0.2", sport: 1000, dport: 1000 },
    ]);
    expect(new Set(hs).size).toBe(hs.length);
  });

  it("depends on the seed", async () => {
    const spec = { src: "10.0.0.1", dst: "10.0.0.2" };
    const [a] = await hashes([spec], 1);
    const [b] = await hashes([spec], 2);
    expect(a).not.toBe(b);
  });

  it("spreads sequential ports evenly over buckets", async () => {
    const specs = Array.from({ length: 4096 }, (_, i) => ({ sport: 10000 + i }));
    const hs = await hashes(specs);
    const buckets = new Array(64).fill(0);
    for (const h of hs) buckets[h & 63]++;
    // 64 expected per bucket; a poor mix of the low bits would leave some near-empty.
    expect(Math.min(...buckets)).toBeGreaterThan(30);
    expect(Math.max(...buckets)).toBeLessThan(110);
  });
});
