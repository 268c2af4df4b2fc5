// Keeps the connections most worth a look while streaming, in bounded memory: failed
// handshakes, resets, the slowest handshakes, and the connection-health figures (health.ts).

import type { ConnectionRecord } from "../../sdk/index.js";
import { ConnectionHealth } from "./health.js";

const FAILED = new Set(["rejected", "unanswered", "aborted", "invalid"]);

export class InterestingConnections {
  readonly failed: ConnectionRecord[] = [];
  readonly reset: ConnectionRecord[] = [];
  readonly slowest: ConnectionRecord[] = [];
  failedTotal = 0;
  resetTotal = 0;
  readonly health: ConnectionHealth;

  constructor(private readonly limit: number) {
    this.health = new ConnectionHealth(limit);
  }

  add(c: ConnectionRecord): void {
    this.health.add(c);
    if (FAILED.has(c.handshake.outcome)) {
      this.failedTotal++;
      if (this.failed.length < this.limit) this.failed.push(c);
    } else if (c.teardown.kind === "rst-orig" || c.teardown.kind === "rst-resp" || c.teardown.kind === "fin-then-rst") {
      this.resetTotal++;
      if (this.reset.length < this.limit) this.reset.push(c);
    }
    const rtt = handshakeTime(c);
    if (rtt === null || this.limit === 0) return;
    if (this.slowest.length < this.limit || rtt > handshakeTime(this.slowest[this.slowest.length - 1]!)!) {
      this.slowest.push(c);
      this.slowest.sort((a, b) => handshakeTime(b)! - handshakeTime(a)!);
      if (this.slowest.length > this.limit) this.slowest.pop();
    }
  }
}

export function handshakeTime(c: ConnectionRecord): number | null {
  const h = c.handshake;
  if (h.rttSynToSynAckUs === null) return null;
  return h.rttSynToSynAckUs + (h.rttSynAckToAckUs ?? 0);
}
