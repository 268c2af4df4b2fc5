// Half-open connections held small (the storage: pending.ts): a connection opened by a lone
// pure SYN is held as that SYN's fields until a second packet or its first timer; then it is
// replayed into a full record (promote), so the result is exactly the full tracker's. Past
// the half-open limit the oldest ends at once, "evicted". The reference tracker keeps the same
// FIFO (tracker-half-open.ts), so both end the same ones.

import * as L from "../layout";
import { REMOVED_EVICTED } from "../connection-layout";
import { connAt } from "./connections";
import { insertPending, removePending } from "./flow-index";
import * as P from "./pending";
import * as config from "./config";
import {
  rec, now, curTime, curSeq, curFlags, curPayload, packetIndex, captureTime, beginReplay, endReplay,
} from "./context";
import { create } from "./orientation";
import { accept } from "./track";
import { remove, TIMEOUT_IDLE_EMPTY } from "./lifetime";

// The deadline of the newest pending SYN: a new one may join the FIFO only at or after it.
let lastPendingDeadline: f64 = -Infinity;
let scratchRecord: usize = 0;
// The pending FIFO's head and its deadline, as last computed (expire() looks at every packet).
let cachedHead: i64 = -1;
let cachedHeadDeadline: f64 = Infinity;

export function resetHalfOpen(): void {
  lastPendingDeadline = -Infinity;
  cachedHead = -1;
  cachedHeadDeadline = Infinity;
  P.resetPending();
  if (scratchRecord == 0) scratchRecord = heap.alloc(L.RECORD_SIZE);
}

/** When the timers of a connection opened by this SYN alone would first look at it. */
@inline function firstDeadline(t: f64, nowThen: f64): f64 {
  const idleEmpty = t + TIMEOUT_IDLE_EMPTY, attempt = nowThen + config.attemptTimeout;
  return attempt < idleEmpty ? attempt : idleEmpty;
}

function pendingDeadline(p: usize): f64 {
  return firstDeadline(captureTime(load<f64>(p, P.P_TS_SEC), load<u32>(p, P.P_TS_NSEC)), load<f64>(p, P.P_NOW));
}

/** The oldest pending SYN's first deadline (Infinity when none); promoteHead() replays it. */
export function headPendingDeadline(): f64 {
  const head = P.pendingHead();
  if (head != cachedHead) {
    cachedHead = head;
    cachedHeadDeadline = head >= 0 ? pendingDeadline(P.pendingAt(<u32>head)) : Infinity;
  }
  return cachedHeadDeadline;
}

/** Replays the oldest pending SYN (the one headPendingDeadline() looked at); returns its slot. */
export function promoteHead(): u32 { return promote(<u32>cachedHead); }

// Holds a new connection's first packet as a pending SYN when it can be replayed exactly later:
// a pure SYN (ECN bits allowed) without payload, decoded whole, not to be dropped.
export function holdAsPending(stop: u32, verify: bool, packetFlags: u32, hash: u32): bool {
  if ((curFlags & (L.FLAG_SYN | L.FLAG_ACK | L.FLAG_FIN | L.FLAG_RST)) != L.FLAG_SYN || curPayload != 0) return false;
  if (stop != L.LAYER_NONE || (verify && (packetFlags & L.PKT_CHECKSUM_BAD) != 0)) return false;
  // A tunnelled SYN is tracked in full: its chain (tunnel.ts) is read from beside its record,
  // which a replay would no longer have.
  if (load<u8>(rec, L.REC_TUNNEL_DEPTH) != 0) return false;
  const deadline = firstDeadline(curTime, now);
  if (deadline < lastPendingDeadline) return false; // the FIFO must stay in deadline order
  if (P.pendingLive >= config.halfOpenLimit) evictOldestPending();
  const p = P.pushPending();
  if (p == 0) return false;
  lastPendingDeadline = deadline;
  const r = rec;
  memory.copy(p + P.P_KEY, r + L.REC_SRC_ADDR, 16);
  memory.copy(p + P.P_KEY + 16, r + L.REC_DST_ADDR, 16);
  store<u32>(p, (<u32>load<u16>(r, L.REC_SRC_PORT) << 16) | <u32>load<u16>(r, L.REC_DST_PORT), P.P_KEY_PORTS);
  store<u32>(p, <u32>load<u8>(r, L.REC_IP_VERSION), P.P_KEY_VERSION);
  store<u32>(p, hash, P.P_FLOW_HASH);
  store<u32>(p, curSeq, P.P_SEQ);
  store<u32>(p, load<u32>(r, L.REC_ACK), P.P_ACK);
  store<f64>(p, load<f64>(r, L.REC_TS_SEC), P.P_TS_SEC);
  store<f64>(p, packetIndex(), P.P_PACKET);
  store<f64>(p, now, P.P_NOW);
  store<u32>(p, load<u32>(r, L.REC_TS_NSEC), P.P_TS_NSEC);
  store<u32>(p, load<u32>(r, L.REC_IP_LEN), P.P_IP_LEN);
  store<u16>(p, load<u16>(r, L.REC_WINDOW), P.P_WINDOW);
  store<u16>(p, <u16>curFlags, P.P_FLAGS);
  store<u16>(p, load<u16>(r, L.REC_MSS), P.P_MSS);
  store<u16>(p, load<u16>(r, L.REC_OPTIONS), P.P_OPTIONS);
  store<u16>(p, load<u16>(r, L.REC_VLAN), P.P_VLAN);
  store<u16>(p, load<u16>(r, L.REC_INNER_VLAN), P.P_INNER_VLAN);
  store<u8>(p, load<u8>(r, L.REC_WSCALE), P.P_WSCALE);
  store<u8>(p, load<u8>(r, L.REC_TFO_COOKIE_LEN), P.P_TFO_COOKIE_LEN);
  store<u8>(p, <u8>packetFlags, P.P_PACKET_FLAGS);
  store<u64>(p, load<u64>(r, L.REC_TUNNEL_HASH), P.P_TUNNEL);
  store<u32>(p, config.keyByTunnel ? load<u32>(r, L.REC_TUNNEL_HASH) : 0, P.P_TUNNEL_KEY);
  insertPending(P.pendingTail() - 1, hash);
  return true;
}

/**
 * Turns a pending SYN into a connection record by replaying the SYN through create() and
 * accept() as it came (its packet record, its time, the clock's "now" then); returns the slot.
 */
export function promote(seq: u32): u32 {
  const p = P.pendingAt(seq);
  const x = scratchRecord;
  memory.fill(x, 0, L.RECORD_SIZE);
  memory.copy(x + L.REC_SRC_ADDR, p + P.P_KEY, 16);
  memory.copy(x + L.REC_DST_ADDR, p + P.P_KEY + 16, 16);
  const ports = load<u32>(p, P.P_KEY_PORTS), hash = load<u32>(p, P.P_FLOW_HASH);
  const version = load<u32>(p, P.P_KEY_VERSION);
  store<u16>(x, <u16>(ports >>> 16), L.REC_SRC_PORT);
  store<u16>(x, <u16>ports, L.REC_DST_PORT);
  store<u8>(x, <u8>version, L.REC_IP_VERSION);
  store<u32>(x, hash, L.REC_FLOW_HASH);
  store<u32>(x, load<u32>(p, P.P_SEQ), L.REC_SEQ);
  store<u32>(x, load<u32>(p, P.P_ACK), L.REC_ACK);
  store<f64>(x, load<f64>(p, P.P_TS_SEC), L.REC_TS_SEC);
  store<u32>(x, load<u32>(p, P.P_TS_NSEC), L.REC_TS_NSEC);
  store<f64>(x, load<f64>(p, P.P_PACKET), L.REC_PACKET_INDEX);
  store<u32>(x, load<u32>(p, P.P_IP_LEN), L.REC_IP_LEN);
  store<u16>(x, load<u16>(p, P.P_WINDOW), L.REC_WINDOW);
  store<u16>(x, load<u16>(p, P.P_FLAGS), L.REC_TCP_FLAGS);
  store<u16>(x, load<u16>(p, P.P_MSS), L.REC_MSS);
  store<u16>(x, load<u16>(p, P.P_OPTIONS), L.REC_OPTIONS);
  store<u16>(x, load<u16>(p, P.P_VLAN), L.REC_VLAN);
  store<u16>(x, load<u16>(p, P.P_INNER_VLAN), L.REC_INNER_VLAN);
  store<u8>(x, load<u8>(p, P.P_WSCALE), L.REC_WSCALE);
  store<u8>(x, load<u8>(p, P.P_TFO_COOKIE_LEN), L.REC_TFO_COOKIE_LEN);
  store<u8>(x, load<u8>(p, P.P_PACKET_FLAGS), L.REC_PACKET_FLAGS);
  store<u64>(x, load<u64>(p, P.P_TUNNEL), L.REC_TUNNEL_HASH);
  beginReplay(x, load<f64>(p, P.P_NOW));
  removePending(seq, hash);
  P.killPending(seq);
  const slot = create(hash, ports, version, ports >>> 16, ports & 0xffff);
  accept(slot, connAt(slot), 0);
  endReplay();
  return slot;
}

// Memory stays bounded under a SYN flood: past the limit, the oldest half-open connection
// ends now, as its attempt timer would end it later (the record says "evicted").
function evictOldestPending(): void {
  const head = P.pendingHead();
  if (head < 0) return;
  remove(promote(<u32>head), REMOVED_EVICTED, curTime);
}

/** The id a pending SYN's connection gets. */
export function pendingId(seq: u32): f64 { return load<f64>(P.pendingAt(seq), P.P_PACKET) + 1; }
