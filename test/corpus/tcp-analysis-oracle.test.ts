// tshark's TCP analysis as the oracle (../shared/corpus/real/oracle-analysis, and the captures
// recorded over impaired paths in test/fixtures/impaired with their own oracle files): stream by
// stream, every verdict count of both sides equals tshark's, and so do the ack-RTT sample counts,
// with min and max within 2 µs. Streams tshark reads inside a tunnel are set aside, as the
// oracle's notes say (the decoder does not decapsulate yet; see real-corpus.test.ts). Every
// other difference is named in tcp-analysis-exclusions.json with its reason, and an exclusion
// that starts to match fails the test, so that the list never hides a fixed case.

import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeAll, corpusDir } from "../helpers/decode.js";
import { analyseStreams, type StreamAnalysis } from "../helpers/tshark-streams.js";

interface OracleStream {
  stream: number;
  a: string;
  b: string | null;
  first_frame: number;
  sides: Record<"a" | "b", Record<string, number>>;
  ack_rtt_us: Record<"a" | "b", { samples: number; min?: number; max?: number }>;
}
interface StreamView { carried_by: string; inside_other_transport: boolean; first_frame: number }

const root = corpusDir();
const real = root ? join(root, "real") : null;
const fixtures = fileURLToPath(new URL("../fixtures/impaired/", import.meta.url));
const exclusions: Record<string, Record<string, string>> = JSON.parse(
  readFileSync(fileURLToPath(new URL("./tcp-analysis-exclusions.json", import.meta.url)), "utf8"),
).captures;

interface Capture { name: string; path: string; oracle: string; view: string | null }
const captures: Capture[] = [];
if (real) {
  const files = (JSON.parse(readFileSync(join(real, "manifest.json"), "utf8")).files as { file: string; set: string }[])
    .filter((f) => f.set === "good").map((f) => f.file.slice("good/".length));
  for (const name of files) {
    captures.push({ name, path: join(real, "good", name), oracle: join(real, "oracle-analysis", `${name}.json`), view: join(real, "oracle", `${name}.json`) });
  }
}
if (existsSync(fixtures)) {
  for (const name of readdirSync(fixtures).filter((f) => f.endsWith(".pcap")).sort()) {
    captures.push({ name: `impaired/${name}`, path: join(fixtures, name), oracle: join(fixtures, `${name}.analysis.json`), view: null });
  }
}

function tunnelled(s: StreamView): boolean {
  if (s.inside_other_transport) return true;
  const layers = s.carried_by.split(":");
  return layers.filter((l) => l === "ip" || l === "ipv6").length > 1 || layers.includes("gre") || layers.includes("erspan");
}

/** What differs between tshark's stream and ours; empty when they agree. */
export function differences(want: OracleStream, got: StreamAnalysis | undefined): string[] {
  if (!got) return ["not decoded"];
  const out: string[] = [];
  if (got.a !== want.a) out.push(`side a is ${got.a}, tshark's ${want.a}`);
  for (const side of ["a", "b"] as const) {
    for (const [name, n] of Object.entries(want.sides[side])) {
      const g = got.sides[side][name as keyof typeof got.sides.a];
      if (g !== n) out.push(`${side}.${name} ${g} (tshark ${n})`);
    }
    const w = want.ack_rtt_us[side], g = got.ackRtt[side];
    if (w.samples !== g.samples) out.push(`${side}.ackRtt.samples ${g.samples} (tshark ${w.samples})`);
    else if (w.samples > 0 && (Math.abs(w.min! - g.min!) > 2 || Math.abs(w.max! - g.max!) > 2)) {
      out.push(`${side}.ackRtt min/max ${g.min}/${g.max} µs (tshark ${w.min}/${w.max})`);
    }
  }
  return out;
}

const tally = { streams: 0, setAside: 0, equal: 0, excluded: 0 };

describe.runIf(captures.length > 0)("TCP analysis: tshark's verdicts stream by stream", () => {
  for (const c of captures) {
    it(c.name, async () => {
      const oracle: OracleStream[] = JSON.parse(readFileSync(c.oracle, "utf8")).streams;
      const views = new Map<number, StreamView>();
      if (c.view) for (const s of JSON.parse(readFileSync(c.view, "utf8")).streams as StreamView[]) views.set(s.first_frame, s);
      const { records } = await decodeAll(c.path);
      const ours = new Map(analyseStreams(records).map((s) => [s.firstFrame, s]));
      const excluded = exclusions[c.name] ?? {};
      const unexpected: string[] = [], fixed: string[] = [];
      for (const want of oracle) {
        tally.streams++;
        const view = views.get(want.first_frame);
        if (view && tunnelled(view)) { tally.setAside++; continue; }
        const diff = differences(want, ours.get(want.first_frame));
        const reason = excluded[String(want.stream)];
        if (reason) {
          tally.excluded++;
          if (diff.length === 0) fixed.push(`stream ${want.stream} now matches: remove its exclusion ("${reason}")`);
        } else if (diff.length > 0) {
          unexpected.push(`stream ${want.stream} (${want.a} > ${want.b}, frame ${want.first_frame}): ${diff.join("; ")}`);
        } else {
          tally.equal++;
        }
      }
      for (const stream of Object.keys(excluded)) {
        if (!oracle.some((s) => String(s.stream) === stream)) fixed.push(`stream ${stream} is excluded but tshark has no such stream`);
      }
      expect(unexpected).toEqual([]);
      expect(fixed).toEqual([]);
    });
  }
  it("agreement figures", () => {
    const compared = tally.streams - tally.setAside;
    console.log(`tcp analysis vs tshark: ${tally.equal} of ${compared} streams equal (${tally.excluded} excluded, ${tally.setAside} tunnelled set aside)`);
    expect(tally.equal).toBeGreaterThanOrEqual(Math.ceil(compared * 0.99));
  });
});
