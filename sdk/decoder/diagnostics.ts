// Stable ids and one-line messages for the decoder's fatal errors and warnings.

import * as L from "../../assembly/layout.js";

export interface DecodeError {
  /** Stable dotted id, e.g. "capture.truncated_record". */
  code: string;
  message: string;
  /** Byte offset in the input (the decompressed stream for .gz input). */
  offset: number;
  /**
   * Frame number (1-based, as Wireshark counts) of the record the error stopped at: the
   * packets read before it, plus one.
   */
  packet: number;
}

export interface DecodeWarning {
  code: string;
  message: string;
  count: number;
  /** Where it first happened: byte offset and frame number (1-based). */
  offset: number;
  packet: number;
}

function hex32(v: number): string {
  return "0x" + (v >>> 0).toString(16).padStart(8, "0");
}

function version(v: number): string {
  return `${Math.floor(v / 65536)}.${v % 65536}`;
}

const ERRORS: Record<number, [string, (value: number) => string]> = {
  [L.ERR_EMPTY]: ["capture.empty", () => "the input is empty (0 bytes)"],
  [L.ERR_BAD_MAGIC]: ["capture.bad_magic", (v) => `not a pcap or pcapng capture: magic number ${hex32(v)}`],
  [L.ERR_TRUNCATED_FILE_HEADER]: ["capture.truncated_file_header", (v) => `the input ends inside the file header (${v} bytes)`],
  [L.ERR_UNSUPPORTED_VERSION]: ["capture.unsupported_version", (v) => `unsupported format version ${version(v)}`],
  [L.ERR_TRUNCATED_RECORD_HEADER]: ["capture.truncated_record_header", (v) => `the input ends inside a record header (${v} bytes left)`],
  [L.ERR_TRUNCATED_RECORD]: ["capture.truncated_record", (v) => `the input ends inside a record of ${v} bytes`],
  [L.ERR_RECORD_TOO_LONG]: ["capture.record_too_long", (v) => `impossible record length ${v}`],
  [L.ERR_BLOCK_LENGTH_INVALID]: ["pcapng.block_length_invalid", (v) => `invalid pcapng block length ${v} (too small or not a multiple of 4)`],
  [L.ERR_BLOCK_TRAILER_MISMATCH]: ["pcapng.block_trailer_mismatch", (v) => `the length at the end of the pcapng block starting here (${v}) differs from the one at its start`],
  [L.ERR_UNKNOWN_INTERFACE]: ["pcapng.unknown_interface", (v) => `packet names interface ${v}, which no Interface Description Block defined`],
  [L.ERR_PACKET_LENGTH_INVALID]: ["pcapng.packet_length_invalid", (v) => `packet claims ${v} captured bytes, more than its block holds`],
  [L.ERR_LINKTYPE_RESERVED_BITS]: ["pcap.linktype_reserved_bits", (v) => `link-type field ${hex32(v)} has reserved bits set`],
  [L.ERR_TOO_MANY_INTERFACES]: ["pcapng.too_many_interfaces", (v) => `more than ${v} interfaces in one section`],
  [L.ERR_BAD_BYTE_ORDER_MAGIC]: ["pcapng.bad_byte_order_magic", (v) => `section header byte-order magic ${hex32(v)} is neither 0x1a2b3c4d nor its swap`],
  [L.ERR_PACKET_BEFORE_SECTION]: ["pcapng.block_before_section", (v) => `block of type ${hex32(v)} before any section header`],
  [L.ERR_OPTION_LENGTH_INVALID]: ["pcapng.option_length_invalid", (v) => `interface option of ${v} bytes runs past the end of its block`],
};

/** `packetIndex` is the decoder's 0-based index; the error carries the frame number. */
export function describeError(code: number, value: number, offset: number, packetIndex: number): DecodeError {
  const [id, text] = ERRORS[code] ?? ["capture.unknown_error", () => `decoder error ${code}`];
  return { code: id, message: text(value), offset, packet: packetIndex + 1 };
}

const WARNINGS: Record<number, [string, (value: number) => string]> = {
  [L.WARN_TS_FRACTION_RANGE]: ["capture.timestamp_fraction_out_of_range", (v) => `timestamp fraction ${v} is a second or more; carried into the seconds`],
  [L.WARN_CAPLEN_GT_ORIGLEN]: ["capture.caplen_above_origlen", (v) => `captured length ${v} exceeds the original length: an IP packet longer than the original length is dropped, as Zeek drops it (ipLenPastWire)`],
  [L.WARN_TSRESOL_INVALID]: ["pcapng.tsresol_invalid", (v) => `if_tsresol ${hex32(v)} cannot be represented; microseconds assumed`],
  [L.WARN_CAPLEN_GT_SNAPLEN]: ["capture.caplen_above_snaplen", (v) => `captured length ${v} exceeds the snapshot length`],
  [L.WARN_UNSUPPORTED_LINKTYPE]: ["capture.unsupported_link_type", (v) => `unsupported link type ${v} (counted once per interface declaring it): its packets are counted, not decoded`],
  [L.WARN_TS_TOP_BIT]: ["pcapng.timestamp_top_bit_set", (v) => `timestamp of ${v} s has the top bit of its 64-bit count set (before 1970 if read signed); read unsigned, as Wireshark does`],
  [L.WARN_TS_FAR_FROM_FIRST]: ["capture.timestamp_far_from_first", farFromFirst],
  [L.WARN_FCSLEN_UNKNOWN]: ["pcapng.fcslen_unknown", (v) => `if_fcslen ${v} is no frame check sequence's length (0, 2 or 4 bytes; 16 or 32 bits): frames are read whole`],
  [L.WARN_TS_NOT_EXACT]: ["pcapng.timestamp_not_exact", (v) => `timestamp of ${v} s: its tick count's seconds or if_tsoffset reach 2^53, where a 64-bit float rounds whole seconds, so these are rounded`],
  [L.WARN_SPB_UNTIMED]: ["pcapng.simple_packet_untimed", () => `Simple Packet Block before any packet with a time: it has none, and is taken as at 0 s (1970-01-01)`],
  [L.WARN_OPTION_SHORT]: ["pcapng.option_too_short", optionTooShort],
  [L.WARN_SECTION_OPTION_PAST_BLOCK]: ["pcapng.section_option_length_invalid", (v) => `section header option of ${v} bytes runs past the end of its block: the section's options from there are not read (no packet depends on them)`],
};

const OPTION_NAMES: Record<number, [string, number]> = { 9: ["if_tsresol", 1], 13: ["if_fcslen", 1], 14: ["if_tsoffset", 8] };
function optionTooShort(v: number): string {
  const [name, size] = OPTION_NAMES[Math.floor(v / 65536)] ?? [`option ${Math.floor(v / 65536)}`, 1];
  return `${name} of ${v % 65536} bytes, shorter than its ${size}-byte value: ignored`;
}

// Times are kept as 64-bit float seconds from the first packet's; this far from it one unit in
// the last place is what a duration or round trip computed there may be off by. The value is the
// farthest such time's distance (assembly/counters.ts), where the most is lost.
function farFromFirst(seconds: number): string {
  const days = Math.abs(seconds) / 86400;
  const ulpNs = 2 ** (Math.floor(Math.log2(Math.abs(seconds))) - 52) * 1e9;
  const precision = ulpNs < 10 ? `${ulpNs.toFixed(1)} ns` : ulpNs < 1000 ? `${Math.round(ulpNs)} ns` : ulpNs < 1e6 ? `${(ulpNs / 1000).toFixed(1)} us` : `${(ulpNs / 1e6).toFixed(1)} ms`;
  return `timestamps up to ${days.toFixed(1)} days ${seconds < 0 ? "before" : "after"} the first packet's: times this far from it are kept to ~${precision}, ` +
    `so durations and round trips of connections there may be off by that much (handshake round trips are given to 0.1 us there)`;
}

export function describeWarning(code: number, count: number, offset: number, packetIndex: number, value: number): DecodeWarning {
  const [id, text] = WARNINGS[code] ?? ["capture.unknown_warning", () => `decoder warning ${code}`];
  return { code: id, message: text(value), count, offset, packet: packetIndex + 1 };
}
