// Creating a connection, and which side originates it (notes section 2), and Zeek's reuse
// test (section 7): the reference tracker's tracker-orientation.ts, rule for rule.

import * as L from "../layout";
import {
  C_ID, C_FIRST_SEC, C_FIRST_NSEC, C_FIRST_TIME, C_LAST_TIME, C_DURATION_END, C_LAST_PACKET,
  C_INACTIVITY_TIMEOUT, C_KEY, C_KEY_PORTS, C_KEY_VERSION, C_FLOW_HASH, C_EXPECTED_SYN_SEQ, C_VLAN,
  C_INNER_VLAN, C_FLIPPED, C_HISTORY_LEN, E_ISN, E_PKTS, E_SYNS, E_LAST_SYN_SEQ, E_SYN_PAYLOAD, INACTIVE, SYN_SENT,
  SYN_ACK_SENT, CLOSED, RESET, SEEN_ISN, HS_SIMULTANEOUS, HS_EXPECT_SYN,
} from "../connection-layout";
import { connAt, allocateSlot } from "./connections";
import { endpointAt, stateOf, seenOf, hsOf, addHs, flippedOf } from "./connection";
import { insertFlow } from "./flow-index";
import { setHistory1 } from "./history";
import * as config from "./config";
import { rec, curTime, curSeq, curAck, curFlags, packetIndex, packetKey } from "./context";
import { schedule, TIMEOUT_IDLE_EMPTY } from "./lifetime";
import { startAnalysis } from "./analysis-hooks";
import { startTunnel } from "./tunnel";

/** What a SYN that ended the connection on its endpoints hands to the new one. */
export const REUSE_NEW_ISN = 1;
export const REUSE_SIMULTANEOUS = 2;
const LETTER_CARET: u32 = 0x5e; // '^'

// Zeek's reuse test (section 7): does this SYN start a new connection on these endpoints?
export function isReuse(c: usize, fromA: bool): bool {
  const flags = curFlags, seq = curSeq;
  const oSide = flippedOf(c);
  const eo = endpointAt(c, oSide), er = endpointAt(c, oSide ^ 1);
  const so = stateOf(eo), sr = stateOf(er);
  if (so == CLOSED || so == RESET || sr == CLOSED || sr == RESET) return true;
  const senderIsResp = (fromA ? 0 : 1) != oSide;
  if ((flags & L.FLAG_ACK) == 0) {
    // The SYN that completes a SYN/ACK seen first is not reuse: it flips the connection.
    if (senderIsResp && so == SYN_ACK_SENT && expectsSyn(c)) return false;
    return (seenOf(eo) & SEEN_ISN) == 0 || load<u32>(eo, E_ISN) != seq;
  }
  if (so != INACTIVE) return false;
  return (seenOf(er) & SEEN_ISN) == 0 || load<u32>(er, E_ISN) != seq;
}

// What a SYN that ends a connection says about the handshake: the originator retrying with a
// new ISN, or the responder's own SYN crossing the originator's (simultaneous open).
export function reuseEvidence(c: usize, fromA: bool): i32 {
  if ((curFlags & L.FLAG_ACK) != 0) return 0;
  const oSide = flippedOf(c);
  const eo = endpointAt(c, oSide);
  if (stateOf(eo) != SYN_SENT) return 0;
  if ((fromA ? 0 : 1) == oSide) return REUSE_NEW_ISN;
  if (stateOf(endpointAt(c, oSide ^ 1)) == INACTIVE) {
    addHs(c, HS_SIMULTANEOUS);
    return REUSE_SIMULTANEOUS;
  }
  return 0;
}

/** Is the packet the SYN that a SYN/ACK from the originator (seen first) acknowledged? */
@inline export function expectsSyn(c: usize): bool {
  return (hsOf(c) & HS_EXPECT_SYN) != 0 && load<u32>(c, C_EXPECTED_SYN_SEQ) == curSeq;
}

export function create(hash: u32, ports: u32, version: u32, sport: u32, dport: u32): u32 {
  const t = curTime, flags = curFlags, r = rec;
  const slot = allocateSlot(hash);
  const c = connAt(slot);
  memory.copy(c + C_KEY, r + L.REC_SRC_ADDR, 16);
  memory.copy(c + C_KEY + 16, r + L.REC_DST_ADDR, 16);
  store<u32>(c, ports, C_KEY_PORTS);
  store<u32>(c, version, C_KEY_VERSION);
  store<u32>(c, hash, C_FLOW_HASH);
  store<f64>(c, packetKey() + 1, C_ID);
  store<f64>(c, load<f64>(r, L.REC_TS_SEC), C_FIRST_SEC);
  store<u32>(c, load<u32>(r, L.REC_TS_NSEC), C_FIRST_NSEC);
  store<f64>(c, t, C_FIRST_TIME);
  store<f64>(c, t, C_LAST_TIME);
  store<f64>(c, t, C_DURATION_END);
  store<f64>(c, packetIndex(), C_LAST_PACKET);
  store<u16>(c, load<u16>(r, L.REC_VLAN), C_VLAN);
  store<u16>(c, load<u16>(r, L.REC_INNER_VLAN), C_INNER_VLAN);
  store<f64>(c, config.handshakeInactivity, C_INACTIVITY_TIMEOUT);
  if (flipsAtCreation(flags, sport, dport, version == 4 && load<u32>(r, L.REC_DST_ADDR) == 0xffffffff)) {
    store<u8>(c, 1, C_FLIPPED);
    setHistory1(c, LETTER_CARET);
  }
  insertFlow(slot, hash);
  schedule(slot, c, t + TIMEOUT_IDLE_EMPTY);
  startAnalysis(c);
  startTunnel(c);
  return slot;
}

// Orientation (section 2.1): a pure SYN's sender originates; anything else is flipped towards a
// likely server port (not towards a broadcast address).
function flipsAtCreation(flags: u32, sport: u32, dport: u32, broadcast: bool): bool {
  if ((flags & (L.FLAG_SYN | L.FLAG_ACK)) == L.FLAG_SYN || broadcast) return false;
  const srcLikely = config.isLikelyServerPort(sport), dstLikely = config.isLikelyServerPort(dport);
  return (srcLikely && !dstLikely) || (srcLikely && dstLikely && (flags & L.FLAG_SYN) == 0 && sport < dport);
}

/**
 * A SYN or SYN/ACK on a connection that holds only a SYN whose options the snaplen cut: its
 * retransmission, or the SYN/ACK that answers it. The record stays one connection; its Zeek
 * fields start afresh as a new connection's would (tracker-orientation.ts says why). True when
 * it was regrouped (it is then no reuse).
 */
export function regroupsCutSyn(c: usize, fromA: bool): bool {
  const flags = curFlags;
  const side: u32 = fromA ? 0 : 1;
  const eS = endpointAt(c, side), eP = endpointAt(c, side ^ 1);
  if ((flags & (L.FLAG_FIN | L.FLAG_RST)) != 0 || load<f64>(eS, E_PKTS) > 0 || load<f64>(eP, E_PKTS) > 0) return false;
  if ((flags & L.FLAG_ACK) != 0) {
    const synEnd = load<u32>(eP, E_LAST_SYN_SEQ) + 1;
    if (load<u32>(eP, E_SYNS) == 0 || (curAck != synEnd && curAck != synEnd + load<u32>(eP, E_SYN_PAYLOAD))) return false;
  } else if (load<u32>(eS, E_SYNS) == 0 || curSeq != load<u32>(eS, E_LAST_SYN_SEQ)) {
    return false;
  }
  const r = rec;
  const sport = <u32>load<u16>(r, L.REC_SRC_PORT), dport = <u32>load<u16>(r, L.REC_DST_PORT);
  const flip = flipsAtCreation(flags, sport, dport, load<u8>(r, L.REC_IP_VERSION) == 4 && load<u32>(r, L.REC_DST_ADDR) == 0xffffffff);
  store<u8>(c, <u8>(side ^ (flip ? 1 : 0)), C_FLIPPED);
  if (flip) setHistory1(c, LETTER_CARET);
  else store<u16>(c, 0, C_HISTORY_LEN);
  return true;
}
