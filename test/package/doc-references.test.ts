// The README is the user's document and the benchmark journal is docs/benchmarks.md (the npm
// registry keeps only the first 64 KiB of a README in the package's metadata): the README's
// Benchmarks section stays short, and every place in the sources and docs that sends a reader to
// a section of either file ("README, "End to end"", "docs/benchmarks.md, round 36") names one
// that is there.

import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const readme = readFileSync(join(ROOT, "README.md"), "utf8").replace(/\r/g, "");
const journal = readFileSync(join(ROOT, "docs", "benchmarks.md"), "utf8").replace(/\r/g, "");

/** A file's sections: its headings and its bold paragraph leads ("**Tried and measured.**"). */
const sections = (text: string) => new Set([
  ...[...text.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.trim()),
  ...[...text.matchAll(/^\*\*([^*]+?)\.?\*\*/gm)].map((m) => m[1]!.trim()),
]);
const TARGETS = { "README": sections(readme), "docs/benchmarks.md": sections(journal) } as const;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.(ts|mjs|cjs|c|sh|md)$/.test(name) ? [path] : [];
  });
}
// Comments wrap: a reference may run over lines, each with its comment marker.
const joined = (path: string) => readFileSync(path, "utf8").replace(/\r/g, "").replace(/\n[ \t]*(?:\/\/|\*|#)?[ \t]*/g, " ");
const sources = [...["sdk", "cli", "bench", "assembly", "scripts", "docs"].flatMap((d) => files(join(ROOT, d))), join(ROOT, "README.md")]
  .map((path) => ({ name: relative(ROOT, path), text: joined(path) }));

describe("README and docs/benchmarks.md", () => {
  it("the README keeps a short Benchmarks section and points to the journal, which holds the rounds", () => {
    const at = readme.indexOf("\n## Benchmarks\n");
    expect(at).toBeGreaterThan(0);
    const section = readme.slice(at, readme.indexOf("\n## ", at + 1));
    expect(Buffer.byteLength(section), "the README's Benchmarks section (the journal belongs in docs/benchmarks.md)").toBeLessThan(16_000);
    expect(section).toContain("[docs/benchmarks.md](docs/benchmarks.md)");
    for (const name of ["Threads and the record path", "Memory under floods", "What the TCP analysis costs", "Tried and measured", "Not reached"]) {
      expect(TARGETS["docs/benchmarks.md"].has(name), name).toBe(true);
      expect(TARGETS.README.has(name), `${name} in the README`).toBe(false);
    }
  });

  it("every reference to a section of either file names a section that is there", () => {
    let checked = 0;
    for (const { name, text } of sources) {
      for (const m of text.matchAll(/(README|docs\/benchmarks\.md)(?:'s)?,? \(?"([^"]+)"/g)) {
        const target = m[1] as keyof typeof TARGETS;
        expect(TARGETS[target].has(m[2]!), `${name}: ${target}, "${m[2]}"`).toBe(true);
        checked++;
      }
      // The rounds are the journal's.
      expect(text.match(/README,? rounds? \d+/g) ?? [], `${name}: a round in the README`).toEqual([]);
      for (const m of text.matchAll(/docs\/benchmarks\.md, (?:"[^"]+", )?rounds? (\d+)/g)) {
        expect(journal.includes(`| ${m[1]} |`) || journal.includes(`round ${m[1]}`), `${name}: docs/benchmarks.md, round ${m[1]}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
