// GTP-U (3GPP TS 29.281): GTPv1 with protocol type 1; only G-PDUs (message type 255) carry a
// user packet — echo requests, error indications and GTP-C messages stay plain UDP. The
// 8-byte header is followed by 4 optional bytes when any of the E, S or PN flags is set, then
// by extension headers while the next-extension type is not 0 (each a length byte in 4-byte
// units, content, and the next type as its last byte). The TEID differs per direction: it is
// kept in the tunnel record, not in the tunnel's identity.

import { TUNNEL_GTPU, TUNF_ID } from "../layout";
import { be16, be32, u8at } from "../memory";
import { decodeIPv4 } from "../wire/ipv4";
import { decodeIPv6 } from "../wire/ipv6";
import { enterTunnel, BOTH_PORTS } from "./chain";

const G_PDU: u32 = 0xff;

export function decodeGtpU(q: usize, capEnd: usize, len: u32, srcPort: u32, dstPort: u32): bool {
  if (len < 8 || q + 8 > capEnd) return false;
  const flags = u8at(q);
  if ((flags >> 5) != 1 || (flags & 0x10) == 0 || u8at(q + 1) != G_PDU) return false;
  const messageEnd: u32 = 8 + be16(q + 2); // the length field counts what follows the first 8 bytes
  if (messageEnd > len) return false;
  const teid = be32(q + 4);
  let headerLen: u32 = 8;
  if ((flags & 0x07) != 0) {
    headerLen = 12;
    if (headerLen > messageEnd || q + headerLen > capEnd) return false;
    let next = (flags & 0x04) != 0 ? u8at(q + 11) : 0;
    while (next != 0) {
      if (q + headerLen + 1 > capEnd) return false;
      const extLen = u8at(q + headerLen) << 2;
      if (extLen == 0 || headerLen + extLen > messageEnd || q + headerLen + extLen > capEnd) return false;
      next = u8at(q + headerLen + extLen - 1);
      headerLen += extLen;
    }
  }
  if (headerLen >= messageEnd || q + headerLen >= capEnd) return false;
  const inner = q + headerLen;
  const version = u8at(inner) >> 4;
  if (version != 4 && version != 6) return false;
  if (!enterTunnel(TUNNEL_GTPU, TUNF_ID, 1, teid, srcPort, dstPort, false, BOTH_PORTS)) return true;
  const end = q + messageEnd < capEnd ? q + messageEnd : capEnd;
  if (version == 4) decodeIPv4(inner, end);
  else decodeIPv6(inner, end);
  return true;
}
