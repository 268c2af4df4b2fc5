// Half-open connections (opened by a lone pure SYN, nothing since), held as pending SYNs
// (pending-syns.ts) in the order and by the rule the WebAssembly tracker holds its own
// (assembly/tracker/half-open.ts), so that past maxHalfOpen both end the same ones, the oldest
// first, as "evicted"; and both replay a SYN into a full connection at the same moments.

import * as L from "../../assembly/layout.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import { REMOVED_EVICTED } from "./connection-store.js";
import { CUR_TIME, type TrackerContext } from "./tracker-context.js";
import { remove, TIMEOUT_IDLE_EMPTY } from "./tracker-lifetime.js";

/**
 * Holds packet i, which would open a new connection, as a pending SYN when it can be replayed
 * exactly later: a pure SYN without payload, decoded whole, not tunnelled, not to be dropped, due no earlier
 * than the last one held. If so, and as many are held as allowed, the oldest ends now.
 */
export function holdAsPending(k: TrackerContext, b: PacketBatch, i: number, stop: number, verify: boolean, packetFlags: number): boolean {
  if ((k.flags & (L.FLAG_SYN | L.FLAG_ACK | L.FLAG_FIN | L.FLAG_RST)) !== L.FLAG_SYN || k.payload !== 0) return false;
  if (stop !== L.LAYER_NONE || (verify && packetFlags & L.PKT_CHECKSUM_BAD)) return false;
  if (b.u8[i * L.RECORD_SIZE + L.REC_TUNNEL_DEPTH] !== 0) return false; // its chain lives beside its record
  const t = k.cur[CUR_TIME]!;
  const attempt = k.now + k.timeouts.attempt, idleEmpty = t + TIMEOUT_IDLE_EMPTY;
  const deadline = attempt < idleEmpty ? attempt : idleEmpty;
  if (deadline < k.lastHalfOpenDeadline) return false;
  if (k.pending.size >= k.maxHalfOpen) remove(k, k.promotePending(k.pending.oldest()), REMOVED_EVICTED, t);
  k.lastHalfOpenDeadline = deadline;
  k.pending.hold(b, i, k.packetIndex(b, i), k.now, deadline, k.keyByTunnel);
  return true;
}
