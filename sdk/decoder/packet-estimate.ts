// How many packets the captures hold, estimated before the scan from windows spread over the
// first few files (not at their start, which is often a burst of handshakes, smaller packets
// than the rest: a generated 2 GB capture's first MiB averaged 213 bytes a record, the whole
// 1 008): their size over the average record size seen. The default thread count goes by it
// (the command's cli/threads.ts): what a worker saves grows with the packets, not the bytes, and a
// full-snaplen capture holds ten times fewer packets per byte than a 96-byte one; so does the
// share of the flows the main thread tracks at two threads (parallel/main-share.ts). Imports
// nothing else (the command uses it before it loads the rest of the SDK, while its workers start).

import { closeSync, openSync, readSync, statSync } from "node:fs";

/** Bytes read in each window of a file to average its records over. */
const WINDOW_BYTES = 256 << 10;
/** Windows read per file, centred on sixths of it (a file of fewer bytes is read whole). */
const WINDOWS = 6;
/** Files sampled; the others are taken to have the same average record size. */
const SAMPLED_FILES = 4;

/**
 * Estimated packets in `files` (all regular files), or null when it cannot be told: standard
 * input or a pipe, a compressed or unknown format, a file with no whole record at its start.
 */
export function estimatedPackets(files: string[]): number | null {
  return sampled(files).packets;
}

/** Bytes a record takes on average in `files` (estimatedPackets()), or null when it cannot be told. */
export function bytesPerRecord(files: string[]): number | null {
  const { packets, bytes } = sampled(files);
  return packets ? bytes / packets : null;
}

let last: { key: string; packets: number | null; bytes: number } | null = null;

// The command asks twice (to start its workers early, then to scan), and its line scanner once
// more: the files are read once. Each file by its path, size and time modified: a file written
// anew is sampled again. (A file that cannot be stat'ed makes the estimate null.)
function sampled(files: string[]): { packets: number | null; bytes: number } {
  let bytes = 0;
  const key = files.map((f) => {
    try {
      const stat = statSync(f);
      bytes += stat.size;
      return `${f}\0${stat.size}\0${stat.mtimeMs}`;
    } catch {
      return `${f}\0`;
    }
  }).join("\0");
  if (last?.key !== key) last = { key, packets: estimate(files), bytes };
  return last;
}

function estimate(files: string[]): number | null {
  // Each sampled file by its own record size; the others by the sampled files' average.
  let estimate = 0, unsampledBytes = 0, sampledBytes = 0, sampledRecords = 0, sampled = 0;
  for (const f of files) {
    if (f === "-") return null;
    let size: number;
    try {
      const stat = statSync(f);
      if (!stat.isFile()) return null;
      size = stat.size;
    } catch {
      return null;
    }
    if (sampled >= SAMPLED_FILES) {
      unsampledBytes += size;
      continue;
    }
    const counted = sampleFile(f, size);
    if (!counted) return null;
    sampled++;
    sampledBytes += counted.bytes;
    sampledRecords += counted.records;
    estimate += size * (counted.records / counted.bytes);
  }
  if (sampled === 0) return null;
  return Math.round(estimate + unsampledBytes * (sampledRecords / sampledBytes));
}

// The records of a file's windows, all counted from whole records (a window past the start
// first finds one: resync()).
function sampleFile(file: string, size: number): { records: number; bytes: number } | null {
  let fd: number | null = null;
  try {
    fd = openSync(file, "r");
    // A file no larger than the windows is read whole; of a larger one, the start only tells its format.
    const small = size <= WINDOWS * WINDOW_BYTES;
    const first = read(fd, 0, small ? size : WINDOW_BYTES);
    const whole = recordsIn(first);
    const format = whole && formatOf(first);
    if (!format) return null;
    if (small) return whole;
    const total = { records: 0, bytes: 0 };
    for (let w = 0; w < WINDOWS; w++) {
      const window = read(fd, Math.floor((size * (w + 0.5)) / WINDOWS) - WINDOW_BYTES / 2, WINDOW_BYTES);
      const counted = resynced(window, format);
      if (counted) {
        total.records += counted.records;
        total.bytes += counted.bytes;
      }
    }
    return total.records > 0 ? total : whole;
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

function read(fd: number, position: number, length: number): Uint8Array {
  const buffer = new Uint8Array(length);
  let got = 0;
  for (let n = 1; n > 0 && got < length; got += n) n = readSync(fd, buffer, got, length - got, position + got);
  return buffer.subarray(0, got);
}

/** What a capture's start says of its records: classic pcap (its byte order, snaplen, first time) or pcapng (its byte order). */
type Format = { kind: "pcap"; little: boolean; header: number; snaplen: number; firstSec: number } | { kind: "pcapng"; little: boolean };

// Classic pcap's magics as read big-endian: which byte order, and the record header's size (the
// modified format's records carry 8 more bytes: assembly/container/pcap.ts).
const PCAP_MAGICS = new Map<number, { little: boolean; header: number }>([
  [0xa1b2c3d4, { little: false, header: 16 }], [0xa1b23c4d, { little: false, header: 16 }], [0xa1b2cd34, { little: false, header: 24 }],
  [0xd4c3b2a1, { little: true, header: 16 }], [0x4d3cb2a1, { little: true, header: 16 }], [0x34cdb2a1, { little: true, header: 24 }],
]);

function formatOf(start: Uint8Array): Format | null {
  const view = new DataView(start.buffer, start.byteOffset, start.byteLength);
  const magic = view.getUint32(0, false);
  if (magic === 0x0a0d0d0a) return { kind: "pcapng", little: view.getUint32(8, true) === 0x1a2b3c4d };
  const { little, header } = PCAP_MAGICS.get(magic) ?? { little: false, header: 16 };
  return { kind: "pcap", little, header, snaplen: view.getUint32(16, little) || 0x40000, firstSec: view.getUint32(24, little) };
}

// The whole records in a window that starts anywhere: from the first offset where three
// records in a row look whole and plausible (pcap: lengths within the snaplen, times within a
// year of the first packet's; pcapng: a block's length repeated at its end), to the last whole
// one; pcapng counts its packet blocks only.
function resynced(window: Uint8Array, format: Format): { records: number; bytes: number } | null {
  const view = new DataView(window.buffer, window.byteOffset, window.byteLength);
  const pcap = format.kind === "pcap";
  const next = pcap ? (at: number) => pcapNext(view, at, format) : (at: number) => pcapngNext(view, at, format.little);
  for (let start = 0; start + 64 < view.byteLength; start += pcap ? 1 : 4) {
    const second = next(start), third = second < 0 ? -1 : next(second);
    if (third < 0 || next(third) < 0) continue;
    let records = 0, end = start;
    for (let at = start; ; ) {
      const after = next(at);
      if (after < 0) break;
      if (pcap || PACKET_BLOCKS.has(view.getUint32(at, format.little))) records++;
      end = at = after;
    }
    return records > 0 ? { records, bytes: end - start } : null;
  }
  return null;
}

// The end of a plausible classic pcap record at `at`, or -1.
function pcapNext(view: DataView, at: number, f: { little: boolean; header: number; snaplen: number; firstSec: number }): number {
  if (at + f.header > view.byteLength) return -1;
  const sec = view.getUint32(at, f.little), usec = view.getUint32(at + 4, f.little);
  const incl = view.getUint32(at + 8, f.little), orig = view.getUint32(at + 12, f.little);
  if (Math.abs(sec - f.firstSec) > 366 * 86400 || usec >= 1e9 || incl > f.snaplen || incl > orig || incl === 0) return -1;
  const end = at + f.header + incl;
  return end <= view.byteLength ? end : -1;
}

// The end of a pcapng block at `at` whose length is repeated at its end, or -1.
function pcapngNext(view: DataView, at: number, little: boolean): number {
  if (at + 12 > view.byteLength) return -1;
  const length = view.getUint32(at + 4, little);
  if (length < 12 || length % 4 !== 0 || at + length > view.byteLength) return -1;
  return view.getUint32(at + length - 4, little) === length ? at + length : -1;
}

/**
 * The whole records at the start of a classic pcap or pcapng file and the bytes they span
 * (headers included), or null for anything else (gzip, an unknown format, no whole record).
 */
export function recordsIn(start: Uint8Array): { records: number; bytes: number } | null {
  if (start.length < 24) return null;
  const view = new DataView(start.buffer, start.byteOffset, start.byteLength);
  const magic = view.getUint32(0, false);
  const pcap = PCAP_MAGICS.get(magic);
  if (pcap) return pcapRecords(view, pcap.little, pcap.header);
  if (magic === 0x0a0d0d0a) return pcapngRecords(view);
  return null;
}

function pcapRecords(view: DataView, little: boolean, header: number): { records: number; bytes: number } | null {
  let at = 24, records = 0;
  while (at + header <= view.byteLength) {
    const next = at + header + view.getUint32(at + 8, little);
    if (next > view.byteLength) break;
    records++;
    at = next;
  }
  return records > 0 ? { records, bytes: at } : null;
}

// Packet blocks: Enhanced (6), Simple (3) and the obsolete Packet block (2).
const PACKET_BLOCKS = new Set([2, 3, 6]);

function pcapngRecords(view: DataView): { records: number; bytes: number } | null {
  if (view.byteLength < 12) return null;
  const order = view.getUint32(8, true);
  if (order !== 0x1a2b3c4d && order !== 0x4d3c2b1a) return null;
  const little = order === 0x1a2b3c4d;
  let at = 0, records = 0, end = 0;
  while (at + 12 <= view.byteLength) {
    const length = view.getUint32(at + 4, little);
    if (length < 12 || length % 4 !== 0 || at + length > view.byteLength) break;
    if (PACKET_BLOCKS.has(view.getUint32(at, little))) {
      records++;
      end = at + length;
    }
    at += length;
  }
  return records > 0 ? { records, bytes: end } : null;
}
