// How long a connection lives (notes section 7): the inactivity timeouts a packet sets, the
// close linger, the timers that end connections, and ending one: the reference tracker's
// tracker-lifetime.ts. The timer heap itself is timers.ts.

import * as L from "../layout";
import {
  C_FIRST_TIME, C_LAST_TIME, C_ATTEMPT_DEADLINE, C_CLOSE_DEADLINE, C_INACTIVITY_TIMEOUT, C_QUEUED_DEADLINE,
  C_KEY_PORTS, C_FLOW_HASH, C_GENERATION, C_REMOVED_BY, C_REMOVED_AT, INACTIVE, SYN_SENT, SYN_ACK_SENT,
  CLOSED, RESET, REMOVED_ATTEMPT, REMOVED_CLOSE, REMOVED_INACTIVITY, REMOVED_IDLE_EMPTY, REMOVED_EVICTED,
} from "../connection-layout";
import { connAt, releaseSlot } from "./connections";
import { endpointAt, stateOf, flippedOf, inHandshake } from "./connection";
import { removeFlow } from "./flow-index";
import {
  pushTimer, peekDeadline, peekSlot, peekGeneration, popTimer, timerCount, staleTimers, timerWentStale,
  staleTimerPopped, timerEntry, keepTimers,
} from "./timers";
import { endedFull, copyEnded } from "./ended";
import * as config from "./config";
import { curTime, curFlags } from "./context";
import { headPendingDeadline, promoteHead } from "./half-open";
import { becameRecord, recordEnding, recordEnded } from "./eviction";
import { endAnalysis } from "./analysis-hooks";

/** A connection on which nothing was ever accepted ends this long after its first packet. */
export const TIMEOUT_IDLE_EMPTY: f64 = 5;
const STALE_TIMERS_MIN: u32 = 256; // timer entries left behind before they are worth dropping

/** Set once the input has ended: connections are being ended in id order, timers are moot. */
let inputEnded = false;
export function endInput(): void { inputEnded = true; }
export function resetLifetime(): void { inputEnded = false; }

export function updateTimers(slot: u32, c: usize, side: u32, eS: usize, eP: usize, isOrig: bool): void {
  const t = curTime, flags = curFlags;
  const so = stateOf(eS), sp = stateOf(eP);
  // Inactivity: one minute while both are in the handshake, five after; an hour for a few
  // server ports once the responder answers.
  if (load<f64>(c, C_INACTIVITY_TIMEOUT) == config.handshakeInactivity && !(inHandshake(so) && inHandshake(sp))) {
    store<f64>(c, config.inactivityTimeout, C_INACTIVITY_TIMEOUT);
  }
  if (!isOrig && (flags & L.FLAG_SYN) != 0) {
    const ports = load<u32>(c, C_KEY_PORTS);
    const respPort = flippedOf(c) == 0 ? ports & 0xffff : ports >>> 16;
    const portTimeout = config.portTimeout(respPort);
    if (portTimeout > 0) store<f64>(c, portTimeout, C_INACTIVITY_TIMEOUT);
  }
  // A completed close lingers, then ends the connection; later packets do not postpone it.
  if ((flags & (L.FLAG_FIN | L.FLAG_RST)) != 0 && load<f64>(c, C_CLOSE_DEADLINE) == 0) {
    const done = so == RESET || (so == CLOSED && (sp == CLOSED || sp == RESET)) || sp == INACTIVE;
    if (done && (so == CLOSED || so == RESET)) {
      const deadline = t + config.closeTimeout;
      store<f64>(c, deadline, C_CLOSE_DEADLINE);
      schedule(slot, c, deadline);
    }
  }
}

export function schedule(slot: u32, c: usize, deadline: f64): void {
  const queued = load<f64>(c, C_QUEUED_DEADLINE);
  if (queued != 0 && queued <= deadline) return;
  if (queued != 0 && !inputEnded) timerWentStale(); // the later entry is left behind
  store<f64>(c, deadline, C_QUEUED_DEADLINE);
  if (inputEnded) return; // no timer fires after the end
  if (staleTimers >= STALE_TIMERS_MIN && staleTimers * 2 > timerCount) dropStaleTimers();
  pushTimer(deadline, slot, load<u32>(c, C_GENERATION));
}

// A timer entry is current while its slot holds the same connection and that connection still
// waits for that deadline (it may have moved earlier since, or ended).
@inline function timerIsCurrent(c: usize, generation: u32, deadline: f64): bool {
  return load<u32>(c, C_GENERATION) == generation && load<f64>(c, C_QUEUED_DEADLINE) == deadline;
}

// Keeps the timer entries whose connection still waits for them.
function dropStaleTimers(): void {
  const live = heap.alloc(<usize>timerCount);
  for (let i: u32 = 0; i < timerCount; i++) {
    const e = timerEntry(i);
    store<u8>(live + i, timerIsCurrent(connAt(load<u32>(e, 8)), load<u32>(e, 12), load<f64>(e)) ? 1 : 0);
  }
  keepTimers(live);
  heap.free(live);
}

/** The earliest time at which a timer of this connection can end it. */
function nextDeadline(c: usize): f64 {
  let d = load<f64>(c, C_LAST_TIME) + load<f64>(c, C_INACTIVITY_TIMEOUT);
  const attempt = load<f64>(c, C_ATTEMPT_DEADLINE), close = load<f64>(c, C_CLOSE_DEADLINE);
  if (attempt > 0 && attempt < d) d = attempt;
  if (close > 0 && close < d) d = close;
  if (stateOf(endpointAt(c, 0)) == INACTIVE && stateOf(endpointAt(c, 1)) == INACTIVE) {
    const empty = load<f64>(c, C_FIRST_TIME) + TIMEOUT_IDLE_EMPTY;
    if (empty < d) d = empty;
  }
  return d;
}

// Fires the timers due at the current packet's time; false when the ended buffer filled first.
export function expire(): bool { return expireBy(curTime); }

/**
 * Whether a timer or the oldest pending connection is due by time t: most packets find none,
 * and this test inlined in the packet loop spares them the call to expireBy.
 */
@inline export function anyDueBy(t: f64): bool {
  // peekDeadline() is Infinity with no timer (a packet's time is finite: at worst expireBy then
  // finds nothing due).
  return peekDeadline() <= t || headPendingDeadline() <= t;
}

// Fires the timers due by time t, in deadline order (as calls at any earlier times, then at t,
// would); false when the ended buffer filled first.
export function expireBy(t: f64): bool {
  for (;;) {
    const timerDue = timerCount > 0 && peekDeadline() <= t;
    const headDeadline = headPendingDeadline();
    if (headDeadline <= t && (!timerDue || headDeadline < peekDeadline())) {
      becameRecord(promoteHead()); // its timer is in the heap now, due: the next round takes it
      continue;
    }
    if (!timerDue) return true;
    if (endedFull()) return false;
    const deadline = peekDeadline(), slot = peekSlot(), generation = peekGeneration();
    popTimer();
    const c = connAt(slot);
    if (!timerIsCurrent(c, generation, deadline)) {
      staleTimerPopped();
      continue;
    }
    store<f64>(c, 0, C_QUEUED_DEADLINE);
    const why = dueReason(c, deadline);
    if (why >= 0) remove(slot, why, deadline);
    else schedule(slot, c, nextDeadline(c));
  }
  return true; // not reached: the loop returns
}

// Which timer ends the connection at `at`, or -1 if none does (yet).
function dueReason(c: usize, at: f64): i32 {
  const oSide = flippedOf(c);
  const eo = endpointAt(c, oSide), er = endpointAt(c, oSide ^ 1);
  const close = load<f64>(c, C_CLOSE_DEADLINE), attempt = load<f64>(c, C_ATTEMPT_DEADLINE);
  if (close > 0 && close <= at) return REMOVED_CLOSE;
  if (attempt > 0 && attempt <= at) {
    store<f64>(c, 0, C_ATTEMPT_DEADLINE);
    const so = stateOf(eo);
    if ((so == SYN_SENT || so == SYN_ACK_SENT) && stateOf(er) == INACTIVE) return REMOVED_ATTEMPT;
  }
  if (stateOf(eo) == INACTIVE && stateOf(er) == INACTIVE && load<f64>(c, C_FIRST_TIME) + TIMEOUT_IDLE_EMPTY <= at) return REMOVED_IDLE_EMPTY;
  if (load<f64>(c, C_LAST_TIME) + load<f64>(c, C_INACTIVITY_TIMEOUT) <= at) return REMOVED_INACTIVITY;
  return -1;
}

/** Ends a connection: out of the index, copied to the ended buffer, its slot freed. */
export function remove(slot: u32, why: i32, at: f64): void {
  const c = connAt(slot);
  if (load<f64>(c, C_QUEUED_DEADLINE) != 0 && !inputEnded) timerWentStale(); // its entry stays behind
  // A record's eviction entry is left behind, unless the eviction took it out (eviction.ts).
  const queued = !inputEnded && why != REMOVED_EVICTED && recordEnding(c);
  store<u8>(c, <u8>why, C_REMOVED_BY);
  store<f64>(c, at, C_REMOVED_AT);
  removeFlow(slot, load<u32>(c, C_FLOW_HASH));
  endAnalysis(c);
  copyEnded(c);
  releaseSlot(slot);
  if (queued) recordEnded();
}
