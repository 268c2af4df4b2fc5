// Generated conversations against tshark's own TCP analysis: streams that put together what
// captures and scripted cases seldom do at once — loss, segments sent again (old, recent, as
// keep-alives), holes, duplicate and stale ACKs, zero and small windows, window scaling, SYNs
// sent again, resets, clocks stepping back, bulk transfers with many segments in flight and
// sequence numbers wrapping past 2^32. Every stream's verdict counts and ack-RTT samples must be
// tshark 4.0's (../shared/tools/oracle/tshark_analysis.py); the engines agree with each other on
// such traffic (engines-agree.test.ts). Skipped without tshark. These captures found the modular
// comparison of the ACKed-unseen check, the unsigned duplicate-ACK counter that the
// fast-retransmission check reads, and the whole-nanosecond time bounds (docs/tcp-analysis.md).

import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writePcap, type Frame } from "../../../helpers/capture-writer.js";
import { Conversation } from "../../../helpers/conversation.js";
import { F, type TcpOption } from "../../../helpers/packets.js";
import { rng, corpusDir, decodeAll } from "../../../helpers/decode.js";
import { analyseStreams } from "../../../helpers/tshark-streams.js";
import { sideDifferences, type OracleStream } from "../../../helpers/analysis-oracle.js";

const { SYN, ACK, PSH, FIN, RST } = F;
const root = corpusDir();
const oracleScript = root ? join(root, "..", "tools", "oracle", "tshark_analysis.py") : "";
let tshark = false;
try { execFileSync("tshark", ["--version"], { stdio: "ignore" }); tshark = existsSync(oracleScript); } catch { /* absent */ }

type Random = () => number;
const pickFrom = (r: Random) => <T>(choices: readonly T[]): T => choices[Math.floor(r() * choices.length)]!;
const wscale = (shift: number): TcpOption[] => [{ kind: "wscale", shift }];

/** A short exchange: each step is one packet of either side, plausible or deliberately odd. */
function mixed(r: Random, port: number, start: number): Conversation {
  const pick = pickFrom(r);
  const wrap = r() < 0.3;
  const c = new Conversation({ clientPort: port, start, clientIsn: wrap ? 0xffffff00 : 1000, serverIsn: wrap ? 0xfffffff0 : 5000 });
  if (r() < 0.8) c.c(SYN).s({ flags: SYN | ACK, dt: 20 }).c({ flags: ACK, dt: 5 });
  const steps = 3 + Math.floor(r() * 25);
  for (let i = 0; i < steps; i++) {
    const side = r() < 0.5 ? 0 : 1;
    const send = side === 0 ? c.c.bind(c) : c.s.bind(c);
    const next = c.nextSeq(side);
    const dt = pick([0, 1, 2, 5, 30, 300, 2000]);
    const window = r() < 0.1 ? 0 : r() < 0.2 ? pick([100, 300, 30000]) : undefined;
    const k = r() < 0.15 ? 1 : r();
    if (k < 0.35) send({ flags: ACK | PSH, payload: pick([1, 100, 200]), dt, window, lost: r() < 0.15 });
    else if (k < 0.55) send({ flags: ACK, dt, window });
    else if (k < 0.65) send({ flags: ACK | PSH, payload: 100, seq: (next - pick([1, 100, 200])) >>> 0, dt, window });
    else if (k < 0.72) {
      const ack = c.highestReceived(side);
      send({ flags: ACK, ack: (ack - pick([0, 100])) >>> 0, dt, window });
      send({ flags: ACK, ack: (ack - pick([0, 100])) >>> 0, dt: 1, window });
    } else if (k < 0.78) send({ flags: ACK, seq: (next - 1) >>> 0, payload: pick([0, 1]), dt });
    else if (k < 0.84) send({ flags: ACK | PSH, seq: (next + pick([100, 300])) >>> 0, payload: 100, dt });
    else if (k < 0.9) send({ flags: FIN | ACK, dt });
    else if (k < 0.92) send({ flags: RST | (r() < 0.5 ? ACK : 0), dt });
    else if (k < 0.95) send({ flags: ACK, payload: 1, dt, window });
    else if (k < 0.97) send({ flags: ACK | PSH, payload: 100, dt: pick([0, 1]) });
    else {
      const odd = r();
      if (odd < 0.2) send({ flags: SYN, seq: pick([1000, 5000, 777]), dt, options: r() < 0.5 ? wscale(pick([0, 2, 7, 15])) : undefined });
      else if (odd < 0.4) send({ flags: SYN | ACK, seq: pick([5000, 999]), dt, options: r() < 0.5 ? wscale(pick([0, 2, 7])) : undefined });
      else if (odd < 0.6) send({ flags: ACK, ack: Math.floor(r() * 2 ** 32), dt });
      else if (odd < 0.8) send({ flags: ACK | PSH, payload: pick([1, 50]), dt: -pick([1, 3, 50]) });
      else send({ flags: RST | ACK, payload: pick([0, 10]), dt });
    }
  }
  return c;
}

/** A transfer from the server: bursts of segments, some lost or sent again, delayed and stale ACKs. */
function bulk(r: Random, port: number, start: number): Conversation {
  const pick = pickFrom(r);
  const wrap = r() < 0.3, scaled = r() < 0.5;
  const c = new Conversation({ clientPort: port, start, clientIsn: wrap ? 0xffff0000 : 1000, serverIsn: wrap ? 0xfffff000 : 5000 });
  if (r() < 0.2) c.c(SYN).c({ flags: SYN, dt: 1000 });
  else c.c({ flags: SYN, options: scaled ? wscale(7) : undefined });
  if (r() < 0.9) c.s({ flags: SYN | ACK, dt: pick([1, 20, 37]), options: scaled ? wscale(pick([0, 3, 7])) : undefined, window: pick([65535, 512]) });
  c.c({ flags: ACK, dt: pick([0, 1, 5]), window: pick([65535, 8, 100, 1024]) });
  let inFlight = 0;
  const steps = 10 + Math.floor(r() * 300);
  for (let i = 0; i < steps; i++) {
    const k = r();
    if (k < 0.6) { c.s({ flags: ACK | PSH, payload: pick([1448, 1000, 512, 1]), dt: pick([0, 0.013, 0.1, 1]), lost: r() < 0.05 }); inFlight++; }
    else if (k < 0.85 || inFlight > 40) { c.c({ flags: ACK, dt: pick([0.5, 2, 10]), window: r() < 0.05 ? 0 : pick([65535, 1024, 8]) }); inFlight = 0; }
    else if (k < 0.9) c.s({ flags: ACK | PSH, payload: 1448, seq: (c.nextSeq(1) - 1448 * pick([1, 2, 5])) >>> 0, dt: pick([1, 3, 30, 300]) });
    else if (k < 0.95) c.c({ flags: ACK, ack: (c.highestReceived(0) - 1448 * pick([0, 1])) >>> 0, dt: 0.2 });
    else if (k < 0.97) c.s({ flags: ACK, seq: (c.nextSeq(1) - 1) >>> 0, payload: pick([0, 1]), dt: pick([1000, 5]) });
    else c.s({ flags: ACK | PSH, payload: 1, dt: 200 });
  }
  if (r() < 0.5) c.s(FIN | ACK).c(FIN | ACK).s(ACK);
  else if (r() < 0.5) c.c({ flags: RST | ACK, dt: 3 });
  return c;
}

const CAPTURES: { name: string; seed: number; make: typeof mixed }[] = [
  { name: "short exchanges", seed: 1, make: mixed },
  { name: "more short exchanges", seed: 2, make: mixed },
  { name: "bulk transfers", seed: 3, make: bulk },
];

describe.runIf(tshark)("TCP analysis: generated streams against tshark", () => {
  for (const { name, seed, make } of CAPTURES) {
    it(`${name} (seed ${seed}): every stream as tshark judges it`, async () => {
      const r = rng(seed);
      const frames: Frame[] = [];
      for (let k = 0; k < 150; k++) frames.push(...make(r, 10000 + k, 1_700_000_000 + k * 100).frames);
      const bytes = writePcap(frames);
      const dir = mkdtempSync(join(tmpdir(), "ths-generated-"));
      let oracle: OracleStream[];
      try {
        writeFileSync(join(dir, "g.pcap"), bytes);
        oracle = JSON.parse(execFileSync("python3", [oracleScript, join(dir, "g.pcap")], { encoding: "utf8", maxBuffer: 1 << 26 })).streams;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const ours = new Map(analyseStreams((await decodeAll(bytes)).records).map((s) => [s.firstFrame, s]));
      const differing: string[] = [];
      for (const want of oracle) {
        const got = ours.get(want.first_frame);
        const diff = got ? (["a", "b"] as const).flatMap((side) => sideDifferences(want, side, { counts: got.sides[side], rtt: got.ackRtt[side] })) : ["not decoded"];
        if (diff.length > 0) differing.push(`stream ${want.stream} (${want.a}, frames ${want.first_frame}-${want.last_frame}): ${diff.join("; ")}`);
      }
      expect(oracle.length).toBeGreaterThanOrEqual(150);
      expect(differing).toEqual([]);
    });
  }
});
