// Preload for measuring how a scan's CPU splits over its threads (node --require
// bench/thread-cpu.cjs dist/cli/bin.js ...): on exit, one line on standard error with the CPU
// milliseconds of the main thread, of the threads that ended before it (the scan's workers,
// which are terminated first), and of V8's own background threads (compiling, collecting),
// read from /proc (Linux only; elsewhere it prints nothing). Unlike wall time, each thread's
// CPU barely moves when other jobs share the cores, so it shows which thread bounds a run.
const fs = require("node:fs");
const { isMainThread } = require("node:worker_threads");

// utime + stime of a /proc stat line, in milliseconds (clock ticks of 10 ms).
function cpuMs(path) {
  const stat = fs.readFileSync(path, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

if (isMainThread) {
  process.on("exit", () => {
    let main = 0, others = 0;
    try {
      for (const tid of fs.readdirSync("/proc/self/task")) {
        const ms = cpuMs(`/proc/self/task/${tid}/stat`);
        if (Number(tid) === process.pid) main = ms; else others += ms;
      }
    } catch {
      return; // no /proc
    }
    const usage = process.cpuUsage();
    const total = Math.round((usage.user + usage.system) / 1000);
    fs.writeSync(2, `thread cpu ms: main ${main}, ended threads (workers) ${Math.max(0, total - main - others)}, V8 threads ${others}, total ${total}\n`);
  });
}
