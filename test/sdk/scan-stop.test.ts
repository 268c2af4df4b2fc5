// Stopping a scan part-way: leaving a `for await` loop (break, return, throw), close(), and an
// AbortSignal. Each must stop the worker threads and give the memory back, so that the process
// can exit: run in a child process, whose exit within a time limit is the proof (a worker left
// running holds a process forever).

import { describe, it, expect, beforeAll } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCapture } from "../../bench/generate.js";
import { createScanner, scan } from "../../sdk/index.js";

const SDK = fileURLToPath(new URL("../../dist/sdk/index.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ths-scan-stop-"));
const BIG = join(dir, "big.pcap");

beforeAll(() => {
  generateCapture(BIG, { bytes: 24e6, snaplen: 96, seed: 7 }); // ~230 000 packets, ~3 000 connections
});

/** Runs `body` (an async function body with `createScanner`, `BIG` and `out` in scope) in a new process. */
function runChild(body: string, nodeOptions: string[] = ["--expose-gc"]) {
  const code = `import { createScanner, scan } from ${JSON.stringify(SDK)};
const BIG = ${JSON.stringify(BIG)};
const out = (...a) => process.stdout.write(a.join(" ") + "\\n");
${body}`;
  const started = Date.now();
  const r = spawnSync(process.execPath, [...nodeOptions, "--input-type=module", "-e", code], { encoding: "utf8", timeout: 20_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

describe("leaving the loop early stops the workers (the process exits)", () => {
  for (const threads of [1, 2]) {
    it(`break, return and throw, with ${threads} thread(s)`, () => {
      const r = runChild(`
let n = 0;
for await (const c of createScanner(BIG, { threads: ${threads} })) if (++n === 5) break;
out("break", n);
async function first() { for await (const c of createScanner(BIG, { threads: ${threads} })) return c.id; }
out("return", typeof await first());
try { for await (const c of createScanner(BIG, { threads: ${threads} })) throw new Error("stop here"); } catch (e) { out("throw", e.message); }
let groups = 0;
for await (const g of createScanner(BIG, { threads: ${threads} }).batches()) if (++groups === 2) break;
out("batches", groups);`);
      expect(r.signal, r.stderr).toBeNull(); // not killed by the time limit
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe("break 5\nreturn number\nthrow stop here\nbatches 2\n");
    });
  }

  it("a scanner dropped part-way without close() lets the process end, at any thread count", () => {
    // The caller takes one record and walks away: the workers, blocked on the full ring, must not
    // hold the process (before, at two threads it waited forever).
    const r = runChild(`
for (const threads of [1, 2, 3]) {
  const it = createScanner(BIG, { threads })[Symbol.asyncIterator]();
  const first = await it.next();
  out(threads, first.done, typeof first.value.id);
}`);
    expect(r.signal, r.stderr).toBeNull(); // not killed by the time limit
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("1 false number\n2 false number\n3 false number\n");
  });

  it("close(): from outside the loop, before it, and while a read waits for bytes that never come", () => {
    const r = runChild(`
const scanner = createScanner(BIG, { threads: 2 });
let n = 0, closing;
for await (const c of scanner) if (++n === 3) closing = scanner.close();
await closing;
out("closed after", n);
const unused = createScanner(BIG, { threads: 2 });
await unused.close();
let m = 0;
for await (const c of unused) m++;
out("closed before", m);
// A stream that sends a pcap header and then nothing: the read waits until close().
async function* stalled() { yield new Uint8Array([0xd4,0xc3,0xb2,0xa1,2,0,4,0,0,0,0,0,0,0,0,0,0,0,4,0,1,0,0,0]); await new Promise(() => {}); }
const waiting = createScanner(stalled(), { threads: 2 });
setTimeout(() => waiting.close(), 200);
let k = 0;
for await (const c of waiting) k++;
out("stalled", k);`);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("closed after 3\nclosed before 0\nstalled 0\n");
  });

  it("an AbortSignal: iteration throws its reason; aborted before the start, nothing runs", () => {
    const r = runChild(`
for (const threads of [1, 2]) {
  const controller = new AbortController();
  let n = 0;
  try {
    for await (const c of createScanner(BIG, { threads, signal: controller.signal })) if (++n === 4) controller.abort();
  } catch (e) { out(threads, "aborted", e.name, n); }
}
try { await scan(BIG, { threads: 2, signal: AbortSignal.abort(new Error("mine")) }); } catch (e) { out("before:", e.message); }
async function* stalled() { yield new Uint8Array([0xd4,0xc3,0xb2,0xa1,2,0,4,0,0,0,0,0,0,0,0,0,0,0,4,0,1,0,0,0]); await new Promise(() => {}); }
const controller = new AbortController();
setTimeout(() => controller.abort(), 200);
try { await scan(stalled(), { signal: controller.signal }); } catch (e) { out("stalled:", e.name); }`);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("1 aborted AbortError 4\n2 aborted AbortError 4\nbefore: mine\nstalled: AbortError\n");
  });
});

describe("a scan stopped while its read waits for a writer that keeps still", () => {
  // Standard input, a named pipe or a caller's Node stream, given a capture's first kilobyte and
  // then nothing, the writer still there: close() or an abort must give up the pending read and
  // close the descriptor, or the process lives on until the writer writes again or goes away.
  const SAMPLE = fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url));
  const head = readFileSync(SAMPLE).subarray(0, 1000);

  /** Runs `body` in a new process (stdin a pipe the test holds open); resolves with its output and how long it lived. */
  function runWaiting(body: string, feed: (child: ReturnType<typeof spawn>) => Promise<void> | void) {
    const code = `import { createScanner } from ${JSON.stringify(SDK)};
import { PassThrough } from "node:stream";
const out = (...a) => process.stdout.write(a.join(" ") + "\\n");
const HEAD = Buffer.from(${JSON.stringify(head.toString("base64"))}, "base64");
${body}`;
    const started = Date.now();
    const child = spawn(process.execPath, ["--input-type=module", "-e", code], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout!.on("data", (d) => { stdout += d; });
    child.stderr!.on("data", (d) => { stderr += d; });
    const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    return new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
      child.on("exit", (exitCode) => {
        clearTimeout(killer);
        child.stdin!.destroy();
        resolve({ code: exitCode, stdout, stderr, ms: Date.now() - started });
      });
      void feed(child);
    });
  }

  for (const threads of [1, 2]) {
    it(`lets the process exit at once: standard input, ${threads} thread(s)`, async () => {
      const r = await runWaiting(`
const scanner = createScanner("-", { threads: ${threads} });
setTimeout(() => scanner.close(), 300);
let n = 0;
for await (const c of scanner) n++;
out("closed", n);`, (child) => { child.stdin!.write(head); }); // and nothing more, the pipe left open
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe("closed 0\n");
      expect(r.ms, "the process waited for its writer").toBeLessThan(10_000);
    }, 20_000);

    it(`lets the process exit at once: a caller's Node stream and an AbortSignal, ${threads} thread(s)`, async () => {
      const r = await runWaiting(`
const stream = new PassThrough();
stream.write(HEAD);
// (Not AbortSignal.timeout: its timer does not hold the process, which a stream in memory does not either.)
const controller = new AbortController();
setTimeout(() => controller.abort(), 300);
try { for await (const c of createScanner(stream, { threads: ${threads}, signal: controller.signal })) {} } catch (e) { out(e.name, stream.destroyed); }`, () => {});
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe("AbortError true\n");
      expect(r.ms).toBeLessThan(10_000);
    }, 20_000);
  }

  it("lets the process exit at once: a named pipe whose writer keeps it open", async () => {
    const fifo = join(dir, "waiting.fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    let writer: Awaited<ReturnType<typeof open>> | null = null;
    const r = await runWaiting(`
const scanner = createScanner(${JSON.stringify(fifo)}, { threads: 2 });
setTimeout(() => scanner.close(), 300);
for await (const c of scanner) {}
out("closed");`, async () => {
      writer = await open(fifo, "w"); // opens once the scan opens its end
      await writer.write(head);
    });
    await (writer as Awaited<ReturnType<typeof open>> | null)?.close();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("closed\n");
    expect(r.ms).toBeLessThan(10_000);
  }, 20_000);
});

describe("an AbortSignal.timeout() written inline in the options", () => {
  // Nothing but the scanner references such a signal: if the scanner held it only weakly
  // (AbortSignal.any does), a garbage collection during the scan took it, its timer then fired
  // into nothing, and the scan ran to its end. The capture comes as a stream, a chunk every
  // 10 ms, so that the scan lasts past the collection (at 20 ms) and the timeout (at 100 ms).
  it("stops the scan after a garbage collection, at one and two threads, and scan() too", () => {
    const r = runChild(`
import { readFileSync } from "node:fs";
const bytes = readFileSync(BIG);
async function* slowly() {
  for (let at = 0; at < bytes.length; at += 1 << 20) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    yield bytes.subarray(at, at + (1 << 20));
  }
}
for (const threads of [1, 2]) {
  const scanner = createScanner(slowly(), { threads, signal: AbortSignal.timeout(100) });
  setTimeout(() => gc(), 20);
  let n = 0;
  try { for await (const c of scanner) n++; out(threads, "not stopped", n); } catch (e) { out(threads, e.name); }
}
const running = scan(slowly(), { signal: AbortSignal.timeout(100) });
setTimeout(() => gc(), 20);
try { await running; out("scan(): not stopped"); } catch (e) { out("scan():", e.name); }`);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("1 TimeoutError\n2 TimeoutError\nscan(): TimeoutError\n");
  });
});

describe("a one-thread scan lets the event loop run", () => {
  // A regular file and bytes in memory are read synchronously: unless the scan gives the event
  // loop a turn between reads, a timer (AbortSignal.timeout, a close() or abort() from
  // setTimeout) only fires once the whole capture has been read, and the scan is not stopped.
  it("a timer's abort() or close() stops a scan of a file or of bytes part-way, and AbortSignal.timeout stops scan()", () => {
    const r = runChild(`
import { readFileSync, statSync } from "node:fs";
const size = statSync(BIG).size;
for (const input of [BIG, readFileSync(BIG)]) {
  const kind = typeof input === "string" ? "file" : "bytes";
  // The timer is set once reading has begun (at the first chunk), to stop it part-way.
  let read = 0, stop = () => {};
  const onProgress = (p) => { if (read === 0) setTimeout(stop, 0); read = p.bytesRead; };
  const part = () => read > 0 && read < size ? "part" : read;
  const controller = new AbortController();
  stop = () => controller.abort();
  try {
    for await (const c of createScanner(input, { signal: controller.signal, onProgress })) {}
    out(kind, "abort: not stopped", part());
  } catch (e) { out(kind, "abort:", e.name, part()); }
  read = 0;
  const scanner = createScanner(input, { onProgress });
  stop = () => scanner.close();
  for await (const c of scanner) {}
  out(kind, "close:", part());
}
let result = "not stopped";
try { await scan(BIG, { signal: AbortSignal.timeout(1) }); } catch (e) { result = e.name; }
out("timeout:", result);`);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("file abort: AbortError part\nfile close: part\nbytes abort: AbortError part\nbytes close: part\ntimeout: TimeoutError\n");
  });
});

describe("an AbortSignal aborted from a timer, by what a signal handler would do", () => {
  // A regular file is read without waiting for the event loop: a timer (or Ctrl-C's handler)
  // runs only when the scan lets the loop in. The scan must stop part-way, not at its end.
  it("stops a one-thread scan of a regular file part-way, whatever the consumer", async () => {
    let all = 0;
    for await (const batch of createScanner(BIG).batches()) all += batch.length;
    for (const consume of ["records", "batches"] as const) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 0);
      let seen = 0;
      const scanner = createScanner(BIG, { threads: 1, signal: controller.signal });
      await expect((async () => {
        if (consume === "records") for await (const _c of scanner) seen++;
        else for await (const batch of scanner.batches()) seen += batch.length;
      })(), consume).rejects.toMatchObject({ name: "AbortError" });
      expect(seen, consume).toBeLessThan(all);
    }
  });
});

describe("memory after scans stopped early", () => {
  // A memory a scan gives back is pooled or, once its tracker grew it past the pool's limit,
  // left to V8, which frees it at its next full collection: what matters is that nothing still
  // holds it (a worker left running would, with its own heap). Collections are forced here.
  it("is all collectable: RSS stays flat over scans left early", () => {
    const r = runChild(`
const mb = () => process.memoryUsage().rss / 2 ** 20;
let first = 0;
for (let k = 0; k < 20; k++) {
  let n = 0;
  for await (const c of createScanner(BIG, { threads: 2 })) if (++n === 10) break;
  globalThis.gc();
  if (k === 1) first = mb();
}
out(Math.round(mb() - first));`);
    expect(r.code, r.stderr).toBe(0);
    expect(Number(r.stdout), "MB grown over 18 scans").toBeLessThan(60);
  });

  it("a scan run to its end after them gives every connection", async () => {
    let n = 0;
    for await (const _c of createScanner(BIG, { threads: 2 })) if (++n === 10) break;
    const whole = await scan(BIG, { threads: 2 });
    expect(whole.connections.length).toBeGreaterThan(1000);
    expect(whole.captures[0]!.error).toBeNull();
  });
});
