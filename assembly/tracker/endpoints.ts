// Each endpoint's view of its own stream: the history letter a packet earns (notes section 5),
// retransmissions and zero windows, the sequence numbers the sizes and the reuse test rest on,
// and the endpoint state transitions (section 3): the reference tracker's tracker-endpoints.ts.

import * as L from "../layout";
import {
  C_ATTEMPT_DEADLINE, C_EXPECTED_SYN_SEQ, E_LAST_SYN_SEQ, E_LAST_FIN_POS, E_LAST_RST_SEQ, E_TOP_SEQ,
  E_START_SEQ, E_ISN, E_ONCE, E_RETRANSMITS, E_ZERO_WINDOWS, E_TOP_WRAPS,
  INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET,
  ONCE_A, ONCE_D, ONCE_I, ONCE_Q, SEEN_SYN, SEEN_FIN, SEEN_RST, SEEN_TOP, SEEN_START,
  SEEN_CLOSED_BEFORE_RESET, SEEN_ISN, HS_EXPECT_SYN, ANOMALY_ZERO_WINDOW,
} from "../connection-layout";
import { stateOf, setState, seenOf, addSeen, addHs, bump, seqLE, seqGT } from "./connection";
import { logLetter, noteAnomaly } from "./history";
import * as config from "./config";
import { rec, now, curSeq, curAck, curFlags, curPayload } from "./context";
import { schedule } from "./lifetime";

/**
 * The classification letter (ASCII, upper case) of the packet from endpoint `eS` (section
 * 5.1), or 0 when it is not recorded (5.2).
 */
export function historyLetter(eS: usize): u32 {
  const flags = curFlags, seq = curSeq, payload = curPayload;
  const syn = (flags & L.FLAG_SYN) != 0, fin = (flags & L.FLAG_FIN) != 0;
  const rst = (flags & L.FLAG_RST) != 0, ack = (flags & L.FLAG_ACK) != 0;
  const controls = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
  let letter: u32 = 0;
  if (controls >= 2) {
    const bit: u32 = fin && rst ? ONCE_I : ONCE_Q;
    const once = <u32>load<u8>(eS, E_ONCE);
    if ((once & bit) == 0) { store<u8>(eS, <u8>(once | bit), E_ONCE); letter = fin && rst ? 0x49 : 0x51; } // I, Q
  } else if (syn) {
    if ((seenOf(eS) & SEEN_SYN) == 0 || load<u32>(eS, E_LAST_SYN_SEQ) != seq) letter = ack ? 0x48 : 0x53; // H, S
    addSeen(eS, SEEN_SYN);
    store<u32>(eS, seq, E_LAST_SYN_SEQ);
  } else if (fin) {
    const pos = seq + payload;
    if ((seenOf(eS) & SEEN_FIN) == 0 || load<u32>(eS, E_LAST_FIN_POS) != pos) letter = 0x46; // F
    addSeen(eS, SEEN_FIN);
    store<u32>(eS, pos, E_LAST_FIN_POS);
  } else if (rst) {
    if ((seenOf(eS) & SEEN_RST) == 0 || load<u32>(eS, E_LAST_RST_SEQ) != seq) letter = 0x52; // R
    addSeen(eS, SEEN_RST);
    store<u32>(eS, seq, E_LAST_RST_SEQ);
  } else if (payload > 0) {
    const once = <u32>load<u8>(eS, E_ONCE);
    if ((once & ONCE_D) == 0) { store<u8>(eS, <u8>(once | ONCE_D), E_ONCE); letter = 0x44; } // D
  } else if (ack) {
    const once = <u32>load<u8>(eS, E_ONCE);
    if ((once & ONCE_A) == 0) { store<u8>(eS, <u8>(once | ONCE_A), E_ONCE); letter = 0x41; } // A
  }
  return letter;
}

/**
 * Retransmissions (T) and zero windows (W), logarithmically per direction; the highest
 * sequence number reached, the ISN and the first payload byte.
 */
export function noteSequence(c: usize, side: u32, eS: usize, eP: usize): void {
  const flags = curFlags, seq = curSeq, payload = curPayload;
  const syn = (flags & L.FLAG_SYN) != 0, rst = (flags & L.FLAG_RST) != 0;
  const dataStart = seq + (syn ? 1 : 0);
  const top = dataStart + payload;
  if (payload > 0 && !rst && stateOf(eS) != RESET) {
    if ((seenOf(eS) & SEEN_TOP) != 0 && seqLE(top, load<u32>(eS, E_TOP_SEQ))) {
      logLetter(c, side, bump(eS + E_RETRANSMITS), 0x54); // T
    }
  }
  if (!rst && ((seenOf(eS) & SEEN_TOP) == 0 || seqGT(top, load<u32>(eS, E_TOP_SEQ)))) {
    // Sizes past 4 GiB: count the times the highest sequence number passes 2^32.
    if ((seenOf(eS) & SEEN_TOP) != 0 ? top < load<u32>(eS, E_TOP_SEQ) : top < dataStart) bump(eS + E_TOP_WRAPS);
    store<u32>(eS, top, E_TOP_SEQ);
    addSeen(eS, SEEN_TOP);
  }
  if (load<u16>(rec, L.REC_WINDOW) == 0 && !rst && stateOf(eS) != RESET && stateOf(eP) != CLOSED) {
    const zeroWindows = bump(eS + E_ZERO_WINDOWS);
    logLetter(c, side, zeroWindows, 0x57); // W
    if (zeroWindows == 1) noteAnomaly(c, ANOMALY_ZERO_WINDOW);
  }

  // Sequence bookkeeping for sizes and the reuse test.
  if ((seenOf(eS) & SEEN_ISN) == 0) { store<u32>(eS, seq, E_ISN); addSeen(eS, SEEN_ISN); }
  if ((seenOf(eS) & SEEN_START) == 0 && !rst) { store<u32>(eS, dataStart, E_START_SEQ); addSeen(eS, SEEN_START); }
}

// Endpoint state transitions (section 3), chosen by the sender's current state.
export function updateStates(slot: u32, c: usize, eS: usize, eP: usize, isOrig: bool): void {
  const flags = curFlags, payload = curPayload, ackNo = curAck;
  const syn = (flags & L.FLAG_SYN) != 0, fin = (flags & L.FLAG_FIN) != 0;
  const rst = (flags & L.FLAG_RST) != 0, ack = (flags & L.FLAG_ACK) != 0;
  const state = stateOf(eS);
  if (state == INACTIVE) {
    if (syn) {
      if (isOrig) {
        setState(eS, ack ? SYN_ACK_SENT : SYN_SENT);
        const deadline = now + config.attemptTimeout;
        store<f64>(c, deadline, C_ATTEMPT_DEADLINE);
        schedule(slot, c, deadline);
        if (ack) {
          store<u32>(c, ackNo - 1, C_EXPECTED_SYN_SEQ);
          addHs(c, HS_EXPECT_SYN);
        }
      } else if (ack) {
        setState(eS, ESTABLISHED);
        if (stateOf(eP) == SYN_SENT) setState(eP, ESTABLISHED);
      } else {
        setState(eS, SYN_SENT);
      }
    }
    if (fin) setState(eS, CLOSED);
    if (rst) setState(eS, RESET);
    if (!syn && !fin && !rst) {
      if (!isOrig && payload == 0 && stateOf(eP) == SYN_SENT) return;
      setState(eS, ack && stateOf(eP) == ESTABLISHED ? ESTABLISHED : PARTIAL);
    }
  } else if (state == SYN_SENT || state == SYN_ACK_SENT) {
    if (fin) setState(eS, CLOSED);
    if (rst) setState(eS, RESET);
  } else if (state == ESTABLISHED || state == PARTIAL) {
    if (syn && !ack && state == PARTIAL && stateOf(eP) == INACTIVE) setState(eS, SYN_SENT);
    if (fin && !rst) {
      setState(eS, CLOSED);
      if (stateOf(eP) == RESET && (seenOf(eP) & SEEN_CLOSED_BEFORE_RESET) != 0) setState(eP, CLOSED);
    }
    if (rst) setState(eS, RESET);
  } else if (state == CLOSED) {
    if (rst && stateOf(eP) != CLOSED) {
      setState(eS, RESET);
      addSeen(eS, SEEN_CLOSED_BEFORE_RESET);
    }
  } // RESET is final
}
