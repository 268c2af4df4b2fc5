// What the command prints for a bug (exit 1): enough to report it — the version, Node and
// platform, the message and a short stack. The stack's positions are in the bundles
// (dist/cli/bin.cjs, main.cjs); their source maps ship beside them, and NODE_OPTIONS=--enable-source-maps makes
// Node print positions in the TypeScript sources instead.

import { versionLine } from "./version.js";

const FRAMES = 8;

export function internalErrorMessage(error: unknown, version: string): string {
  const e = error instanceof Error ? error : new Error(String(error));
  const frames = (e.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l)).slice(0, FRAMES).map((l) => `    ${l.trim()}`);
  const sourceMaps = process.execArgv.includes("--enable-source-maps") || /--enable-source-maps/.test(process.env.NODE_OPTIONS ?? "");
  return [
    `tcp-handshake-scan: internal error (a bug: please report it with this message): ${e.name}: ${e.message}`,
    `  ${versionLine(version)}, Node ${process.version}, ${process.platform}-${process.arch}`,
    ...frames,
    ...(sourceMaps ? [] : ["  (NODE_OPTIONS=--enable-source-maps gives the positions in the sources)"]),
  ].join("\n") + "\n";
}
