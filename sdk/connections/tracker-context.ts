// What every rule of the reference tracker reads: its settings, its storage (connection store,
// flow table, timer queue), the capture clock, and the packet being tracked. The rules live in
// the tracker-*.ts modules as functions of this context, one concern each, in the same split
// as the WebAssembly tracker (assembly/tracker/: context.ts and connection.ts are this file).

import * as L from "../../assembly/layout.js";
import { HISTORY_MAX_LETTERS } from "../../assembly/connection-layout.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import { CLOSED, RESET } from "./endpoint-state.js";
import { ConnectionStore } from "./connection-store.js";
import { FlowTable } from "./flow-table.js";
import { TimerQueue } from "./timer-queue.js";
import { portSet, ZEEK_LIKELY_SERVER_PORTS } from "./likely-server-ports.js";
import { parseCidr, cidrContains, type Cidr } from "./cidr.js";
import { PendingSyns } from "./pending-syns.js";
import { ownedGroups, type OwnedGroups } from "./shard-groups.js";
import { TcpAnalysis } from "./analysis/tcp-analysis.js";
import {
  ZEEK_TIMEOUTS, halfOpenLimit, connectionLimit, limitShare, VIRTUAL_SHARDS, type Timeouts, type TrackerOptions, type EmitConnection,
  type TrackerHooks,
} from "./tracker-options.js";

export const CUR_TIME = 0;
export const CUR_SEQ = 1;
export const CUR_ACK = 2;

export function isClosed(state: number): boolean { return state === CLOSED || state === RESET; }
export function seqLE(a: number, b: number): boolean { return ((a - b) | 0) <= 0; }
export function seqGT(a: number, b: number): boolean { return ((a - b) | 0) > 0; }

export class TrackerContext {
  readonly store = new ConnectionStore();
  readonly table = new FlowTable(this.store);
  readonly timers = new TimerQueue();
  /** Timer entries left behind (their connection ended or moved its deadline): tracker-lifetime.ts. */
  staleTimers = 0;
  /** Wireshark's TCP analysis of every connection, by the store's slots (tracker-analysis.ts). */
  readonly analysis = new TcpAnalysis();
  readonly likely: Uint8Array;
  readonly portTimeout = new Float64Array(65536);
  readonly timeouts: Timeouts;
  readonly verify: boolean;
  /** Connections keyed by tunnel chain and inner endpoints (TrackerOptions.keyByTunnel). */
  readonly keyByTunnel: boolean;
  readonly ignoreChecksums: Cidr[];
  /** The flow groups it tracks (TrackerOptions.shard). */
  readonly owned: OwnedGroups;
  /** Within them, the flows it tracks, by flow hash (TrackerOptions.tracksFlow); null: all. */
  readonly tracksFlow: ((flowHash: number) => boolean) | null;
  /**
   * The latest time of other shards' packets since its last timer check: the timers due by
   * then fire before its next own packet or at the batch's clock step, in the same order as at
   * each of those packets (the WebAssembly tracker's deferredDue, track.ts).
   */
  deferredDue = -Infinity;
  // One-packet connections (a lone SYN, ACK, RST, ... so far), held small and oldest first, as
  // the WebAssembly tracker holds them (tracker-half-open.ts): both end the same ones past maxHalfOpen.
  readonly pending = new PendingSyns();
  /** maxHalfOpen's share per virtual shard (tracker-options.ts). */
  readonly halfOpenShare: number;
  // The bound on connection records (tracker-eviction.ts): its share per virtual shard, the
  // records of each, and each one's two heaps of candidates by last packet (made once the bound
  // has been exceeded), their entries in all, and those of ended connections.
  readonly connectionShare: number;
  readonly recordsByShard = new Int32Array(VIRTUAL_SHARDS);
  evicting = false;
  readonly evictFirst: TimerQueue[] = [];
  readonly evictLater: TimerQueue[] = [];
  evictQueued = 0;
  evictStale = 0;
  /** The input has ended: connections are being ended in id order. */
  inputEnded = false;
  private baseSec = NaN;
  /** Added to packet indices: the packets of earlier files when several are read as one. */
  packetBase = 0;
  now = 0;
  /**
   * Timeline quality: the largest silence between packets, in whole nanoseconds from the records'
   * integer seconds and nanoseconds (a difference of float seconds would carry binary noise into
   * the report: 4.8660369999999995), and steps backwards in time.
   */
  maxGapNs = 0;
  backwardsSteps = 0;
  private lastPacketTime = NaN;
  private lastSecs = NaN;
  private lastNsec = 0;
  /** The largest gap in seconds: the nearest double to the exact decimal. */
  get maxGapSec(): number { return this.maxGapNs / 1e9; }
  // The packet being processed, in fields rather than arguments: a number passed to a function
  // that is not inlined, or kept in an ordinary field, may be boxed — sequence numbers above
  // 2^31 and times are — which would allocate on every packet. Doubles live in a typed array.
  readonly cur = new Float64Array(3); // CUR_TIME, CUR_SEQ, CUR_ACK
  flags = 0;
  payload = 0;
  /** The TCP analysis verdicts (V_* bits) of the latest accepted packet. */
  verdicts = 0;

  constructor(options: TrackerOptions, readonly emit: EmitConnection, readonly hooks: TrackerHooks = {}) {
    this.likely = portSet(options.likelyServerPorts ?? ZEEK_LIKELY_SERVER_PORTS);
    this.timeouts = { ...ZEEK_TIMEOUTS, ...options.timeouts };
    for (const [port, seconds] of Object.entries(this.timeouts.portInactivity)) this.portTimeout[Number(port)] = seconds;
    this.verify = options.verifyChecksums ?? false;
    this.keyByTunnel = options.keyByTunnel ?? false;
    this.ignoreChecksums = (options.ignoreChecksumsNets ?? []).map(parseCidr);
    this.owned = ownedGroups(options.shard);
    this.tracksFlow = options.tracksFlow ?? null;
    this.halfOpenShare = limitShare(halfOpenLimit(options));
    this.connectionShare = limitShare(connectionLimit(options));
  }

  /** The capture clock's origin (the seconds of its first record), when the run sees only part of it. */
  setClockBase(secs: number): void { this.baseSec = secs; }

  /** The capture clock takes packet i's time: the current time, "now", the timeline figures. */
  stepClock(b: PacketBatch, i: number): void {
    const secs = b.f64[i * 16 + L.REC_TS_SEC / 8]!;
    if (this.baseSec !== this.baseSec) this.baseSec = secs;
    const nsec = b.u32[i * 32 + L.REC_TS_NSEC / 4]!;
    const t = secs - this.baseSec + nsec * 1e-9;
    if (t > this.now) this.now = t;
    if (t < this.lastPacketTime) this.backwardsSteps++;
    else {
      // Exact while the gap is under 2^53 ns (104 days); NaN (no gap) at the first record.
      const gapNs = (secs - this.lastSecs) * 1e9 + (nsec - this.lastNsec);
      if (gapNs > this.maxGapNs) this.maxGapNs = gapNs;
    }
    this.lastPacketTime = t;
    this.lastSecs = secs;
    this.lastNsec = nsec;
    this.cur[CUR_TIME] = t;
  }

  /** A packet time on the capture clock (seconds since the first record), without moving the clock. */
  captureTime(sec: number, nsec: number): number {
    return sec - this.baseSec + nsec * 1e-9;
  }

  /**
   * The capture clock takes a time read from a packet that is not a record (any packet, TCP or
   * not, as Zeek's clock does); false before the first record, when no timer can be due.
   */
  clockTo(sec: number, nsec: number): boolean {
    if (!(sec >= 0) || this.baseSec !== this.baseSec) return false;
    const t = sec - this.baseSec + nsec * 1e-9;
    if (t > this.now) this.now = t;
    this.cur[CUR_TIME] = t;
    return true;
  }

  /** Replays pending connection `p` into a full connection; returns its slot (ConnectionTracker does it). */
  promotePending(_p: number): number {
    throw new Error("promotePending: not a tracker");
  }

  /** Packet i's index in the whole input (0-based): its frame's, the whole part of its key. */
  packetIndex(b: PacketBatch, i: number): number {
    return Math.floor(b.f64[i * 16 + L.REC_PACKET_INDEX / 8]!) + this.packetBase;
  }

  /** The same with its subframe fraction (layout.ts, SUBFRAME_STEPS): what a connection's key (store.id) is made of. */
  packetKey(b: PacketBatch, i: number): number {
    return b.f64[i * 16 + L.REC_PACKET_INDEX / 8]! + this.packetBase;
  }

  checksumsIgnored(b: PacketBatch, i: number): boolean {
    if (this.ignoreChecksums.length === 0) return false;
    const v = b.u8[i * L.RECORD_SIZE + L.REC_IP_VERSION]!, src = (i * L.RECORD_SIZE + L.REC_SRC_ADDR) >> 2, dst = (i * L.RECORD_SIZE + L.REC_DST_ADDR) >> 2;
    return this.ignoreChecksums.some((c) => cidrContains(c, v, b.u32, src) || cidrContains(c, v, b.u32, dst));
  }

  /** Appends `letter` (the originator's case, lower for the responder) when `count` reaches 1, 10, 100, ... */
  logLetter(slot: number, sender: number, count: number, letter: string): void {
    let n = count;
    while (n % 10 === 0) n /= 10;
    if (n !== 1) return;
    this.appendFrom(slot, sender === slot * 2 + this.store.flipped[slot]!, letter);
  }

  /** Appends `letter` as the originator (upper case) or the responder (lower case) sent it (assembly/tracker/history.ts appendFrom()). */
  appendFrom(slot: number, isOrig: boolean, letter: string): void {
    this.appendLetter(slot, isOrig ? letter : letter.toLowerCase());
  }

  /**
   * Appends one letter to the history, unless it holds HISTORY_MAX_LETTERS already: the
   * WebAssembly tracker's record keeps its length in a u16 and drops the letters past it
   * (assembly/tracker/history.ts appendLetter()).
   */
  appendLetter(slot: number, letter: string): void {
    const s = this.store;
    if (s.history[slot]!.length < HISTORY_MAX_LETTERS) s.history[slot] += letter;
  }
}
