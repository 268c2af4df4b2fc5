// Once per test run: say in one line when the tests that need the shared corpus are skipped,
// and why (vitest lists skipped tests only in its verbose report); and give the run one
// temporary directory of its own, removed at the end, so that the captures and outputs the
// tests write under os.tmpdir() do not pile up in /tmp run after run.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corpusDir } from "./decode.js";

export default function setup(): () => void {
  // The test workers (and the commands they start) inherit the environment: os.tmpdir() reads TMPDIR.
  const runDir = mkdtempSync(join(tmpdir(), "ths-test-run-"));
  process.env.TMPDIR = runDir;
  if (!corpusDir()) {
    const where = process.env.TCP_SCAN_CORPUS ?? "../shared/corpus beside the checkout";
    process.stderr.write(`tcp-handshake-scan tests: the shared corpus is absent (${where}): the tests on real captures and Zeek's baselines are skipped; set TCP_SCAN_CORPUS to its path to run them\n`);
  }
  return () => rmSync(runDir, { recursive: true, force: true });
}
