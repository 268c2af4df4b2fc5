// The files a map task (`partition`) leaves for the reduce tasks (`--from-partitions`), described
// in docs/partitions.md: per map output a directory with a manifest (JSON, written last), a
// clock file (one entry per decoded batch) and one bucket file per flow-hash bucket (the TCP
// packet records of that bucket, in the 128-byte layout of assembly/layout.ts, in chunks that
// name their batch). A version of either format other than this build's is refused. Every part
// the reduce reads carries a CRC-32 (checksum.ts), so that a damaged copy is never read silently.

import * as L from "../../assembly/layout.js";
import { checksum } from "./checksum.js";

/** The partition format's own version: bump on any change to what this file describes. */
// 4: a file's `packets` counts pcapng's non-packet frames too, equal first-packet times order by
// name, map outputs are named by path and first packet (session 36). 5: a file's `identity` and
// `readLast` (session 44).
export const PARTITION_FORMAT_VERSION = 5;
export const MANIFEST_NAME = "manifest.json";
export const CLOCK_NAME = "clock.bin";
export const MAP_PREFIX = "map-";
export const bucketName = (bucket: number) => `bucket-${String(bucket).padStart(5, "0")}.bin`;

/**
 * Every binary file starts with: magic (8 bytes), format version, LAYOUT_VERSION, entry size,
 * two file-specific u32, then the CRC-32 of those 28 bytes.
 */
export const FILE_HEADER_SIZE = 32;
export const BUCKET_MAGIC = "THSBUCKT";
export const CLOCK_MAGIC = "THSCLOCK";

/**
 * A bucket file's chunk: u32 batch (the map's batch number), u32 records, f64 tick seconds
 * (-1: none), u32 tick nanoseconds, u32 tunnel bytes; then the records, each tunnelled one
 * followed by its tunnel levels (REC_TUNNEL_DEPTH of TUNNEL_LEVEL_SIZE bytes: what the record's
 * tunnel.chain is made of), which the tunnel bytes add up (0: records only, read in one go);
 * then u32 the CRC-32 of the records and levels, u32 the CRC-32 of the header's first 28 bytes
 * (checked before its counts are used: a damaged count never sizes a buffer). The tick is the capture
 * clock reached by packets of other buckets since this bucket's previous record, when it is
 * later than the chunk's first record (timestamps that step back): the reducer moves its
 * clock there first, as a tracker that saw those packets would have.
 */
export const CHUNK_HEADER_SIZE = 32;
/** Where a chunk header's two checksums are: of its records and levels, of the header before it. */
export const CHUNK_DATA_CRC = 24;
export const CHUNK_HEADER_CRC = 28;
/** A clock entry: u32 file (its index in the manifest), u32 records in the batch, f64 latest seconds (-1: none yet), u32 latest nanoseconds, u32 the CRC-32 of those 20 bytes. */
export const CLOCK_ENTRY_SIZE = 24;
const CLOCK_ENTRY_CRC = 20;

/** Sets the checksum of the chunk header at `at` of `view` (its other fields written). */
export function sealChunkHeader(view: DataView, at: number): void {
  view.setUint32(at + CHUNK_HEADER_CRC, chunkHeaderChecksum(view, at), true);
}

/** Whether the chunk header at `at` of `view` matches its checksum. */
export function chunkHeaderIntact(view: DataView, at: number): boolean {
  return chunkHeaderChecksum(view, at) === view.getUint32(at + CHUNK_HEADER_CRC, true);
}

function chunkHeaderChecksum(view: DataView, at: number): number {
  return checksum(new Uint8Array(view.buffer, view.byteOffset + at, CHUNK_HEADER_CRC));
}

/** Sets the checksum of the clock entry at `at` of `view` (its first 20 bytes written). */
export function sealClockEntry(view: DataView, at: number): void {
  view.setUint32(at + CLOCK_ENTRY_CRC, clockEntryChecksum(view, at), true);
}

/** Whether the clock entry at `at` of `view` matches its checksum. */
export function clockEntryIntact(view: DataView, at: number): boolean {
  return clockEntryChecksum(view, at) === view.getUint32(at + CLOCK_ENTRY_CRC, true);
}

function clockEntryChecksum(view: DataView, at: number): number {
  return checksum(new Uint8Array(view.buffer, view.byteOffset + at, CLOCK_ENTRY_CRC));
}

export const NO_TICK = -1;

export interface Timestamp { sec: number; nsec: number }

/** What the manifest says of one capture file the map task read. */
export interface PartitionedFile {
  /** As given on the map's command line. */
  source: string;
  /** Absolute path and size: the same file in two map outputs would be counted twice. */
  path: string;
  bytes: number;
  /** Its first packet's time (any packet), the key that orders rotated files as one capture. */
  first: Timestamp | null;
  /**
   * Read after the other captures of its map task, as a scan reads a pipe whose look-ahead found
   * no packet (its `first` came later): the reduce orders it as a capture without a packet.
   */
  readLast: boolean;
  /**
   * What the capture is, compared across map outputs (the same capture in two would be counted
   * twice): a regular file's real path (symbolic links and /dev/stdin followed) and first
   * packet; a pipe's path, bytes, packets and first packet (its path, /dev/fd/63, says nothing).
   */
  identity: string;
  /** Packets in the file (frame numbers run on across files by these counts). */
  packets: number;
  /**
   * Its first record the tracker steps its clock on (null: none): its seconds, the clock's
   * origin if it is the capture's first, and its batch (the clock starts there).
   */
  firstTracked: { sec: number; batch: number } | null;
  /** Its batches: [first, end) in the clock file. */
  batches: [number, number];
  /** The damage the file was read up to, as the scan reports it (null: read whole). */
  error: { code: string; message: string; offset: number; packet: number } | null;
}

export interface Manifest {
  format: "tcp-handshake-scan partitions";
  version: number;
  layoutVersion: number;
  buckets: number;
  /** The decoder's settings: every map output of a reduce must agree on them. */
  decoder: { verifyChecksums: boolean; maxTunnelDepth: number | null; tunnelPorts: unknown; hashSeed: number };
  files: PartitionedFile[];
  batches: number;
  /** Bytes of each bucket file, and of the clock file: a shorter one is refused. */
  bucketBytes: number[];
  clockBytes: number;
  /** The CRC-32 of the rest (manifestChecksum): an edited or damaged manifest is refused. */
  checksum?: number;
}

/** The CRC-32 of a manifest's fields but its checksum, as compact JSON (its file's spacing does not count). */
export function manifestChecksum(manifest: Manifest): number {
  return checksum(new TextEncoder().encode(JSON.stringify({ ...manifest, checksum: undefined })));
}

export function writeFileHeader(view: DataView, magic: string, entrySize: number, a: number, b: number): void {
  for (let k = 0; k < 8; k++) view.setUint8(k, magic.charCodeAt(k));
  view.setUint32(8, PARTITION_FORMAT_VERSION, true);
  view.setUint32(12, L.LAYOUT_VERSION, true);
  view.setUint32(16, entrySize, true);
  view.setUint32(20, a, true);
  view.setUint32(24, b, true);
  view.setUint32(28, checksum(new Uint8Array(view.buffer, view.byteOffset, 28)), true);
}

/** Checks a file header; returns its two file-specific words, or a sentence saying what is wrong. */
export function readFileHeader(bytes: Uint8Array, magic: string, entrySize: number): { a: number; b: number } | string {
  if (bytes.length < FILE_HEADER_SIZE) return `byte ${bytes.length}: the file ends inside its header (${FILE_HEADER_SIZE} bytes): cut short`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, FILE_HEADER_SIZE);
  const got = String.fromCharCode(...bytes.subarray(0, 8));
  if (got !== magic) return `byte 0: not a ${magic === BUCKET_MAGIC ? "bucket" : "clock"} file (its first 8 bytes are not "${magic}"): damaged, or another file put there`;
  const version = view.getUint32(8, true), layout = view.getUint32(12, true);
  const intact = view.getUint32(28, true) === checksum(bytes.subarray(0, 28));
  if (version !== PARTITION_FORMAT_VERSION || layout !== L.LAYOUT_VERSION) {
    // Another version's header may be laid out otherwise, its checksum elsewhere: a version that
    // does not match is that version only where the checksum vouches for it, else damage or that.
    if (intact) return otherVersion(version, layout);
    return `byte ${version !== PARTITION_FORMAT_VERSION ? 8 : 12}: the file header names partition format ${version}, packet layout ${layout} `
      + `(this one reads ${PARTITION_FORMAT_VERSION} and ${L.LAYOUT_VERSION}) and its checksum does not match: damaged, or written by another version `
      + "(run its partition task again with this version)";
  }
  if (!intact) return "byte 0: the file header's checksum does not match: damaged";
  if (view.getUint32(16, true) !== entrySize) return `byte 16: entries of ${view.getUint32(16, true)} bytes, not ${entrySize}: written by another build`;
  return { a: view.getUint32(20, true), b: view.getUint32(24, true) };
}

export function otherVersion(version: number, layout: number): string {
  return `written by another version (partition format ${version}, packet layout ${layout}; this one reads ${PARTITION_FORMAT_VERSION} and ${L.LAYOUT_VERSION}): run partition again with this version`;
}
