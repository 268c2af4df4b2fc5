// The plain-TypeScript end-to-end pipeline of `npm run bench`: the pure-TypeScript decoder
// (bench/js-decoder.ts) feeding the same connection tracker and record builder, writing NDJSON
// to standard output — the same records as the command, without WebAssembly.
// Usage: node dist/bench/js-pipeline.js CAPTURE.pcap > out.ndjson

import { writeSync } from "node:fs";
import { jsDecodeFile, JsDecoderRefusal } from "./js-decoder.js";
import { PacketBatch } from "../sdk/decoder/packet-batch.js";
import { ConnectionTracker } from "../sdk/connections/tracker.js";
import { buildConnectionRecord } from "../sdk/connections/connection-record.js";

let pending = "";
const flush = () => { if (pending) { writeSync(1, pending); pending = ""; } };
const tracker = new ConnectionTracker({}, (store, slot) => {
  pending += JSON.stringify(buildConnectionRecord(store, slot)) + "\n";
  if (pending.length > 65536) flush();
});
let batch: PacketBatch | null = null;
let decoded;
try {
  decoded = jsDecodeFile(process.argv[2]!, 1 << 20, (d) => {
    // With the offsets and tunnel records: the records' tunnel chains, as the command's.
    batch ??= new PacketBatch(d.memory, 0, d.capacity, d.extras);
    batch.count = d.count;
    tracker.processBatch(batch);
  });
} catch (error) {
  if (!(error instanceof JsDecoderRefusal)) throw error;
  process.stderr.write(`js-pipeline: ${process.argv[2]}: ${error.message}\n`);
  process.exit(3);
}
tracker.finish();
flush();
// A record it could not read whole (the benchmark's captures never hold one): exit 4, as the
// command exits on a damaged capture, so that its time is not taken for the whole file's.
if (decoded.undecoded > 0) {
  process.stderr.write(`js-pipeline: ${process.argv[2]}: ${decoded.undecoded} bytes at the end make no whole record\n`);
  process.exitCode = 4;
}
