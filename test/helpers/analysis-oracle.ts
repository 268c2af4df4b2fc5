// tshark's TCP analysis as an oracle: the captures it covers (the real corpus's good captures
// with ../shared/corpus/real/oracle-analysis, and the recordings in test/fixtures/impaired with
// their own oracle files), the named exclusions (test/corpus/tcp-analysis-exclusions.json), the
// name tshark gives a side (by a tunnelled packet's outer address), and the comparison of one
// side's results with tshark's.

import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { corpusDir } from "./decode.js";
import { endpoint } from "./tshark-streams.js";

export interface OracleStream {
  stream: number;
  a: string;
  b: string | null;
  first_frame: number;
  last_frame: number;
  sides: Record<"a" | "b", Record<string, number>>;
  ack_rtt_us: Record<"a" | "b", { samples: number; min?: number; max?: number }>;
}

export interface OracleCapture { name: string; path: string; oracle: string }

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
      captures.push({ name, path: join(real, "good", name), oracle: join(real, "oracle-analysis", `${name}.json`) });
    }
  }
  if (existsSync(fixtures)) {
    for (const name of readdirSync(fixtures).filter((f) => f.endsWith(".pcap")).sort()) {
      captures.push({ name: `impaired/${name}`, path: join(fixtures, name), oracle: join(fixtures, `${name}.analysis.json`) });
    }
  }
  return captures;
}

export function readOracle(c: OracleCapture): OracleStream[] {
  return JSON.parse(readFileSync(c.oracle, "utf8")).streams;
}

/**
 * The name the oracle gives a packet's sender (tshark_analysis.py): the frame's first IPv4
 * source address (ip.src, outermost layer first), else its first IPv6 one, with the TCP source
 * port. A tunnelled packet is so named by an outer address of its chain (`outer`: each level's
 * source, outermost first), not by the inner one (`inner`) its record has.
 */
export function tsharkSender(outer: readonly { src: string }[], inner: string, port: number): string {
  const sources = [...outer.map((t) => t.src), inner];
  return endpoint(sources.find((a) => !a.includes(":")) ?? sources[0]!, port);
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
