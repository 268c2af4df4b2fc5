// The program's version, read from its package.json (the one place it is written), and the one
// line that names it: `--version`, the head of every `--help` and an internal error's report
// all say "tcp-handshake-scan 0.1.0".

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const PROGRAM = "tcp-handshake-scan";

/** package.json's version: two levels up from the bundles in dist/cli/, one from the sources in cli/. */
export function packageVersion(): string {
  for (const rel of ["../../package.json", "../package.json"]) {
    try {
      return JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")).version;
    } catch { /* try the next layout */ }
  }
  return "unknown";
}

/** "tcp-handshake-scan 0.1.0". */
export function versionLine(version = packageVersion()): string {
  return `${PROGRAM} ${version}`;
}

/**
 * The package's folder, which holds README.md and docs/ (two levels up from the bundles, one from
 * the sources), for --help to say where the documentation is; null when not found there.
 */
export function packageFolder(): string | null {
  for (const rel of ["../../", "../"]) {
    const dir = new URL(rel, import.meta.url);
    if (dir.protocol === "file:" && existsSync(new URL("docs/command.md", dir))) return fileURLToPath(dir).replace(/[\\/]$/, "");
  }
  return null;
}
