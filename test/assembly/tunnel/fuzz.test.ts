// Random bytes where tunnel headers go: on every tunnel port, in GRE, IP in IP and IPComp, at
// random lengths and snaplens, nested. Nothing may throw or stop the decoder, every frame is
// counted once, and no record claims more payload than its IP header does.

import { describe, it, expect } from "vitest";
import { writePcap, type Frame } from "../../helpers/capture-writer.js";
import { decodeAll } from "../../helpers/decode.js";
import { ethernet, tcpIp, concat, F, type Bytes } from "../../helpers/packets.js";
import { udpTunnel, outerIp, vxlan, gre, amsdu } from "../../helpers/tunnels.js";

const ENDS = { src: "192.0.2.1", dst: "192.0.2.2" };
const PORTS = [4789, 6081, 2152, 2123, 3544, 5072, 6635, 53, 40000];
const PROTOCOLS = [4, 41, 47, 108];

describe("tunnel fuzzing", () => {
  it("survives random tunnel headers and payloads", async () => {
    let seed = 987654321;
    const random = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32; };
    const bytes = (n: number) => new Uint8Array(n).map(() => Math.floor(random() * 256));
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
    let tunnelled = 0, amsduSubframes = 0;
    for (let round = 0; round < 10; round++) {
      const frames: Frame[] = [];
      for (let k = 0; k < 500; k++) {
        // A random header, sometimes in front of a real packet (so that deeper layers run too).
        const head = bytes(random() < 0.5 ? 0 : Math.floor(random() * 48));
        if (random() < 0.3 && head.length > 0) head[0] = pick([0x08, 0x00, 0x30, 0x34, 0x60, 0x42, 0x10]);
        let payload: Bytes = random() < 0.5 ? concat(head, tcpIp({ flags: F.SYN, v6: random() < 0.3 })) : head;
        if (random() < 0.2) payload = vxlan(Math.floor(random() * 1e6), ethernet(payload));
        let ip = random() < 0.5
          ? udpTunnel(ENDS, pick(PORTS), pick(PORTS), payload, random() < 0.5)
          : outerIp(random() < 0.2 ? { src: "2001:db8::1", dst: "2001:db8::2" } : ENDS, pick(PROTOCOLS), random() < 0.3 ? gre(pick([0x0800, 0x86dd, 0x6558, 0x88be, 0x22eb, 0x8847, 0x880b, 0x8240]), payload, { key: random() < 0.5 ? 1 : undefined, sequence: random() < 0.5 ? 2 : undefined }) : payload);
        if (random() < 0.1) ip = outerIp(ENDS, 47, gre(0x8200, amsdu([payload, bytes(Math.floor(random() * 60)), ip]))); // Aruba A-MSDU
        if (random() < 0.2) ip = outerIp(ENDS, 4, ip);
        const data = ethernet(ip);
        if (random() < 0.2) data[14 + Math.floor(random() * (data.length - 14))] = Math.floor(random() * 256); // one byte flipped
        const cap = random() < 0.3 ? Math.floor(random() * data.length) : data.length;
        frames.push({ data: data.subarray(0, cap), origLen: data.length, sec: 1000 + k });
      }
      const { records, summary } = await decodeAll(writePcap(frames), { verifyChecksums: random() < 0.5, maxTunnelDepth: 1 + (round % 3) });
      expect(summary.error).toBeNull();
      const s = summary.stats;
      expect(s.packets).toBe(frames.length);
      // Every frame once by its innermost layer, an A-MSDU once per subframe.
      expect(s.tcp + s.tcpUnreadable + s.udp + s.icmp + s.otherIp + s.nonIp + s.fragments + s.unsupportedLink
        + s.tunnelled + s.ipUnreadable + s.linkInvalid).toBe(s.packets + s.tunnels.amsduSubframes);
      amsduSubframes += s.tunnels.amsduSubframes;
      for (const r of records) {
        if (r.tunnel.length) tunnelled++;
        expect(r.payloadLen).toBeLessThanOrEqual(r.ipLen);
        expect(r.tunnel.length).toBeLessThanOrEqual(3);
      }
    }
    expect(tunnelled).toBeGreaterThan(50); // the soup does reach packets inside tunnels
    expect(amsduSubframes).toBeGreaterThan(50);
  });
});
