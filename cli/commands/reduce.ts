// The reduce task of a scan spread over machines: `--from-partitions DIR --bucket b` tracks one
// flow-hash bucket of what the partition tasks wrote to DIR and writes its connections in a
// record format (sdk/partition/track-bucket.ts). Partitions missing, cut short, of another
// version or inconsistent are refused with one line and EXIT_PARTITIONS, before any output. A
// bucket file found damaged while it is read (a checksum that does not match) ends the input
// there: the connections before it are written, then one line and EXIT_PARTIAL, as for a
// damaged capture.

import { createBucketScanner, checkBucketFiles } from "../../sdk/partition/track-bucket.js";
import { PartitionDamage, PartitionError, readPartitionSet } from "../../sdk/partition/map-outputs.js";
import type { Scanner } from "../../sdk/scan.js";
import { Output, OutputClosed, OutputError } from "../output.js";
import { EXIT_PARTIAL, EXIT_PARTITIONS, worst } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";
import { refuseParquetOnTerminal } from "../terminal-output.js";
import { FORMATS, parseFilter, parseLimit, parseServerPorts, writeRecords, outputFailed, type Format } from "./scan.js";

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

/** `scanner`, whose iteration ends at damage instead of throwing it; `damage()` then says what it was. */
function endingAtDamage(scanner: Scanner): { scanner: Scanner; damage: () => PartitionDamage | null } {
  let damage: PartitionDamage | null = null;
  async function* batches() {
    try {
      yield* scanner.batches();
    } catch (error) {
      if (!(error instanceof PartitionDamage)) throw error;
      damage = error;
    }
  }
  return { scanner: { ...scanner, batches }, damage: () => damage };
}

function count(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(String(value))) throw new UsageError(`${flag}: "${value}" is not a number (0 or more)`);
  return Number(value);
}

export async function runFromPartitions(captures: string[], flags: ReduceFlags): Promise<number> {
  const root = String(flags.fromPartitions);
  if (captures.length > 0) throw new UsageError(`--from-partitions reads partitions, not captures (${captures[0]}): give captures to partition`);
  for (const [flag, why] of Object.entries(NOT_HERE)) if ((flags as Record<string, unknown>)[flag] !== undefined) throw new UsageError(why);
  const bucket = count(flags.bucket, "--bucket");
  if (bucket === undefined) throw new UsageError("--from-partitions needs --bucket b (0 to buckets - 1)");
  // A run has one map output or more: 0 would only be refused later as "outputs of another run".
  const maps = flags.maps === undefined ? undefined : Number(flags.maps);
  if (maps !== undefined && (!/^\d+$/.test(String(flags.maps)) || !Number.isSafeInteger(maps) || maps < 1)) {
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
  };
  let set;
  try {
    set = readPartitionSet(root, maps);
    if (bucket >= set.buckets) throw new UsageError(`--bucket ${bucket}: the partitions in ${root} have buckets 0 to ${set.buckets - 1}`);
    checkBucketFiles(set, bucket);
  } catch (error) {
    if (!(error instanceof PartitionError)) throw error;
    process.stderr.write(`tcp-handshake-scan: ${error.message}\n`);
    return EXIT_PARTITIONS;
  }
  let output: Output;
  try {
    output = new Output(flags.output);
  } catch (error) {
    return outputFailed(error);
  }
  try {
    const reading = endingAtDamage(createBucketScanner(set, bucket, options));
    let exit = await writeRecords(reading.scanner, format, filter, 0, output, flags.quiet ?? false, flags.filter);
    await output.close();
    const damage = reading.damage();
    if (damage) {
      process.stderr.write(`tcp-handshake-scan: ${damage.message}\n`);
      exit = worst(exit, EXIT_PARTIAL);
    }
    return exit;
  } catch (error) {
    output.discard();
    if (error instanceof OutputClosed || error instanceof OutputError) return outputFailed(error);
    if (error instanceof PartitionError) {
      process.stderr.write(`tcp-handshake-scan: ${error.message}\n`);
      return EXIT_PARTITIONS;
    }
    throw error;
  }
}
