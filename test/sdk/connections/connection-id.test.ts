// Connections that begin in one frame: an 802.11 A-MSDU (Aruba's GRE delivers them) whose
// subframes carry the first packets of several flows. They share the frame's number as their id;
// each has a key of its own (connection-id.ts), so the order, the threads' merge, the ladders'
// matching and a pinned-id ladder's early stop are the same whatever the threads or the tracker.

import { describe, it, expect } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scan, captureLadders, compileFilter, partitionCaptures, createBucketScanner, openPartitionSet, type ConnectionRecord } from "../../../sdk/index.js";
import { connectionId, keyIsId } from "../../../sdk/connections/connection-id.js";
import { findSelected } from "../../../sdk/ladder/find-selected.js";
import { laddersInOnePass } from "../../../sdk/ladder/ladder-one-pass.js";
import { writePcap, type Frame } from "../../helpers/capture-writer.js";
import { ethernet, tcpIp, F } from "../../helpers/packets.js";
import { outerIp, gre, amsdu } from "../../helpers/tunnels.js";
import { scanWithBothTrackers } from "../../helpers/both-trackers.js";
import { scanText } from "../../helpers/wasm-line-scan.js";
import type { ConnectionLadder } from "../../../sdk/ladder/ladder-capture.js";

const { SYN, ACK, FIN, PSH } = F;
const OUTER = { src: "192.0.2.1", dst: "192.0.2.2" };
const aruba = (ips: Uint8Array[]) => ethernet(outerIp(OUTER, 47, gre(0x8200, amsdu(ips))));
const CLIENT = "10.0.0.1", SERVER = "10.0.0.2";

/**
 * Trios of connections, each step of the three in one A-MSDU frame (their subframes in the order
 * of `ports`, not sorted), 1 ms apart: handshake, a request, FINs both ways; every trio ends at
 * one instant, so only their keys tell them apart in the canonical order. A plain connection
 * between trios.
 */
function trios(count: number): Uint8Array {
  const frames: Frame[] = [];
  let t = 1_700_000_000, port = 40_000;
  const at = (data: Uint8Array) => { frames.push({ data, sec: t }); t += 0.001; };
  for (let k = 0; k < count; k++) {
    const ports = [port + 2, port, port + 1];
    port += 3;
    const c = (flags: number, sport: number, seq: number, ack: number, payload = 0) =>
      tcpIp({ flags, src: CLIENT, dst: SERVER, sport, dport: 80, seq, ack, payload: new Uint8Array(payload) });
    const s = (flags: number, dport: number, seq: number, ack: number) =>
      tcpIp({ flags, src: SERVER, dst: CLIENT, sport: 80, dport, seq, ack });
    at(aruba(ports.map((p) => c(SYN, p, 100, 0))));
    at(aruba(ports.map((p) => s(SYN | ACK, p, 500, 101))));
    at(aruba(ports.map((p) => c(ACK, p, 101, 501))));
    at(aruba(ports.map((p) => c(ACK | PSH, p, 101, 501, 10))));
    at(aruba(ports.map((p) => c(FIN | ACK, p, 111, 501))));
    at(aruba(ports.map((p) => s(FIN | ACK, p, 501, 112))));
    at(aruba(ports.map((p) => c(ACK, p, 112, 502))));
    at(ethernet(tcpIp({ flags: SYN, src: CLIENT, dst: SERVER, sport: 9000 + k, dport: 443 })));
  }
  return writePcap(frames);
}

const CAPTURE = trios(40);

describe("connections that begin in one frame", () => {
  it("share its number as their id, in the order of their subframes, with both trackers", async () => {
    const result = await scanWithBothTrackers(CAPTURE);
    const trio = result.connections.filter((c) => c.resp.port === 80).slice(0, 6);
    expect(trio.map((c) => [c.id, c.firstPacket, c.orig.port])).toEqual([
      [1, 1, 40_002], [1, 1, 40_000], [1, 1, 40_001], [9, 9, 40_005], [9, 9, 40_003], [9, 9, 40_004],
    ]);
    expect(trio.every((c) => c.connState === "SF")).toBe(true);
  });

  it("come out in one order at one and two threads, as records and as lines", async () => {
    const one = await scan(CAPTURE, { threads: 1 });
    const two = await scan(CAPTURE, { threads: 2 });
    expect(two.connections).toStrictEqual(one.connections);
    for (const format of ["ndjson", "csv"] as const) {
      const text = await scanText(CAPTURE, format, true, 1);
      expect(await scanText(CAPTURE, format, true, 2)).toBe(text);
      expect(await scanText(CAPTURE, format, false, 2)).toBe(text);
    }
  });

  it("are each drawn once by a ladder, in both passes and in one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "shared-id-"));
    const path = join(dir, "trios.pcap");
    writeFileSync(path, CAPTURE);
    const selection = await captureLadders(path, compileFilter("port 80"), { threads: 2 }, 9);
    expect(selection.matched).toBe(120);
    const drawn = selection.ladders;
    expect(drawn.map((l) => [l.connection.id, l.connection.orig.port])).toEqual([
      [1, 40_002], [1, 40_000], [1, 40_001], [9, 40_005], [9, 40_003], [9, 40_004], [17, 40_008], [17, 40_006], [17, 40_007],
    ]);
    const onePass: ConnectionLadder[] = [];
    await laddersInOnePass([CAPTURE], compileFilter("port 80"), {}, 9, (l) => { onePass.push(l); });
    expect(onePass.map((l) => l.connection)).toStrictEqual(drawn.map((l) => l.connection));
  });

  it("all match a pinned id: reading does not stop when the first of them ends", async () => {
    const filter = compileFilter("id 9");
    const found = await findSelected([CAPTURE], filter, {}, Infinity);
    expect(found.matched).toBe(3);
    expect(Array.from(found.ids, connectionId)).toEqual([9, 9, 9]);
    const onePass: ConnectionLadder[] = [];
    const count = await laddersInOnePass([CAPTURE], filter, {}, Infinity, (l) => { onePass.push(l); });
    expect(count.matched).toBe(3);
    expect(onePass.map((l) => l.connection.orig.port)).toEqual([40_005, 40_003, 40_004]);
    // A plain connection's id is its key: a pinned one still stops the reading once it ends.
    const plain = await findSelected([CAPTURE], compileFilter("id 8"), {}, Infinity);
    expect(plain.matched).toBe(1);
    expect(keyIsId(plain.ids[0]!)).toBe(true);
  });

  it("keep their order in a partitioned scan: each bucket's records are the scan's, in its order", async () => {
    const dir = mkdtempSync(join(tmpdir(), "shared-id-parts-"));
    try {
      const path = join(dir, "trios.pcap"), out = join(dir, "parts");
      writeFileSync(path, CAPTURE);
      await partitionCaptures([path], out, { buckets: 3 });
      const single = (await scan(path)).connections.map((c) => JSON.stringify(c));
      const union: string[] = [];
      for (let b = 0; b < 3; b++) {
        const bucket: ConnectionRecord[] = [];
        for await (const c of createBucketScanner(openPartitionSet(out, b), b)) bucket.push(c);
        const lines = bucket.map((c) => JSON.stringify(c));
        expect(lines).toEqual(single.filter((line) => lines.includes(line)));
        union.push(...lines);
      }
      expect(union.sort()).toEqual([...single].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
