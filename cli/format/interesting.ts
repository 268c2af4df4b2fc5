// Keeps the connections most worth a look while streaming, in bounded memory: the first failed
// handshakes and the first resets in the order they began (records arrive in the order they
// end), the slowest handshakes, and the connection-health figures (health.ts).

import type { ConnectionRecord } from "../../sdk/index.js";
import { IdHeap } from "../../sdk/ladder/id-heap.js";
import { ConnectionHealth } from "./health.js";

const FAILED = new Set(["rejected", "unanswered", "aborted", "invalid"]);
const RESET = new Set(["rst-orig", "rst-resp", "fin-then-rst"]);

/** The first `limit` records by id of those added. */
class FirstById {
  private readonly heap = new IdHeap<ConnectionRecord>();
  total = 0;

  constructor(private readonly limit: number) {}

  add(c: ConnectionRecord): void {
    this.total++;
    if (this.limit === 0 || (this.heap.size >= this.limit && c.id > this.heap.maxId())) return;
    this.heap.push(c.id, c);
    if (this.heap.size > this.limit) this.heap.popMax();
  }

  list(): ConnectionRecord[] {
    return this.heap.values().sort((a, b) => a.id - b.id);
  }
}

export class InterestingConnections {
  private readonly firstFailed: FirstById;
  private readonly firstReset: FirstById;
  readonly slowest: ConnectionRecord[] = [];
  /** Connections with a measured handshake time. */
  measured = 0;
  /** Unanswered SYNs still within their attempt timeout when the capture ended (teardown "open"). */
  unansweredAtEnd = 0;
  readonly health: ConnectionHealth;

  constructor(private readonly limit: number) {
    this.firstFailed = new FirstById(limit);
    this.firstReset = new FirstById(limit);
    this.health = new ConnectionHealth(limit);
  }

  get failed(): ConnectionRecord[] { return this.firstFailed.list(); }
  get failedTotal(): number { return this.firstFailed.total; }
  get reset(): ConnectionRecord[] { return this.firstReset.list(); }
  get resetTotal(): number { return this.firstReset.total; }

  add(c: ConnectionRecord): void {
    this.health.add(c);
    if (FAILED.has(c.handshake.outcome)) this.firstFailed.add(c);
    else if (RESET.has(c.teardown.kind)) this.firstReset.add(c);
    if (c.handshake.outcome === "unanswered" && c.teardown.kind === "open") this.unansweredAtEnd++;
    const rtt = handshakeTime(c);
    if (rtt === null) return;
    this.measured++;
    if (this.limit === 0) return;
    if (this.slowest.length < this.limit || rtt > handshakeTime(this.slowest[this.slowest.length - 1]!)!) {
      this.slowest.push(c);
      // Slowest first; equal times in the order the connections began.
      this.slowest.sort((a, b) => handshakeTime(b)! - handshakeTime(a)! || a.id - b.id);
      if (this.slowest.length > this.limit) this.slowest.pop();
    }
  }
}

/** SYN to the third packet (µs): both RTT legs, or the first alone when the ACK was not seen. */
export function handshakeTime(c: ConnectionRecord): number | null {
  const h = c.handshake;
  if (h.rttSynToSynAckUs === null) return null;
  return h.rttSynToSynAckUs + (h.rttSynAckToAckUs ?? 0);
}
