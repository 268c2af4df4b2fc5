// Once per test run: say in one line when the tests that need the shared corpus are skipped,
// and why (vitest lists skipped tests only in its verbose report).

import { corpusDir } from "./decode.js";

export default function setup(): void {
  if (corpusDir()) return;
  const where = process.env.TCP_SCAN_CORPUS ?? "../shared/corpus beside the checkout";
  process.stderr.write(`tcp-handshake-scan tests: the shared corpus is absent (${where}): the tests on real captures and Zeek's baselines are skipped; set TCP_SCAN_CORPUS to its path to run them\n`);
}
