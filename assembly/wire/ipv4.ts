// IPv4 (RFC 791), options skipped by IHL. Fragments go to reassembly (reassembly/), which
// decodes the whole datagram here again once it is complete.

import {
  REC_IP_VERSION, REC_IP_TOS, REC_TTL, REC_IP_LEN, REC_SRC_ADDR, REC_DST_ADDR,
  STAT_IP_UNREADABLE, STAT_TCP_UNREADABLE, STAT_FRAGMENTS, STAT_BAD_CHECKSUM, PKT_IP_LEN_FROM_CAPTURE,
} from "../layout";
import { be16, u8at } from "../memory";
import { countStat } from "../counters";
import { rec, setPacketFlag, verifyChecksums, tunnelDepth } from "../packet";
import { decodeTransport, PROTO_TCP } from "./transport";
import { sumBytes, checksumOk } from "./checksum";
import { fragmentV4 } from "../reassembly/fragments";
import { ipPastWire } from "./ip-length";

const MIN_HEADER: u32 = 20;

export function decodeIPv4(p: usize, capEnd: usize): void {
  const avail = <u32>(capEnd - p);
  if (avail < MIN_HEADER || (u8at(p) >> 4) != 4) { countStat(STAT_IP_UNREADABLE); return; }
  const headerLen = (u8at(p) & 15) << 2;
  let totalLen = be16(p + 2);
  const proto = u8at(p + 9);
  const fragment = be16(p + 6);
  if (totalLen == 0 && (fragment & 0x3fff) == 0) {
    // TSO / BIG TCP: the length field is 0 and the packet is as long as what was captured.
    totalLen = avail;
    setPacketFlag(PKT_IP_LEN_FROM_CAPTURE);
  }
  const ipEnd = p + totalLen; // at most 65 535 bytes on: no wrap
  if (ipPastWire(ipEnd)) return; // before the header checks and reassembly, as Zeek
  if (headerLen < MIN_HEADER || totalLen < headerLen) { countStat(STAT_IP_UNREADABLE); return; }
  if (headerLen > avail) {
    if (proto == PROTO_TCP) countStat(STAT_TCP_UNREADABLE);
    else countStat(STAT_IP_UNREADABLE);
    return;
  }
  // Ethernet padding after a short packet is not part of it.
  const end = ipEnd < capEnd ? ipEnd : capEnd;
  let pseudo: u64 = 0;
  let headerOk = true;
  if (verifyChecksums) headerOk = checksumOk(p, headerLen, 0);
  if ((fragment & 0x3fff) != 0) {
    // More fragments, or an offset: a fragment. As Zeek, one whose header checksum is wrong
    // is dropped before reassembly when checksums are verified.
    if (!headerOk) { countStat(STAT_BAD_CHECKSUM); countStat(STAT_FRAGMENTS); return; }
    fragmentV4(p, headerLen, totalLen, end);
    return;
  }

  const r = rec; // a local: V8 reloads a global before each store to memory
  store<u8>(r, 4, REC_IP_VERSION);
  store<u8>(r, load<u8>(p + 1), REC_IP_TOS);
  store<u8>(r, load<u8>(p + 8), REC_TTL);
  store<u32>(r, totalLen, REC_IP_LEN);
  store<u32>(r, load<u32>(p + 12), REC_SRC_ADDR);
  store<u32>(r, load<u32>(p + 16), REC_DST_ADDR);
  if (tunnelDepth() != 0) {
    // Inside a tunnel the record may hold an outer IPv6 address: clear the rest of the fields.
    store<u64>(r, 0, REC_SRC_ADDR + 4); store<u32>(r, 0, REC_SRC_ADDR + 12);
    store<u64>(r, 0, REC_DST_ADDR + 4); store<u32>(r, 0, REC_DST_ADDR + 12);
  }
  if (verifyChecksums) pseudo = sumBytes(p + 12, 8, 0);
  decodeTransport(proto, p + headerLen, end, totalLen - headerLen, pseudo, headerOk);
}
