// The real-capture corpus (../shared/corpus/real): captures nobody here wrote, with tshark 4.0's
// per-stream view as the oracle. Every good capture must give tshark's TCP packet counts per
// stream and direction; every damaged one must behave as its manifest's `expect` says.

import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeAll, corpusDir } from "../helpers/decode.js";
import { teredoElsewhere } from "./tshark-teredo.js";

interface OracleStream {
  a: string;
  b: string;
  packets: { a_to_b: number; b_to_a: number };
}

interface ManifestEntry {
  file: string;
  set: "good" | "bad";
  expect: "ok" | "error" | "partial";
  intact_packets_before_damage?: number;
}

const root = corpusDir();
const real = root ? join(root, "real") : null;
const manifest: ManifestEntry[] = real ? JSON.parse(readFileSync(join(real, "manifest.json"), "utf8")).files : [];

if (!real) {
  describe("real corpus", () => {
    it.skip("../shared/corpus/real is absent: corpus conformance not checked", () => {});
  });
}

function endpoint(addr: string, port: number): string {
  return addr.includes(":") ? `[${addr}]:${port}` : `${addr}:${port}`;
}

describe.runIf(real)("real corpus: good captures match tshark's TCP packets per stream and direction", () => {
  for (const entry of manifest.filter((e) => e.set === "good")) {
    it(entry.file, async () => {
      const name = entry.file.slice("good/".length);
      const oracle = JSON.parse(readFileSync(join(real!, "oracle", `${name}.json`), "utf8"));
      const expected = new Map<string, number>();
      for (const s of oracle.streams as OracleStream[]) {
        const ab = `${s.a}>${s.b}`, ba = `${s.b}>${s.a}`;
        expected.set(ab, (expected.get(ab) ?? 0) + s.packets.a_to_b);
        expected.set(ba, (expected.get(ba) ?? 0) + s.packets.b_to_a);
      }
      for (const [k, v] of expected) if (v === 0) expected.delete(k);

      const { records, summary } = await decodeAll(join(real!, entry.file));
      expect(summary.error).toBeNull();
      const got = new Map<string, number>();
      for (const r of records) {
        if (teredoElsewhere(r)) continue;
        const k = `${endpoint(r.src, r.srcPort)}>${endpoint(r.dst, r.dstPort)}`;
        got.set(k, (got.get(k) ?? 0) + 1);
      }
      expect(Object.fromEntries([...got].sort())).toEqual(Object.fromEntries([...expected].sort()));
      expect(summary.stats.tcp).toBe(records.length);
    });
  }
});

describe.runIf(real)("real corpus: damaged captures fail cleanly", () => {
  for (const entry of manifest.filter((e) => e.set === "bad")) {
    it(`${entry.file} (${entry.expect})`, async () => {
      const path = join(real!, entry.file);
      const size = readFileSync(path).length;
      const { summary } = await decodeAll(path);
      expect(summary.error, "a damaged file must report an error").not.toBeNull();
      const error = summary.error!;
      expect(error.offset).toBeGreaterThanOrEqual(0);
      expect(error.offset).toBeLessThanOrEqual(size);
      expect(error.message.length).toBeGreaterThan(0);
      const intact = entry.intact_packets_before_damage ?? 0;
      if (entry.expect === "error") {
        expect(summary.stats.packets).toBe(0);
      } else {
        expect(summary.stats.packets).toBe(intact);
        expect(error.packet).toBe(intact + 1); // the frame number of the damaged record
      }
    });
  }
});
