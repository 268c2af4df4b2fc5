// Named, counted events on a connection: each defined once, with a one-line description.

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

const BIT: Record<string, number> = Object.fromEntries(Object.keys(ANOMALIES).map((id, k) => [id, 1 << k]));

export function anomalyBit(id: AnomalyId): number {
  return BIT[id]!;
}

export function noteAnomaly(store: ConnectionStore, slot: number, id: AnomalyId): void {
  store.anomalyBits[slot]! |= BIT[id]!;
  let counts = store.anomalyCounts[slot];
  if (!counts) store.anomalyCounts[slot] = counts = new Map();
  counts.set(id, (counts.get(id) ?? 0) + 1);
}
