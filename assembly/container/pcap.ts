// Classic libpcap files: a 24-byte global header, then 16-byte record headers each followed by
// the captured bytes. Four magics: micro/nanosecond resolution x little/big endian; and the
// "modified" format of Alexey Kuznetsov's patched tcpdump (magic a1b2cd34, either byte order),
// whose 24-byte record headers add the interface index, protocol and packet type (read past, as
// libpcap reads them), microsecond times.

import {
  STATUS_NEED_MORE, STATUS_OUTPUT_FULL, STATUS_DONE, FORMAT_PCAP,
  ERR_TRUNCATED_FILE_HEADER, ERR_UNSUPPORTED_VERSION, ERR_TRUNCATED_RECORD_HEADER,
  ERR_TRUNCATED_RECORD, ERR_RECORD_TOO_LONG, ERR_LINKTYPE_RESERVED_BITS,
  WARN_TS_FRACTION_RANGE, WARN_UNSUPPORTED_LINKTYPE, META_SECTION, META_INTERFACE,
} from "../layout";
import { INPUT_PTR, MAX_RECORD_BYTES } from "../memory";
import { warn, pushMeta, metaFull } from "../counters";
import { outputFull } from "../packet";
import { isSupportedLinkType } from "../wire/link";
import { fail, setStatus, setFormat, packetIndex } from "./state";
import { decodeFrame } from "./frame";
import { rd16, rd32, setSwapped, isSwapped } from "./byte-order";

export const MAGIC_MICRO: u32 = 0xa1b2c3d4;
export const MAGIC_NANO: u32 = 0xa1b23c4d;
export const MAGIC_MODIFIED: u32 = 0xa1b2cd34;
const GLOBAL_HEADER: u32 = 24;
const RECORD_HEADER: u32 = 16;
const MODIFIED_RECORD_HEADER: u32 = 24;
// libpcap refuses records longer than this unless the file's snaplen is larger.
const LIBPCAP_MAX_SNAPLEN: u32 = 262144;

let nanosecond = false;
let recordHeader: u32 = RECORD_HEADER;
let versionMinor: u32 = 4;
let linkType: u32 = 1;
let fcsBytes: u32 = 0;
let maxRecord: u32 = LIBPCAP_MAX_SNAPLEN;
let headerRead = false;


export function resetPcap(): void { headerRead = false; }

export function isPcapMagic(raw: u32): bool {
  return raw == MAGIC_MICRO || raw == MAGIC_NANO || raw == MAGIC_MODIFIED
    || raw == bswap<u32>(MAGIC_MICRO) || raw == bswap<u32>(MAGIC_NANO) || raw == bswap<u32>(MAGIC_MODIFIED);
}

// Reads the global header at arena position `pos`; returns the position after it, or -1.
function readGlobalHeader(pos: u32, end: u32, eof: bool, base: f64): i64 {
  if (pos + GLOBAL_HEADER > end) {
    if (eof) fail(ERR_TRUNCATED_FILE_HEADER, base + pos, <f64>(end - pos));
    else setStatus(STATUS_NEED_MORE);
    return -1;
  }
  const p = INPUT_PTR + pos;
  const raw = load<u32>(p);
  setSwapped(raw == bswap<u32>(MAGIC_MICRO) || raw == bswap<u32>(MAGIC_NANO) || raw == bswap<u32>(MAGIC_MODIFIED));
  nanosecond = raw == MAGIC_NANO || raw == bswap<u32>(MAGIC_NANO);
  recordHeader = raw == MAGIC_MODIFIED || raw == bswap<u32>(MAGIC_MODIFIED) ? MODIFIED_RECORD_HEADER : RECORD_HEADER;
  const major = rd16(p + 4);
  versionMinor = rd16(p + 6);
  // libpcap reads 2.0 through 2.4 (older minors differ only in the caplen/len order).
  if (major != 2 || versionMinor > 4) {
    fail(ERR_UNSUPPORTED_VERSION, base + pos, <f64>((major << 16) | versionMinor));
    return -1;
  }
  const snaplen = rd32(p + 16);
  const linkField = rd32(p + 20);
  // Bits 16-25 are reserved and must be zero; bits 26-31 describe a frame check sequence.
  if ((linkField & 0x03ff0000) != 0) {
    fail(ERR_LINKTYPE_RESERVED_BITS, base + pos + 20, <f64>linkField);
    return -1;
  }
  linkType = linkField & 0xffff;
  fcsBytes = (linkField & 0x04000000) != 0 ? ((linkField >>> 28) << 1) : 0;
  maxRecord = snaplen > LIBPCAP_MAX_SNAPLEN ? snaplen : LIBPCAP_MAX_SNAPLEN;
  if (maxRecord > MAX_RECORD_BYTES) maxRecord = MAX_RECORD_BYTES;
  setFormat(FORMAT_PCAP);
  pushMeta(META_SECTION, base + pos, isSwapped() ? 1 : 0, <f64>major, <f64>versionMinor, 0, 0, 0, 0);
  pushMeta(META_INTERFACE, base + pos, 0, 0, <f64>linkType, <f64>snaplen,
    nanosecond ? 1e9 : 1e6, 0, <f64>fcsBytes);
  if (!isSupportedLinkType(linkType)) warn(WARN_UNSUPPORTED_LINKTYPE, base + pos + 20, 0, <f64>linkType);
  headerRead = true;
  return <i64>(pos + GLOBAL_HEADER);
}

// Decodes records in arena [pos, end). Returns the position where it stopped.
export function decodePcap(pos: u32, end: u32, eof: bool, base: f64): u32 {
  if (!headerRead) {
    const next = readGlobalHeader(pos, end, eof, base);
    if (next < 0) return pos;
    pos = <u32>next;
  }
  const fracPerSec: u32 = nanosecond ? 1000000000 : 1000000;
  const header = recordHeader;
  while (true) {
    if (outputFull() || metaFull()) { setStatus(STATUS_OUTPUT_FULL); return pos; }
    if (pos + header > end) {
      if (!eof) setStatus(STATUS_NEED_MORE);
      else if (pos == end) setStatus(STATUS_DONE);
      else fail(ERR_TRUNCATED_RECORD_HEADER, base + pos, <f64>(end - pos));
      return pos;
    }
    const h = INPUT_PTR + pos;
    let sec = rd32(h);
    let frac = rd32(h + 4);
    let capLen = rd32(h + 8);
    let origLen = rd32(h + 12);
    // Before 2.3 the two lengths were written the other way round; libpcap also swaps them
    // in 2.3 files whose caplen exceeds len.
    if (versionMinor < 3 || (versionMinor == 3 && capLen > origLen)) {
      const t = capLen; capLen = origLen; origLen = t;
    }
    if (capLen > maxRecord) { fail(ERR_RECORD_TOO_LONG, base + pos, <f64>capLen); return pos; }
    if (pos + header + capLen > end) {
      if (!eof) setStatus(STATUS_NEED_MORE);
      else fail(ERR_TRUNCATED_RECORD, base + pos, <f64>capLen);
      return pos;
    }
    let tsSec = <f64>sec;
    if (frac >= fracPerSec) {
      warn(WARN_TS_FRACTION_RANGE, base + pos, packetIndex, <f64>frac);
      tsSec += <f64>(frac / fracPerSec);
      frac = frac % fracPerSec;
    }
    const nsec = nanosecond ? frac : frac * 1000;
    decodeFrame(h + header, capLen, origLen, linkType, fcsBytes, 0, tsSec, nsec, base + pos);
    pos += header + capLen;
  }
}
