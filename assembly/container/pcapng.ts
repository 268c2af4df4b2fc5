// pcapng (draft-ietf-opsawg-pcapng): a sequence of sections, each a Section Header Block with
// its own byte order followed by Interface Description Blocks and packet blocks. Every block
// is [type, total length, body, total length]; unknown types are skipped by their length.

import {
  STATUS_NEED_MORE, STATUS_OUTPUT_FULL, STATUS_DONE, FORMAT_PCAPNG,
  ERR_TRUNCATED_FILE_HEADER, ERR_UNSUPPORTED_VERSION, ERR_TRUNCATED_RECORD_HEADER,
  ERR_TRUNCATED_RECORD, ERR_RECORD_TOO_LONG, ERR_BLOCK_LENGTH_INVALID,
  ERR_BLOCK_TRAILER_MISMATCH, ERR_UNKNOWN_INTERFACE, ERR_PACKET_LENGTH_INVALID,
  ERR_TOO_MANY_INTERFACES, ERR_BAD_BYTE_ORDER_MAGIC, ERR_PACKET_BEFORE_SECTION, ERR_OPTION_LENGTH_INVALID,
  WARN_TSRESOL_INVALID, WARN_FCSLEN_UNKNOWN, WARN_UNSUPPORTED_LINKTYPE, WARN_TS_TOP_BIT, WARN_TS_NOT_EXACT,
  WARN_SPB_UNTIMED, WARN_OPTION_SHORT, WARN_SECTION_OPTION_PAST_BLOCK, TS_EXACT_SECONDS, META_SECTION, META_INTERFACE,
} from "../layout";
import { INPUT_PTR, MAX_RECORD_BYTES, IFACE_PTR, INTERFACE_SLOT, MAX_INTERFACES } from "../memory";
import { warn, pushMeta, metaFull, anyTimestamp } from "../counters";
import { outputFull } from "../packet";
import { isSupportedLinkType } from "../wire/link";
import { fail, setStatus, setFormat, packetIndex, lastTsSec, lastTsNsec } from "./state";
import { decodeFrame, countRecordFrame } from "./frame";
import { rd16, rd32, rd64, setSwapped, isSwapped } from "./byte-order";

export const BLOCK_SHB: u32 = 0x0a0d0d0a;
const BLOCK_IDB: u32 = 1;
const BLOCK_PB: u32 = 2; // obsolete Packet Block
const BLOCK_SPB: u32 = 3;
const BLOCK_EPB: u32 = 6;
// Blocks that are no packet but that Wireshark lists as frames of their own (a systemd journal
// entry, a custom block, a Sysdig event): they take a frame number, so that every frame number
// after them is the one Wireshark shows.
const BLOCK_JOURNAL_EXPORT: u32 = 9;
const BLOCK_CUSTOM_COPY: u32 = 0x00000bad;
const BLOCK_CUSTOM_NO_COPY: u32 = 0x40000bad;
const BLOCK_SYSDIG_EVENT: u32 = 0x204;
const BLOCK_SYSDIG_EVENT_FLAGS: u32 = 0x208;
const BLOCK_SYSDIG_EVENT_V2: u32 = 0x216;
const BLOCK_SYSDIG_EVENT_FLAGS_V2: u32 = 0x217;
const BLOCK_SYSDIG_EVENT_V2_LARGE: u32 = 0x221;
const BLOCK_SYSDIG_EVENT_FLAGS_V2_LARGE: u32 = 0x222;
const BYTE_ORDER_MAGIC: u32 = 0x1a2b3c4d;
const MIN_BLOCK: u32 = 12;

// Interface table slot fields.
const IF_LINKTYPE = 0; //  u32
const IF_SNAPLEN = 4; //   u32
const IF_FCS = 8; //       u32 bytes of FCS at the end of each frame
const IF_UNITS = 16; //    u64 timestamp units per second
const IF_OFFSET = 24; //   i64 seconds added to every timestamp

let inSection = false;
let sectionIndex: i32 = -1;
let interfaceCount: u32 = 0;

@inline function iface(id: u32): usize { return IFACE_PTR + <usize>id * INTERFACE_SLOT; }

export function resetPcapng(): void {
  inSection = false;
  sectionIndex = -1;
  interfaceCount = 0;
}

export function decodePcapng(pos: u32, end: u32, eof: bool, base: f64): u32 {
  while (true) {
    if (outputFull() || metaFull()) { setStatus(STATUS_OUTPUT_FULL); return pos; }
    if (pos + MIN_BLOCK > end) {
      if (!eof) setStatus(STATUS_NEED_MORE);
      else if (pos == end && inSection) setStatus(STATUS_DONE);
      else if (!inSection) fail(ERR_TRUNCATED_FILE_HEADER, base + pos, <f64>(end - pos));
      else fail(ERR_TRUNCATED_RECORD_HEADER, base + pos, <f64>(end - pos));
      return pos;
    }
    const b = INPUT_PTR + pos;
    const rawType = load<u32>(b);
    if (rawType == BLOCK_SHB) {
      // The byte order of a section is only known from its header's magic.
      const bom = load<u32>(b + 8);
      if (bom == BYTE_ORDER_MAGIC) setSwapped(false);
      else if (bom == bswap<u32>(BYTE_ORDER_MAGIC)) setSwapped(true);
      else { fail(ERR_BAD_BYTE_ORDER_MAGIC, base + pos + 8, <f64>bom); return pos; }
    } else if (!inSection) {
      fail(ERR_PACKET_BEFORE_SECTION, base + pos, <f64>rawType);
      return pos;
    }
    const type = rd32(b);
    const len = rd32(b + 4);
    if (len < MIN_BLOCK || (len & 3) != 0) { fail(ERR_BLOCK_LENGTH_INVALID, base + pos, <f64>len); return pos; }
    if (len > MAX_RECORD_BYTES) { fail(ERR_RECORD_TOO_LONG, base + pos, <f64>len); return pos; }
    if (pos + len > end) {
      if (!eof) setStatus(STATUS_NEED_MORE);
      else fail(ERR_TRUNCATED_RECORD, base + pos, <f64>len);
      return pos;
    }
    const trailer = rd32(b + len - 4);
    // Said at the block's start: which of its two lengths is the damaged one cannot be told.
    if (trailer != len) { fail(ERR_BLOCK_TRAILER_MISMATCH, base + pos, <f64>trailer); return pos; }
    const offset = base + pos;
    let ok = true;
    switch (type) {
      case BLOCK_SHB: ok = readSectionHeader(b, len, offset); break;
      case BLOCK_IDB: ok = readInterface(b, len, offset); break;
      case BLOCK_EPB: ok = readEnhancedPacket(b, len, offset); break;
      case BLOCK_SPB: ok = readSimplePacket(b, len, offset); break;
      case BLOCK_PB: ok = readObsoletePacket(b, len, offset); break;
      case BLOCK_JOURNAL_EXPORT: case BLOCK_CUSTOM_COPY: case BLOCK_CUSTOM_NO_COPY:
      case BLOCK_SYSDIG_EVENT: case BLOCK_SYSDIG_EVENT_FLAGS: case BLOCK_SYSDIG_EVENT_V2:
      case BLOCK_SYSDIG_EVENT_FLAGS_V2: case BLOCK_SYSDIG_EVENT_V2_LARGE: case BLOCK_SYSDIG_EVENT_FLAGS_V2_LARGE:
        countRecordFrame(); break;
      default: break; // name resolution, statistics, decryption secrets, ...: not needed here
    }
    if (!ok) return pos;
    pos += len;
  }
}

function readSectionHeader(b: usize, len: u32, offset: f64): bool {
  if (len < 28) { fail(ERR_BLOCK_LENGTH_INVALID, offset, <f64>len); return false; }
  const major = rd16(b + 12);
  const minor = rd16(b + 14);
  // 1.0 is current; 1.2 was written by some tools for 1.0 content. libpcap refuses the rest.
  if (major != 1 || (minor != 0 && minor != 2)) {
    fail(ERR_UNSUPPORTED_VERSION, offset + 12, <f64>((major << 16) | minor));
    return false;
  }
  checkSectionOptions(b, len, offset);
  inSection = true;
  sectionIndex++;
  interfaceCount = 0;
  setFormat(FORMAT_PCAPNG);
  pushMeta(META_SECTION, offset, isSwapped() ? 1 : 0, <f64>major, <f64>minor, 0, 0, 0, 0);
  return true;
}

// A section's options (shb_hardware, shb_os, shb_userappl, comments) change no packet: one that
// runs past the block is a warning, not damage (an interface's is, readInterface); the SDK shows
// the options before it (sdk/decoder/pcapng-options.ts stops there too).
function checkSectionOptions(b: usize, len: u32, offset: f64): void {
  let o = b + 24; // type, length, byte-order magic, version, section length
  const optEnd = b + len - 4;
  while (o + 4 <= optEnd) {
    const code = rd16(o);
    const optLen = rd16(o + 2);
    if (code == 0) return;
    if (o + 4 + optLen > optEnd) {
      warn(WARN_SECTION_OPTION_PAST_BLOCK, offset + <f64>(o - b), packetIndex, <f64>optLen);
      return;
    }
    o += 4 + ((optLen + 3) & ~3);
  }
}

function pow10(e: u32): u64 {
  let v: u64 = 1;
  for (let i: u32 = 0; i < e; i++) v *= 10;
  return v;
}

function readInterface(b: usize, len: u32, offset: f64): bool {
  if (len < 20) { fail(ERR_BLOCK_LENGTH_INVALID, offset, <f64>len); return false; }
  if (interfaceCount >= MAX_INTERFACES) { fail(ERR_TOO_MANY_INTERFACES, offset, <f64>interfaceCount); return false; }
  const linkType = rd16(b + 8);
  const snaplen = rd32(b + 12);
  let units: u64 = 1000000;
  let tsOffset: i64 = 0;
  let fcs: u32 = 0;
  // Options: [code u16, length u16, value padded to 4], up to opt_endofopt or the block's end.
  // One that runs past the block is damage, as Wireshark has it: passed over, the options after
  // it (if_tsresol) would go unread and every time of the interface be silently wrong.
  let o = b + 16;
  const optEnd = b + len - 4;
  while (o + 4 <= optEnd) {
    const code = rd16(o);
    const optLen = rd16(o + 2);
    if (code == 0) break;
    if (o + 4 + optLen > optEnd) { fail(ERR_OPTION_LENGTH_INVALID, offset + <f64>(o - b), <f64>optLen); return false; }
    const v = o + 4;
    if (((code == 9 || code == 13) && optLen < 1) || (code == 14 && optLen < 8)) {
      warn(WARN_OPTION_SHORT, offset + <f64>(o - b), packetIndex, <f64>((code << 16) | optLen));
    } else if (code == 9) { // if_tsresol
      const r = <u32>load<u8>(v);
      const exp = r & 0x7f;
      if ((r & 0x80) != 0 ? exp > 63 : exp > 19) {
        warn(WARN_TSRESOL_INVALID, offset, packetIndex, <f64>r);
      } else {
        units = (r & 0x80) != 0 ? (<u64>1 << exp) : pow10(exp);
      }
    } else if (code == 14) { // if_tsoffset, seconds
      tsOffset = <i64>rd64(v);
    } else if (code == 13) { // if_fcslen
      fcs = fcsBytes(<u32>load<u8>(v), offset);
    }
    o += 4 + ((optLen + 3) & ~3);
  }
  const s = iface(interfaceCount);
  store<u32>(s, linkType, IF_LINKTYPE);
  store<u32>(s, snaplen, IF_SNAPLEN);
  store<u32>(s, fcs, IF_FCS);
  store<u64>(s, units, IF_UNITS);
  store<i64>(s, tsOffset, IF_OFFSET);
  pushMeta(META_INTERFACE, offset, <f64>sectionIndex, <f64>interfaceCount, <f64>linkType,
    <f64>snaplen, <f64>units, <f64>tsOffset, <f64>fcs);
  if (!isSupportedLinkType(linkType)) warn(WARN_UNSUPPORTED_LINKTYPE, offset + 8, packetIndex, <f64>linkType);
  interfaceCount++;
  return true;
}

// if_fcslen is "the length of the Frame Check Sequence (in bits)" in the spec, whose example ('4')
// and Wireshark, which writes it, count bytes. An FCS is 2 or 4 bytes, 16 or 32 bits: both
// readings are taken; any other value removes nothing (a frame cut by a wrong length would lose
// its IP header) and is said once.
function fcsBytes(value: u32, offset: f64): u32 {
  if (value == 0 || value == 2 || value == 4) return value;
  if (value == 16 || value == 32) return value >> 3;
  warn(WARN_FCSLEN_UNKNOWN, offset, packetIndex, <f64>value);
  return 0;
}

// floor(frac * 10^9 / 2^e) for 32 <= e <= 63 and frac < 2^e, exactly: the product needs up to
// 93 bits. (Rounding it through a double gave 10^9 for fractions just under a second, printed
// as "1.1000000000".) With frac = hi * 2^32 + lo, floor(product / 2^32) = hi * 10^9 +
// floor(lo * 10^9 / 2^32), which fits 64 bits; the remaining shift is then exact.
function binaryFractionNsec(frac: u64, e: u32): u32 {
  const high = (frac >> 32) * 1000000000 + (((frac & 0xffffffff) * 1000000000) >> 32);
  return <u32>(high >> <u64>(e - 32));
}

// Decodes the frame at `data` after checking it fits its block; shared by EPB and PB.
function packet(
  id: u32, tsHigh: u32, tsLow: u32, data: usize, capLen: u32, origLen: u32,
  room: u32, offset: f64,
): bool {
  if (id >= interfaceCount) { fail(ERR_UNKNOWN_INTERFACE, offset, <f64>id); return false; }
  if (capLen > room) { fail(ERR_PACKET_LENGTH_INVALID, offset, <f64>capLen); return false; }
  const s = iface(id);
  const units = load<u64>(s, IF_UNITS);
  const ticks = (<u64>tsHigh << 32) | <u64>tsLow;
  const whole = ticks / units;
  // Read unsigned, as Wireshark's pcapng reader does (and so tshark's frame.time_epoch); read
  // signed it would be before 1970. Such a count is most likely a negative or garbled stamp,
  // so it is said once per capture rather than passed over.
  if ((ticks >> 63) != 0) warn(WARN_TS_TOP_BIT, offset, packetIndex, <f64>whole);
  const frac = ticks % units;
  let nsec: u32;
  if (units == 1000000000) nsec = <u32>frac;
  else if (units <= 18446744073) nsec = <u32>((frac * 1000000000) / units); // no u64 overflow
  else if (units % 1000000000 == 0) nsec = <u32>(frac / (units / 1000000000)); // 10^10 .. 10^19
  else nsec = binaryFractionNsec(frac, <u32>ctz(units)); // 2^35 .. 2^63
  const shift = load<i64>(s, IF_OFFSET);
  const sec = <f64>whole + <f64>shift;
  // Past 2^53 a double holds only some whole seconds: said, not printed as if exact. The parts
  // too: rounded before they are added, a sum near 1970 may still be off.
  if (<f64>whole >= TS_EXACT_SECONDS || abs(<f64>shift) >= TS_EXACT_SECONDS || abs(sec) >= TS_EXACT_SECONDS) {
    warn(WARN_TS_NOT_EXACT, offset, packetIndex, sec);
  }
  decodeFrame(data, capLen, origLen, load<u32>(s, IF_LINKTYPE), load<u32>(s, IF_FCS), id, sec, nsec, offset);
  return true;
}

function readEnhancedPacket(b: usize, len: u32, offset: f64): bool {
  if (len < 32) { fail(ERR_BLOCK_LENGTH_INVALID, offset, <f64>len); return false; }
  return packet(rd32(b + 8), rd32(b + 12), rd32(b + 16), b + 28, rd32(b + 20), rd32(b + 24),
    len - 32, offset);
}

function readObsoletePacket(b: usize, len: u32, offset: f64): bool {
  if (len < 32) { fail(ERR_BLOCK_LENGTH_INVALID, offset, <f64>len); return false; }
  return packet(rd16(b + 8), rd32(b + 12), rd32(b + 16), b + 28, rd32(b + 20), rd32(b + 24),
    len - 32, offset);
}

// Simple Packet Blocks belong to interface 0, carry no timestamp (the previous packet's is
// kept) and hold min(original length, snaplen) bytes.
function readSimplePacket(b: usize, len: u32, offset: f64): bool {
  if (len < 16) { fail(ERR_BLOCK_LENGTH_INVALID, offset, <f64>len); return false; }
  if (interfaceCount == 0) { fail(ERR_UNKNOWN_INTERFACE, offset, 0); return false; }
  const s = iface(0);
  const origLen = rd32(b + 8);
  const snaplen = load<u32>(s, IF_SNAPLEN);
  let capLen = origLen;
  if (snaplen != 0 && capLen > snaplen) capLen = snaplen;
  if (capLen > len - 16) capLen = len - 16;
  // Before any timed packet of this input there is no time to keep: 0, the epoch, said.
  if (!anyTimestamp()) warn(WARN_SPB_UNTIMED, offset, packetIndex, 0);
  decodeFrame(b + 12, capLen, origLen, load<u32>(s, IF_LINKTYPE), load<u32>(s, IF_FCS), 0,
    lastTsSec, lastTsNsec, offset, false);
  return true;
}
