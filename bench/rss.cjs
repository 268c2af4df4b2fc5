// Preloaded into benchmarked processes (node --require): reports the peak resident set size
// on exit, on file descriptor 3 when open, so that it does not mix with the output.
const fs = require("node:fs");
// Only the main thread's: worker threads preload it too (they inherit --require), and each
// would report the process's peak so far when it ends.
if (!require("node:worker_threads").isMainThread) return;
process.on("exit", () => {
  const line = `maxrss ${process.resourceUsage().maxRSS}\n`;
  try { fs.writeSync(3, line); } catch { /* no fd 3: not under the benchmark */ }
});
