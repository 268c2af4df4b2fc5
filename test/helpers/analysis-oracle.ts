// tshark's TCP analysis as an oracle: the captures it covers (the real corpus's good captures
// with ../shared/corpus/real/oracle-analysis, and the recordings in test/fixtures/impaired with
// their own oracle files), the named exclusions (test/corpus/tcp-analysis-exclusions.json), the
// streams tshark reads inside tunnels, and the comparison of one side's results with tshark's.

import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { corpusDir } from "./decode.js";

export interface OracleStream {
  stream: number;
  a: string;
  b: string | null;
  first_frame: number;
  last_frame: number;
  sides: Record<"a" | "b", Record<string, number>>;
  ack_rtt_us: Record<"a" | "b", { samples: number; min?: number; max?: number }>;
}
export interface StreamView { carried_by: string; inside_other_transport: boolean; first_frame: number }

export interface OracleCapture { name: string; path: string; oracle: string; view: string | null }

/** Our results for one side, in the oracle's terms. */
export interface SideResult {
  counts: Record<string, number>;
  rtt: { samples: number; min?: number | null; max?: number | null };
}

const root = corpusDir();
const real = root ? join(root, "real") : null;
const fixtures = fileURLToPath(new URL("../fixtures/impaired/", import.meta.url));

/** Reason by capture name and tshark stream index. */
export const exclusions: Record<string, Record<string, string>> = JSON.parse(
  readFileSync(fileURLToPath(new URL("../corpus/tcp-analysis-exclusions.json", import.meta.url)), "utf8"),
).captures;

export function oracleCaptures(): OracleCapture[] {
  const captures: OracleCapture[] = [];
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
  return captures;
}

export function readOracle(c: OracleCapture): { streams: OracleStream[]; views: Map<number, StreamView> } {
  const streams: OracleStream[] = JSON.parse(readFileSync(c.oracle, "utf8")).streams;
  const views = new Map<number, StreamView>();
  if (c.view) for (const s of JSON.parse(readFileSync(c.view, "utf8")).streams as StreamView[]) views.set(s.first_frame, s);
  return { streams, views };
}

/**
 * A stream tshark reads inside another transport or tunnel: set aside, as the oracle names such a
 * stream by its outermost IP addresses (tshark's first ip.src), not by the inner ones a record has.
 */
export function tunnelled(s: StreamView | undefined): boolean {
  if (!s) return false;
  if (s.inside_other_transport) return true;
  const layers = s.carried_by.split(":");
  return layers.filter((l) => l === "ip" || l === "ipv6").length > 1 || layers.includes("gre") || layers.includes("erspan");
}

/** What differs between tshark's side and ours: every count, the RTT sample count, min and max within 2 µs. */
export function sideDifferences(want: OracleStream, side: "a" | "b", got: SideResult): string[] {
  const out: string[] = [];
  for (const [name, n] of Object.entries(want.sides[side])) {
    if (got.counts[name] !== n) out.push(`${side}.${name} ${got.counts[name]} (tshark ${n})`);
  }
  const w = want.ack_rtt_us[side], g = got.rtt;
  if (w.samples !== g.samples) out.push(`${side}.ackRtt.samples ${g.samples} (tshark ${w.samples})`);
  else if (w.samples > 0 && (Math.abs(w.min! - g.min!) > 2 || Math.abs(w.max! - g.max!) > 2)) {
    out.push(`${side}.ackRtt min/max ${g.min}/${g.max} µs (tshark ${w.min}/${w.max})`);
  }
  return out;
}
