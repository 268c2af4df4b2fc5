// One-packet connections held small (the storage: pending.ts): a connection whose only packet
// so far is the one that opened it — a lone SYN (half-open), a mid-stream ACK, a RST, a SYN/ACK
// — is held as that packet's record until a second packet or its first timer; then it is
// replayed into a full record (promote), so the result is exactly the full tracker's. Past the
// limit (--max-half-open) the oldest ends at once, "evicted". The reference tracker keeps the
// same FIFO (tracker-half-open.ts), so both end the same ones.

import * as L from "../layout";
import { REMOVED_EVICTED } from "../connection-layout";
import { connAt } from "./connections";
import { insertPending, removePending } from "./flow-index";
import * as P from "./pending";
import * as config from "./config";
import {
  rec, now, curTime, packetKey, captureTime, beginReplay, endReplay,
} from "./context";
import { create } from "./orientation";
import { acceptByRules } from "./track";
import { endpointAt } from "./connection";
import { remove, TIMEOUT_IDLE_EMPTY } from "./lifetime";

let scratchRecord: usize = 0;
// The deadline of the pending FIFO's live head (pending.ts keeps which entry that is), as last
// computed (the packet loop looks at every packet).
let cachedHeadDeadline: f64 = Infinity;

export function resetHalfOpen(): void {
  cachedHeadDeadline = Infinity;
  P.resetPending();
  if (scratchRecord == 0) scratchRecord = heap.alloc(L.RECORD_SIZE);
}

/**
 * The earliest time a timer of a connection opened by this packet alone may look at it: a new
 * connection's idle-empty check, a SYN's attempt timer, a RST's or FIN's close linger. Replaying
 * it then, or earlier, gives what tracking it in full gives.
 */
@inline function firstDeadline(t: f64, nowThen: f64): f64 {
  let d = nowThen + config.attemptTimeout;
  const idleEmpty = t + TIMEOUT_IDLE_EMPTY, close = t + config.closeTimeout;
  if (idleEmpty < d) d = idleEmpty;
  if (close < d) d = close;
  return d;
}

function pendingDeadline(p: usize): f64 {
  return firstDeadline(captureTime(load<f64>(p, P.P_TS_SEC), load<u32>(p, P.P_TS_NSEC)), load<f64>(p, P.P_NOW));
}

/** The oldest pending connection's first deadline (Infinity when none); promoteHead() replays it. */
@inline export function headPendingDeadline(): f64 {
  if (P.headMayHaveChanged) findHeadDeadline();
  return cachedHeadDeadline;
}

function findHeadDeadline(): void {
  const head = P.pendingHead();
  cachedHeadDeadline = head >= 0 ? pendingDeadline(P.pendingAt(<u32>head)) : Infinity;
}

/** Replays the oldest pending connection (the one headPendingDeadline() looked at); returns its slot. */
export function promoteHead(): u32 { return promote(<u32>P.knownHead); }

// Holds a new connection's first packet when it can be replayed exactly later: decoded whole,
// not tunnelled, not to be dropped, and at the clock's latest time (so that every entry's
// deadline is its time plus the same offset: the FIFO stays in deadline order, and whether a
// packet is held does not depend on which other flows a tracker sees).
export function holdAsPending(stop: u32, verify: bool, packetFlags: u32, hash: u32): bool {
  if (stop != L.LAYER_NONE || (verify && (packetFlags & L.PKT_CHECKSUM_BAD) != 0)) return false;
  // A tunnelled packet's connection is tracked in full: its chain (tunnel.ts) is read from
  // beside its record, which a replay would no longer have.
  if (load<u8>(rec, L.REC_TUNNEL_DEPTH) != 0) return false;
  if (curTime != now) return false;
  const shard = config.virtualShard(hash);
  if (P.pendingIn(shard) >= config.halfOpenShare) evictOldestPending(shard);
  const p = P.pushPending(hash);
  if (p == 0) return false;
  const r = rec;
  P.storeRecord(p, r, packetKey()); // its connection's key, fraction and all
  store<u32>(p, (<u32>load<u16>(r, L.REC_SRC_PORT) << 16) | <u32>load<u16>(r, L.REC_DST_PORT), P.P_KEY_PORTS);
  store<u32>(p, <u32>load<u8>(r, L.REC_IP_VERSION), P.P_KEY_VERSION);
  store<f64>(p, now, P.P_NOW);
  insertPending(P.pendingTail() - 1, hash);
  return true;
}

/**
 * Turns a pending connection into a connection record by replaying its packet through create()
 * and the rules (acceptByRules) as it came (its packet record, its time, the clock's "now" then);
 * returns the slot.
 */
export function promote(seq: u32): u32 {
  const p = P.pendingAt(seq);
  const x = scratchRecord;
  P.loadRecord(x, p);
  const ports = load<u32>(p, P.P_KEY_PORTS), hash = load<u32>(p, P.P_FLOW_HASH);
  const version = load<u32>(p, P.P_KEY_VERSION);
  beginReplay(x, load<f64>(p, P.P_NOW));
  removePending(seq, hash);
  P.killPending(seq);
  const slot = create(hash, ports, version, ports >>> 16, ports & 0xffff);
  const c = connAt(slot);
  acceptByRules(slot, c, 0, endpointAt(c, 0), endpointAt(c, 1)); // a first packet: never a usual one
  endReplay();
  return slot;
}

// Memory stays bounded under a flood: past its virtual shard's share of the limit, the shard's
// oldest one-packet connection ends now (the record says "evicted"); a SYN's attempt timer
// would have ended it later.
function evictOldestPending(shard: u32): void {
  const oldest = P.oldestPendingIn(shard);
  if (oldest < 0) return;
  remove(promote(<u32>oldest), REMOVED_EVICTED, curTime);
}

/** The key a pending connection gets (C_ID: its packet's key + 1). */
export function pendingKey(seq: u32): f64 { return load<f64>(P.pendingAt(seq), P.P_PACKET) + 1; }
