// Preload for measuring how a scan's CPU splits over its threads (node --require
// bench/thread-cpu.cjs dist/cli/bin.cjs ...): on exit, one line on standard error with the CPU
// milliseconds of the main thread, of the threads that ended before it (the scan's workers,
// which are terminated first), and of V8's own background threads (compiling, collecting),
// read from /proc (Linux only; elsewhere it prints nothing). Unlike wall time, each thread's
// CPU barely moves when other jobs share the cores, so it shows which thread bounds a run.
// Each live thread's time is its schedstat's nanoseconds (its stat's clock ticks are 10 ms, and
// cut off: a one-thread run showed 40-55 ms of "workers" it never had); the ended threads' is the
// process's total (getrusage, in microseconds) less the live ones'.
const fs = require("node:fs");
const { isMainThread } = require("node:worker_threads");

// Nanoseconds a thread has run, in milliseconds.
function cpuMs(tid) {
  return Number(fs.readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
}

if (isMainThread) {
  process.on("exit", () => {
    let main = 0, others = 0;
    try {
      for (const tid of fs.readdirSync("/proc/self/task")) {
        const ms = cpuMs(tid);
        if (Number(tid) === process.pid) main = ms; else others += ms;
      }
    } catch {
      return; // no /proc (or no schedstat)
    }
    const usage = process.cpuUsage();
    const total = (usage.user + usage.system) / 1000;
    const ms = (x) => Math.round(x);
    fs.writeSync(2, `thread cpu ms: main ${ms(main)}, ended threads (workers) ${ms(Math.max(0, total - main - others))}, V8 threads ${ms(others)}, total ${ms(total)}\n`);
  });
}
