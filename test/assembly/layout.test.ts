// The record layout is defined once (assembly/layout.ts); this checks it is coherent and that
// the compiled .wasm carries the same version.

import { describe, it, expect } from "vitest";
import * as L from "../../assembly/layout.js";
import * as C from "../../assembly/connection-layout.js";
import * as A from "../../assembly/analysis-layout.js";
import { instantiateDecoder } from "../../sdk/decoder/wasm.js";

// [name, offset, width in bytes] for every record field.
const FIELDS: [string, number, number][] = [
  ["tsSec", L.REC_TS_SEC, 8], ["tunnelHash", L.REC_TUNNEL_HASH, 4], ["tunnelTypes", L.REC_TUNNEL_TYPES, 2],
  ["tunnelDepth", L.REC_TUNNEL_DEPTH, 1], ["fragments", L.REC_FRAGMENTS, 1], ["packetIndex", L.REC_PACKET_INDEX, 8],
  ["tsNsec", L.REC_TS_NSEC, 4], ["flowHash", L.REC_FLOW_HASH, 4], ["seq", L.REC_SEQ, 4], ["ack", L.REC_ACK, 4],
  ["src", L.REC_SRC_ADDR, 16], ["dst", L.REC_DST_ADDR, 16], ["tsVal", L.REC_TSVAL, 4], ["tsEcr", L.REC_TSECR, 4],
  ["payloadLen", L.REC_PAYLOAD_LEN, 4], ["ipLen", L.REC_IP_LEN, 4], ["capLen", L.REC_CAP_LEN, 4],
  ["origLen", L.REC_ORIG_LEN, 4], ["srcPort", L.REC_SRC_PORT, 2], ["dstPort", L.REC_DST_PORT, 2],
  ["window", L.REC_WINDOW, 2], ["urgent", L.REC_URGENT, 2], ["flags", L.REC_TCP_FLAGS, 2], ["mss", L.REC_MSS, 2],
  ["options", L.REC_OPTIONS, 2], ["vlan", L.REC_VLAN, 2], ["innerVlan", L.REC_INNER_VLAN, 2],
  ["interface", L.REC_INTERFACE, 2], ["ipVersion", L.REC_IP_VERSION, 1], ["tcpHeaderLen", L.REC_TCP_HEADER_LEN, 1],
  ["wscale", L.REC_WSCALE, 1], ["sackBlocks", L.REC_SACK_BLOCKS, 1], ["tfoCookieLen", L.REC_TFO_COOKIE_LEN, 1],
  ["stopLayer", L.REC_STOP_LAYER, 1], ["stopReason", L.REC_STOP_REASON, 1], ["ipTos", L.REC_IP_TOS, 1],
  ["packetFlags", L.REC_PACKET_FLAGS, 1], ["ttl", L.REC_TTL, 1], ["linkType", L.REC_LINK_TYPE, 2],
];

describe("record layout", () => {
  it("fields are aligned to their width, inside the record and never overlap", () => {
    expect(L.RECORD_SIZE % 8).toBe(0);
    const used = new Array<string | null>(L.RECORD_SIZE).fill(null);
    for (const [name, offset, width] of FIELDS) {
      expect(offset % Math.min(width, 8), `${name} alignment`).toBe(0);
      expect(offset + width, `${name} inside the record`).toBeLessThanOrEqual(L.RECORD_SIZE);
      for (let b = offset; b < offset + width; b++) {
        expect(used[b], `${name} overlaps ${used[b]}`).toBeNull();
        used[b] = name;
      }
    }
  });

  it("tunnel levels fit their record, and the level types fit the record's 4-bit nibbles", () => {
    const LEVEL: [string, number, number][] = [
      ["type", L.TUN_TYPE, 1], ["ipVersion", L.TUN_IP_VERSION, 1], ["flags", L.TUN_FLAGS, 1], ["version", L.TUN_VERSION, 1],
      ["id", L.TUN_ID, 4], ["srcPort", L.TUN_SRC_PORT, 2], ["dstPort", L.TUN_DST_PORT, 2], ["vlan", L.TUN_VLAN, 2],
      ["src", L.TUN_SRC_ADDR, 16], ["dst", L.TUN_DST_ADDR, 16],
    ];
    const used = new Array<string | null>(L.TUNNEL_LEVEL_SIZE).fill(null);
    for (const [name, offset, width] of LEVEL) {
      expect(offset % Math.min(width, 8), `${name} alignment`).toBe(0);
      for (let b = offset; b < offset + width; b++) {
        expect(b, `${name} inside the level`).toBeLessThan(L.TUNNEL_LEVEL_SIZE);
        expect(used[b], `${name} overlaps ${used[b]}`).toBeNull();
        used[b] = name;
      }
    }
    expect(L.TUNNEL_TYPE_COUNT).toBeLessThan(16);
    expect(4 * L.MAX_TUNNEL_DEPTH).toBeLessThanOrEqual(16);
  });

  it("the .wasm was built from this layout", async () => {
    const wasm = await instantiateDecoder();
    expect(wasm.layoutVersion()).toBe(L.LAYOUT_VERSION);
    expect(wasm.outputPtr() % 8).toBe(0);
    // The arena must hold a maximal record plus a chunk.
    expect(wasm.inputCapacity()).toBeGreaterThan(wasm.maxRecordBytes());
  });
});

describe("connection layout", () => {
  it("ends with the TCP analysis block then the tunnel block, 8-byte aligned, and nothing after them", () => {
    expect(C.C_ANALYSIS % 8).toBe(0);
    expect(C.C_ANALYSIS).toBeGreaterThanOrEqual(C.C_SYN_ACK2_SENT + 4);
    expect(C.C_TUNNEL).toBe(C.C_ANALYSIS + A.ANALYSIS_SIZE);
    expect(C.C_TUNNEL_PARENTS + 4 * C.TUNNEL_MAX_PARENTS).toBeLessThanOrEqual(C.C_TUNNEL_CHAIN);
    expect(C.C_TUNNEL_CHAIN + 4).toBeLessThanOrEqual(C.C_TUNNEL + C.TUNNEL_BLOCK_SIZE);
    expect(C.CONN_SIZE).toBe(C.C_TUNNEL + C.TUNNEL_BLOCK_SIZE);
    expect(C.CONN_SIZE % 8).toBe(0);
  });

  it("keeps records and the analysis block's lines on 64-byte lines, each side's hot fields in the two hot lines", () => {
    expect(C.CONN_SIZE % 64).toBe(0);
    expect(C.C_ANALYSIS % 64).toBe(0);
    expect(A.ANALYSIS_SIZE % 64).toBe(0);
    // Side 1's rule state and times end inside the first two lines.
    expect(A.SIDE_STRIDE + A.S_UNACKED + 2).toBeLessThanOrEqual(A.A_HS_STAGE + A.SIDE_STRIDE);
    expect(A.SIDE_STRIDE + A.S_MAX_GAP + 8).toBeLessThanOrEqual(A.A_MAX_GAP);
    expect(A.A_MAX_GAP + 8).toBe(128);
    // Each side: its RTT statistics and the ring's first three entries on one line, the other
    // five on the next, no entry across two lines; its quantile estimators on a line of their own.
    for (let side = 0; side < 2; side++) {
      const stats = A.A_RTT + side * A.RTT_STRIDE, ring = A.A_RING + side * A.RING_STRIDE;
      expect(stats % 64).toBe(0);
      expect(stats + A.R_SUM + 8).toBeLessThanOrEqual(ring);
      for (let k = 0; k < A.RING_INLINE; k++) {
        const e = ring + k * A.RING_ENTRY;
        expect(Math.floor(e / 64)).toBe(Math.floor((e + A.RING_ENTRY - 1) / 64));
        expect(Math.floor(e / 64)).toBe(stats / 64 + (k < 3 ? 0 : 1));
      }
      expect(ring + A.RING_INLINE * A.RING_ENTRY).toBeLessThanOrEqual(stats + 128);
      const q = A.A_QUANTILES + side * A.QUANTILES_STRIDE;
      expect(q % 64).toBe(0);
      expect(2 * A.QUANTILE_STRIDE).toBeLessThanOrEqual(A.QUANTILES_STRIDE);
    }
    expect(A.A_RTT + 2 * A.RTT_STRIDE).toBeLessThanOrEqual(A.A_QUANTILES);
    expect(A.A_QUANTILES + 2 * A.QUANTILES_STRIDE).toBeLessThanOrEqual(A.A_FIRST_PAYLOAD_TIME);
    expect(A.A_FIRST_RTT + 8).toBeLessThanOrEqual(A.A_COUNTS);
    expect(A.A_COUNTS + 2 * A.COUNTS_STRIDE).toBeLessThanOrEqual(A.A_MRU_SYN);
    expect(A.A_HANDSHAKE_TIME + 8).toBeLessThanOrEqual(A.ANALYSIS_SIZE);
  });
});
