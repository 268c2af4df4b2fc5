// One scripted conversation per verdict (capture writer -> decoder -> both analysis engines),
// with the counts each side must get; where tshark is installed, its own analysis of the same
// capture (../shared/tools/oracle/tshark_analysis.py) must say the same, so that a scenario
// cannot encode a misreading of the rules. Zero-window probes and their ACKs are here only:
// Linux never sends the one-byte probe Wireshark calls one (its probe is a keep-alive).

import { describe, it, expect, beforeAll } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeAll, corpusDir } from "../../../helpers/decode.js";
import { writePcap } from "../../../helpers/capture-writer.js";
import { Conversation } from "../../../helpers/conversation.js";
import { F } from "../../../helpers/packets.js";
import { analyseStreams, type StreamAnalysis } from "../../../helpers/tshark-streams.js";
import { typescriptEngine, wasmEngine, wasmModule } from "../../../helpers/analysis-engines.js";

const { SYN, ACK, PSH } = F;
const root = corpusDir();
const oracleScript = root ? join(root, "..", "tools", "oracle", "tshark_analysis.py") : "";
let tshark = false;
try { execFileSync("tshark", ["--version"], { stdio: "ignore" }); tshark = existsSync(oracleScript); } catch { /* absent */ }

beforeAll(() => { wasmModule(); }, 120_000);

// Client 10.0.0.1:40000 (ISN 1000) and server 10.0.0.2:80 (ISN 5000); the SYN/ACK comes 20 ms
// after the SYN and the ACK 5 ms after it: the handshake RTT (tshark's out-of-order bound) is 25 ms.
const opened = () => new Conversation().c(SYN).s({ flags: SYN | ACK, dt: 20 }).c({ flags: ACK, dt: 5 });

type Expected = Partial<Record<"a" | "b", Record<string, number>>>;

async function check(c: Conversation, want: Expected): Promise<StreamAnalysis> {
  const bytes = writePcap(c.frames);
  const { records } = await decodeAll(bytes);
  const [stream, ...more] = analyseStreams(records, typescriptEngine());
  expect(more).toHaveLength(0);
  const wasm = analyseStreams(records, wasmEngine(16, 4))[0]!;
  expect(wasm.verdicts).toEqual(stream!.verdicts);
  expect(wasm.analysis).toStrictEqual(stream!.analysis);
  for (const side of ["a", "b"] as const) {
    const nonzero = Object.fromEntries(Object.entries(stream!.sides[side]).filter(([, n]) => n > 0));
    expect(nonzero, `side ${side}`).toEqual(want[side] ?? {});
  }
  if (tshark) {
    const dir = mkdtempSync(join(tmpdir(), "ths-verdicts-"));
    try {
      writeFileSync(join(dir, "c.pcap"), bytes);
      const oracle = JSON.parse(execFileSync("python3", [oracleScript, join(dir, "c.pcap")], { encoding: "utf8" })).streams;
      expect(oracle).toHaveLength(1);
      expect({ a: stream!.sides.a, b: stream!.sides.b }).toEqual(oracle[0].sides);
      for (const side of ["a", "b"] as const) expect(stream!.ackRtt[side].samples).toBe(oracle[0].ack_rtt_us[side].samples);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return stream!;
}

describe("TCP analysis: each verdict in a scripted conversation", () => {
  it("retransmission: the same data again after 300 ms, unacknowledged", async () => {
    await check(opened().s(ACK | PSH, 200).s({ flags: ACK | PSH, payload: 200, seq: 5001, dt: 300 }), { b: { retransmission: 1 } });
  });

  it("fast retransmission: the lost segment again 2 ms after the third duplicate ACK", async () => {
    const c = opened().s(ACK, 100).s({ flags: ACK, payload: 100, lost: true }).s(ACK, 100).s(ACK, 100);
    for (let k = 0; k < 4; k++) c.c({ flags: ACK, ack: 5101, dt: 1 });
    c.s({ flags: ACK, payload: 100, seq: 5101, dt: 2 }).c({ flags: ACK, ack: 5401 });
    await check(c, { a: { dupAck: 3 }, b: { retransmission: 1, fastRetransmission: 1, lostSegment: 1 } });
  });

  it("spurious retransmission: data the peer had already acknowledged", async () => {
    await check(opened().s(ACK | PSH, 100).c(ACK).s({ flags: ACK | PSH, payload: 100, seq: 5001, dt: 50 }), {
      b: { retransmission: 1, spuriousRetransmission: 1 },
    });
  });

  it("out of order: the earlier segment 1 ms after the later one, within the handshake RTT", async () => {
    const c = opened().s({ flags: ACK, payload: 100, seq: 5101 }).s({ flags: ACK, payload: 100, seq: 5001, dt: 1 });
    await check(c, { b: { outOfOrder: 1, lostSegment: 1 } });
  });

  it("duplicate ACK: the same ACK, sequence number and window again", async () => {
    await check(opened().c({ flags: ACK, ack: 5001 }).c({ flags: ACK, ack: 5001 }), { a: { dupAck: 2 } });
  });

  it("lost segment: a segment beyond the next expected sequence number", async () => {
    const c = opened().s(ACK | PSH, 100).s({ flags: ACK | PSH, payload: 100, lost: true }).s(ACK | PSH, 100).c(ACK);
    await check(c, { a: { ackedUnseen: 1 }, b: { lostSegment: 1 } });
  });

  it("ACKed unseen segment: an acknowledgement of data the capture never had", async () => {
    await check(opened().s({ flags: ACK | PSH, payload: 100, lost: true }).c(ACK), { a: { ackedUnseen: 1 } });
  });

  it("zero window, zero-window probe and its ACK, then the window update", async () => {
    const c = opened().c({ flags: ACK, window: 0 })
      .s({ flags: ACK, payload: 1, dt: 200 })
      .c({ flags: ACK, ack: 5001, window: 0 })
      .c({ flags: ACK, ack: 5001, window: 65535, dt: 300 })
      .s({ flags: ACK | PSH, payload: 100, seq: 5001 });
    await check(c, { a: { zeroWindow: 2, zeroWindowProbeAck: 1, windowUpdate: 1 }, b: { zeroWindowProbe: 1 } });
  });

  it("window full: data up to the edge of the window the peer advertised (no scaling)", async () => {
    const c = new Conversation().c(SYN).s({ flags: SYN | ACK, dt: 20 }).c({ flags: ACK, dt: 5, window: 300 })
      .s(ACK, 100).s(ACK, 200);
    await check(c, { b: { windowFull: 1 } });
  });

  it("window update: a pure ACK that only changes the window", async () => {
    await check(opened().c({ flags: ACK, window: 30000 }), { a: { windowUpdate: 1 } });
  });

  it("keep-alive and its ACK, in the zero- and one-byte forms", async () => {
    const c = opened().c(ACK | PSH, 100).s(ACK)
      .c({ flags: ACK, seq: 1100, dt: 2000 }).s({ flags: ACK, ack: 1101 })
      .c({ flags: ACK, seq: 1100, payload: 1, dt: 2000 }).s({ flags: ACK, ack: 1101 });
    await check(c, { a: { keepAlive: 2 }, b: { keepAliveAck: 2 } });
  });

  it("fast retransmission right after an ACK of unseen data: tshark's duplicate-ACK counter of -1 is unsigned", async () => {
    // The client's ACK of the server's lost segment finds no hole to close (the server's next
    // expected sequence number is its contiguous end) and sets the server's duplicate-ACK
    // counter to -1, which tshark 4.0 keeps in an unsigned field: at least 2, so the client's
    // segment sent again 8 ms after the server's last packet, at the server's last ACK, is fast.
    const c = opened().s({ flags: ACK | PSH, payload: 100, lost: true, dt: 1 })
      .c({ flags: ACK | PSH, payload: 100, dt: 1 }).c({ flags: ACK | PSH, payload: 100, seq: 1001, dt: 1 });
    await check(c, { a: { ackedUnseen: 1, retransmission: 1, fastRetransmission: 1 } });
  });

  it("a segment sent again exactly 3 ms after the sequence last moved is no longer out of order (whole nanoseconds)", async () => {
    // No handshake: the out-of-order bound is 3 ms, and tshark's test is "less than" in
    // integer nanoseconds. 0.012 - 0.009 in seconds as doubles is 0.002999999999999999.
    const c = new Conversation().c({ flags: ACK | PSH, payload: 100, dt: 6 }).c({ flags: ACK | PSH, payload: 100, dt: 3 })
      .c({ flags: ACK | PSH, payload: 100, seq: 1000, dt: 3 });
    await check(c, { a: { retransmission: 1 } });
  });

  it("ACKed unseen once per hole where the sequence space wraps: the contiguous end moves past 2^32", async () => {
    // The server's ISN is 0xffffff00: its 256 lost bytes reach past 2^32 and the next 100 start
    // at 1. The client's ACK of them moves the server's contiguous end up to its next expected
    // sequence number (0x65, below 0xffffff01 in a plain comparison, beyond it modulo 2^32), so
    // that the server's next segment extends it and the client's ACK of that is no new hole.
    const c = new Conversation({ serverIsn: 0xffffff00 }).c(SYN).s({ flags: SYN | ACK, dt: 20 }).c({ flags: ACK, dt: 5 })
      .c(ACK | PSH, 100).s({ flags: ACK | PSH, payload: 256, lost: true }).s(ACK | PSH, 100)
      .c(ACK | PSH, 100).s(ACK | PSH, 100).c(ACK);
    await check(c, { a: { ackedUnseen: 1 }, b: { lostSegment: 1 } });
  });

  it("ack-RTT, retransmitted bytes, gaps and the time to the first payload byte", async () => {
    const c = opened().c({ flags: ACK | PSH, payload: 100, dt: 40 }).s({ flags: ACK, dt: 30 })
      .s({ flags: ACK | PSH, payload: 300, dt: 7 }).s({ flags: ACK | PSH, payload: 300, seq: 5001, dt: 500 }).c({ flags: ACK, dt: 2 });
    const s = await check(c, { b: { retransmission: 1 } });
    const [client, server] = s.analysis.sides;
    // The SYN acknowledged by the SYN/ACK (20 ms), the request by the server's ACK (30 ms).
    expect(client.ackRttUs).toEqual({ samples: 2, min: 20000, mean: 25000, max: 30000, p50: 20000, p95: 30000 });
    // The SYN/ACK by the third packet (5 ms); the response's first transmission by the last ACK.
    expect(server.ackRttUs).toMatchObject({ samples: 2, min: 5000, max: 502000 });
    expect(server.retransmittedBytes).toBe(300);
    expect(client.firstPayloadUs).toBe(40000);
    expect(server.firstPayloadUs).toBe(77000);
    expect(server.maxGapUs).toBe(500000);
    expect(client.maxGapUs).toBe(539000);
    expect(s.analysis.maxGapUs).toBe(500000);
  });
});
