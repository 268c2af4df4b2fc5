// Named, counted events on a connection: each defined once, with a one-line description. The
// order is that of the ANOMALY_* indices in assembly/connection-layout.ts (both trackers).

import * as C from "../../assembly/connection-layout.js";
import type { ConnectionStore } from "./connection-store.js";

export const ANOMALIES = {
  "syn-with-data": "a SYN or SYN/ACK carried payload (TCP Fast Open or a crafted packet)",
  "syn-retransmit-different-isn": "a SYN was retried with a new initial sequence number",
  "syn-ack-wrong-ack": "a SYN/ACK did not acknowledge the SYN's sequence number + 1",
  "handshake-ack-wrong-ack": "the third handshake packet did not acknowledge the SYN/ACK's sequence number + 1",
  "ack-without-syn-ack": "the originator sent ACKs after its SYN without any SYN/ACK seen",
  "bad-checksum": "a packet with a wrong TCP checksum was dropped (only with checksum verification)",
  "zero-window": "an endpoint advertised a zero receive window",
  "data-after-fin": "an endpoint sent payload after its FIN",
  "fin-retransmit": "a FIN was sent again",
  "mid-stream-start": "the capture starts inside this connection: no handshake, counts cover only what was seen",
  "one-sided": "packets from only one side were seen",
  "snaplen-truncated": "some packets were cut by the snapshot length (sizes come from the IP headers)",
} as const;

export type AnomalyId = keyof typeof ANOMALIES;

const INDEX: Record<AnomalyId, number> = {
  "syn-with-data": C.ANOMALY_SYN_WITH_DATA,
  "syn-retransmit-different-isn": C.ANOMALY_SYN_RETRANSMIT_DIFFERENT_ISN,
  "syn-ack-wrong-ack": C.ANOMALY_SYN_ACK_WRONG_ACK,
  "handshake-ack-wrong-ack": C.ANOMALY_HANDSHAKE_ACK_WRONG_ACK,
  "ack-without-syn-ack": C.ANOMALY_ACK_WITHOUT_SYN_ACK,
  "bad-checksum": C.ANOMALY_BAD_CHECKSUM,
  "zero-window": C.ANOMALY_ZERO_WINDOW,
  "data-after-fin": C.ANOMALY_DATA_AFTER_FIN,
  "fin-retransmit": C.ANOMALY_FIN_RETRANSMIT,
  "mid-stream-start": C.ANOMALY_MID_STREAM_START,
  "one-sided": C.ANOMALY_ONE_SIDED,
  "snaplen-truncated": C.ANOMALY_SNAPLEN_TRUNCATED,
};

/** Anomaly names by index. */
export const ANOMALY_NAMES: readonly AnomalyId[] = (Object.keys(INDEX) as AnomalyId[]).sort((a, b) => INDEX[a] - INDEX[b]);

export function anomalyBit(id: AnomalyId): number {
  return 1 << INDEX[id];
}

export function noteAnomaly(store: ConnectionStore, slot: number, id: AnomalyId): void {
  store.anomalyBits[slot]! |= 1 << INDEX[id];
  let counts = store.anomalyCounts[slot];
  if (!counts) store.anomalyCounts[slot] = counts = new Map();
  counts.set(id, (counts.get(id) ?? 0) + 1);
}
