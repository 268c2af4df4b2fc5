// One pass for `npm run bench:instructions` (bench/instructions.ts), run under valgrind:
//   node dist/bench/instruction-pass.js ROOT decode|track FILE
// reads FILE with the build at ROOT (its dist/sdk), decoding only or decoding and tracking on
// this one thread, and prints {"packets": n, "connections": n} as its last line.

import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const [root, mode, file] = process.argv.slice(2);
if (!root || (mode !== "decode" && mode !== "track") || !file) {
  console.error("usage: node dist/bench/instruction-pass.js ROOT decode|track FILE");
  process.exit(2);
}
// A failure is one line (instructions.ts shows the pass's last lines), not a stack trace.
process.on("uncaughtException", (e) => {
  console.error(`instruction-pass: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
const at = (path: string) => pathToFileURL(resolve(root, "dist/sdk", path)).href;
const { decodeInputs } = await import(at("decoder/decode-inputs.js"));
const { acquireScanMemory, releaseScanMemory } = await import(at("wasm-memory.js"));
const { WasmConnectionTracker } = await import(at("connections/wasm-tracker.js"));

const memory = acquireScanMemory();
const summaries: { stats: { packets: number } }[] = [];
let connections = 0;
const tracker = mode === "track" ? new WasmConnectionTracker({}, null, () => { connections++; }, memory) : null;
for await (const { batch, packetBase } of decodeInputs([file], {}, summaries, { memory, outputSlot: () => 0, fill: true })) {
  if (!tracker) continue;
  tracker.packetBase = packetBase;
  tracker.processInPlace(batch.u8.byteOffset, batch.count, batch.latestSec, batch.latestNsec);
}
tracker?.finish();
releaseScanMemory(memory);
console.log(JSON.stringify({ packets: summaries.reduce((n, s) => n + s.stats.packets, 0), connections }));
