// The engines' usual-packet shortcut (TcpAnalysis.usual, and analysisPacket in WebAssembly,
// which engines-agree.test.ts holds to the TypeScript engine) changes nothing: with it and
// without it, where every packet goes through all the rules, the TypeScript engine gives the
// same verdicts and the same results for every stream of the real corpus and of the recorded
// impaired captures the repository ships, and the shortcut takes most packets.

import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeAll, corpusDir } from "../../../helpers/decode.js";
import { analyseStreams } from "../../../helpers/tshark-streams.js";
import { typescriptEngine } from "../../../helpers/analysis-engines.js";
import { TcpAnalysis } from "../../../../sdk/connections/analysis/index.js";

const captures: string[] = [];
const impaired = fileURLToPath(new URL("../../../fixtures/impaired/", import.meta.url));
if (existsSync(impaired)) for (const f of readdirSync(impaired).filter((n) => n.endsWith(".pcap"))) captures.push(join(impaired, f));
const root = corpusDir();
if (root) {
  const real = join(root, "real");
  for (const f of JSON.parse(readFileSync(join(real, "manifest.json"), "utf8")).files as { file: string; set: string }[]) {
    if (f.set === "good") captures.push(join(real, f.file));
  }
}

describe("TCP analysis: the usual-packet shortcut", () => {
  it.runIf(captures.length > 0)("gives what all the rules give, stream by stream", async () => {
    // The share of usual packets over the real corpus, and over the impaired captures (lossy on
    // purpose: fewer packets there go without a verdict).
    let packets = 0, usual = 0, impairedPackets = 0, impairedUsual = 0;
    for (const path of captures) {
      const fromImpaired = path.startsWith(impaired);
      const { records } = await decodeAll(path);
      const withShortcut = new TcpAnalysis(64), rulesOnly = new TcpAnalysis(64);
      rulesOnly.shortcut = false;
      const fast = analyseStreams(records, typescriptEngine(undefined, withShortcut));
      const rules = analyseStreams(records, typescriptEngine(undefined, rulesOnly));
      expect(fast.length, path).toBe(rules.length);
      for (let i = 0; i < rules.length; i++) {
        expect(fast[i]!.verdicts, `${path} stream at frame ${rules[i]!.firstFrame}`).toEqual(rules[i]!.verdicts);
        expect(fast[i]!.analysis, `${path} stream at frame ${rules[i]!.firstFrame}`).toStrictEqual(rules[i]!.analysis);
        if (fromImpaired) impairedPackets += rules[i]!.verdicts.length;
        else packets += rules[i]!.verdicts.length;
      }
      expect(rulesOnly.usualPackets, path).toBe(0);
      if (fromImpaired) impairedUsual += withShortcut.usualPackets;
      else usual += withShortcut.usualPackets;
    }
    expect(impairedPackets).toBeGreaterThan(500);
    expect(impairedUsual / impairedPackets).toBeGreaterThan(0.3);
    if (root) {
      expect(packets).toBeGreaterThan(10_000);
      expect(usual / packets).toBeGreaterThan(0.5);
    }
  });
});
