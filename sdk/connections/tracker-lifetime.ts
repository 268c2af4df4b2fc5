// How long a connection lives (notes section 7): the inactivity timeouts a packet sets, the
// close linger, the timers that end connections, and ending one (removal and emission).

import * as L from "../../assembly/layout.js";
import { INACTIVE, SYN_SENT, SYN_ACK_SENT, CLOSED, RESET, inHandshake } from "./endpoint-state.js";
import {
  KEY_WORDS, REMOVED_ATTEMPT, REMOVED_CLOSE, REMOVED_INACTIVITY, REMOVED_IDLE_EMPTY, REMOVED_EVICTED,
} from "./connection-store.js";
import { CUR_TIME, type TrackerContext } from "./tracker-context.js";
import { recordEnded, becameRecord } from "./tracker-eviction.js";
import { endAnalysis } from "./tracker-analysis.js";
import { virtualShard } from "./tracker-options.js";

/** A connection on which nothing was ever accepted ends this long after its first packet. */
export const TIMEOUT_IDLE_EMPTY = 5;
const STALE_TIMERS_MIN = 256; // timer entries left behind before they are worth dropping

export function updateTimers(k: TrackerContext, slot: number, sender: number, isOrig: boolean): void {
  const s = k.store;
  const t = k.cur[CUR_TIME]!, flags = k.flags;
  const peer = sender ^ 1;
  const so = s.state[sender]!, sp = s.state[peer]!;
  // Inactivity: one minute while both are in the handshake, five after; an hour for a few
  // server ports once the responder answers.
  if (s.inactivityTimeout[slot] === k.timeouts.handshakeInactivity && !(inHandshake(so) && inHandshake(sp))) {
    s.inactivityTimeout[slot] = k.timeouts.inactivity;
  }
  if (!isOrig && flags & L.FLAG_SYN) {
    const o = slot * 2 + s.flipped[slot]!;
    const key = slot * KEY_WORDS + 8;
    const respPort = o === slot * 2 ? s.key[key]! & 0xffff : s.key[key]! >>> 16;
    const portTimeout = k.portTimeout[respPort]!;
    if (portTimeout > 0) s.inactivityTimeout[slot] = portTimeout;
  }
  // A completed close lingers, then ends the connection; later packets do not postpone it.
  if (flags & (L.FLAG_FIN | L.FLAG_RST) && s.closeDeadline[slot] === 0) {
    const done = so === RESET || (so === CLOSED && (sp === CLOSED || sp === RESET)) || sp === INACTIVE;
    if (done && (so === CLOSED || so === RESET)) {
      s.closeDeadline[slot] = t + k.timeouts.close;
      schedule(k, slot, s.closeDeadline[slot]!);
    }
  }
}

export function schedule(k: TrackerContext, slot: number, deadline: number): void {
  const s = k.store;
  const queued = s.queuedDeadline[slot]!;
  if (queued !== 0 && queued <= deadline) return;
  if (queued !== 0 && !k.inputEnded) k.staleTimers++; // the later entry is left behind
  s.queuedDeadline[slot] = deadline;
  if (k.inputEnded) return; // no timer fires after the end
  if (k.staleTimers >= STALE_TIMERS_MIN && k.staleTimers * 2 > k.timers.size) dropStaleTimers(k);
  k.timers.push(deadline, slot, s.generation[slot]!);
}

// A timer entry is current while its slot holds the same connection and that connection still
// waits for that deadline (it may have moved earlier since, or ended).
function timerIsCurrent(k: TrackerContext, slot: number, generation: number, deadline: number): boolean {
  return k.store.generation[slot] === generation && k.store.queuedDeadline[slot] === deadline;
}

// Keeps the timer entries whose connection still waits for them: under a flood past the
// limits every evicted connection leaves one behind, millions within an attempt timeout.
function dropStaleTimers(k: TrackerContext): void {
  k.timers.keep((deadline, slot, generation) => timerIsCurrent(k, slot, generation, deadline));
  k.staleTimers = 0;
}

/** The earliest time at which a timer of this connection can end it. */
function nextDeadline(k: TrackerContext, slot: number): number {
  const s = k.store;
  let d = s.lastTime[slot]! + s.inactivityTimeout[slot]!;
  if (s.attemptDeadline[slot]! > 0 && s.attemptDeadline[slot]! < d) d = s.attemptDeadline[slot]!;
  if (s.closeDeadline[slot]! > 0 && s.closeDeadline[slot]! < d) d = s.closeDeadline[slot]!;
  const o = slot * 2;
  if (s.state[o] === INACTIVE && s.state[o + 1] === INACTIVE) {
    const empty = s.firstTime[slot]! + TIMEOUT_IDLE_EMPTY;
    if (empty < d) d = empty;
  }
  return d;
}

/** Is a timer due at time t, or a pending SYN's first deadline? */
export function anyDue(k: TrackerContext, t: number): boolean {
  return (k.timers.size > 0 && k.timers.peekDeadline() <= t) || k.pending.oldestDeadline() <= t;
}

// Fires the timers due at the current packet's time (or by `t`, in deadline order, as calls at
// any earlier times and then at t would). A pending SYN whose first deadline comes first is
// replayed into a full connection: its timer is then in the heap, due, for the next round.
export function expire(k: TrackerContext, t = k.cur[CUR_TIME]!): void {
  const s = k.store;
  const q = k.timers;
  for (;;) {
    const timerDue = q.size > 0 && q.peekDeadline() <= t;
    const headDeadline = k.pending.oldestDeadline();
    if (headDeadline <= t && (!timerDue || headDeadline < q.peekDeadline())) {
      becameRecord(k, k.promotePending(k.pending.oldest()));
      continue;
    }
    if (!timerDue) return;
    const deadline = q.peekDeadline(), slot = q.peekSlot(), generation = q.peekGeneration();
    q.pop();
    if (!timerIsCurrent(k, slot, generation, deadline)) {
      if (k.staleTimers > 0) k.staleTimers--; // (a revived entry may not have been counted)
      continue;
    }
    s.queuedDeadline[slot] = 0;
    const why = dueReason(k, slot, deadline);
    if (why >= 0) remove(k, slot, why, deadline);
    else schedule(k, slot, nextDeadline(k, slot));
  }
}

// Which timer ends the connection at `now`, or -1 if none does (yet).
function dueReason(k: TrackerContext, slot: number, now: number): number {
  const s = k.store;
  const o = slot * 2 + s.flipped[slot]!, r = o ^ 1;
  if (s.closeDeadline[slot]! > 0 && s.closeDeadline[slot]! <= now) return REMOVED_CLOSE;
  if (s.attemptDeadline[slot]! > 0 && s.attemptDeadline[slot]! <= now) {
    s.attemptDeadline[slot] = 0;
    const so = s.state[o]!;
    if ((so === SYN_SENT || so === SYN_ACK_SENT) && s.state[r] === INACTIVE) return REMOVED_ATTEMPT;
  }
  if (s.state[o] === INACTIVE && s.state[r] === INACTIVE && s.firstTime[slot]! + TIMEOUT_IDLE_EMPTY <= now) return REMOVED_IDLE_EMPTY;
  if (s.lastTime[slot]! + s.inactivityTimeout[slot]! <= now) return REMOVED_INACTIVITY;
  return -1;
}

/** Ends a connection: out of the flow table, handed to `emit`, its slot freed. */
export function remove(k: TrackerContext, slot: number, why: number, at: number): void {
  const s = k.store;
  if (s.queuedDeadline[slot] !== 0 && !k.inputEnded) k.staleTimers++; // its entry stays behind
  s.removedBy[slot] = why;
  s.removedAt[slot] = at;
  k.table.remove(slot, s.flowHash[slot]!);
  endAnalysis(k, slot);
  k.emit(s, slot);
  k.recordsByShard[virtualShard(s.flowHash[slot]!)]!--;
  s.release(slot);
  // A record's eviction entry is left behind, unless the eviction took it out (tracker-eviction.ts).
  if (why !== REMOVED_EVICTED) recordEnded(k);
}
