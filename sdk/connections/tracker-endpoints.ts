// Each endpoint's view of its own stream: the history letter a packet earns (notes section 5),
// retransmissions and zero windows, the sequence numbers the record's sizes and the reuse test
// rest on, and the endpoint state transitions (section 3).

import * as L from "../../assembly/layout.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import {
  INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET,
} from "./endpoint-state.js";
import {
  ONCE_A, ONCE_D, ONCE_I, ONCE_Q, SEEN_SYN, SEEN_FIN, SEEN_RST, SEEN_TOP, SEEN_START, SEEN_CLOSED_BEFORE_RESET,
  SEEN_ISN, HS_EXPECT_SYN,
} from "./connection-store.js";
import { noteAnomaly } from "./anomalies.js";
import { CUR_ACK, CUR_SEQ, seqLE, seqGT, type TrackerContext } from "./tracker-context.js";
import { schedule } from "./tracker-lifetime.js";

/**
 * The classification letter of the packet from `sender` (section 5.1), upper case, or "" when
 * it is not recorded (5.2: most letters once per direction, S/H/F/R once per sequence number).
 */
export function historyLetter(k: TrackerContext, sender: number): string {
  const s = k.store;
  const flags = k.flags, seq = k.cur[CUR_SEQ]!, payload = k.payload;
  const syn = (flags & L.FLAG_SYN) !== 0, fin = (flags & L.FLAG_FIN) !== 0;
  const rst = (flags & L.FLAG_RST) !== 0, ack = (flags & L.FLAG_ACK) !== 0;
  const controls = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
  let letter = "";
  if (controls >= 2) {
    const bit = fin && rst ? ONCE_I : ONCE_Q;
    if (!(s.once[sender]! & bit)) { s.once[sender]! |= bit; letter = fin && rst ? "I" : "Q"; }
  } else if (syn) {
    if (!(s.seen[sender]! & SEEN_SYN) || s.lastSynSeq[sender] !== seq) letter = ack ? "H" : "S";
    s.seen[sender]! |= SEEN_SYN;
    s.lastSynSeq[sender] = seq;
  } else if (fin) {
    const pos = (seq + payload) >>> 0;
    if (!(s.seen[sender]! & SEEN_FIN) || s.lastFinPos[sender] !== pos) letter = "F";
    s.seen[sender]! |= SEEN_FIN;
    s.lastFinPos[sender] = pos;
  } else if (rst) {
    if (!(s.seen[sender]! & SEEN_RST) || s.lastRstSeq[sender] !== seq) letter = "R";
    s.seen[sender]! |= SEEN_RST;
    s.lastRstSeq[sender] = seq;
  } else if (payload > 0) {
    if (!(s.once[sender]! & ONCE_D)) { s.once[sender]! |= ONCE_D; letter = "D"; }
  } else if (ack) {
    if (!(s.once[sender]! & ONCE_A)) { s.once[sender]! |= ONCE_A; letter = "A"; }
  }
  return letter;
}

/**
 * Retransmissions (T) and zero windows (W), logarithmically per direction; the highest
 * sequence number reached, the ISN and the first payload byte.
 */
export function noteSequence(k: TrackerContext, b: PacketBatch, i: number, slot: number, sender: number): void {
  const s = k.store;
  const flags = k.flags, seq = k.cur[CUR_SEQ]!, payload = k.payload;
  const syn = (flags & L.FLAG_SYN) !== 0, rst = (flags & L.FLAG_RST) !== 0;
  const peer = sender ^ 1;
  const dataStart = (seq + (syn ? 1 : 0)) >>> 0;
  const top = (dataStart + payload) >>> 0;
  if (payload > 0 && !rst && s.state[sender] !== RESET) {
    if (s.seen[sender]! & SEEN_TOP && seqLE(top, s.topSeq[sender]!)) {
      s.retransmits[sender]!++;
      k.logLetter(slot, sender, s.retransmits[sender]!, "T");
    }
  }
  if (!rst && (!(s.seen[sender]! & SEEN_TOP) || seqGT(top, s.topSeq[sender]!))) {
    // Sizes past 4 GiB: count the times the highest sequence number passes 2^32 (from the
    // first payload byte: the first segment may already wrap).
    if (s.seen[sender]! & SEEN_TOP ? top < s.topSeq[sender]! : top < dataStart) s.topWraps[sender]!++;
    s.topSeq[sender] = top;
    s.seen[sender]! |= SEEN_TOP;
  }
  if (b.u16[i * 64 + L.REC_WINDOW / 2]! === 0 && !rst && s.state[sender] !== RESET && s.state[peer] !== CLOSED) {
    s.zeroWindows[sender]!++;
    k.logLetter(slot, sender, s.zeroWindows[sender]!, "W");
    if (s.zeroWindows[sender] === 1) noteAnomaly(s, slot, "zero-window");
  }

  // Sequence bookkeeping for sizes and the reuse test.
  if (!(s.seen[sender]! & SEEN_ISN)) { s.isn[sender] = seq; s.seen[sender]! |= SEEN_ISN; }
  if (!(s.seen[sender]! & SEEN_START) && !rst) { s.startSeq[sender] = dataStart; s.seen[sender]! |= SEEN_START; }
}

// Endpoint state transitions (section 3), chosen by the sender's current state.
export function updateStates(k: TrackerContext, slot: number, sender: number, isOrig: boolean): void {
  const s = k.store;
  const flags = k.flags, payload = k.payload, ackNo = k.cur[CUR_ACK]!;
  const peer = sender ^ 1;
  const syn = (flags & L.FLAG_SYN) !== 0, fin = (flags & L.FLAG_FIN) !== 0;
  const rst = (flags & L.FLAG_RST) !== 0, ack = (flags & L.FLAG_ACK) !== 0;
  const state = s.state[sender]!;
  switch (state) {
    case INACTIVE: {
      if (syn) {
        if (isOrig) {
          s.state[sender] = ack ? SYN_ACK_SENT : SYN_SENT;
          s.attemptDeadline[slot] = k.now + k.timeouts.attempt;
          schedule(k, slot, s.attemptDeadline[slot]!);
          if (ack) {
            s.expectedSynSeq[slot] = (ackNo - 1) >>> 0;
            s.handshakeFlags[slot]! |= HS_EXPECT_SYN;
          }
        } else if (ack) {
          s.state[sender] = ESTABLISHED;
          if (s.state[peer] === SYN_SENT) s.state[peer] = ESTABLISHED;
        } else {
          s.state[sender] = SYN_SENT;
        }
      }
      if (fin) s.state[sender] = CLOSED;
      if (rst) s.state[sender] = RESET;
      if (!syn && !fin && !rst) {
        if (!isOrig && payload === 0 && s.state[peer] === SYN_SENT) break;
        s.state[sender] = ack && s.state[peer] === ESTABLISHED ? ESTABLISHED : PARTIAL;
      }
      break;
    }
    case SYN_SENT:
    case SYN_ACK_SENT:
      if (fin) s.state[sender] = CLOSED;
      if (rst) s.state[sender] = RESET;
      break;
    case ESTABLISHED:
    case PARTIAL:
      if (syn && !ack && state === PARTIAL && s.state[peer] === INACTIVE) s.state[sender] = SYN_SENT;
      if (fin && !rst) {
        s.state[sender] = CLOSED;
        if (s.state[peer] === RESET && s.seen[peer]! & SEEN_CLOSED_BEFORE_RESET) s.state[peer] = CLOSED;
      }
      if (rst) s.state[sender] = RESET;
      break;
    case CLOSED:
      if (rst && s.state[peer] !== CLOSED) {
        s.state[sender] = RESET;
        s.seen[sender]! |= SEEN_CLOSED_BEFORE_RESET;
      }
      break;
    default: // RESET is final
      break;
  }
}
