import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { escapeControls } from "../../cli/error-lines.js";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
const SAMPLE = fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url));

describe("escapeControls", () => {
  it("writes control characters as escapes, leaves the rest (UTF-8 names included)", () => {
    expect(escapeControls("a\nb\rc\td\u001b[31me\u0000f\u007fg\u0085h")).toBe("a\\nb\\rc\\td\\x1b[31me\\x00f\\x7fg\\x85h");
    expect(escapeControls("café 日本.pcap")).toBe("café 日本.pcap");
    expect(escapeControls("a\\nb")).toBe("a\\\\nb"); // a backslash itself: told apart from an escape, as ls -b does
  });
});

describe("the command's messages about a file whose name holds a newline or a terminal escape", () => {
  const dir = mkdtempSync(join(tmpdir(), "ths-cli-names-"));
  const odd = join(dir, "two\nlines\u001b[31m.pcap");
  writeFileSync(odd, "x");

  it("are one line each on standard error, and the summary shows the name as text", () => {
    for (const args of [[odd], [join(dir, "missing\n.pcap")], ["--format", "csv", "-o", join(dir, "no\ndir", "x.csv"), SAMPLE], ["--filter", "port 80", odd, odd]]) {
      const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
      expect(r.status, JSON.stringify(args)).toBeGreaterThan(1);
      expect(r.stderr, JSON.stringify(args)).toMatch(/^tcp-handshake-scan: [^\n\u001b]*\n$/);
    }
    const summary = spawnSync(process.execPath, [BIN, odd], { encoding: "utf8" }).stdout;
    expect(summary).toContain("two\\nlines\\x1b[31m.pcap: 0 packets");
    expect(summary).not.toContain("\u001b");
  });
});
