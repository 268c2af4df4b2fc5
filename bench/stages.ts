// npm run bench:stages FILE... — what each stage of a scan costs on this machine, in CPU time
// (process.cpuUsage, best of BENCH_RUNS, default 3), for the model of how the design behaves on
// more cores (docs/benchmarks.md, "Threads and the record path"). Stages, each run over the whole
// capture from page cache:
//   decode          read + the WebAssembly decoder alone
//   + track         the WebAssembly tracker on one thread (ended connections copied as bytes)
//   + track shard   the same tracker keeping only shard 0 of 2, and of 8 (what each of n workers
//                   pays: every packet's clock and hash, 1/n of the flows)
//   + unpack        unpacking each ended connection into a store's columns (what every output
//                   starts from)
//   + records       building each one's record object from there (the SDK's records)
//   + ndjson        instead, its ndjson line written as bytes straight from the columns
//                   (sdk/lines/ndjson-bytes.ts: no record object)
//   + stringify     instead, the record object, JSON.stringify of it and the string's UTF-8
//                   encoding (what the ndjson writer replaced; kept to show the difference)
// Costs are the differences between consecutive stages, per packet or per connection.

import { decodeInputs } from "../sdk/decoder/decode-inputs.js";
import { acquireScanMemory, releaseScanMemory } from "../sdk/wasm-memory.js";
import { GroupingTracker } from "../sdk/connections/track.js";
import { WasmConnectionTracker } from "../sdk/connections/wasm-tracker.js";
import type { CaptureSummary } from "../sdk/decoder/decode-capture.js";
import type { EndedGroup } from "../sdk/connections/ended-group.js";
import { ByteSink } from "../sdk/lines/byte-sink.js";
import { lineWriter } from "../sdk/lines/line-formats.js";
import { BenchUsageError, EXIT_FAILURE, checkCaptures, noPacketsLine, runBench, runsVariable } from "./bench-main.js";

type Stage = "decode" | "track" | "shard" | "shard8" | "unpack" | "records" | "ndjson" | "stringify";
const STAGES: Stage[] = ["decode", "track", "shard", "shard8", "unpack", "records", "ndjson", "stringify"];
const ndjson = lineWriter({ format: "ndjson" });

/** CPU seconds of one pass of `stage` over `file`; the packets and connections it saw. */
async function pass(file: string, stage: Stage): Promise<{ cpu: number; packets: number; connections: number }> {
  const memory = acquireScanMemory();
  const start = process.cpuUsage();
  let connections = 0, bytes = 0;
  const summaries: CaptureSummary[] = [];
  const out = new ByteSink();
  const encoded = Buffer.alloc(1 << 16);
  const serialise = (group: EndedGroup) => {
    connections += group.count;
    if (stage === "records") group.records;
    else if (stage === "ndjson") {
      for (let k = 0; k < group.count; k++) group.writeLine(k, out, ndjson);
      bytes += out.length;
      out.length = 0; // one buffer, reused: nothing allocated per group
    } else if (stage === "stringify") {
      for (const r of group.records) {
        const line = JSON.stringify(r) + "\n";
        bytes += line.length > encoded.length ? Buffer.byteLength(line) : encoded.write(line, 0, "utf8");
      }
    }
  };
  try {
    const placement = { memory, outputSlot: () => 0, fill: true };
    const shard = stage === "shard" ? { index: 0, count: 2 } : stage === "shard8" ? { index: 0, count: 8 } : undefined;
    const raw = stage === "track" || stage === "shard" || stage === "shard8"
      ? new WasmConnectionTracker({ shard }, null, () => { connections++; }, memory) : null;
    const grouping = stage === "unpack" || stage === "records" || stage === "ndjson" || stage === "stringify" ? new GroupingTracker({}, memory) : null;
    for await (const { batch, packetBase } of decodeInputs([file], {}, summaries, placement)) {
      if (raw) {
        raw.packetBase = packetBase;
        raw.processInPlace(batch.u8.byteOffset, batch.count, batch.latestSec, batch.latestNsec);
      } else if (grouping) {
        grouping.tracker.packetBase = packetBase;
        for (const g of grouping.process(batch)) serialise(g);
      }
    }
    if (raw) raw.finish();
    if (grouping) {
      for (let done = false; !done;) {
        const next = grouping.finishSome();
        for (const g of next.groups) serialise(g);
        done = next.done;
      }
    }
  } finally {
    releaseScanMemory(memory);
  }
  const used = process.cpuUsage(start);
  return { cpu: (used.user + used.system) / 1e6, packets: summaries.reduce((n, s) => n + s.stats.packets, 0), connections };
}

async function main(): Promise<void> {
  const files = process.argv.slice(2);
  if (files.length === 0) throw new BenchUsageError("usage: node dist/bench/stages.js FILE...");
  const runs = runsVariable(3);
  checkCaptures(files);
  for (const file of files) {
    const best = new Map<Stage, number>();
    let packets = 0, connections = 0;
    for (let r = 0; r < runs; r++) {
      for (const stage of STAGES) { // interleaved: the machine's speed drifts
        const p = await pass(file, stage);
        best.set(stage, Math.min(best.get(stage) ?? Infinity, p.cpu));
        packets = p.packets;
        if (stage === "records") connections = p.connections;
      }
    }
    if (packets === 0) {
      // Nothing to divide by: said, not printed as NaN a packet.
      console.log(noPacketsLine(file, "time"));
      process.exitCode = EXIT_FAILURE;
      continue;
    }
    const at = (s: Stage) => best.get(s)!;
    console.log(`${file}: ${packets} packets, ${connections} connections; CPU, best of ${runs}`);
    console.log(`  decode           ${at("decode").toFixed(3)} s  ${(1e9 * at("decode") / packets).toFixed(0)} ns a packet`);
    console.log(`  track            ${(at("track") - at("decode")).toFixed(3)} s  ${(1e9 * (at("track") - at("decode")) / packets).toFixed(0)} ns a packet`);
    console.log(`  track, shard 1/2 ${(at("shard") - at("decode")).toFixed(3)} s  ${(1e9 * (at("shard") - at("decode")) / packets).toFixed(0)} ns a packet`);
    console.log(`  track, shard 1/8 ${(at("shard8") - at("decode")).toFixed(3)} s  ${(1e9 * (at("shard8") - at("decode")) / packets).toFixed(0)} ns a packet`);
    const perConnection = (name: string, from: Stage, to: Stage, note = "") =>
      console.log(`  ${name.padEnd(16)} ${(at(to) - at(from)).toFixed(3)} s  ${(1e6 * (at(to) - at(from)) / connections).toFixed(2)} µs a connection${note}`);
    perConnection("unpack", "track", "unpack");
    perConnection("+ record object", "unpack", "records");
    perConnection("+ ndjson", "unpack", "ndjson", " (from the columns, no record object)");
    perConnection("+ stringify", "unpack", "stringify", " (record object + JSON.stringify: what ndjson replaced)");
  }
}

await runBench("bench:stages", main);
