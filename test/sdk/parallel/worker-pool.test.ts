// Started scan workers are one list per process (sdk/parallel/worker-pool.ts): the command's
// entry bundle (dist/cli/bin.cjs) starts them before its main bundle (dist/cli/main.cjs) loads,
// and each bundle has its own copy of the module. Two copies here: the compiled module imported
// under two URLs (Node keeps one module instance per URL).

import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";

const pool = new URL("../../../dist/sdk/parallel/worker-pool.js", import.meta.url).href;

describe("the started scan workers", () => {
  it("are taken by another copy of the module: the one the entry started, not a new one", () => {
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", `
      const entry = await import(${JSON.stringify(pool + "?copy=entry")});
      const main = await import(${JSON.stringify(pool + "?copy=main")});
      entry.prestartScanWorkers(1);             // thread 1
      const taken = main.takeScanWorker(1);     // the started one
      const fresh = entry.takeScanWorker(1);    // none left: a new one, thread 2
      console.log(taken.threadId, fresh.threadId);
      await Promise.all([taken.terminate(), fresh.terminate()]);`], { encoding: "utf8" });
    expect(out.trim()).toBe("1 2");
  });

  it("are said to be loaded once each has run its script (its first message), or has failed", () => {
    // A script that says it is loaded only after 300 ms, and one that fails as it loads.
    const dir = mkdtempSync(join(tmpdir(), "worker-pool-"));
    const slow = join(dir, "slow.mjs"), failing = join(dir, "failing.mjs");
    writeFileSync(slow, `import { parentPort } from "node:worker_threads";
      const start = Date.now(); while (Date.now() - start < 300);
      parentPort.postMessage({ type: "loaded" }); parentPort.once("message", () => {});`);
    writeFileSync(failing, `throw new Error("no script here");`);
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", `
      const pool = await import(${JSON.stringify(pool + "?copy=loaded")});
      for (const script of ${JSON.stringify([slow, failing])}) {
        pool.useScanWorkerScript(new URL("file://" + script));
        const from = Date.now();
        await pool.prestartScanWorkers(1);
        const worker = pool.takeScanWorker(1);
        console.log(script.endsWith("slow.mjs") ? Date.now() - from >= 300 : "failed");
        await worker.terminate();
      }`], { encoding: "utf8" });
    expect(out.trim().split("\n")).toEqual(["true", "failed"]);
  });

  // Node 20 leaves a worker's module files open when it is terminated while loading them.
  it.runIf(existsSync("/proc/self/fd"))("stopped early, scans at four threads give every worker's descriptors back", () => {
    const sdk = new URL("../../../dist/sdk/index.js", import.meta.url).href;
    const capture = join(mkdtempSync(join(tmpdir(), "worker-pool-fds-")), "c.pcap");
    const { SYN, ACK, FIN } = F;
    const frames = Array.from({ length: 200 }, (_, k) => new Conversation({ clientPort: 20000 + k, start: 1_700_000_000 + k })
      .c(SYN).s(SYN | ACK).c(ACK).c(FIN | ACK).s(FIN | ACK).c(ACK).frames).flat();
    writeFileSync(capture, writePcap(frames));
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", `
      const { createScanner } = await import(${JSON.stringify(sdk)});
      const { readdirSync } = await import("node:fs");
      const open = () => readdirSync("/proc/self/fd").length;
      const stop = async (k) => {
        const scanner = createScanner(${JSON.stringify(capture)}, { threads: 4 });
        setTimeout(() => scanner.close(), k % 5);
        for await (const c of scanner);
      };
      await stop(0);
      const before = open();
      for (let k = 0; k < 20; k++) await stop(k);
      console.log(open() - before);`], { encoding: "utf8" });
    // Each stopped scan while its workers loaded kept ~30 (600 for these 20).
    expect(Number(out.trim())).toBeLessThan(10);
  });
});
