// The README and the docs/ pages, as the tests that hold them to the program read them: a
// document by its path from the repository's root, and the text between two markers of it,
// which throws when either marker is missing (a moved or renamed section fails the test that
// reads it, instead of leaving it an empty string to check).

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** README.md or docs/NAME.md, line ends as LF. */
export function readDoc(path: "README.md" | `docs/${string}.md`): string {
  return readFileSync(`${ROOT}${path}`, "utf8").replace(/\r/g, "");
}

/** The text from `start` up to `end` (or the end of the text when `end` is null), `start` included. */
export function between(text: string, start: string, end: string | null, what = `"${start.trim()}"`): string {
  const at = text.indexOf(start);
  if (at < 0) throw new Error(`${what}: "${start.trim()}" not found`);
  if (end === null) return text.slice(at);
  const stop = text.indexOf(end, at + start.length);
  if (stop < 0) throw new Error(`${what}: "${end.trim()}" not found after "${start.trim()}"`);
  return text.slice(at, stop);
}
