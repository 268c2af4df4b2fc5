// Scan workers, started ahead of need: a worker thread takes ~100 ms to boot and load its
// modules, which would otherwise be spent with the decoder waiting for it. The command starts
// them first thing (prestartScanWorkers), so they boot while the main thread loads the SDK; a
// scan takes started ones (or starts its own) and sends each its job.
//
// This module imports nothing of the SDK, so that starting workers costs the caller nothing.

import { Worker } from "node:worker_threads";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

// A worker's JavaScript allocates little (its tracker lives in WebAssembly memory): a small
// young generation keeps its heap from growing to V8's defaults. A scan's only worker (two
// threads) only tracks (its lines, when it writes them, are written in WebAssembly), and 2 MB do:
// ~5 MB less peak RSS under a flood than 4 (6-8 MB less than 8 before that), the same CPU.
// From two workers on they may write lines (sdk/lines/scan-lines.ts), which allocates more:
// with 4 MB that took 1.18x the CPU, so they keep 8.
const limits = (workers: number) => ({ maxYoungGenerationSizeMb: workers === 1 ? 2 : 8 });

// The worker script beside this module: the bundled one beside the command's bundles
// (dist/cli/scan-worker.cjs: CommonJS, as a worker that loads an ES module boots ~4 ms later, in
// Node's ESM loader), or the compiled dist/sdk/parallel/scan-worker.js; from source (tests), the
// compiled one, or the one a test chose.
let chosen: URL | null = null;

/**
 * Scans start their workers from `script` from now on (null: the one beside this module). For
 * tests: the command's worker script (dist/cli/scan-worker.cjs) knows its csv and zeek formats.
 */
export function useScanWorkerScript(script: URL | null): void {
  chosen = script;
}

function workerScript(): URL {
  if (chosen) return chosen;
  for (const name of ["./scan-worker.cjs", "./scan-worker.js"]) {
    const beside = new URL(name, import.meta.url);
    if (existsSync(fileURLToPath(beside))) return beside;
  }
  return new URL("../../dist/sdk/parallel/scan-worker.js", import.meta.url);
}

// Started workers not yet taken, one list per process: the command's entry (dist/cli/bin.cjs, a
// small bundle) starts them before its main bundle (dist/cli/main.cjs) loads, and each bundle has
// its own copy of this module.
const STARTED = Symbol.for("tcp-handshake-scan.started-scan-workers");
const started: Worker[] = ((globalThis as unknown as Record<symbol, Worker[] | undefined>)[STARTED] ??= []);

// A worker inherits the process's Node options, but one about how the main script is given
// (node --input-type=module -e "...": the SDK used from a one-liner) stops it from starting.
// Only then are the options given explicitly, without it; an explicit list may not hold V8
// options (--max-old-space-size...), which inheriting skips: failing that, none.
function start(workers: number, idle = false): Worker {
  const worker = create(workers);
  // Unref'd before the listeners: a "message" listener refs the worker's port again, so that
  // awaiting prestartScanWorkers() holds the process until the workers have loaded.
  if (idle) worker.unref();
  // On the worker itself, not in a map: the command's two bundles each have this module.
  (worker as LoadingWorker)[LOADED] = new Promise<void>((resolve) => {
    worker.once("message", () => resolve());
    worker.once("error", () => resolve());
    worker.once("exit", () => resolve());
  });
  return worker;
}

function create(workers: number): Worker {
  const script = workerScript();
  const resourceLimits = limits(workers);
  if (!process.execArgv.some((a) => a.startsWith("--input-type"))) return new Worker(script, { resourceLimits });
  const execArgv = process.execArgv.filter((a) => !a.startsWith("--input-type"));
  try {
    return new Worker(script, { resourceLimits, execArgv });
  } catch {
    return new Worker(script, { resourceLimits, execArgv: [] });
  }
}

// Settles when the worker has loaded its script (its first message, "loaded"), failed or exited.
const LOADED = Symbol.for("tcp-handshake-scan.worker-loaded");
type LoadingWorker = Worker & { [LOADED]?: Promise<void> };

/**
 * Ends a scan's worker. Terminated while it still loads its modules, a worker thread leaves
 * their files open for good (Node 20: ~30 descriptors a worker; a service stopping scans
 * early ran out of them): one still loading is let finish first (a few ms; bounded).
 */
export async function stopScanWorker(worker: Worker): Promise<void> {
  const loaded = (worker as LoadingWorker)[LOADED];
  if (loaded) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([loaded, new Promise<void>((resolve) => { timer = setTimeout(resolve, 5000); })]);
    clearTimeout(timer);
  }
  await worker.terminate();
}

/**
 * Starts workers for a scan about to run with `count` of them (idle ones never hold the process).
 * Resolves once each has loaded its script (its first message, "loaded"), failed or exited.
 */
export function prestartScanWorkers(count: number): Promise<void> {
  const loaded: Promise<void>[] = [];
  while (started.length < count) {
    const worker = start(count, true);
    // A worker that fails while idle is dropped; the scan that takes it would see the error.
    worker.once("error", () => { const k = started.indexOf(worker); if (k >= 0) started.splice(k, 1); });
    loaded.push((worker as LoadingWorker)[LOADED]!);
    started.push(worker);
  }
  return Promise.all(loaded).then(() => undefined);
}

/**
 * A started worker, or a new one, for a scan on `workers` of them; it runs one job (a "job"
 * message) and is then terminated.
 */
export function takeScanWorker(workers: number): Worker {
  const worker = started.shift() ?? start(workers);
  worker.ref();
  return worker;
}
