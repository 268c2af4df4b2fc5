// The packets the ladder keeps for the connections it may still draw, by the tracker's slots.
// Under a flood nearly every connection has one packet and is never drawn, so a connection's
// first packet is kept in typed-array columns (about 50 bytes, no object) and only its later
// packets as objects: the JavaScript heap then grows with the packets of the connections that
// have several, not with the connections open at once. At most the first KEEP_HEAD and the last
// KEEP_TAIL packets of a connection are kept (the middle is counted).

import * as L from "../../assembly/layout.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import type { TrackerHooks } from "../connections/tracker-options.js";
import type { LadderPacket, SynOptions } from "./ladder-capture.js";
import type { KeptIds } from "./kept-ids.js";

const KEEP_HEAD = 400;
const KEEP_TAIL = 100;

/** What the ladder does with a connection's packets (by slot). */
export const NOT_WATCHED = 0;
/** Its match is still to be counted, its packets are not kept (it cannot be drawn). */
export const COUNT_ONLY = 1;
export const KEEPING = 2;
/** As COUNT_ONLY, but its packets were let go for memory while it could still have been drawn. */
export const LET_GO = 3;
/**
 * Packet objects kept in all, over every connection that may be drawn: past it, the one pass lets
 * go of the latest-begun connections' packets (ladder-one-pass.ts). ~15 MB: 20 000 connections
 * open at once with 150 packets each took 553 MB from a stream before.
 */
export const KEPT_PACKETS = 100_000;
/** The connections whose packets are never let go: the first this many (or the limit, if fewer). */
export const ALWAYS_KEPT = 20;

interface Later { head: LadderPacket[]; tail: LadderPacket[]; dropped: number }

/**
 * A connection's kept packets; `fromOrig` says whether its side 0 sent the packet. `nanoseconds`:
 * a timestamp of its packets seen while kept is not a whole microsecond (a nanosecond capture's).
 */
export interface KeptRun { packets: LadderPacket[]; omitted: number; omittedAt: number; nanoseconds: boolean }

function grown<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(column: T, n: number): T {
  const next = new (column.constructor as new (n: number) => T)(n);
  next.set(column);
  return next;
}

export class KeptPackets {
  private state = new Uint8Array(1024);
  private count = new Uint32Array(1024); //  packets seen while keeping
  private firstTime = new Float64Array(1024);
  private nanoseconds = new Uint8Array(1024); // 1 once a kept packet's time is not a whole µs
  // The first packet.
  private fromSideA = new Uint8Array(1024);
  private flags = new Uint16Array(1024);
  private seq = new Uint32Array(1024);
  private ack = new Uint32Array(1024);
  private payload = new Uint32Array(1024);
  private window = new Uint16Array(1024);
  private frame = new Float64Array(1024);
  private verdicts = new Uint32Array(1024);
  private options = new Uint16Array(1024);
  private mss = new Uint16Array(1024);
  private windowScale = new Uint8Array(1024);
  private tfoCookieLen = new Uint8Array(1024);
  // The packets after the first, for the connections that have them.
  private readonly later = new Map<number, Later>();
  /** Packet objects in `later`, over all its connections. */
  objects = 0;
  /** Connections whose packets are kept (KEEPING). */
  keeping = 0;

  /** Connections with packets kept as objects (those past their first packet). */
  get withLaterPackets(): number {
    return this.later.size;
  }

  stateOf(slot: number): number {
    return slot < this.state.length ? this.state[slot]! : NOT_WATCHED;
  }

  /** A new connection in `slot` to keep the packets of, or only to count. */
  watch(slot: number, keep: boolean): void {
    if (slot >= this.state.length) this.grow(slot + 1);
    this.forget(slot); // (the slot's last connection was forgotten when it ended: this is for safety)
    this.state[slot] = keep ? KEEPING : COUNT_ONLY;
    if (keep) this.keeping++;
    this.count[slot] = 0;
    this.nanoseconds[slot] = 0;
  }

  /** Stops keeping the packets of the connection in `slot` (it can no longer be drawn). */
  countOnly(slot: number): void {
    this.setState(slot, COUNT_ONLY);
    this.drop(slot);
  }

  /** Lets go of the packets of the connection in `slot` for memory (it could still have been drawn). */
  letGo(slot: number): void {
    this.setState(slot, LET_GO);
    this.drop(slot);
  }

  /**
   * Past `bound` packet objects, lets go of the packets of the latest-begun connections kept
   * (`ids`, the highest first) down to three quarters of it, while more than `keepAtLeast` are
   * kept; returns the slots let go.
   */
  letGoLatest(ids: KeptIds, bound: number, keepAtLeast: number): number[] {
    const slots: number[] = [];
    if (this.objects <= bound) return slots;
    while (this.objects > bound * 0.75 && this.keeping > keepAtLeast) {
      const slot = ids.takeHighest();
      if (slot === null) break;
      this.letGo(slot);
      slots.push(slot);
    }
    return slots;
  }

  /** The connection in `slot` ended: its state is forgotten. */
  forget(slot: number): void {
    if (slot >= this.state.length) return;
    this.setState(slot, NOT_WATCHED);
    this.drop(slot);
  }

  private setState(slot: number, state: number): void {
    if (this.state[slot] === KEEPING) this.keeping--;
    this.state[slot] = state;
  }

  private drop(slot: number): void {
    const later = this.later.get(slot);
    if (!later) return;
    this.objects -= later.head.length + later.tail.length;
    this.later.delete(slot);
  }

  /**
   * The tracker's packet hook: each accepted packet kept while its connection's are, with its
   * frame number (`packetBase()`: the tracker's, the packets of the inputs before this one).
   */
  packetHook(packetBase: () => number): NonNullable<TrackerHooks["packet"]> {
    return (slot, fromSideA, b, i, time, verdicts) => {
      if (this.stateOf(slot) === KEEPING) this.add(slot, fromSideA, b, i, time, b.packetIndex(i) + packetBase() + 1, verdicts);
    };
  }

  /** Packet i of the batch, accepted for the connection in `slot` (which is KEEPING). */
  add(slot: number, fromSideA: boolean, b: PacketBatch, i: number, time: number, frame: number, verdicts: number): void {
    const n = this.count[slot]!;
    this.count[slot] = n + 1;
    if (b.tsNsec(i) % 1000 !== 0) this.nanoseconds[slot] = 1;
    if (n === 0) {
      this.firstTime[slot] = time;
      this.fromSideA[slot] = fromSideA ? 1 : 0;
      this.flags[slot] = b.flags(i);
      this.seq[slot] = b.seq(i);
      this.ack[slot] = b.ack(i);
      this.payload[slot] = b.payloadLen(i);
      this.window[slot] = b.window(i);
      this.frame[slot] = frame;
      this.verdicts[slot] = verdicts;
      this.options[slot] = b.options(i);
      this.mss[slot] = b.u16[(i * L.RECORD_SIZE + L.REC_MSS) >> 1]!;
      this.windowScale[slot] = b.u8[i * L.RECORD_SIZE + L.REC_WSCALE]!;
      this.tfoCookieLen[slot] = b.u8[i * L.RECORD_SIZE + L.REC_TFO_COOKIE_LEN]!;
      return;
    }
    const flags = b.flags(i);
    const p: LadderPacket = {
      time: time - this.firstTime[slot]!, fromOrig: fromSideA, flags, seq: b.seq(i), ack: b.ack(i),
      payload: b.payloadLen(i), window: b.window(i), frame, verdicts,
    };
    if (flags & L.FLAG_SYN) {
      const r = i * L.RECORD_SIZE;
      p.synOptions = synOptions(b.options(i), b.u16[(r + L.REC_MSS) >> 1]!, b.u8[r + L.REC_WSCALE]!, b.u8[r + L.REC_TFO_COOKIE_LEN]!);
    }
    let later = this.later.get(slot);
    if (!later) this.later.set(slot, later = { head: [], tail: [], dropped: 0 });
    if (n < KEEP_HEAD) later.head.push(p);
    else {
      later.tail.push(p);
      if (later.tail.length > KEEP_TAIL) { later.tail.shift(); later.dropped++; this.objects--; }
    }
    this.objects++;
  }

  /** The packets kept for the connection in `slot` (which is KEEPING), fromOrig as side 0 sent them. */
  take(slot: number): KeptRun {
    const later = this.later.get(slot);
    const packets: LadderPacket[] = [];
    const nanoseconds = this.nanoseconds[slot] === 1;
    if (this.count[slot]! > 0) packets.push(this.first(slot));
    if (!later) return { packets, omitted: 0, omittedAt: packets.length, nanoseconds };
    packets.push(...later.head);
    const omittedAt = packets.length;
    packets.push(...later.tail);
    return { packets, omitted: later.dropped, omittedAt, nanoseconds };
  }

  private first(slot: number): LadderPacket {
    const flags = this.flags[slot]!;
    const p: LadderPacket = {
      time: 0, fromOrig: this.fromSideA[slot] === 1, flags, seq: this.seq[slot]!, ack: this.ack[slot]!,
      payload: this.payload[slot]!, window: this.window[slot]!, frame: this.frame[slot]!, verdicts: this.verdicts[slot]!,
    };
    if (flags & L.FLAG_SYN) p.synOptions = synOptions(this.options[slot]!, this.mss[slot]!, this.windowScale[slot]!, this.tfoCookieLen[slot]!);
    return p;
  }

  private grow(atLeast: number): void {
    let n = this.state.length * 2;
    while (n < atLeast) n *= 2;
    this.state = grown(this.state, n);
    this.count = grown(this.count, n);
    this.firstTime = grown(this.firstTime, n);
    this.nanoseconds = grown(this.nanoseconds, n);
    this.fromSideA = grown(this.fromSideA, n);
    this.flags = grown(this.flags, n);
    this.seq = grown(this.seq, n);
    this.ack = grown(this.ack, n);
    this.payload = grown(this.payload, n);
    this.window = grown(this.window, n);
    this.frame = grown(this.frame, n);
    this.verdicts = grown(this.verdicts, n);
    this.options = grown(this.options, n);
    this.mss = grown(this.mss, n);
    this.windowScale = grown(this.windowScale, n);
    this.tfoCookieLen = grown(this.tfoCookieLen, n);
  }
}

/** A SYN's or SYN/ACK's options, as Wireshark's Info column shows them. */
function synOptions(options: number, mss: number, windowScale: number, tfoCookieLen: number): SynOptions {
  return {
    mss: options & L.OPT_MSS ? mss : null,
    windowScale: options & L.OPT_WSCALE ? windowScale : null,
    sackPermitted: (options & L.OPT_SACK_PERMITTED) !== 0,
    timestamps: (options & L.OPT_TIMESTAMPS) !== 0,
    tfoCookieLen: options & L.OPT_TFO ? tfoCookieLen : null,
  };
}
