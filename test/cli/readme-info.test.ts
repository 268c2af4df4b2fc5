// The `info --json` fields (docs/command.md, "`info`"; the README gives the start of that
// paragraph and points there), as a program reading them would: every name it promises ("with at
// least …") is in the object `info --json` prints, down to the members it lists inside braces, on
// the shipped sample and on a copy of it cut short (for `errors`).

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readDoc, between } from "../helpers/doc-section.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "dist", "cli", "bin.cjs");
const SAMPLE = join(ROOT, "examples", "sample.pcap");
const info = between(readDoc("docs/command.md"), "\n## `info`\n", "\n## ");
const promised = between(info, "`--json` prints", null).replace(/\s+/g, " ");

/** `name: { a, b: { c }, d }` -> name and its members at the first level (a, b, d). */
function spans(text: string): { name: string; members: string[] }[] {
  return [...text.matchAll(/`([a-zA-Z]+)(?:: ([^`]*))?`/g)].map((m) => {
    let depth = 0, flat = "";
    for (const ch of m[2] ?? "") {
      if (ch === "{" || ch === "[") depth++;
      else if (ch === "}" || ch === "]") depth--;
      else if (depth === 1 || (depth === 2 && m[2]!.startsWith("[{"))) flat += ch;
    }
    return { name: m[1]!, members: flat.split(",").map((s) => s.trim().split(/[:\s]/)[0]!).filter((s) => /^[a-zA-Z]+$/.test(s)) };
  });
}

function infoJson(path: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, [BIN, "info", "--json", path], { encoding: "utf8" });
  return JSON.parse(r.stdout.split("\n")[0]!) as Record<string, unknown>;
}

describe("README: info --json", () => {
  const fields = spans(promised);

  it("promises the fields the README's sentence names", () => {
    expect(fields.map((f) => f.name)).toEqual(expect.arrayContaining(["fileSize", "packets", "tunnels", "reassembly", "rates", "errors"]));
    expect(fields.find((f) => f.name === "packets")!.members).toEqual(expect.arrayContaining(["total", "tcp", "tunnelled"]));
    expect(fields.find((f) => f.name === "errors")!.members).toEqual(["code", "message", "offset", "packet"]);
  });

  it("prints every one of them, with the members listed", () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-readme-info-"));
    const cut = join(dir, "cut.pcap");
    writeFileSync(cut, readFileSync(SAMPLE).subarray(0, 3000));
    const whole = infoJson(SAMPLE), damaged = infoJson(cut);
    for (const { name, members } of fields.filter((f) => f.name !== "json")) {
      expect(whole, name).toHaveProperty(name);
      const value = name === "errors" ? (damaged.errors as unknown[])[0] : whole[name];
      for (const member of members) expect(value, `${name}.${member}`).toHaveProperty(member);
    }
  });
});
