// Preloaded into benchmarked processes (node --require): reports the peak resident set size
// on exit, on file descriptor 3 when open, so that it does not mix with the output.
const fs = require("node:fs");
process.on("exit", () => {
  const line = `maxrss ${process.resourceUsage().maxRSS}\n`;
  try { fs.writeSync(3, line); } catch { /* no fd 3: not under the benchmark */ }
});
