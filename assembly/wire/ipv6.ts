// IPv6 (RFC 8200) and its extension-header chain: hop-by-hop (with the RFC 2675 jumbo
// payload), routing, fragment, destination options, AH and mobility. A fragment goes to
// reassembly (reassembly/), which decodes the whole datagram here again once it is complete;
// an atomic fragment (offset 0, no more fragments: RFC 6946) is a whole packet.

import {
  REC_IP_VERSION, REC_IP_TOS, REC_TTL, REC_IP_LEN, REC_SRC_ADDR, REC_DST_ADDR,
  STAT_IP_UNREADABLE, STAT_OTHER_IP, STAT_TCP_UNREADABLE, PKT_IP_LEN_FROM_CAPTURE,
} from "../layout";
import { be16, be32, u8at, copy16 } from "../memory";
import { countStat } from "../counters";
import { rec, setPacketFlag, verifyChecksums } from "../packet";
import { decodeTransport, PROTO_TCP } from "./transport";
import { sumBytes } from "./checksum";
import { fragmentV6 } from "../reassembly/fragments";
import { ipPastWire } from "./ip-length";

const FIXED_HEADER: u32 = 40;
const NH_HOP_BY_HOP: u32 = 0;
const NH_ROUTING: u32 = 43;
const NH_FRAGMENT: u32 = 44;
const NH_AH: u32 = 51;
const NH_NONE: u32 = 59;
const NH_DEST_OPTIONS: u32 = 60;
const NH_MOBILITY: u32 = 135;
const NH_HIP: u32 = 139;
const NH_SHIM6: u32 = 140;
const OPT_JUMBO: u32 = 0xc2;
const OPT_HOME_ADDRESS: u32 = 0xc9;

// The option of `type` with `dataLen` data bytes in an options header (hop-by-hop or
// destination options) at `q` of `len` bytes: the address of its data, or 0.
function findOption(q: usize, len: u32, type: u32, dataLen: u32): usize {
  let o: u32 = 2;
  while (o + 2 <= len) {
    const t = u8at(q + o);
    if (t == 0) { o++; continue; } // Pad1
    const optLen = u8at(q + o + 1);
    if (t == type && optLen == dataLen && o + 2 + dataLen <= len) return q + o + 2;
    o += 2 + optLen;
  }
  return 0;
}

// The jumbo payload length in a hop-by-hop header at `q` (`len` bytes), or 0.
function jumboLength(q: usize, len: u32): u32 {
  const data = findOption(q, len, OPT_JUMBO, 4);
  return data != 0 ? be32(data) : 0;
}

export function decodeIPv6(p: usize, capEnd: usize): void {
  const avail = <u32>(capEnd - p);
  if (avail < FIXED_HEADER || (u8at(p) >> 4) != 6) { countStat(STAT_IP_UNREADABLE); return; }
  let payloadLen = be16(p + 4);
  let nh = u8at(p + 6);
  let q = p + FIXED_HEADER;
  let lenFromCapture = false;
  if (payloadLen == 0 && nh != NH_NONE) {
    // Jumbogram (RFC 2675) or TSO / BIG TCP: take the jumbo option, else what was captured.
    if (nh == NH_HOP_BY_HOP && q + 2 <= capEnd) {
      const hbhLen = (u8at(q + 1) + 1) << 3;
      if (q + hbhLen <= capEnd) payloadLen = jumboLength(q, hbhLen);
      // A jumbo length past the address space is past any frame's end: no wrap below.
      if (<u64>q + <u64>payloadLen > <u64>(<usize>-1)) payloadLen = <u32>(<usize>-1 - q);
    }
    if (payloadLen == 0) { payloadLen = avail - FIXED_HEADER; lenFromCapture = true; }
  }
  const ipEnd = q + payloadLen;
  if (ipPastWire(ipEnd)) return; // before the fragment header, as Zeek
  let nhAt = p + 6; // the next-header byte that names the header at q
  // The TCP checksum covers the addresses the endpoints see: the home address (RFC 6275)
  // instead of the source, the final hop of a routing header instead of the destination.
  let pseudoSrc = p + 8;
  let pseudoDst = p + 24;

  // Walk the extension headers. A header that is cut by the capture or runs past the
  // payload length leaves the transport unknown.
  while (true) {
    let extLen: u32 = 0;
    if (nh == NH_HOP_BY_HOP || nh == NH_ROUTING || nh == NH_DEST_OPTIONS || nh == NH_MOBILITY
        || nh == NH_HIP || nh == NH_SHIM6) {
      if (q + 2 > capEnd) { countStat(STAT_IP_UNREADABLE); return; }
      extLen = (u8at(q + 1) + 1) << 3;
    } else if (nh == NH_AH) {
      if (q + 2 > capEnd) { countStat(STAT_IP_UNREADABLE); return; }
      extLen = (u8at(q + 1) + 2) << 2;
    } else if (nh == NH_FRAGMENT) {
      if (q + 8 > capEnd) { countStat(STAT_IP_UNREADABLE); return; }
      extLen = 8;
      if ((be16(q + 2) & 0xfff9) != 0) {
        if (lenFromCapture || q + 8 > ipEnd) { countStat(STAT_IP_UNREADABLE); return; }
        fragmentV6(p, nhAt, q, ipEnd < capEnd ? ipEnd : capEnd, ipEnd);
        return;
      }
    } else {
      break;
    }
    if (q + extLen > ipEnd) { countStat(STAT_IP_UNREADABLE); return; }
    if (q + extLen > capEnd) {
      // Cut inside the chain: we cannot know what follows.
      countStat(STAT_IP_UNREADABLE);
      return;
    }
    if (nh == NH_ROUTING && u8at(q + 2) <= 2 && u8at(q + 2) != 1 && u8at(q + 3) != 0 && extLen >= 24) pseudoDst = q + extLen - 16;
    if (nh == NH_DEST_OPTIONS) {
      const home = findOption(q, extLen, OPT_HOME_ADDRESS, 16);
      if (home != 0) pseudoSrc = home;
    }
    nh = u8at(q);
    nhAt = q;
    q += extLen;
  }
  if (nh == NH_NONE) { countStat(STAT_OTHER_IP); return; }
  if (nh == PROTO_TCP && q >= capEnd) { countStat(STAT_TCP_UNREADABLE); return; }

  if (lenFromCapture) setPacketFlag(PKT_IP_LEN_FROM_CAPTURE);
  const r = rec; // a local: V8 reloads a global before each store to memory
  store<u8>(r, 6, REC_IP_VERSION);
  store<u8>(r, <u8>((be32(p) >> 20) & 0xff), REC_IP_TOS);
  store<u8>(r, load<u8>(p + 7), REC_TTL);
  store<u32>(r, FIXED_HEADER + payloadLen, REC_IP_LEN);
  copy16(r + REC_SRC_ADDR, p + 8);
  copy16(r + REC_DST_ADDR, p + 24);

  const end = ipEnd < capEnd ? ipEnd : capEnd;
  const pseudo: u64 = verifyChecksums ? sumBytes(pseudoDst, 16, sumBytes(pseudoSrc, 16, 0)) : 0;
  decodeTransport(nh, q, end, <u32>(ipEnd - q), pseudo, true);
}
