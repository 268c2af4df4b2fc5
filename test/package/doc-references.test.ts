// The README is the user's document; its reference sections are docs/ pages (the command's options
// in full, one scan over many machines, the csv and Parquet columns, the decoder, the record
// against Zeek and tshark, development) and the benchmark journal is docs/benchmarks.md: the npm
// registry keeps only the first 64 KiB of a README in the package's metadata (npmjs.com shows
// that cut copy). So the README stays within 65 536 characters, its Benchmarks section stays
// short, each moved section is its page's and the README links to it, its links lead to files and
// headings that are there, and every place in the sources and docs that sends a reader to a
// section of the README or a docs page ("README, "End to end"", "docs/columns.md, "csv columns"",
// "docs/benchmarks.md, round 36") names one that is there.

import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const readme = readFileSync(join(ROOT, "README.md"), "utf8").replace(/\r/g, "");
const journal = readFileSync(join(ROOT, "docs", "benchmarks.md"), "utf8").replace(/\r/g, "");
const pages = readdirSync(join(ROOT, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`);
const read = (path: string) => readFileSync(join(ROOT, path), "utf8").replace(/\r/g, "");

/** A file's sections: its headings (also without a closing parenthesis, "Where the time goes (2
 * cores, page cache)" named "Where the time goes") and its bold paragraph leads ("**Tried and measured.**"). */
const sections = (text: string) => new Set([
  ...[...text.matchAll(/^#+ (.+)$/gm)].flatMap((m) => [m[1]!.trim(), m[1]!.replace(/ \([^()]*\)$/, "").trim()]),
  ...[...text.matchAll(/^\*\*([^*]+?)\.?\*\*/gm)].map((m) => m[1]!.trim()),
]);
const TARGETS: Record<string, Set<string>> = { "README": sections(readme), ...Object.fromEntries(pages.map((page) => [page, sections(read(page))])) };
const README_HEADINGS = new Set([...readme.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.trim()));
/** The README's sections that moved to a docs page, by page: each is that page's and no longer the README's. */
const MOVED: Record<string, string[]> = {
  "docs/command.md": ["Options", "Ladder diagrams", "`info`", "A closed output, and how far a run has got"],
  "docs/scale-out.md": ["One scan over many machines"],
  "docs/columns.md": ["csv columns", "Parquet columns"],
  "docs/decoder.md": ["The packet record", "What the decoder reads", "Tunnels and fragments"],
  "docs/conformance.md": ["Where the record and Zeek's conn.log differ", "Connection health against tshark and Zeek's history letters"],
  "docs/development.md": ["Development"],
  "docs/benchmarks.md": ["How the benchmarks run"],
};
/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
const anchors = (markdown: string) => {
  const seen = new Map<string, number>();
  const outside = markdown.replace(/^```[\s\S]*?^```/gm, "");
  return new Set([...outside.matchAll(/^#+ (.+)$/gm)].map((m) => {
    const base = slug(m[1]!), n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n ? `${base}-${n}` : base;
  }));
};

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

describe("README and docs/", () => {
  it("the README fits in what the npm registry keeps of it: 65 536 characters", () => {
    const raw = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(raw.length, "README.md's characters (move reference material to a docs/ page)").toBeLessThanOrEqual(65_536);
    // The SDK, the last section a user needs before the benchmarks, ends well inside the cut.
    expect(raw.indexOf("\n## Benchmarks\n")).toBeGreaterThan(raw.indexOf("\n## The SDK\n"));
    expect(raw.indexOf("\n## Benchmarks\n")).toBeLessThan(65_536);
  });

  it("each section moved out of the README is its page's, and the README links to the page", () => {
    for (const [page, names] of Object.entries(MOVED)) {
      expect(readme, `the README's link to ${page}`).toMatch(new RegExp(`\\]\\(${page.replace(/[./]/g, "\\$&")}(#[^)]*)?\\)`));
      for (const name of names) {
        expect(TARGETS[page]!.has(name), `${page}: "${name}"`).toBe(true);
        if (name !== "One scan over many machines" && name !== "Development") expect(README_HEADINGS.has(name), `"${name}" still a heading of the README`).toBe(false);
      }
    }
  });

  it("the README's and the pages' links lead to files and headings that are there", () => {
    let checked = 0;
    for (const path of ["README.md", ...pages]) {
      for (const m of read(path).matchAll(/\]\((?!https?:|mailto:)([^)\s]*)\)/g)) {
        const [file, anchor] = m[1]!.split("#") as [string, string | undefined];
        const target = file === "" ? path : relative(ROOT, join(ROOT, dirname(path), file));
        expect(existsSync(join(ROOT, target)), `${path}: ${m[1]}`).toBe(true);
        if (anchor !== undefined) expect(anchors(read(target)).has(anchor), `${path}: ${m[1]}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("every source path the README and the pages name is there (the benchmark journal's rounds keep the paths of their day)", () => {
    let checked = 0;
    for (const path of ["README.md", ...pages.filter((page) => page !== "docs/benchmarks.md")]) {
      for (const m of read(path).matchAll(/(?<![\w./-])((?:assembly|sdk|cli|bench|test|scripts|examples)\/[\w./-]+\.(?:ts|mjs|cjs|sh|py|json|pcap|c))(?![\w/])/g)) {
        expect(existsSync(join(ROOT, m[1]!)), `${path}: ${m[1]}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("where the README gives a docs paragraph in short, each excerpt (joined by \"…\") is that paragraph's", () => {
    const norm = (t: string) => t.replace(/\]\([^)]*\)/g, "]").replace(/\s+/g, " ").trim();
    const paragraphs = pages.flatMap((page) => read(page).split("\n\n").map((p) => ({ page, text: norm(p) })));
    let compared = 0;
    // Tables are not paragraphs: the options table is held to its full rows by test/cli/readme-options.test.ts.
    for (const short of readme.split("\n\n").map(norm).filter((p) => p.includes(" … ") && !p.startsWith("|"))) {
      const full = paragraphs.find((p) => p.text !== short && p.text.startsWith(short.slice(0, 40)));
      if (!full) continue;
      for (const piece of short.split(" … ").map((p) => p.trim()).filter((p) => p && !p.startsWith("[docs/"))) expect(full.text, `${full.page}: "${piece}"`).toContain(piece);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(2);
  });

  it("the README keeps a short Benchmarks section and points to the journal, which holds the rounds", () => {
    const at = readme.indexOf("\n## Benchmarks\n");
    expect(at).toBeGreaterThan(0);
    const section = readme.slice(at, readme.indexOf("\n## ", at + 1));
    expect(Buffer.byteLength(section), "the README's Benchmarks section (the journal belongs in docs/benchmarks.md)").toBeLessThan(16_000);
    expect(section).toContain("[docs/benchmarks.md](docs/benchmarks.md)");
    for (const name of ["Threads and the record path", "Memory under floods", "What the TCP analysis costs", "Tried and measured", "Not reached"]) {
      expect(TARGETS["docs/benchmarks.md"]!.has(name), name).toBe(true);
      expect(TARGETS.README!.has(name), `${name} in the README`).toBe(false);
    }
  });

  it("every reference to a section of either file names a section that is there", () => {
    let checked = 0;
    for (const { name, text } of sources) {
      for (const m of text.matchAll(/(README|docs\/[\w-]+\.md)(?:'s)?,? \(?"([^"]+)"/g)) {
        const target = m[1]!;
        expect(TARGETS[target], `${name}: ${target}`).toBeDefined();
        expect(TARGETS[target]!.has(m[2]!), `${name}: ${target}, "${m[2]}"`).toBe(true);
        checked++;
      }
      // The rounds are the journal's.
      expect(text.match(/README,? rounds? \d+/g) ?? [], `${name}: a round in the README`).toEqual([]);
      for (const m of text.matchAll(/docs\/benchmarks\.md, (?:"[^"]+", )?rounds? (\d+)/g)) {
        expect(journal.includes(`| ${m[1]} |`) || journal.includes(`round ${m[1]}`), `${name}: docs/benchmarks.md, round ${m[1]}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(25);
  });
});
