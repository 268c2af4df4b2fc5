// Handshake evidence: the SYN/ACK and the third packet validated by sequence numbers, the RTT
// of each leg, the options each side offered.

import * as L from "../../assembly/layout.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import {
  HS_SYN_ACK_ANSWERED, HS_SYN_ACK_MISMATCH, HS_ACK_SEEN, HS_ACK_MISMATCH, HS_RST_BEFORE_ACK,
} from "./connection-store.js";
import { noteAnomaly } from "./anomalies.js";
import { CUR_ACK, CUR_TIME, type TrackerContext } from "./tracker-context.js";

export function noteHandshake(k: TrackerContext, b: PacketBatch, i: number, slot: number, sender: number, isOrig: boolean): void {
  const s = k.store;
  const t = k.cur[CUR_TIME]!, flags = k.flags, ackNo = k.cur[CUR_ACK]!, payload = k.payload;
  const syn = flags & L.FLAG_SYN, ack = flags & L.FLAG_ACK;
  if (syn && !(flags & L.FLAG_RST)) {
    // RTTs are measured from the last transmission before the answer.
    const answered = ack ? s.handshakeFlags[slot]! & HS_ACK_SEEN : s.handshakeFlags[slot]! & HS_SYN_ACK_ANSWERED;
    if (!answered) {
      s.lastSynTime[sender] = t;
      if (!ack) s.synPacket[slot] = k.packetIndex(b, i);
    }
    const r = i * L.RECORD_SIZE;
    s.mss[sender] = b.u16[(r + L.REC_MSS) >> 1]!;
    s.windowScale[sender] = b.u16[i * 64 + L.REC_OPTIONS / 2]! & L.OPT_WSCALE ? b.u8[r + L.REC_WSCALE]! : 0xff;
    s.optionBits[sender] = b.u16[i * 64 + L.REC_OPTIONS / 2]!;
    s.ecnBits[sender] = (flags >> 6) & 7;
    s.tfoCookieLen[sender] = b.u16[i * 64 + L.REC_OPTIONS / 2]! & L.OPT_TFO ? b.u8[r + L.REC_TFO_COOKIE_LEN]! : -1;
    s.synPayload[sender] = payload;
    if (ack && !isOrig && s.syns[sender ^ 1]! > 0 && !(s.handshakeFlags[slot]! & HS_SYN_ACK_ANSWERED)) {
      const o = sender ^ 1;
      // The SYN/ACK acknowledges the SYN, and the data on it when the server took it (TFO).
      const synEnd = (s.lastSynSeq[o]! + 1) >>> 0;
      if (ackNo === synEnd || ackNo === ((synEnd + s.synPayload[o]!) >>> 0)) {
        s.handshakeFlags[slot]! |= HS_SYN_ACK_ANSWERED;
        s.synAckTime[slot] = t;
        s.synAckPacket[slot] = k.packetIndex(b, i);
        s.synTimeAnswered[slot] = s.lastSynTime[o]!;
      } else {
        s.handshakeFlags[slot]! |= HS_SYN_ACK_MISMATCH;
        noteAnomaly(s, slot, "syn-ack-wrong-ack");
      }
    }
    return;
  }
  const hs = s.handshakeFlags[slot]!;
  if (isOrig && hs & HS_SYN_ACK_ANSWERED && !(hs & HS_ACK_SEEN) && !(hs & HS_RST_BEFORE_ACK)) {
    if (flags & L.FLAG_RST) { s.handshakeFlags[slot]! |= HS_RST_BEFORE_ACK; return; }
    if (!ack) return;
    s.handshakeFlags[slot]! |= HS_ACK_SEEN;
    s.handshakeAckTime[slot] = t;
    s.ackPacket[slot] = k.packetIndex(b, i);
    s.ackPayload[slot] = payload;
    s.synAckTimeAnswered[slot] = s.lastSynTime[sender ^ 1]!;
    if (ackNo !== ((s.lastSynSeq[sender ^ 1]! + 1) >>> 0)) {
      s.handshakeFlags[slot]! |= HS_ACK_MISMATCH;
      noteAnomaly(s, slot, "handshake-ack-wrong-ack");
    }
  } else if (!isOrig && hs & HS_SYN_ACK_ANSWERED && !(hs & HS_ACK_SEEN) && flags & L.FLAG_RST) {
    s.handshakeFlags[slot]! |= HS_RST_BEFORE_ACK;
  }
  if (isOrig && ack && !(hs & HS_SYN_ACK_ANSWERED) && s.syns[sender]! > 0 && s.synAcks[sender ^ 1] === 0 && !(flags & L.FLAG_RST)) {
    noteAnomaly(s, slot, "ack-without-syn-ack");
  }
}
