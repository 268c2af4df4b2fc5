// The reduce task of a scan spread over machines: `--from-partitions DIR --bucket b` tracks one
// flow-hash bucket of what the partition tasks wrote to DIR and writes its connections in a
// record format (sdk/partition/track-bucket.ts). Partitions missing, cut short, of another
// version or inconsistent are refused with one line and EXIT_PARTITIONS, before any output. A
// bucket file found damaged while it is read (a checksum that does not match) ends the input
// there: the connections before it are written, then one line and EXIT_PARTIAL, as for a
// damaged capture. The connections are written as a scan on one thread writes them: lines
// from the tracker's groups (in WebAssembly where the format has a writer there and no
// --filter), Parquet rows from the record values; no record objects.

import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { trackBucketGroups, checkBucketFiles } from "../../sdk/partition/track-bucket.js";
import { MAP_PREFIX } from "../../sdk/partition/format.js";
import { realPath } from "../../sdk/file-identity.js";
import { PartitionDamage, PartitionError, readPartitionSet } from "../../sdk/partition/map-outputs.js";
import type { EndedGroup } from "../../sdk/connections/track.js";
import type { Timeline } from "../../sdk/report/capture-report.js";
import { lineWriter, wasmLineFormat } from "../../sdk/lines/line-formats.js";
import { wasmLinesEnabled } from "../../sdk/lines/wasm-lines.js";
import { ByteSink } from "../../sdk/lines/byte-sink.js";
import { Output, OutputClosed, OutputError, outputFailed } from "../output.js";
import { EXIT_OK, EXIT_PARTIAL, EXIT_PARTITIONS, EXIT_UNREADABLE } from "../exit-codes.js";
import { errorLine } from "../report-error.js";
import { UsageError } from "../usage-error.js";
import { wholeNumber } from "../whole-number.js";
import { refuseParquetOnTerminal } from "../terminal-output.js";
import { lineFooter, lineHeader } from "../format/line-formats.js";
import { FORMATS, parseFilter, parseLimit, parseLocalNets, parseServerPorts, type Format } from "./scan.js";
import type { ScanOptions } from "../../sdk/scan.js";
import { writeParquetGroups } from "./scan-parquet.js";
import { sayError } from "../error-lines.js";

export interface ReduceFlags {
  fromPartitions?: string;
  bucket?: string;
  maps?: string;
  format?: string;
  output?: string;
  filter?: string;
  serverPorts?: string;
  maxHalfOpen?: string;
  maxConnections?: string;
  keyByTunnel?: boolean;
  localNets?: string;
  quiet?: boolean;
  noProgress?: boolean;
}

// A bucket's connections, one record each: no summary (a bucket is a share of the flows).
const RECORD_FORMATS: readonly Format[] = ["ndjson", "csv", "zeek", "parquet"];
// Given to the partition tasks, or meaningless for one bucket.
const NOT_HERE: Record<string, string> = {
  verifyChecksums: "--verify-checksums is the partition tasks' option",
  tunnelPorts: "--tunnel-ports is the partition tasks' option",
  maxTunnelDepth: "--max-tunnel-depth is the partition tasks' option",
  ladder: "--ladder draws from captures: not with --from-partitions",
  ladderLimit: "--ladder-limit draws from captures: not with --from-partitions",
  threads: "--threads: a reduce task tracks one bucket on one thread (run more buckets at once instead)",
  top: "--top is the summary's: not with --from-partitions",
};

/** `groups`, ending at damage instead of throwing it; `damage()` then says what it was. */
function endingAtDamage(groups: AsyncGenerator<EndedGroup, Timeline>): { groups: AsyncGenerator<EndedGroup, unknown>; damage: () => PartitionDamage | null } {
  let damage: PartitionDamage | null = null;
  async function* untilDamage() {
    try {
      return yield* groups;
    } catch (error) {
      if (!(error instanceof PartitionDamage)) throw error;
      damage = error;
    } finally {
      await groups.return(undefined as unknown as Timeline);
    }
  }
  return { groups: untilDamage(), damage: () => damage };
}

/** The bucket's connections as ndjson, csv or zeek lines, in one reused buffer. */
async function writeBucketLines(
  groups: AsyncGenerator<EndedGroup, unknown>, format: Format, filter: string | undefined, options: ScanOptions, output: Output,
): Promise<void> {
  const write = lineWriter({ format, filter }, options);
  const lines = new ByteSink();
  await output.write(lineHeader(format));
  // Each group's lines go out before the next group is asked for: the buffer is written over.
  for await (const group of groups) {
    group.writeLines(lines, write);
    if (lines.length) await output.writeBytes(lines.takeView());
  }
  await output.write(lineFooter(format));
}

/**
 * -o naming a file of a map output (a bucket file, a manifest) or a map task's directory in
 * progress would overwrite what this and every other reduce reads: refused, as a scan refuses
 * -o naming one of its captures. The rest of DIR is free (reduce outputs beside the maps).
 */
function refuseOutputInMaps(root: string, output: string | undefined): void {
  if (output === undefined || output === "-") return;
  const rootPath = realPath(root);
  // The output's directory as it really is (a link to DIR counts), then its name.
  const at = relative(rootPath, join(realPath(dirname(resolve(output))), basename(output)));
  const top = at.split(sep)[0]!;
  if (at === "" || isAbsolute(at) || top === ".." || !(top.startsWith(MAP_PREFIX) || top.startsWith(`.${MAP_PREFIX}`))) return;
  throw new UsageError(`-o ${output} is in the map output ${join(root, top)}: it would be overwritten while the reduce tasks read it (write elsewhere)`);
}

function count(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = wholeNumber(value);
  if (n === null) throw new UsageError(`${flag}: "${value}" is not a bucket number (0 or more)`);
  return n;
}

export async function runFromPartitions(captures: string[], flags: ReduceFlags): Promise<number> {
  const root = String(flags.fromPartitions);
  if (captures.length > 0) throw new UsageError(`--from-partitions reads partitions, not captures (${captures[0]}): give captures to partition`);
  for (const [flag, why] of Object.entries(NOT_HERE)) if ((flags as Record<string, unknown>)[flag] !== undefined) throw new UsageError(why);
  const bucket = count(flags.bucket, "--bucket");
  if (bucket === undefined) throw new UsageError("--from-partitions needs --bucket b (0 to buckets - 1)");
  // A run has one map output or more: 0 would only be refused later as "outputs of another run".
  const maps = flags.maps === undefined ? undefined : wholeNumber(flags.maps);
  if (maps !== undefined && (maps === null || maps < 1)) {
    throw new UsageError(`--maps: "${flags.maps}" is not a count of map outputs (1 or more)`);
  }
  const format = (flags.format ?? "ndjson") as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format: "${flags.format}" is not one of ${FORMATS.join(", ")}`);
  if (!RECORD_FORMATS.includes(format)) throw new UsageError(`--format ${format}: a bucket's connections are written as records (${RECORD_FORMATS.join(", ")})`);
  if (format === "parquet") refuseParquetOnTerminal(flags.output);
  if (flags.output === "") throw new UsageError("-o: an empty file name (- is standard output)");
  const filter = flags.filter !== undefined ? parseFilter(String(flags.filter), "--filter") : null;
  const options = {
    likelyServerPorts: parseServerPorts(flags.serverPorts),
    maxHalfOpen: parseLimit(flags.maxHalfOpen, "--max-half-open"),
    maxConnections: parseLimit(flags.maxConnections, "--max-connections"),
    // The tracker's key, not the decoder's: the flow hash (the bucket) is the inner endpoints' either way.
    keyByTunnel: flags.keyByTunnel === true,
    localNets: parseLocalNets(flags.localNets, format),
  };
  let set;
  try {
    set = readPartitionSet(root, maps);
    if (bucket >= set.buckets) throw new UsageError(`--bucket ${bucket}: the partitions in ${root} have buckets 0 to ${set.buckets - 1}`);
    checkBucketFiles(set, bucket);
    refuseOutputInMaps(root, flags.output);
  } catch (error) {
    if (!(error instanceof PartitionError)) throw error;
    sayError(error.message);
    return EXIT_PARTITIONS;
  }
  let output: Output;
  try {
    output = new Output(flags.output);
  } catch (error) {
    return outputFailed(error);
  }
  try {
    const filterText = flags.filter === undefined ? undefined : String(flags.filter);
    const wasmLines = format !== "parquet" && wasmLinesEnabled() ? wasmLineFormat({ format, filter: filterText }) : undefined;
    const reading = endingAtDamage(trackBucketGroups(set, bucket, { ...options, wasmLines }));
    if (format === "parquet") await writeParquetGroups(reading.groups, filter, (bytes) => output.writeBytes(bytes));
    else await writeBucketLines(reading.groups, format, filterText, options, output);
    await output.close();
    // A capture the map tasks read up to its damage: the scan's line and exit (4, or 3 for one
    // with no packet before it), as a scan of the same files says it, in every reduce task.
    let exit = EXIT_OK;
    for (const { file } of set.files) {
      if (!file.error) continue;
      process.stderr.write(errorLine(file.source, file.error) + "\n");
      // A packet before the damage: its time, or a TCP record's batch (frames that are no packet
      // count in `packets` too, and a Simple Packet Block's has no time).
      const anyPacket = file.first !== null || file.batches[1] > file.batches[0];
      exit = Math.max(exit, anyPacket ? EXIT_PARTIAL : EXIT_UNREADABLE);
    }
    const damage = reading.damage();
    if (!damage) return exit;
    sayError(damage.message);
    return Math.max(exit, EXIT_PARTIAL);
  } catch (error) {
    output.discard();
    if (error instanceof OutputClosed || error instanceof OutputError) return outputFailed(error);
    if (error instanceof PartitionError) {
      sayError(error.message);
      return EXIT_PARTITIONS;
    }
    throw error;
  }
}
