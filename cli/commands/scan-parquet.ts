// --format parquet of a scan: each ended connection's record values (read once from the
// tracker's columns: sdk/connections/record-values.ts) go straight into the row group's column
// buffers, filtered on the values, with no record object (what the csv and zeek rows do, docs/benchmarks.md,
// "Threads and the record path"). With threads, the workers track and send the connections'
// bytes; this thread unpacks them and writes the file. A reduce task (--from-partitions) writes
// its bucket's groups the same way. The file is the one the records would make
// (test/cli/format/parquet-values-row.test.ts).

import type { CaptureInput, CaptureSummary, CompiledFilter, ScanOptions } from "../../sdk/index.js";
import { trackConnections, type EndedGroup } from "../../sdk/connections/track.js";
import { trackInWorkers } from "../../sdk/parallel/parallel-tracker.js";
import { RecordValues, readRecordValues } from "../../sdk/connections/record-values.js";
import { ParquetConnectionWriter } from "../format/connection-parquet.js";

/** Scans `inputs` and writes their connections as one Parquet file to `sink`; returns the captures' summaries. */
export async function scanToParquet(
  inputs: CaptureInput[], options: ScanOptions, filter: CompiledFilter | null, sink: (bytes: Uint8Array) => Promise<void>,
): Promise<CaptureSummary[]> {
  const summaries: CaptureSummary[] = [];
  const threads = options.threads ?? 1;
  const groups = threads > 1 ? trackInWorkers(inputs, options, threads - 1, summaries) : trackConnections(inputs, options, summaries);
  await writeParquetGroups(groups, filter, sink, options.signal);
  return summaries;
}

/**
 * Writes the connections of `groups` (a scan's, or a reduce task's bucket) as one Parquet file
 * to `sink`, filtered on their values. Leaving by an exception (the output failed) stops `groups`.
 */
export async function writeParquetGroups(
  groups: AsyncGenerator<EndedGroup, unknown>, filter: CompiledFilter | null, sink: (bytes: Uint8Array) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const writer = new ParquetConnectionWriter(sink);
  const values = new RecordValues();
  try {
    for (;;) {
      const next = await groups.next();
      if (next.done) break;
      const group = next.value;
      const inStore = group.inStore;
      for (let k = 0; k < group.count; k++) {
        let full: Promise<void> | undefined;
        if (inStore) {
          // The group's store stays as it is while a full row group is written: the next group
          // is not asked for until then.
          readRecordValues(group.store(), k, values);
          if (filter && !filter.matchesValues(values)) continue;
          full = writer.addValues(values);
        } else {
          const c = group.records[k]!;
          if (filter && !filter.matches(c)) continue;
          full = writer.add(c);
        }
        if (full) await full;
      }
      signal?.throwIfAborted();
    }
    await writer.finish();
  } finally {
    await groups.return(undefined as never);
  }
}
