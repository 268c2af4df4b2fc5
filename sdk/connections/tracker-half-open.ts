// One-packet connections (opened by a lone SYN, a mid-stream ACK, a RST, a SYN/ACK, ...,
// nothing since), held as their packet's record (pending-syns.ts) in the order and by the rule
// the WebAssembly tracker holds its own (assembly/tracker/half-open.ts), so that past
// maxHalfOpen both end the same ones, the oldest first, as "evicted"; and both replay a packet
// into a full connection at the same moments.

import * as L from "../../assembly/layout.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import { REMOVED_EVICTED } from "./connection-store.js";
import { CUR_TIME, type TrackerContext } from "./tracker-context.js";
import { remove, TIMEOUT_IDLE_EMPTY } from "./tracker-lifetime.js";
import { virtualShard } from "./tracker-options.js";

/**
 * Holds packet i, which would open a new connection, as a pending one-packet connection when it
 * can be replayed exactly later: decoded whole, not tunnelled, not to be dropped, at the clock's
 * latest time (every entry's first deadline is then its time plus the same offset: the FIFO is
 * in deadline order, and whether a packet is held does not depend on the other flows a tracker
 * sees). If so, and as many are held as allowed, the oldest ends now.
 */
export function holdAsPending(k: TrackerContext, b: PacketBatch, i: number, stop: number, verify: boolean, packetFlags: number): boolean {
  if (stop !== L.LAYER_NONE || (verify && packetFlags & L.PKT_CHECKSUM_BAD)) return false;
  if (b.u8[i * L.RECORD_SIZE + L.REC_TUNNEL_DEPTH] !== 0) return false; // its chain lives beside its record
  const t = k.cur[CUR_TIME]!;
  if (t !== k.now) return false;
  // The earliest a timer may look at it: a new connection's idle-empty check, a SYN's attempt
  // timer, a RST's or FIN's close linger. Replaying it then, or earlier, gives the same.
  const deadline = Math.min(k.now + k.timeouts.attempt, t + TIMEOUT_IDLE_EMPTY, t + k.timeouts.close);
  // Past its virtual shard's share of the limit, the shard's oldest ends now.
  const shard = virtualShard(b.u32[i * 32 + L.REC_FLOW_HASH / 4]!);
  if (k.pending.sizeIn(shard) >= k.halfOpenShare) remove(k, k.promotePending(k.pending.oldestIn(shard)), REMOVED_EVICTED, t);
  k.pending.hold(b, i, k.packetKey(b, i), k.now, deadline, k.keyByTunnel); // its connection's key, fraction and all
  return true;
}
