// What ties a kept benchmark capture to the code that generated it: a hash of the generator's
// modules as they are built. A capture is reused only under the same stamp, so that a change to
// the generator or its traffic scripts makes the next run generate afresh rather than measure an
// old capture against its own old counts.

import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const MODULES = ["generate", "traffic-scripts"];

export function generatorStamp(): string {
  const hash = createHash("sha256");
  for (const name of MODULES) {
    // dist/bench/*.js when built; bench/*.ts when the tests run the source.
    const built = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
    const file = existsSync(built) ? built : fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
    hash.update(name).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}
