// The reduce side's view of a partitions directory: every map output's manifest, checked (the
// same format and packet layout as this build, the same buckets and decoder settings, no
// capture twice, nothing missing or cut short), and every capture of every map output in one
// capture order: by first packet, as rotated files are ordered for a scan (equal times: by name,
// sdk/decoder/capture-order.ts), each with the packets before it (so that
// frame numbers come out global) and with the capture clock's origin.

import { closeSync, fstatSync, openSync, readSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import * as L from "../../assembly/layout.js";
import { DEFAULT_TUNNEL_PORTS } from "../decoder/tunnels.js";
import { byCodeUnits, compareCaptureOrder } from "../decoder/capture-order.js";
import {
  BUCKET_MAGIC, CHUNK_HEADER_SIZE, CLOCK_ENTRY_SIZE, CLOCK_MAGIC, CLOCK_NAME, FILE_HEADER_SIZE, MANIFEST_NAME, MAP_PREFIX,
  PARTITION_FORMAT_VERSION, bucketName, chunkHeaderIntact, clockEntryIntact, manifestChecksum, otherVersion, readFileHeader,
  type Manifest, type PartitionedFile,
} from "./format.js";

/** Partitions that cannot be reduced: missing, incomplete, of another version, inconsistent. */
export class PartitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PartitionError"; // what a log or an uncaught error prints, as the SDK's other errors
  }
}

/**
 * A bucket file found damaged while it is read (a checksum that does not match, a chunk cut
 * short): the connections tracked before the damage stand, as a scan's of a damaged capture.
 */
export class PartitionDamage extends PartitionError {
  constructor(message: string) {
    super(message);
    this.name = "PartitionDamage";
  }
}

export interface MapOutput { dir: string; name: string; manifest: Manifest; clock: DataView }

/** One capture of the whole set, in capture order. */
export interface OrderedFile { map: MapOutput; file: PartitionedFile; packetBase: number }

export interface PartitionSet {
  buckets: number;
  maps: MapOutput[];
  files: OrderedFile[];
  decoder: Manifest["decoder"];
  /** The capture clock's origin: the seconds of the capture's first tracked record, and where it is. */
  origin: { sec: number; file: OrderedFile; batch: number } | null;
}

function readManifest(dir: string, name: string): Manifest {
  const path = join(dir, MANIFEST_NAME);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new PartitionError(`${dir}: an incomplete map output (no ${MANIFEST_NAME}): run its partition task again`);
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch {
    throw new PartitionError(`${path}: not a partition manifest (not JSON)`);
  }
  if (manifest?.format !== "tcp-handshake-scan partitions") throw new PartitionError(`${path}: not a partition manifest`);
  if (manifest.version !== PARTITION_FORMAT_VERSION || manifest.layoutVersion !== L.LAYOUT_VERSION) {
    throw new PartitionError(`${dir} (${name}): ${otherVersion(manifest.version, manifest.layoutVersion)}`);
  }
  if (manifest.checksum !== manifestChecksum(manifest)) {
    throw new PartitionError(`${path}: its checksum does not match its fields: edited or damaged (run its partition task again)`);
  }
  return manifest;
}

/** The byte of the first clock entry whose checksum does not match, or -1. */
function damagedClockEntry(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let at = FILE_HEADER_SIZE; at + CLOCK_ENTRY_SIZE <= bytes.length; at += CLOCK_ENTRY_SIZE) {
    if (!clockEntryIntact(view, at)) return at;
  }
  return -1;
}

/** The map outputs in `root`, checked against each other; throws PartitionError. */
export function readPartitionSet(root: string, expectedMaps?: number): PartitionSet {
  let names: string[];
  try {
    if (!statSync(root).isDirectory()) throw new PartitionError(`${root}: not a directory of partitions`);
    names = readdirSync(root).filter((n) => n.startsWith(MAP_PREFIX)).sort();
  } catch (error) {
    if (error instanceof PartitionError) throw error;
    throw new PartitionError(`${root}: no such directory of partitions`);
  }
  if (names.length === 0) throw new PartitionError(`${root}: no map output (${MAP_PREFIX}*): run partition first`);
  if (expectedMaps !== undefined && names.length !== expectedMaps) {
    throw new PartitionError(`${root}: ${names.length} map output${names.length === 1 ? "" : "s"}, ${expectedMaps} expected: ${names.length < expectedMaps ? "a map task has not finished" : "outputs of another run are mixed in"}`);
  }
  const maps: MapOutput[] = names.map((name) => {
    const dir = join(root, name);
    const manifest = readManifest(dir, name);
    const clockPath = join(dir, CLOCK_NAME);
    let bytes: Uint8Array;
    try { bytes = readFileSync(clockPath); } catch { throw new PartitionError(`${clockPath}: missing: the map output is incomplete`); }
    const header = readFileHeader(bytes, CLOCK_MAGIC, CLOCK_ENTRY_SIZE);
    if (typeof header === "string") throw new PartitionError(`${clockPath}: ${header}`);
    if (bytes.length !== manifest.clockBytes || bytes.length !== FILE_HEADER_SIZE + manifest.batches * CLOCK_ENTRY_SIZE) {
      throw new PartitionError(`${clockPath}: ${bytes.length} bytes, ${manifest.clockBytes} written: cut short or changed`);
    }
    const damaged = damagedClockEntry(bytes);
    if (damaged >= 0) throw new PartitionError(`${clockPath}: byte ${damaged}: a clock entry's checksum does not match: damaged (run its partition task again)`);
    return { dir, name, manifest, clock: new DataView(bytes.buffer, bytes.byteOffset, bytes.length) };
  });
  const first = maps[0]!.manifest;
  for (const m of maps) {
    if (m.manifest.buckets !== first.buckets) {
      throw new PartitionError(`${m.dir}: ${m.manifest.buckets} buckets, ${maps[0]!.dir}: ${first.buckets}: every map task of a run takes the same --buckets`);
    }
    if (decoding(m.manifest.decoder) !== decoding(first.decoder)) {
      throw new PartitionError(`${m.dir}: decoded with other settings than ${maps[0]!.dir} (${JSON.stringify(m.manifest.decoder)}): every map task of a run takes the same options`);
    }
  }
  const files = orderFiles(maps);
  return { buckets: first.buckets, maps, files, decoder: first.decoder, origin: clockOrigin(files) };
}

/**
 * What a map output's decoder settings do, as text to compare: the tunnel depth with its default
 * filled in, and the UDP ports whose tunnel type the options changed from the defaults, by port
 * (a later entry wins, as configureDecapsulation applies them). So `--max-tunnel-depth 2` and
 * none, or `--tunnel-ports vxlan=4790,geneve=6082` and `geneve=6082,vxlan=4790`, decode alike.
 */
function decoding(d: Manifest["decoder"]): string {
  const ports = new Map<number, string>();
  const given = d.tunnelPorts !== null && typeof d.tunnelPorts === "object" ? d.tunnelPorts as Record<string, unknown> : {};
  for (const [type, list] of Object.entries(given)) for (const port of Array.isArray(list) ? list : []) ports.set(port as number, type);
  const defaults = new Map(Object.entries(DEFAULT_TUNNEL_PORTS).flatMap(([type, list]) => list.map((port) => [port, type] as const)));
  const changed = [...ports].filter(([port, type]) => defaults.get(port) !== type).sort((a, b) => a[0] - b[0]);
  return JSON.stringify([d.verifyChecksums, d.maxTunnelDepth ?? L.DEFAULT_TUNNEL_DEPTH, changed, d.hashSeed]);
}

function orderFiles(maps: MapOutput[]): OrderedFile[] {
  const all = maps.flatMap((map) => map.manifest.files.map((file, index) => ({ map, file, index })));
  const seen = new Map<string, { map: string; bytes: number }>();
  for (const { map, file } of all) {
    // Each capture by its identity (format.ts): two pipes read at one path (/dev/fd/63) are two
    // captures; a file partitioned again once it had grown is the same capture.
    const other = seen.get(file.identity);
    if (other !== undefined) {
      const where = other.map === map.name ? `twice in map output ${map.name}` : `in two map outputs (${other.map} and ${map.name})`;
      const sizes = other.bytes !== file.bytes ? ` (at ${other.bytes} and ${file.bytes} bytes: a file that grew between two tasks? remove the older output)` : "";
      throw new PartitionError(`${file.path} is ${where}${sizes}: its connections would be counted twice`);
    }
    seen.set(file.identity, { map: map.name, bytes: file.bytes });
  }
  // As a scan orders them (the manifest's path is absolute): by first packet, equal times by
  // name; a capture its map task read last (a pipe whose look-ahead found no packet) as one without.
  const key = (f: PartitionedFile) => ({ first: f.readLast ? null : f.first, path: f.path });
  all.sort((a, b) => compareCaptureOrder(key(a.file), key(b.file)) || byCodeUnits(a.map.name, b.map.name) || a.index - b.index);
  let packetBase = 0;
  return all.map(({ map, file }) => {
    const ordered = { map, file, packetBase };
    packetBase += file.packets;
    return ordered;
  });
}

function clockOrigin(files: OrderedFile[]): PartitionSet["origin"] {
  for (const f of files) if (f.file.firstTracked) return { sec: f.file.firstTracked.sec, file: f, batch: f.file.firstTracked.batch };
  return null;
}

/** Opens a map output's bucket file, checked; reading goes on after its header. */
export function openBucketFile(map: MapOutput, bucket: number): { path: string; fd: number; size: number } {
  const path = join(map.dir, bucketName(bucket));
  let fd: number;
  try { fd = openSync(path, "r"); } catch { throw new PartitionError(`${path}: missing: the map output has no bucket ${bucket}`); }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new PartitionError(`${path}: not a regular file: the map output is damaged (run its partition task again)`);
    const size = stat.size;
    const written = map.manifest.bucketBytes[bucket]!;
    if (size < written) {
      const at = size < FILE_HEADER_SIZE ? 0 : chunkCutAt(fd, size);
      const where = at === 0 ? "the file ends inside its header" : at < size ? "the file ends inside the chunk there" : "the file ends there, before the chunks written after it";
      throw new PartitionError(`${path}: byte ${at}: ${where} (${size} bytes, ${written} written): cut short`);
    }
    if (size !== written) throw new PartitionError(`${path}: ${size} bytes, ${written} written: changed`);
    const header = new Uint8Array(FILE_HEADER_SIZE);
    readSync(fd, header, 0, FILE_HEADER_SIZE, 0);
    const check = readFileHeader(header, BUCKET_MAGIC, L.RECORD_SIZE);
    if (typeof check === "string") throw new PartitionError(`${path}: ${check}`);
    if (check.a !== bucket || check.b !== map.manifest.buckets) throw new PartitionError(`${path}: holds bucket ${check.a} of ${check.b}, not ${bucket} of ${map.manifest.buckets}`);
    return { path, fd, size };
  } catch (error) {
    closeSync(fd);
    throw unreadable(path, error);
  }
}

/** A read that failed (EIO on a disk, a network file system's error) as one line naming the file. */
export function unreadable(path: string, error: unknown, at?: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (error instanceof PartitionError || typeof code !== "string") return error;
  const where = at === undefined ? "" : ` byte ${at}:`;
  // Node's "EIO: i/o error, read" as "i/o error (EIO)".
  const cause = (error as Error).message.replace(/^[A-Z]+: /, "").replace(/, \w+( '.*')?$/, "");
  return new (at === undefined ? PartitionError : PartitionDamage)(`${path}:${where} cannot be read: ${cause} (${code})`);
}

/**
 * The byte of the chunk a bucket file of `size` bytes is cut short in (its header's, or of the
 * first header found damaged on the way: only headers are read, each checked).
 */
function chunkCutAt(fd: number, size: number): number {
  const header = new Uint8Array(CHUNK_HEADER_SIZE), view = new DataView(header.buffer);
  let at = FILE_HEADER_SIZE;
  while (at + CHUNK_HEADER_SIZE <= size) {
    readSync(fd, header, 0, CHUNK_HEADER_SIZE, at);
    if (!chunkHeaderIntact(view, 0)) return at;
    const next = at + CHUNK_HEADER_SIZE + view.getUint32(4, true) * L.RECORD_SIZE + view.getUint32(20, true);
    if (next > size) return at;
    at = next;
  }
  return at;
}
