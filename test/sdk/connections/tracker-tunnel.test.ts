// What a connection says of its tunnels, and the tunnel-aware key: the sample's real traffic
// (examples/sample.pcap) wrapped by the capture writer so that tunnels change under a
// connection, or two tenants reuse the same inner endpoints; both trackers, held equal.

import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { writePcap, type Frame } from "../../helpers/capture-writer.js";
import { readPcapFrames } from "../../helpers/read-pcap.js";
import { scanWithBothTrackers } from "../../helpers/both-trackers.js";
import { ethernet, type Bytes } from "../../helpers/packets.js";
import { udpTunnel, vxlan, type OuterEnds } from "../../helpers/tunnels.js";
import type { ConnectionRecord } from "../../../sdk/index.js";

const SAMPLE = readPcapFrames(readFileSync(fileURLToPath(new URL("../../../examples/sample.pcap", import.meta.url))));
const CLIENT = SAMPLE[0]!.data.subarray(26, 30).join("."); // the first SYN's IPv4 source
const V4: OuterEnds = { src: "192.0.2.1", dst: "192.0.2.2" };

const isV6 = (ip: Bytes) => ip[0]! >> 4 === 6;
function forward(frame: Bytes): boolean {
  const ip = frame.subarray(14);
  return isV6(ip) ? ip[23]! < ip[39]! : ip.subarray(12, 16).join(".") === CLIENT;
}
const inVni = (vni: number, frame: Bytes, fw: boolean): Bytes =>
  ethernet(udpTunnel(fw ? V4 : { src: V4.dst, dst: V4.src }, fw ? 50000 : 50001, 4789, vxlan(vni, frame), true));
const wrapped = (f: Frame, data: Bytes, nsecLater = 0): Frame =>
  ({ ...f, data, origLen: data.length, nsec: (f.nsec ?? 0) + nsecLater });

// The Zeek view of a connection, without what says where it was seen.
const zeekView = (c: ConnectionRecord) => ({
  orig: `${c.orig.addr}:${c.orig.port}`, resp: `${c.resp.addr}:${c.resp.port}`, connState: c.connState,
  history: c.history, pkts: [c.orig.pkts, c.resp.pkts], bytes: [c.orig.bytes, c.resp.bytes],
});

describe("a connection's tunnels", () => {
  it("a change of tunnel per direction: counted up to 5, then history X once, both chains its parents", async () => {
    const plain = await scanWithBothTrackers(writePcap(SAMPLE));
    // Each direction in its own VNI, as GTP-U's uplink and downlink on different outer flows.
    const frames = SAMPLE.map((f) => wrapped(f, inVni(forward(f.data) ? 1 : 2, f.data, forward(f.data))));
    const { connections } = await scanWithBothTrackers(writePcap(frames));
    expect(connections.length).toBe(plain.connections.length);
    let withX = 0;
    for (const [k, c] of connections.entries()) {
      const want = zeekView(plain.connections[k]!);
      const turns = c.tunnel!.changes;
      expect(c.tunnel!.parents.length).toBe(c.orig.pkts > 0 && c.resp.pkts > 0 ? 2 : 1);
      expect(c.tunnel!.identity).toBe(c.tunnel!.parents[0]);
      if (c.history.includes("X")) {
        withX++;
        expect(turns).toBe(5);
        expect(c.history.replace("X", "")).toBe(want.history);
        expect(c.history.indexOf("X")).toBe(c.history.lastIndexOf("X"));
      } else {
        expect(turns).toBeLessThanOrEqual(5);
        expect(c.history).toBe(want.history);
      }
      expect({ ...zeekView(c), history: want.history }).toStrictEqual(want);
    }
    expect(withX).toBeGreaterThan(0);
  });

  it("in and out of a tunnel: not a change that counts (Zeek counts only one chain to another)", async () => {
    const frames = SAMPLE.map((f) => (forward(f.data) ? wrapped(f, inVni(1, f.data, true)) : f));
    const { connections } = await scanWithBothTrackers(writePcap(frames));
    const tunnelled = connections.filter((c) => c.tunnel);
    expect(tunnelled.length).toBeGreaterThan(5);
    for (const c of tunnelled) {
      expect(c.tunnel!.changes).toBe(0);
      expect(c.tunnel!.parents).toStrictEqual([c.tunnel!.identity]);
      expect(c.history).not.toContain("X");
    }
  });
});

describe("keyByTunnel: two tenants reusing the same inner endpoints", () => {
  // Every packet twice: in VNI 1, then a microsecond later in VNI 2 (two tenants whose
  // address plans overlap, on the same pair of VTEPs).
  const frames = SAMPLE.flatMap((f) => [
    wrapped(f, inVni(1, f.data, forward(f.data))), wrapped(f, inVni(2, f.data, forward(f.data)), 1000),
  ]);

  it("keyed by tunnel: each tenant's connections, as the sample's", async () => {
    const plain = (await scanWithBothTrackers(writePcap(SAMPLE))).connections.map(zeekView);
    const { connections } = await scanWithBothTrackers(writePcap(frames), { keyByTunnel: true });
    const tenants = new Map<string, ConnectionRecord[]>();
    for (const c of connections) tenants.set(c.tunnel!.identity, [...(tenants.get(c.tunnel!.identity) ?? []), c]);
    expect(tenants.size).toBe(2);
    for (const conns of tenants.values()) {
      expect(conns.map(zeekView)).toStrictEqual(plain);
      for (const c of conns) expect(c.tunnel!.parents).toStrictEqual([c.tunnel!.identity]);
    }
  });

  it("by default (Zeek's key): one connection per inner 5-tuple, whose tunnel keeps changing", async () => {
    const plain = (await scanWithBothTrackers(writePcap(SAMPLE))).connections;
    const { connections } = await scanWithBothTrackers(writePcap(frames));
    expect(connections.length).toBe(plain.length);
    expect(connections.some((c) => c.history.includes("X") && c.tunnel!.parents.length === 2)).toBe(true);
  });

  it("the option is checked", async () => {
    await expect(scanWithBothTrackers(writePcap(SAMPLE), { keyByTunnel: "yes" as unknown as boolean })).rejects.toThrow(/keyByTunnel must be true or false/);
  });
});
