// The temporary file ladders wait in is a JSON round trip: held here to give back every corpus
// capture's ladders exactly (no value JSON changes: undefined, -0, NaN, Infinity), and drawn the
// same; and to be closed, with the input, when the caller's onLadder throws.

import { describe, it, expect } from "vitest";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { captureLadders, drawLadders, compileFilter, renderLadder } from "../../../sdk/index.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";
import { SpillFile } from "../../../sdk/ladder/spill-file.js";
import { corpusDir, capturesUnder } from "../../helpers/decode.js";

const root = corpusDir();

/** Paths of the values a JSON round trip would not give back as they are. */
function notJsonSafe(value: unknown, path = "", out: string[] = []): string[] {
  if (value === undefined || (typeof value === "number" && (!Number.isFinite(value) || Object.is(value, -0) || (Number.isInteger(value) && !Number.isSafeInteger(value))))) {
    out.push(`${path}: ${Object.is(value, -0) ? "-0" : String(value)}`);
  } else if (value !== null && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) notJsonSafe(v, `${path}.${key}`, out);
  }
  return out;
}

describe.runIf(root)("the ladders' temporary file: the corpus", () => {
  const files = root ? [...capturesUnder(join(root, "real")), ...capturesUnder(join(root, "zeek", "traces"))] : [];
  it("gives back every ladder as written", async () => {
    const spill = new SpillFile();
    let ladders = 0;
    try {
      for (const file of files) {
        const { ladders: drawn } = await captureLadders(file, compileFilter("tcp"), {}, Infinity);
        for (const ladder of drawn) {
          const name = `${relative(root!, file)} #${ladder.connection.id}`;
          expect(notJsonSafe(ladder), name).toEqual([]);
          const back = spill.read(spill.write(ladder));
          expect(back, name).toStrictEqual(ladder);
          expect(renderLadder(back), name).toBe(renderLadder(ladder));
          ladders++;
        }
      }
    } finally {
      spill.close();
    }
    expect(ladders).toBeGreaterThan(500);
  });
});

/** Open file descriptors of this process (Linux). */
const openFds = () => readdirSync("/proc/self/fd").length;

describe.runIf(existsSync("/proc/self/fd"))("the ladders' temporary file when onLadder throws", () => {
  // A long first connection holds back 300 ladders (44 of them on disk) until the input ends.
  const long = new Conversation({ clientPort: 52000 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK).c({ flags: F.ACK | F.PSH, payload: 10, dt: 100_000 });
  const short = Array.from({ length: 300 }, (_, k) => new Conversation({ clientPort: 52001 + k, start: 1_700_000_000.01 + k * 0.2 })
    .c(F.SYN).s(F.SYN | F.ACK).c(F.ACK).c(F.RST));
  const bytes = writePcap(merge(long, ...short));
  const file = join(mkdtempSync(join(tmpdir(), "ths-spill-")), "held-back.pcap");
  writeFileSync(file, bytes);
  async function* stream() {
    for (let at = 0; at < bytes.length; at += 4096) yield bytes.slice(at, at + 4096);
  }

  for (const [name, input] of [["a file (two passes)", () => file], ["a stream (one pass)", stream]] as const) {
    it(`closes it, and the input, from ${name}`, async () => {
      const before = openFds();
      let calls = 0;
      const failing = drawLadders(input(), compileFilter("tcp"), {}, Infinity, () => {
        if (++calls === 2) throw new Error("the caller's own");
      });
      await expect(failing).rejects.toThrow("the caller's own");
      expect(openFds()).toBe(before);
      // Drawn again whole: nothing was left behind.
      const again = await captureLadders(input(), compileFilter("tcp"), {}, Infinity);
      expect(again.ladders).toHaveLength(301);
    });
  }
});
