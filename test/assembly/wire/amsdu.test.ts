// 802.11 A-MSDUs: each subframe a packet of its own, as Zeek decodes Aruba's GRE (the corpus'
// gre-aruba-amsdu.pcap is held to Zeek's conn.log by the conformance test); an output slot's
// room for them past its fill mark, and what is counted beyond.

import { describe, it, expect } from "vitest";
import { writePcap } from "../../helpers/capture-writer.js";
import { decodeAll } from "../../helpers/decode.js";
import { decodeCapture } from "../../../sdk/index.js";
import * as L from "../../../assembly/layout.js";
import { ethernet, tcpIp, concat, F } from "../../helpers/packets.js";
import { outerIp, gre, amsdu } from "../../helpers/tunnels.js";

const OUTER = { src: "192.0.2.1", dst: "192.0.2.2" };
const aruba = (ips: Uint8Array[]) => ethernet(outerIp(OUTER, 47, gre(0x8200, amsdu(ips))));
const tcp = (sport: number, payload = 0) => tcpIp({ flags: F.ACK, sport, payload: new Uint8Array(payload) });
const udp = () => concat(new Uint8Array([0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]), new Uint8Array(8));

describe("A-MSDU", () => {
  it("decodes every subframe: each TCP one a record of the same frame, in the frame's tunnel", async () => {
    const { records, summary } = await decodeAll(writePcap([{ data: aruba([tcp(1001, 3), udp(), tcp(1002), tcp(1003, 1)]) }]));
    expect(records.map((r) => [r.srcPort, r.payloadLen])).toEqual([[1001, 3], [1002, 0], [1003, 1]]);
    for (const r of records) {
      expect(r.packetIndex).toBe(0);
      expect(r.tunnel).toMatchObject([{ type: "gre", src: OUTER.src, dst: OUTER.dst }]);
      expect(r.tunnelHash).toBe(records[0]!.tunnelHash);
    }
    expect(summary.stats).toMatchObject({ packets: 1, tcp: 3, udp: 1 });
    expect(summary.stats.tunnels).toMatchObject({ amsduSubframes: 3, amsduDropped: 0 });
  });

  it("a frame's subframes may pass the slot's fill mark (4 096 records); past its room they are counted, not written", async () => {
    const fill = Array.from({ length: 4095 }, (_, k) => ({ data: ethernet(tcp(10000 + (k % 50000))) }));
    const many = (n: number) => ({ data: aruba(Array.from({ length: n }, (_, k) => tcp(2000 + k))) });
    const fits = await decodeAll(writePcap([...fill, many(60), ...fill.slice(0, 10)]));
    expect(fits.records).toHaveLength(4095 + 60 + 10);
    expect(fits.records.slice(4095, 4155).map((r) => r.srcPort)).toEqual(Array.from({ length: 60 }, (_, k) => 2000 + k));
    expect(fits.records[4155]!.packetIndex).toBe(4096);
    const over = await decodeAll(writePcap([...fill, many(100)]));
    expect(over.records).toHaveLength(4095 + 1 + 64);
    expect(over.summary.stats.tunnels).toMatchObject({ amsduSubframes: 64, amsduDropped: 100 - 1 - 64 });
  });

  it("gives each record of a frame that made several its subframe fraction; packet numbers stay the frame's", async () => {
    const capture = decodeCapture(writePcap([{ data: aruba([tcp(1001), udp(), tcp(1002)]) }, { data: ethernet(tcp(1003)) }, { data: aruba([udp(), tcp(1004)]) }]));
    const raw: number[] = [], numbers: number[] = [];
    for await (const batch of capture) {
      for (let i = 0; i < batch.count; i++) {
        raw.push(batch.f64[i * (L.RECORD_SIZE / 8) + L.REC_PACKET_INDEX / 8]!);
        numbers.push(batch.packetIndex(i));
      }
    }
    // Two TCP subframes of frame 0 (the UDP one between makes no record); one alone keeps its number.
    expect(raw).toEqual([1 / L.SUBFRAME_STEPS, 2 / L.SUBFRAME_STEPS, 1, 2]);
    expect(numbers).toEqual([0, 0, 1, 2]);
  });
});
