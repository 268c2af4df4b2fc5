// The build's last step: V8's code cache for the command's main bundle (dist/cli/main.cjs.cache,
// read by cli/load-main.ts). The command itself writes it after scans of the sample capture (in
// ndjson at one and two threads, and as the summary), so that the functions those paths run are
// in it. It is made under V8's default flags, as the command loads its main bundle before it sets
// any (cli/gc-flags.ts: with the variable below set, it sets none); a cache V8 finds stale is
// ignored at load.
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";

const bin = new URL("../dist/cli/bin.cjs", import.meta.url).pathname;
const cache = new URL("../dist/cli/main.cjs.cache", import.meta.url).pathname;
const sample = new URL("../examples/sample.pcap", import.meta.url).pathname;
// Each run starts from the cache the one before wrote, so the last holds what all of them compiled:
// one thread's path, then two threads' (the merge of the worker's connections), then the summary's.
const runs = [
  [sample, "--format", "ndjson", "-o", "/dev/null", "-q"],
  [sample, "--threads", "2", "--format", "ndjson", "-o", "/dev/null", "-q"],
  [sample, "-o", "/dev/null", "-q"],
];
for (const args of runs) {
  execFileSync(process.execPath, [bin, ...args], { env: { ...process.env, TCP_HANDSHAKE_SCAN_WRITE_CODE_CACHE: cache }, stdio: "inherit" });
}
console.log(`code cache: ${cache} (${statSync(cache).size} bytes)`);
