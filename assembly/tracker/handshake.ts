// Handshake evidence: the SYN/ACK and the third packet validated by sequence numbers, the RTT
// of each leg, the options each side offered: the reference tracker's tracker-handshake.ts.

import * as L from "../layout";
import {
  C_SYN_ACK_TIME, C_HANDSHAKE_ACK_TIME, C_SYN_TIME_ANSWERED, C_SYN_ACK_TIME_ANSWERED, C_SYN_PACKET,
  C_SYN_ACK_PACKET, C_ACK_PACKET, C_ACK_PAYLOAD, E_LAST_SYN_TIME, E_LAST_SYN_SEQ, E_SYNS, E_SYN_ACKS,
  E_SYN_PAYLOAD, E_MSS, E_OPTION_BITS, E_TFO_COOKIE_LEN, E_WINDOW_SCALE, E_ECN_BITS,
  HS_SYN_ACK_ANSWERED, HS_SYN_ACK_MISMATCH, HS_ACK_SEEN, HS_ACK_MISMATCH, HS_RST_BEFORE_ACK,
  ANOMALY_SYN_ACK_WRONG_ACK, ANOMALY_HANDSHAKE_ACK_WRONG_ACK, ANOMALY_ACK_WITHOUT_SYN_ACK,
} from "../connection-layout";
import { endpointAt, hsOf, addHs } from "./connection";
import { noteAnomaly } from "./history";
import { rec, curTime, curAck, curFlags, curPayload, packetIndex } from "./context";

export function noteHandshake(c: usize, side: u32, eS: usize, isOrig: bool): void {
  const t = curTime, flags = curFlags, ackNo = curAck, payload = curPayload, r = rec;
  const syn = (flags & L.FLAG_SYN) != 0, ack = (flags & L.FLAG_ACK) != 0;
  const eO = endpointAt(c, side ^ 1); // the other side
  if (syn && (flags & L.FLAG_RST) == 0) {
    // RTTs are measured from the last transmission before the answer.
    const answered = ack ? (hsOf(c) & HS_ACK_SEEN) != 0 : (hsOf(c) & HS_SYN_ACK_ANSWERED) != 0;
    if (!answered) {
      store<f64>(eS, t, E_LAST_SYN_TIME);
      if (!ack) store<f64>(c, packetIndex(), C_SYN_PACKET);
    }
    const options = <u32>load<u16>(r, L.REC_OPTIONS);
    store<u16>(eS, load<u16>(r, L.REC_MSS), E_MSS);
    store<u8>(eS, (options & L.OPT_WSCALE) != 0 ? load<u8>(r, L.REC_WSCALE) : <u8>0xff, E_WINDOW_SCALE);
    store<u16>(eS, <u16>options, E_OPTION_BITS);
    store<u8>(eS, <u8>((flags >> 6) & 7), E_ECN_BITS);
    store<i16>(eS, (options & L.OPT_TFO) != 0 ? <i16>load<u8>(r, L.REC_TFO_COOKIE_LEN) : <i16>-1, E_TFO_COOKIE_LEN);
    store<u32>(eS, payload, E_SYN_PAYLOAD);
    if (ack && !isOrig && load<u32>(eO, E_SYNS) > 0 && (hsOf(c) & HS_SYN_ACK_ANSWERED) == 0) {
      // The SYN/ACK acknowledges the SYN, and the data on it when the server took it (TFO).
      const synEnd = load<u32>(eO, E_LAST_SYN_SEQ) + 1;
      if (ackNo == synEnd || ackNo == synEnd + load<u32>(eO, E_SYN_PAYLOAD)) {
        addHs(c, HS_SYN_ACK_ANSWERED);
        store<f64>(c, t, C_SYN_ACK_TIME);
        store<f64>(c, packetIndex(), C_SYN_ACK_PACKET);
        store<f64>(c, load<f64>(eO, E_LAST_SYN_TIME), C_SYN_TIME_ANSWERED);
      } else {
        addHs(c, HS_SYN_ACK_MISMATCH);
        noteAnomaly(c, ANOMALY_SYN_ACK_WRONG_ACK);
      }
    }
    return;
  }
  const hs = hsOf(c);
  if (isOrig && (hs & HS_SYN_ACK_ANSWERED) != 0 && (hs & HS_ACK_SEEN) == 0 && (hs & HS_RST_BEFORE_ACK) == 0) {
    if ((flags & L.FLAG_RST) != 0) { addHs(c, HS_RST_BEFORE_ACK); return; }
    if (!ack) return;
    addHs(c, HS_ACK_SEEN);
    store<f64>(c, t, C_HANDSHAKE_ACK_TIME);
    store<f64>(c, packetIndex(), C_ACK_PACKET);
    store<u32>(c, payload, C_ACK_PAYLOAD);
    store<f64>(c, load<f64>(eO, E_LAST_SYN_TIME), C_SYN_ACK_TIME_ANSWERED);
    if (ackNo != load<u32>(eO, E_LAST_SYN_SEQ) + 1) {
      addHs(c, HS_ACK_MISMATCH);
      noteAnomaly(c, ANOMALY_HANDSHAKE_ACK_WRONG_ACK);
    }
  } else if (!isOrig && (hs & HS_SYN_ACK_ANSWERED) != 0 && (hs & HS_ACK_SEEN) == 0 && (flags & L.FLAG_RST) != 0) {
    addHs(c, HS_RST_BEFORE_ACK);
  }
  if (isOrig && ack && (hs & HS_SYN_ACK_ANSWERED) == 0 && load<u32>(eS, E_SYNS) > 0 && load<u32>(eO, E_SYN_ACKS) == 0
    && (flags & L.FLAG_RST) == 0) {
    noteAnomaly(c, ANOMALY_ACK_WITHOUT_SYN_ACK);
  }
}
