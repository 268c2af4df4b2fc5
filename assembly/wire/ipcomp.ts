// IPComp (RFC 3173): a 4-byte header — next header, flags, compression parameter index — and
// the compressed payload. DEFLATE (RFC 2394) is inflated, whatever the CPI (negotiated CPIs,
// 256 and up, say nothing of the algorithm; Wireshark tries DEFLATE too): a payload that is no
// valid DEFLATE stream, and the LZS (3) and LZJH (4) algorithms, are counted as not
// decompressed. The inflated payload is IP in tunnel mode (an IP-in-IP level, as tshark shows
// it) or the transport itself; the record's IP length stays the compressed one, as sent.

import { TUNNEL_IP, STAT_IPCOMP, STAT_IPCOMP_UNSUPPORTED, STAT_TUNNELLED } from "../layout";
import { be16, u8at, IPCOMP_PTR, DATAGRAM_BUFFER_SIZE } from "../memory";
import { countStat } from "../counters";
import { tunnelDepth, wireEnd, setWireEnd } from "../packet";
import { inflate, inflatedLength, INFLATE_INVALID, INFLATE_CUT } from "./inflate";
import { decodeIPv4 } from "./ipv4";
import { decodeIPv6 } from "./ipv6";
import { decodeTransport, PROTO_IPIP, PROTO_IPV6, PROTO_IPCOMP } from "./transport";
import { enterTunnel, NO_PORTS } from "../tunnel/chain";

const CPI_LZS: u32 = 3;
const CPI_LZJH: u32 = 4;
const MAX_INFLATED: u32 = 65535;

export function decodeIpcomp(p: usize, capEnd: usize, len: u32, pseudo: u64, headerOk: bool): void {
  if (len < 4 || p + 4 > capEnd) { countStat(STAT_TUNNELLED); return; }
  const next = u8at(p);
  const cpi = be16(p + 2);
  const captured = p + len < capEnd ? len : <u32>(capEnd - p);
  const buf = IPCOMP_PTR + <usize>tunnelDepth() * DATAGRAM_BUFFER_SIZE;
  const tunnelMode = next == PROTO_IPIP || next == PROTO_IPV6;
  const status = cpi == CPI_LZS || cpi == CPI_LZJH || next == PROTO_IPCOMP
    ? INFLATE_INVALID : inflate(p + 4, captured - 4, buf, MAX_INFLATED);
  // In transport mode a cut payload leaves the segment's length unknown: not decoded.
  if (status == INFLATE_INVALID || inflatedLength == 0 || (status == INFLATE_CUT && !tunnelMode)) {
    countStat(STAT_IPCOMP_UNSUPPORTED);
    countStat(STAT_TUNNELLED);
    return;
  }
  countStat(STAT_IPCOMP);
  const n = inflatedLength;
  const end = buf + n;
  if (tunnelMode) {
    if (!enterTunnel(TUNNEL_IP, 0, 0, 0, 0, 0, false, NO_PORTS)) return;
    // The inflated packet ends where its bytes do; one the snaplen cut has no known end.
    const frameWireEnd = wireEnd;
    setWireEnd(status == INFLATE_CUT ? <usize>-1 : end);
    if (next == PROTO_IPIP) decodeIPv4(buf, end);
    else decodeIPv6(buf, end);
    setWireEnd(frameWireEnd);
    return;
  }
  // Transport mode: the inflated bytes are the whole transport segment.
  decodeTransport(next, buf, end, n, pseudo, headerOk);
}
