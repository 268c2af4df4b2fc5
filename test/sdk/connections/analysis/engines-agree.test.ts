// The WebAssembly TCP analysis engine gives exactly what the TypeScript reference gives: the
// same verdicts for every packet and the same results (counts, RTT statistics to the bit,
// gaps, first payload) for every connection, over the whole real corpus, the recorded impaired
// captures, and generated traffic that goes where captures seldom do (sequence numbers
// wrapping, clocks stepping back, zero windows, probes, retransmissions of every kind, a ring
// pool run dry).

import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeAll, corpusDir, rng } from "../../../helpers/decode.js";
import { analyseStreams } from "../../../helpers/tshark-streams.js";
import { typescriptEngine, wasmEngine, wasmModule, type AnalysisEngine } from "../../../helpers/analysis-engines.js";

const root = corpusDir();
const captures: string[] = [];
if (root) {
  const real = join(root, "real");
  for (const f of JSON.parse(readFileSync(join(real, "manifest.json"), "utf8")).files as { file: string; set: string }[]) {
    if (f.set === "good") captures.push(join(real, f.file));
  }
}
const impaired = fileURLToPath(new URL("../../../fixtures/impaired/", import.meta.url));
if (existsSync(impaired)) for (const f of readdirSync(impaired).filter((n) => n.endsWith(".pcap"))) captures.push(join(impaired, f));

beforeAll(() => { wasmModule(); }, 120_000);

describe("TCP analysis: the WebAssembly engine agrees with the TypeScript one", () => {
  it.runIf(captures.length > 0)("on every real and recorded capture, packet by packet", async () => {
    let packets = 0;
    for (const path of captures) {
      const { records } = await decodeAll(path);
      const ts = analyseStreams(records, typescriptEngine());
      const wasm = analyseStreams(records, wasmEngine());
      expect(wasm.length, path).toBe(ts.length);
      for (let i = 0; i < ts.length; i++) {
        expect(wasm[i]!.verdicts, `${path} stream at frame ${ts[i]!.firstFrame}`).toEqual(ts[i]!.verdicts);
        expect(wasm[i]!.analysis, `${path} stream at frame ${ts[i]!.firstFrame}`).toStrictEqual(ts[i]!.analysis);
        packets += ts[i]!.verdicts.length;
      }
    }
    // The real corpus holds most of the packets; without it, only the recordings the repo ships.
    expect(packets).toBeGreaterThan(root ? 10_000 : 500);
  });

  for (const [name, seed, blocks] of [["generated traffic", 1, 1024], ["generated traffic, a pool of two ring blocks", 2, 2]] as const) {
    it(name, () => {
      const engines = [typescriptEngine(blocks), wasmEngine(blocks, 64)];
      const verdicts = engines.map((e) => drive(e, seed));
      expect(verdicts[1]).toEqual(verdicts[0]);
      // Every verdict occurs, so that no rule goes untested.
      expect((verdicts[0]!.reduce((a, v) => a | v, 0)).toString(2)).toBe("11111111111111");
      expect(engines[1]!.freeRingBlocks()).toBe(engines[0]!.freeRingBlocks());
      for (let slot = 0; slot < SLOTS; slot++) expect(engines[1]!.read(slot), `slot ${slot}`).toStrictEqual(engines[0]!.read(slot));
      for (const e of engines) for (let slot = 0; slot < SLOTS; slot++) e.release(slot);
      expect(engines.map((e) => e.freeRingBlocks())).toEqual([blocks, blocks]);
    });
  }
});

const SLOTS = 24;
const FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10;

// Generated connections: each side keeps its next sequence number and what it has seen of the
// peer's, and every step is one plausible packet — or a deliberately odd one.
function drive(engine: AnalysisEngine, seed: number): number[] {
  const rand = rng(seed);
  const pick = (n: number) => Math.floor(rand() * n);
  const out: number[] = [];
  for (let slot = 0; slot < SLOTS; slot++) {
    engine.reset(slot);
    const isn = [pick(4) === 0 ? 0xffffffff - pick(20000) : pick(0x100000000), pick(0x100000000)];
    const next = [isn[0]!, isn[1]!], acked = [0, 0], window = [pick(3) === 0 ? 0 : 1 + pick(65535), 1 + pick(65535)];
    let t = pick(1000) / 7;
    const history: [number, number][][] = [[], []]; // per side: [seq, length] sent
    const steps = 150 + pick(600);
    for (let k = 0; k < steps; k++) {
      const side = k < 2 ? k : pick(2), peer = side ^ 1;
      const roll = pick(100);
      let seq = next[side]!, flags = ACK, payload = 0, wscale = -1;
      const ack = roll < 4 ? (acked[side]! - pick(3000)) >>> 0 : acked[side]!;
      if (k === 0) { flags = SYN; wscale = pick(3) === 0 ? -1 : pick(16); }
      else if (k === 1) { flags = SYN | ACK; wscale = pick(3) === 0 ? -1 : pick(16); }
      else if (roll < 40) payload = pick(3) === 0 ? 1 + pick(1460) : 1460;
      else if (roll < 48 && history[side]!.length) { // retransmit something old
        const [s, len] = history[side]![history[side]!.length - 1 - pick(Math.min(6, history[side]!.length))]!;
        seq = s; payload = len;
      } else if (roll < 52) { seq = (seq - 1) >>> 0; payload = pick(2); } // keep-alive / probe form
      else if (roll < 55) { payload = 1; } // a one-byte segment (a zero-window probe when the peer's window is shut)
      else if (roll < 58) { seq = (seq + 1 + pick(5000)) >>> 0; payload = pick(1000); } // a hole
      else if (roll < 60) flags = FIN | ACK;
      else if (roll < 61) flags = RST | (pick(2) ? ACK : 0);
      else if (roll < 62) { flags = SYN; seq = pick(3) ? isn[side]! : pick(0x100000000); }
      if (roll >= 85 && roll < 90) window[side] = 0;
      else if (roll >= 90 && roll < 95) window[side] = 1 + pick(65535);
      const dt = roll === 99 ? -pick(1000) / 1e4 : pick(5) === 0 ? 0 : pick(30000) / 1e6;
      t += dt;
      const v = engine.packet(slot, side, t, seq >>> 0, ack >>> 0, flags, window[side]!, wscale, payload);
      out.push(v);
      const end = (seq + payload + (flags & (SYN | FIN) ? 1 : 0)) >>> 0;
      if (((end - next[side]!) | 0) > 0) next[side] = end;
      if (payload > 0) history[side]!.push([seq >>> 0, payload]);
      // The peer acknowledges what arrived, now and then all of it, sometimes half of it.
      if (pick(3) === 0) acked[peer] = pick(4) === 0 ? (next[side]! - pick(2000)) >>> 0 : next[side]!;
    }
  }
  return out;
}
