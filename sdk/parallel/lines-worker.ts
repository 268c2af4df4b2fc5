// A scan worker writing lines (job.lines): it tracks its hash shard as a records worker does
// (scan-worker.ts), and then, instead of sending the connections' bytes, applies the filter and
// writes each line here (in WebAssembly with job.wasmLines: ndjson, or the command's csv and zeek
// rows, unfiltered; else from the connection's columns), batch by batch in the canonical order (time
// ended, id), so that the main thread only merges bytes. Per connection, the record, the report
// and the serialisation were the main thread's microseconds: they now spread over the workers.

import { GroupingTracker, type EndedGroup } from "../connections/track.js";
import { WasmConnectionTracker } from "../connections/wasm-tracker.js";
import { lineWriter, type LineSpec } from "../lines/line-formats.js";
import { LineBytesWriter } from "./line-bytes.js";
import type { WorkerJob } from "./messages.js";
import { SpareBuffers, WorkerLoop, type Outbox } from "./worker-loop.js";

// A message goes once this many lines or bytes are written.
const FLUSH_LINES = 512;
const FLUSH_BYTES = 1 << 20;

export function runLines(job: WorkerJob, spec: LineSpec): void {
  const format = lineWriter(spec, job.options);
  const spares = new SpareBuffers(job.recycle);
  const out = new LineBytesWriter(spares.take);
  const outbox: Outbox = {
    get count() { return out.count; },
    full: () => out.count >= FLUSH_LINES || out.size >= FLUSH_BYTES,
    take: (groups, upTo) => {
      const { buffer, length, ends, keys } = out.take();
      return {
        message: { type: "lines", bytes: buffer, length, ends, keys, groups, upTo },
        transfer: [buffer, ends.buffer as ArrayBuffer, keys.buffer as ArrayBuffer],
      };
    },
  };
  const loop = new WorkerLoop(job, outbox, spares);
  const grouping = new GroupingTracker({ ...job.options, shard: job.shard, wasmLines: job.wasmLines }, job.inPlace ? job.records.memory : undefined);
  // The first worker's timeline is the scan's.
  if (job.shard.index > 0 && grouping.tracker instanceof WasmConnectionTracker) grouping.tracker.dropTimeline();
  const write = (g: EndedGroup) => {
    let count = 0;
    for (let k = 0; k < g.count; k++) {
      if (out.add(format, g, k)) count++;
    }
    loop.wrote(count);
  };
  loop.run(({ packets, packetBase }) => {
    grouping.tracker.packetBase = packetBase;
    for (const g of grouping.process(packets)) write(g);
  }, () => {
    const next = grouping.finishSome();
    for (const g of next.groups) write(g);
    return next.done;
  }, () => grouping.timeline);
}
