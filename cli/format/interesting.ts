// Keeps the connections most worth a look while streaming, in bounded memory: the first failed
// handshakes and the first resets in the order they began (records arrive in the order they
// end), the slowest handshakes, and the connection-health figures (health.ts). Each connection
// is tested on its facts (sdk/report/connection-facts.ts); its record is built only when a list
// takes it.

import type { ConnectionRecord } from "../../sdk/index.js";
import { IdHeap } from "../../sdk/ladder/id-heap.js";
import { ConnectionFacts } from "../../sdk/report/connection-facts.js";
import { ConnectionHealth } from "./health.js";
import { TopList } from "./top-list.js";

const FAILED = new Set(["rejected", "unanswered", "aborted", "invalid"]);
const RESET = new Set(["rst-orig", "rst-resp", "fin-then-rst"]);

/** The first `limit` records by key (connection-id.ts: the order they began) of those added. */
class FirstByKey {
  private readonly heap = new IdHeap<ConnectionRecord>();
  total = 0;

  constructor(private readonly limit: number) {}

  add(c: ConnectionFacts): void {
    this.total++;
    if (this.limit === 0 || (this.heap.size >= this.limit && c.key > this.heap.maxId())) return;
    this.heap.push(c.key, c.record());
    if (this.heap.size > this.limit) this.heap.popMax();
  }

  list(): ConnectionRecord[] {
    return this.heap.entries().sort((a, b) => a[0] - b[0]).map(([, record]) => record);
  }
}

export class InterestingConnections {
  private readonly firstFailed: FirstByKey;
  private readonly firstReset: FirstByKey;
  /** Slowest first; equal times in the order the connections began. */
  private readonly slowestKept: TopList;
  /** Unanswered SYNs still within their attempt timeout when the capture ended (teardown "open"). */
  unansweredAtEnd = 0;
  readonly health: ConnectionHealth;
  private readonly facts = new ConnectionFacts();

  constructor(limit: number) {
    this.firstFailed = new FirstByKey(limit);
    this.firstReset = new FirstByKey(limit);
    this.health = new ConnectionHealth(limit);
    this.slowestKept = new TopList(limit);
  }

  get failed(): ConnectionRecord[] { return this.firstFailed.list(); }
  get failedTotal(): number { return this.firstFailed.total; }
  get reset(): ConnectionRecord[] { return this.firstReset.list(); }
  get resetTotal(): number { return this.firstReset.total; }
  get slowest(): ConnectionRecord[] { return this.slowestKept.list; }
  /** Connections with a measured handshake time. */
  get measured(): number { return this.slowestKept.offered; }

  add(c: ConnectionRecord): void {
    this.addFacts(this.facts.ofRecord(c));
  }

  addFacts(c: ConnectionFacts): void {
    this.health.addFacts(c);
    if (FAILED.has(c.outcome)) this.firstFailed.add(c);
    else if (RESET.has(c.teardown)) this.firstReset.add(c);
    if (c.outcome === "unanswered" && c.teardown === "open") this.unansweredAtEnd++;
    const time = handshakeTimeOf(c.rttSynToSynAckUs, c.rttSynAckToAckUs);
    if (time !== null) this.slowestKept.add(c, time);
  }
}

/**
 * The handshake's round trips (µs): both legs, each from the transmission its answer answered
 * (waits for a retransmission are not in it); none when either was not measured (the ACK not
 * seen, an attempt reset): half a handshake would rank among the fast ones.
 */
export function handshakeTime(c: ConnectionRecord): number | null {
  return handshakeTimeOf(c.handshake.rttSynToSynAckUs, c.handshake.rttSynAckToAckUs);
}

function handshakeTimeOf(synToSynAck: number | null, synAckToAck: number | null): number | null {
  return synToSynAck === null || synAckToAck === null ? null : synToSynAck + synAckToAck;
}
