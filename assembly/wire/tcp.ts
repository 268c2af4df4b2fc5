// TCP header and options (RFC 9293, 7323, 7413, 8684).
//
// `p` is the first TCP byte, `capEnd` the end of what was captured of this IP packet and
// `tcpLen` the TCP length the IP header declares (header + payload). Lengths come from the
// IP header, so a snaplen-truncated segment still reports its true payload size.

import {
  REC_SRC_PORT, REC_DST_PORT, REC_SEQ, REC_ACK, REC_TCP_FLAGS, REC_WINDOW, REC_URGENT,
  REC_TCP_HEADER_LEN, REC_PAYLOAD_LEN, REC_MSS, REC_WSCALE, REC_SACK_BLOCKS, REC_TSVAL,
  REC_TSECR, REC_TFO_COOKIE_LEN, REC_OPTIONS, REC_STOP_LAYER, REC_STOP_REASON, REC_FLOW_HASH,
  REC_SRC_ADDR, REC_DST_ADDR, REC_IP_VERSION,
  LAYER_TCP, LAYER_TCP_OPTIONS, STOP_TRUNCATED, STOP_INVALID,
  OPT_MSS, OPT_WSCALE, OPT_SACK_PERMITTED, OPT_SACK, OPT_TIMESTAMPS, OPT_TFO, OPT_MPTCP,
  OPT_MALFORMED, OPT_OTHER, OPT_TFO_EXPERIMENTAL, STAT_TCP_UNREADABLE, PKT_PAYLOAD_TRUNCATED,
} from "../layout";
import { be16, be32, u8at } from "../memory";
import { countStat } from "../counters";
import { rec, hashSeed, setPacketFlag } from "../packet";
import { flowHash } from "../flowhash";

const FIXED_HEADER: u32 = 20;
// Fields up to and including the flags (bytes 12-13): the least a record is made from.
const MIN_READABLE: u32 = 14;
const TFO_EXPERIMENTAL_MAGIC: u32 = 0xf989;
// Bytes 01 01 08 0a (NOP, NOP, timestamps of length 10) read as a little-endian u32.
const NOP_NOP_TIMESTAMPS: u32 = 0x0a080101;

@inline function stop(layer: i32, reason: i32): void {
  stopAt(rec, layer, reason);
}

@inline function stopAt(r: usize, layer: i32, reason: i32): void {
  store<u8>(r, <u8>layer, REC_STOP_LAYER);
  store<u8>(r, <u8>reason, REC_STOP_REASON);
}

// Returns true when a record was written (the caller commits it).
export function decodeTcp(p: usize, capEnd: usize, tcpLen: u32): bool {
  const r = rec; // a local: V8 reloads a global before each store to memory
  const avail = <u32>(capEnd - p);
  if (avail < MIN_READABLE || tcpLen < MIN_READABLE) {
    countStat(STAT_TCP_UNREADABLE);
    return false;
  }
  const srcPort = be16(p);
  const dstPort = be16(p + 2);
  store<u16>(r, <u16>srcPort, REC_SRC_PORT);
  store<u16>(r, <u16>dstPort, REC_DST_PORT);
  store<u32>(r, be32(p + 4), REC_SEQ);
  store<u32>(r, be32(p + 8), REC_ACK);
  store<u16>(r, <u16>(be16(p + 12) & 0x1ff), REC_TCP_FLAGS);
  store<u32>(r, flowHash(hashSeed, r + REC_SRC_ADDR, srcPort, r + REC_DST_ADDR, dstPort, load<u8>(r, REC_IP_VERSION) == 4), REC_FLOW_HASH);
  if (avail < tcpLen) setPacketFlag(PKT_PAYLOAD_TRUNCATED);

  const headerLen = (u8at(p + 12) >> 4) << 2;
  if (headerLen < FIXED_HEADER || headerLen > tcpLen) {
    // The payload size cannot be trusted when the header length is impossible.
    stopAt(r, LAYER_TCP, STOP_INVALID);
    return true;
  }
  store<u8>(r, <u8>headerLen, REC_TCP_HEADER_LEN);
  store<u32>(r, tcpLen - headerLen, REC_PAYLOAD_LEN);
  if (avail < FIXED_HEADER) {
    if (avail >= 16) store<u16>(r, <u16>be16(p + 14), REC_WINDOW);
    stopAt(r, LAYER_TCP, STOP_TRUNCATED);
    return true;
  }
  store<u16>(r, <u16>be16(p + 14), REC_WINDOW);
  store<u16>(r, <u16>be16(p + 18), REC_URGENT);
  if (headerLen == FIXED_HEADER + 12 && avail >= FIXED_HEADER + 12 && load<u32>(p + FIXED_HEADER) == NOP_NOP_TIMESTAMPS) {
    // What nearly every segment of a Linux connection carries after the handshake: the
    // timestamps, aligned by two no-ops. The same result as decodeOptions, without its loop.
    store<u32>(r, be32(p + FIXED_HEADER + 4), REC_TSVAL);
    store<u32>(r, be32(p + FIXED_HEADER + 8), REC_TSECR);
    store<u16>(r, <u16>OPT_TIMESTAMPS, REC_OPTIONS);
  } else if (headerLen > FIXED_HEADER) {
    decodeOptions(p + FIXED_HEADER, p + headerLen, capEnd);
  }
  return true;
}

function decodeOptions(q: usize, optEnd: usize, capEnd: usize): void {
  const end = optEnd < capEnd ? optEnd : capEnd;
  let bits: u32 = 0;
  while (q < end) {
    const kind = u8at(q);
    if (kind == 0) break; // end of option list
    if (kind == 1) { q++; continue; } // no-operation
    if (q + 1 >= end) {
      if (end < optEnd) stop(LAYER_TCP_OPTIONS, STOP_TRUNCATED);
      else { bits |= OPT_MALFORMED; stop(LAYER_TCP_OPTIONS, STOP_INVALID); }
      break;
    }
    const len = u8at(q + 1);
    if (len < 2 || q + len > optEnd) {
      bits |= OPT_MALFORMED;
      stop(LAYER_TCP_OPTIONS, STOP_INVALID);
      break;
    }
    if (q + len > end) { stop(LAYER_TCP_OPTIONS, STOP_TRUNCATED); break; }
    bits |= decodeOption(kind, q, len);
    q += len;
  }
  store<u16>(rec, <u16>bits, REC_OPTIONS);
}

// One option whose `len` bytes are all captured; returns its REC_OPTIONS bits.
function decodeOption(kind: u32, q: usize, len: u32): u32 {
  switch (kind) {
    case 2:
      if (len != 4) return OPT_MALFORMED;
      store<u16>(rec, <u16>be16(q + 2), REC_MSS);
      return OPT_MSS;
    case 3:
      if (len != 3) return OPT_MALFORMED;
      store<u8>(rec, <u8>u8at(q + 2), REC_WSCALE);
      return OPT_WSCALE;
    case 4:
      return len == 2 ? OPT_SACK_PERMITTED : OPT_MALFORMED;
    case 5:
      if (len < 10 || ((len - 2) & 7) != 0) return OPT_MALFORMED;
      store<u8>(rec, <u8>((len - 2) >> 3), REC_SACK_BLOCKS);
      return OPT_SACK;
    case 8:
      if (len != 10) return OPT_MALFORMED;
      store<u32>(rec, be32(q + 2), REC_TSVAL);
      store<u32>(rec, be32(q + 6), REC_TSECR);
      return OPT_TIMESTAMPS;
    case 34: // TCP Fast Open: no cookie bytes is a cookie request
      store<u8>(rec, <u8>(len - 2), REC_TFO_COOKIE_LEN);
      return OPT_TFO;
    case 254: // RFC 6994 experimental; 0xF989 is TFO's experiment id (used before kind 34)
      if (len >= 4 && be16(q + 2) == TFO_EXPERIMENTAL_MAGIC) {
        store<u8>(rec, <u8>(len - 4), REC_TFO_COOKIE_LEN);
        return OPT_TFO | OPT_TFO_EXPERIMENTAL;
      }
      return OPT_OTHER;
    case 30:
      return OPT_MPTCP;
    default:
      return OPT_OTHER;
  }
}
