// Half-open connections (opened by a lone pure SYN, nothing since), kept in the order the
// WebAssembly tracker keeps its pending SYNs (assembly/tracker/half-open.ts), so that past
// maxHalfOpen both trackers end the same ones, the oldest first, as "evicted".

import * as L from "../../assembly/layout.js";
import { REMOVED_EVICTED } from "./connection-store.js";
import { CUR_TIME, type TrackerContext } from "./tracker-context.js";
import { remove, TIMEOUT_IDLE_EMPTY } from "./tracker-lifetime.js";
import { becameRecord } from "./tracker-eviction.js";

// Does this packet open a half-open connection the WebAssembly tracker would hold as a
// pending SYN (a pure SYN, whole, not dropped, due no earlier than the last one held)? If so,
// and as many are held as allowed, the oldest ends now.
export function opensHalfOpen(k: TrackerContext, stop: number, verify: boolean, packetFlags: number): boolean {
  if ((k.flags & (L.FLAG_SYN | L.FLAG_ACK | L.FLAG_FIN | L.FLAG_RST)) !== L.FLAG_SYN || k.payload !== 0) return false;
  if (stop !== L.LAYER_NONE || (verify && packetFlags & L.PKT_CHECKSUM_BAD)) return false;
  const t = k.cur[CUR_TIME]!;
  const attempt = k.now + k.timeouts.attempt, idleEmpty = t + TIMEOUT_IDLE_EMPTY;
  const deadline = attempt < idleEmpty ? attempt : idleEmpty;
  if (deadline < k.lastHalfOpenDeadline) return false;
  k.lastHalfOpenDeadline = deadline;
  if (k.halfOpen.size >= k.maxHalfOpen) {
    remove(k, k.halfOpen.oldest(), REMOVED_EVICTED, t);
  }
  return true;
}

/** Holds the connection just created in `slot` as half-open (opensHalfOpen said so). */
export function holdHalfOpen(k: TrackerContext, slot: number): void {
  if (k.halfOpen.size === 0) k.halfOpenCheck = k.lastHalfOpenDeadline;
  k.halfOpen.push(slot, k.lastHalfOpenDeadline);
}

// Half-open no more once their timers have looked at them (the WebAssembly tracker promotes
// its pending SYNs then). Deadline order: the oldest go first.
export function dropDueHalfOpen(k: TrackerContext, t: number): void {
  while (k.halfOpen.size > 0 && k.halfOpen.oldestDeadline() <= t) {
    const slot = k.halfOpen.oldest();
    k.halfOpen.delete(slot);
    becameRecord(k, slot);
  }
  k.halfOpenCheck = k.halfOpen.oldestDeadline();
}
