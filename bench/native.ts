// Builds and runs the native C reference decoder (bench/native/decode.c) when a C compiler is
// available; the benchmark reports it beside the WebAssembly and TypeScript decoders.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { BenchFailure } from "./bench-main.js";

const SOURCE = fileURLToPath(new URL("../../bench/native/decode.c", import.meta.url));

/** Compiles the decoder into `dir`; returns the binary's path, or null without a compiler. */
export function buildNative(dir: string): string | null {
  const binary = join(dir, "native-decode");
  const cc = spawnSync("cc", ["-O2", "-o", binary, SOURCE], { encoding: "utf8" });
  if (cc.error || cc.status !== 0) return null;
  return binary;
}

/** The fastest of `runs` decodes of `path` (seconds), with the packets and flow-hash checksum of a run. */
export function runNative(binary: string, path: string, runs: number): { seconds: number; packets: number; checksum: number } {
  const r = spawnSync(binary, [path, String(runs)], { encoding: "utf8" });
  if (r.status !== 0) throw new BenchFailure(`native decoder failed on ${path} (exit ${r.status}): ${(r.stderr ?? "").trim().split("\n").pop()}`);
  const [seconds, packets, checksum] = r.stdout.trim().split(" ").map(Number);
  return { seconds: seconds!, packets: packets!, checksum: checksum! };
}
