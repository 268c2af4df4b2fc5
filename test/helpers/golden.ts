// Golden files of the command's output (test/cli/golden/): a test's output must equal its file.
// UPDATE_GOLDEN=1 (or a missing file) writes the file anew; review the diff before committing it.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

const GOLDEN = fileURLToPath(new URL("../cli/golden/", import.meta.url));

export function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN || !existsSync(path)) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, "utf8"));
}
