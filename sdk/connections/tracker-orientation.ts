// Creating a connection, and which side originates it (notes section 2): a pure SYN's sender
// originates, anything else is oriented towards a likely server port; and Zeek's reuse test
// (section 7), by which a SYN ends the connection on its endpoints and starts a new one.

import * as L from "../../assembly/layout.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import { INACTIVE, SYN_SENT, SYN_ACK_SENT, CLOSED, RESET } from "./endpoint-state.js";
import { startTunnel } from "./tracker-tunnel.js";
import { KEY_WORDS, SEEN_ISN, HS_EXPECT_SYN, HS_SIMULTANEOUS } from "./connection-store.js";
import { CUR_ACK, CUR_SEQ, CUR_TIME, type TrackerContext } from "./tracker-context.js";
import { schedule, TIMEOUT_IDLE_EMPTY } from "./tracker-lifetime.js";
import { startAnalysis } from "./tracker-analysis.js";
import { virtualShard } from "./tracker-options.js";

/** What a SYN that ended the connection on its endpoints hands to the new one. */
export const REUSE_NEW_ISN = 1;
export const REUSE_SIMULTANEOUS = 2;

// Zeek's reuse test (section 7): does this SYN start a new connection on these endpoints?
export function isReuse(k: TrackerContext, slot: number, fromA: boolean): boolean {
  const s = k.store;
  const flags = k.flags, seq = k.cur[CUR_SEQ]!;
  const o = slot * 2 + s.flipped[slot]!, r = o ^ 1;
  const so = s.state[o]!, sr = s.state[r]!;
  if (so === CLOSED || so === RESET || sr === CLOSED || sr === RESET) return true;
  const sender = slot * 2 + (fromA ? 0 : 1);
  if (!(flags & L.FLAG_ACK)) {
    // The SYN that completes a SYN/ACK seen first is not reuse: it flips the connection.
    if (sender === r && so === SYN_ACK_SENT && expectsSyn(k, slot)) return false;
    return !(s.seen[o]! & SEEN_ISN) || s.isn[o] !== seq;
  }
  if (so !== INACTIVE) return false;
  return !(s.seen[r]! & SEEN_ISN) || s.isn[r] !== seq;
}

// What a SYN that ends a connection says about the handshake: the originator retrying with a
// new ISN, or the responder's own SYN crossing the originator's (simultaneous open, which
// Zeek splits into two connections: both are marked).
export function reuseEvidence(k: TrackerContext, slot: number, fromA: boolean): number {
  const s = k.store;
  if (k.flags & L.FLAG_ACK) return 0;
  const o = slot * 2 + s.flipped[slot]!;
  const sender = slot * 2 + (fromA ? 0 : 1);
  if (s.state[o] !== SYN_SENT) return 0;
  if (sender === o) return REUSE_NEW_ISN;
  if (s.state[o ^ 1] === INACTIVE) {
    s.handshakeFlags[slot]! |= HS_SIMULTANEOUS;
    return REUSE_SIMULTANEOUS;
  }
  return 0;
}

/** Is the packet the SYN that a SYN/ACK from the originator (seen first) acknowledged? */
export function expectsSyn(k: TrackerContext, slot: number): boolean {
  const s = k.store;
  return (s.handshakeFlags[slot]! & HS_EXPECT_SYN) !== 0 && s.expectedSynSeq[slot] === k.cur[CUR_SEQ]!;
}

export function create(
  k: TrackerContext, b: PacketBatch, i: number, hash: number, words: Int32Array, srcAt: number, dstAt: number,
  ports: number, version: number, sport: number, dport: number,
): number {
  const s = k.store;
  const t = k.cur[CUR_TIME]!, flags = k.flags;
  const slot = s.allocate();
  const key = slot * KEY_WORDS;
  for (let w = 0; w < 4; w++) {
    s.key[key + w] = words[srcAt + w]!;
    s.key[key + 4 + w] = words[dstAt + w]!;
  }
  s.key[key + 8] = ports;
  s.key[key + 9] = version;
  s.flowHash[slot] = hash;
  k.recordsByShard[virtualShard(hash)]!++;
  s.id[slot] = k.packetKey(b, i) + 1;
  s.firstSec[slot] = b.f64[i * 16 + L.REC_TS_SEC / 8]!;
  s.firstNsec[slot] = b.u32[i * 32 + L.REC_TS_NSEC / 4]!;
  s.firstTime[slot] = t;
  s.lastTime[slot] = t;
  s.durationEnd[slot] = t;
  s.firstPacket[slot] = k.packetIndex(b, i);
  s.lastPacket[slot] = k.packetIndex(b, i);
  s.vlan[slot] = b.u16[i * 64 + L.REC_VLAN / 2]!;
  s.innerVlan[slot] = b.u16[(i * L.RECORD_SIZE + L.REC_INNER_VLAN) >> 1]!;
  s.inactivityTimeout[slot] = k.timeouts.handshakeInactivity;
  if (flipsAtCreation(k, flags, sport, dport, version === 4 && words[dstAt] === -1)) {
    s.flipped[slot] = 1;
    s.history[slot] = "^";
  }
  k.table.insert(slot, hash);
  schedule(k, slot, t + TIMEOUT_IDLE_EMPTY);
  startAnalysis(k, slot);
  startTunnel(k, b, i, slot);
  k.hooks.created?.(s, slot, b, i);
  return slot;
}

// Orientation (section 2.1): a pure SYN's sender originates; anything else is flipped towards a
// likely server port (not towards a broadcast address).
function flipsAtCreation(k: TrackerContext, flags: number, sport: number, dport: number, broadcast: boolean): boolean {
  if ((flags & (L.FLAG_SYN | L.FLAG_ACK)) === L.FLAG_SYN || broadcast) return false;
  const srcLikely = k.likely[sport] === 1, dstLikely = k.likely[dport] === 1;
  return (srcLikely && !dstLikely) || (srcLikely && dstLikely && !(flags & L.FLAG_SYN) && sport < dport);
}

/**
 * A SYN or SYN/ACK on a connection that holds only a SYN whose options the snaplen cut (Zeek
 * discarded it: nothing was accepted): its retransmission, or the SYN/ACK that answers it.
 * Zeek ends that connection and starts another here; the record stays one connection, grouped
 * by what the SYN's fixed header proves, and its Zeek fields (orientation, history, states)
 * start afresh as a new connection's would. True when it was regrouped (it is then no reuse).
 */
export function regroupsCutSyn(k: TrackerContext, b: PacketBatch, i: number, slot: number, fromA: boolean): boolean {
  const s = k.store;
  const flags = k.flags, seq = k.cur[CUR_SEQ]!, ack = k.cur[CUR_ACK]!;
  if (flags & (L.FLAG_FIN | L.FLAG_RST) || s.pkts[slot * 2]! > 0 || s.pkts[slot * 2 + 1]! > 0) return false;
  const sender = slot * 2 + (fromA ? 0 : 1), peer = sender ^ 1;
  if (flags & L.FLAG_ACK) {
    const synEnd = (s.lastSynSeq[peer]! + 1) >>> 0;
    if (s.syns[peer] === 0 || (ack !== synEnd && ack !== ((synEnd + s.synPayload[peer]!) >>> 0))) return false;
  } else if (s.syns[sender] === 0 || seq !== s.lastSynSeq[sender]) {
    return false;
  }
  const r = i * L.RECORD_SIZE;
  const sport = b.u16[(r + L.REC_SRC_PORT) >> 1]!, dport = b.u16[(r + L.REC_DST_PORT) >> 1]!;
  const broadcast = b.u8[r + L.REC_IP_VERSION] === 4 && b.i32[(r + L.REC_DST_ADDR) >> 2] === -1;
  const flip = flipsAtCreation(k, flags, sport, dport, broadcast);
  // The originator is the sender, or its peer after a flip: as a side of this connection.
  s.flipped[slot] = (fromA ? 0 : 1) ^ (flip ? 1 : 0);
  s.history[slot] = flip ? "^" : "";
  return true;
}
