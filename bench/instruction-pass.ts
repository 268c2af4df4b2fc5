// One pass for `npm run bench:instructions` (bench/instructions.ts), run under valgrind:
//   node dist/bench/instruction-pass.js ROOT decode|track FILE
// reads FILE with the build at ROOT (its dist/sdk), decoding only or decoding and tracking on
// this one thread, and prints {"packets": n, "connections": n} as its last line.

import { loadBuild, trackerPass } from "./tracker-pass.js";

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
const { packets, connections } = await trackerPass(await loadBuild(root), file, mode === "track");
console.log(JSON.stringify({ packets, connections }));
