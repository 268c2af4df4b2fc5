// Struct-of-arrays storage for open connections: one typed-array column per field, indexed by
// connection slot (the per-connection fields, here) or by endpoint (slot * 2 + side, the
// per-endpoint fields: endpoint-columns.ts). Side 0 is the endpoint that sent the
// connection's first packet; which side is the originator is a per-connection bit, so a Zeek
// "flip" swaps roles without moving state.
// Slots are recycled through a free list; columns double when full. No object is allocated
// per packet; the history string and rare anomaly counts are the only per-connection objects
// (and a tunnelled connection's chain, and the TCP analysis results, set once when it ends by
// the TypeScript tracker; an unpacked connection's are kept as bytes, objects made on asking).

import { unpackAnalysis, type ConnectionAnalysis } from "./analysis/analysis-result.js";
import { ANALYSIS_SIZE } from "../../assembly/analysis-layout.js";
import type { TunnelLevel } from "../decoder/tunnels.js";
import { TUNNEL_MAX_PARENTS } from "../../assembly/connection-layout.js";
import { doubled, EndpointColumns } from "./endpoint-columns.js";
import { ANOMALY_NAMES } from "./anomalies.js";

/** anomalyRaw's words a slot: the anomaly order (two) and a count for each anomaly. */
export const ANOMALY_RAW_WORDS = 2 + ANOMALY_NAMES.length;
export const KEY_WORDS = 10; // address A (4), address B (4), ports (A << 16 | B), IP version

export class ConnectionStore extends EndpointColumns {
  capacity: number;
  private freeList: number[] = [];
  private used = 0;
  live = 0;

  // Per connection.
  inUse: Uint8Array;
  key: Int32Array; //          KEY_WORDS int32 words per slot (see KEY_WORDS)
  flowHash: Uint32Array;
  generation: Uint32Array;
  flipped: Uint8Array; //       1 when the originator is side 1
  id: Float64Array; //          its key: the first packet's frame number (1-based) and subframe fraction (connection-id.ts)
  firstSec: Float64Array; //    exact first timestamp (epoch seconds + nanoseconds)
  firstNsec: Uint32Array;
  firstTime: Float64Array; //   relative seconds (capture clock) of the first packet
  lastTime: Float64Array; //    of the last accepted packet
  durationEnd: Float64Array; // last packet time while not both sides closed
  firstPacket: Float64Array;
  lastPacket: Float64Array;
  vlan: Uint16Array;
  innerVlan: Uint16Array;
  attemptDeadline: Float64Array; // 0: none
  closeDeadline: Float64Array; //   0: none
  inactivityTimeout: Float64Array;
  queuedDeadline: Float64Array; //  the earliest deadline already in the timer queue
  synAckTime: Float64Array; //      handshake: first answered SYN/ACK, third packet
  handshakeAckTime: Float64Array; //   -1 when not seen
  synTimeAnswered: Float64Array; // time of the SYN transmission the SYN/ACK answered
  synAckTimeAnswered: Float64Array;
  handshakeFlags: Uint16Array; //   HS_* bits
  synPacket: Float64Array; //       packet index of the answered SYN, the SYN/ACK and the third packet
  synAckPacket: Float64Array;
  ackPacket: Float64Array;
  ackPayload: Uint32Array;
  expectedSynSeq: Uint32Array; //   SYN/ACK from the originator: the ack - 1 its SYN would have had
  firstFinSide: Uint8Array; //      0: no FIN yet, 1: side 0 closed first, 2: side 1
  closeFlags: Uint8Array; //        CLOSE_* bits
  firstFinEnd: Uint32Array; //      sequence number after the first FIN
  firstRstSide: Uint8Array; //      0: no RST yet, 1: side 0, 2: side 1
  firstCloseSide: Uint8Array; //    side of the first FIN or RST, as above
  removedBy: Uint8Array; //         REMOVED_* why the connection ended
  removedAt: Float64Array; //        capture-clock time it ended (Infinity: end of input)
  anomalyBits: Uint32Array;
  // The SYN/ACKs that answered the SYN, by ISN (connection-layout.ts, line 9): the first
  // (synAckTime, synAckPacket, synTimeAnswered and these two) and the latest with another ISN.
  synAckIsn: Uint32Array;
  synAckLastTime: Float64Array;
  synAckSent: Uint32Array; //      what the responder sent under that ISN: the sequence number after it
  synAck2Isn: Uint32Array;
  synAck2Sent: Uint32Array;
  synAck2Time: Float64Array;
  synAck2LastTime: Float64Array;
  synAck2Packet: Float64Array;
  synAck2SynTime: Float64Array;
  // What carried the connection (connection-layout.ts, the tunnel block; tracker-tunnel.ts).
  tunnelKey: Int32Array; //         chain identity in the key (keyByTunnel), else 0
  tunnelFirst: Uint32Array; //      chain identity of the first packet (0: not tunnelled)
  tunnelCurrent: Uint32Array; //    of the latest packet
  tunnelTypes: Uint16Array; //      the first packet's REC_TUNNEL_TYPES and depth
  tunnelDepth: Uint8Array;
  tunnelChanges: Uint8Array;
  tunnelFlags: Uint8Array; //       TUNNEL_X_LOGGED
  tunnelParentCount: Uint8Array;
  tunnelParents: Uint32Array; //    TUNNEL_MAX_PARENTS per slot: distinct chains, in order seen
  history: string[] = [];
  /**
   * Counts by anomaly name, in the order they first appeared: the TypeScript tracker's (noteAnomaly).
   * An unpacked connection's are in anomalyRaw instead (read them through anomalyCountsAt and
   * anomalyCountOf, which take either).
   */
  anomalyCounts: (Map<string, number> | undefined)[] = [];
  /**
   * ANOMALY_RAW_WORDS a slot: the WebAssembly record's anomaly order (C_ANOMALY_ORDER, two words,
   * 0 for none) and its count for each anomaly index, as unpacked. A Map a connection here was an
   * eighth of what the summary allocated on the short-connection mix (docs/benchmarks.md, round 36).
   */
  anomalyRaw: Uint32Array;
  /** The first packet's tunnel chain in full, when it was tunnelled and its tunnel record was given. */
  tunnelChain: (TunnelLevel[] | undefined)[] = [];
  /** Out-of-order blocks, when a stream has any: per side EXT_BLOCKS (start, end) pairs. */
  blocks: (Uint32Array | undefined)[] = [];
  /**
   * The TCP analysis results, by side index: set when the connection ends (by the TypeScript
   * tracker), or made from the raw block on first asking (analysisAt).
   */
  analysis: (ConnectionAnalysis | undefined)[] = [];
  /**
   * The WebAssembly engine's results block of each unpacked connection (ANALYSIS_SIZE bytes a
   * slot, where `hasRawAnalysis` is set), kept as bytes: their objects (four a connection) were
   * a fifth of what the text summary allocated, which reads a few numbers of them
   * (rawSideFigures) and builds a record for a few connections only (docs/benchmarks.md, round 30).
   */
  private analysisRaw = new Uint8Array(0);
  private analysisView = new DataView(this.analysisRaw.buffer);
  private analysisWords = new Uint32Array(this.analysisRaw.buffer);
  // The view setRawAnalysis last copied from, and its memory as 32-bit words.
  private analysisSourceView: DataView | null = null;
  private analysisSourceWords: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private hasRawAnalysis: Uint8Array;

  constructor(capacity = 1024) {
    super(capacity);
    this.capacity = capacity;
    const c = capacity;
    this.inUse = new Uint8Array(c);
    this.hasRawAnalysis = new Uint8Array(c);
    this.key = new Int32Array(c * KEY_WORDS);
    this.flowHash = new Uint32Array(c);
    this.generation = new Uint32Array(c);
    this.flipped = new Uint8Array(c);
    this.id = new Float64Array(c);
    this.firstSec = new Float64Array(c);
    this.firstNsec = new Uint32Array(c);
    this.firstTime = new Float64Array(c);
    this.lastTime = new Float64Array(c);
    this.durationEnd = new Float64Array(c);
    this.firstPacket = new Float64Array(c);
    this.lastPacket = new Float64Array(c);
    this.vlan = new Uint16Array(c);
    this.innerVlan = new Uint16Array(c);
    this.attemptDeadline = new Float64Array(c);
    this.closeDeadline = new Float64Array(c);
    this.inactivityTimeout = new Float64Array(c);
    this.queuedDeadline = new Float64Array(c);
    this.synAckTime = new Float64Array(c);
    this.handshakeAckTime = new Float64Array(c);
    this.synTimeAnswered = new Float64Array(c);
    this.synAckTimeAnswered = new Float64Array(c);
    this.handshakeFlags = new Uint16Array(c);
    this.synPacket = new Float64Array(c);
    this.synAckPacket = new Float64Array(c);
    this.ackPacket = new Float64Array(c);
    this.ackPayload = new Uint32Array(c);
    this.anomalyBits = new Uint32Array(c);
    this.expectedSynSeq = new Uint32Array(c);
    this.firstFinSide = new Uint8Array(c);
    this.closeFlags = new Uint8Array(c);
    this.firstFinEnd = new Uint32Array(c);
    this.firstRstSide = new Uint8Array(c);
    this.firstCloseSide = new Uint8Array(c);
    this.removedBy = new Uint8Array(c);
    this.removedAt = new Float64Array(c);
    this.synAckIsn = new Uint32Array(c);
    this.synAckLastTime = new Float64Array(c);
    this.synAckSent = new Uint32Array(c);
    this.synAck2Isn = new Uint32Array(c);
    this.synAck2Sent = new Uint32Array(c);
    this.synAck2Time = new Float64Array(c);
    this.synAck2LastTime = new Float64Array(c);
    this.synAck2Packet = new Float64Array(c);
    this.synAck2SynTime = new Float64Array(c);
    this.tunnelKey = new Int32Array(c);
    this.tunnelFirst = new Uint32Array(c);
    this.tunnelCurrent = new Uint32Array(c);
    this.tunnelTypes = new Uint16Array(c);
    this.tunnelDepth = new Uint8Array(c);
    this.tunnelChanges = new Uint8Array(c);
    this.tunnelFlags = new Uint8Array(c);
    this.tunnelParentCount = new Uint8Array(c);
    this.tunnelParents = new Uint32Array(c * TUNNEL_MAX_PARENTS);
    this.anomalyRaw = new Uint32Array(c * ANOMALY_RAW_WORDS);
  }

  /** A cleared slot for a new connection. */
  allocate(): number {
    let slot = this.freeList.pop();
    if (slot === undefined) {
      if (this.used === this.capacity) this.grow();
      slot = this.used++;
    }
    this.clear(slot);
    this.inUse[slot] = 1;
    this.live++;
    return slot;
  }

  release(slot: number): void {
    this.inUse[slot] = 0;
    this.generation[slot]!++;
    this.history[slot] = "";
    this.anomalyCounts[slot] = undefined;
    this.anomalyRaw[slot * ANOMALY_RAW_WORDS] = 0;
    this.anomalyRaw[slot * ANOMALY_RAW_WORDS + 1] = 0;
    this.tunnelChain[slot] = undefined;
    this.blocks[slot] = undefined;
    this.analysis[slot] = undefined;
    this.hasRawAnalysis[slot] = 0;
    this.freeList.push(slot);
    this.live--;
  }

  private clear(slot: number): void {
    // Every numeric column back to 0 for this slot (the generation survives reuse). One store
    // per column, written out: a loop over the columns would make each store megamorphic.
    this.inUse[slot] = 0;
    this.key.fill(0, slot * KEY_WORDS, slot * KEY_WORDS + KEY_WORDS);
    this.flowHash[slot] = 0;
    this.flipped[slot] = 0;
    this.id[slot] = 0;
    this.firstSec[slot] = 0;
    this.firstNsec[slot] = 0;
    this.firstTime[slot] = 0;
    this.lastTime[slot] = 0;
    this.durationEnd[slot] = 0;
    this.firstPacket[slot] = 0;
    this.lastPacket[slot] = 0;
    this.vlan[slot] = 0;
    this.innerVlan[slot] = 0;
    this.attemptDeadline[slot] = 0;
    this.closeDeadline[slot] = 0;
    this.inactivityTimeout[slot] = 0;
    this.queuedDeadline[slot] = 0;
    this.synAckTime[slot] = 0;
    this.handshakeAckTime[slot] = 0;
    this.synTimeAnswered[slot] = 0;
    this.synAckTimeAnswered[slot] = 0;
    this.handshakeFlags[slot] = 0;
    this.synPacket[slot] = 0;
    this.synAckPacket[slot] = 0;
    this.ackPacket[slot] = 0;
    this.ackPayload[slot] = 0;
    this.anomalyBits[slot] = 0;
    this.expectedSynSeq[slot] = 0;
    this.firstFinSide[slot] = 0;
    this.closeFlags[slot] = 0;
    this.firstFinEnd[slot] = 0;
    this.firstRstSide[slot] = 0;
    this.firstCloseSide[slot] = 0;
    this.removedBy[slot] = 0;
    this.removedAt[slot] = 0;
    this.synAckIsn[slot] = 0; this.synAckLastTime[slot] = 0; this.synAckSent[slot] = 0;
    this.synAck2Isn[slot] = 0; this.synAck2Sent[slot] = 0; this.synAck2Time[slot] = 0;
    this.synAck2LastTime[slot] = 0; this.synAck2Packet[slot] = 0; this.synAck2SynTime[slot] = 0;
    this.tunnelKey[slot] = 0; this.tunnelFirst[slot] = 0; this.tunnelCurrent[slot] = 0;
    this.tunnelTypes[slot] = 0; this.tunnelDepth[slot] = 0; this.tunnelChanges[slot] = 0;
    this.tunnelFlags[slot] = 0; this.tunnelParentCount[slot] = 0;
    this.tunnelParents.fill(0, slot * TUNNEL_MAX_PARENTS, slot * TUNNEL_MAX_PARENTS + TUNNEL_MAX_PARENTS);
    this.anomalyRaw.fill(0, slot * ANOMALY_RAW_WORDS, slot * ANOMALY_RAW_WORDS + ANOMALY_RAW_WORDS);
    this.handshakeAckTime[slot] = -1;
    this.clearEndpoints(slot);
    this.history[slot] = "";
    this.anomalyCounts[slot] = undefined;
    this.tunnelChain[slot] = undefined;
    this.blocks[slot] = undefined;
    this.analysis[slot] = undefined;
    this.hasRawAnalysis[slot] = 0;
  }

  /** Keeps the results block at byte `at` of `view` as slot `slot`'s (its objects made on asking). */
  setRawAnalysis(slot: number, view: DataView, at: number): void {
    if (this.analysisRaw.length < this.capacity * ANALYSIS_SIZE) {
      const grown = new Uint8Array(this.capacity * ANALYSIS_SIZE);
      grown.set(this.analysisRaw);
      this.analysisRaw = grown;
      this.analysisView = new DataView(grown.buffer);
      this.analysisWords = new Uint32Array(grown.buffer);
    }
    // Copied word by word: a subarray to copy from was an object per connection (12 MB on
    // short96). Through 32-bit arrays (the source's made once per view it is given, as the
    // blocks are 4-byte aligned) rather than DataView calls: ~4x faster, ~0.2 s of the summary's
    // main thread on the 2 GB short-connection capture (docs/benchmarks.md, round 36).
    const from = view.byteOffset + at, to = slot * ANALYSIS_SIZE;
    if ((from & 3) === 0) {
      // (Made again for another view, or when the view's buffer has grown past the words made.)
      if (view !== this.analysisSourceView || (from + ANALYSIS_SIZE) >>> 2 > this.analysisSourceWords.length) {
        this.analysisSourceView = view;
        this.analysisSourceWords = new Uint32Array(view.buffer, 0, view.buffer.byteLength >>> 2);
      }
      const src = this.analysisSourceWords, dst = this.analysisWords;
      for (let i = from >>> 2, o = to >>> 2, end = o + (ANALYSIS_SIZE >>> 2); o < end; i++, o++) dst[o] = src[i]!;
    } else {
      const out = this.analysisView;
      for (let i = 0; i < ANALYSIS_SIZE; i += 4) out.setUint32(to + i, view.getUint32(at + i, true), true);
    }
    this.hasRawAnalysis[slot] = 1;
    this.analysis[slot] = undefined;
  }

  /** Slot `slot`'s analysis results (undefined: none), made from its raw block once asked for. */
  analysisAt(slot: number): ConnectionAnalysis | undefined {
    const made = this.analysis[slot];
    if (made || this.hasRawAnalysis[slot] === 0) return made;
    return this.analysis[slot] = unpackAnalysis(this.analysisRaw, slot * ANALYSIS_SIZE, this.analysisView);
  }

  /** Slot `slot`'s raw block's offset in rawAnalysisView, or -1 when it has none (the TypeScript tracker's). */
  rawAnalysisAt(slot: number): number {
    return this.hasRawAnalysis[slot] === 0 ? -1 : slot * ANALYSIS_SIZE;
  }

  get rawAnalysisView(): DataView {
    return this.analysisView;
  }

  /** Slot `slot`'s counts by anomaly name in first-seen order (undefined: none), made from anomalyRaw when unpacked. */
  anomalyCountsAt(slot: number): Map<string, number> | undefined {
    const counts = this.anomalyCounts[slot];
    if (counts) return counts;
    const raw = this.anomalyRaw, at = slot * ANOMALY_RAW_WORDS;
    let low = raw[at]!, high = raw[at + 1]!;
    if (low === 0 && high === 0) return undefined;
    const made = new Map<string, number>();
    // The order is a u64 of 4-bit fields (index + 1), first seen lowest.
    while (low !== 0 || high !== 0) {
      const index = (low & 15) - 1;
      made.set(ANOMALY_NAMES[index]!, raw[at + 2 + index]!);
      low = (low >>> 4) | ((high & 15) << 28);
      high >>>= 4;
    }
    return made;
  }

  /** Slot `slot`'s count of the anomaly at `index` (ANOMALY_NAMES), 0 when it has none. */
  anomalyCountOf(slot: number, index: number): number {
    const counts = this.anomalyCounts[slot];
    if (counts) return counts.get(ANOMALY_NAMES[index]!) ?? 0;
    const at = slot * ANOMALY_RAW_WORDS;
    return this.anomalyRaw[at] === 0 && this.anomalyRaw[at + 1] === 0 ? 0 : this.anomalyRaw[at + 2 + index]!;
  }

  // Doubles every column, keeping each column's width (1, 2, KEY_WORDS, TUNNEL_MAX_PARENTS or ANOMALY_RAW_WORDS entries per slot).
  // Written out column by column: assigning properties by computed name would turn this
  // object into a slow dictionary-mode object, and every access on the hot path with it.
  private grow(): void {
    this.inUse = doubled(this.inUse);
    this.hasRawAnalysis = doubled(this.hasRawAnalysis);
    this.key = doubled(this.key);
    this.flowHash = doubled(this.flowHash);
    this.generation = doubled(this.generation);
    this.flipped = doubled(this.flipped);
    this.id = doubled(this.id);
    this.firstSec = doubled(this.firstSec);
    this.firstNsec = doubled(this.firstNsec);
    this.firstTime = doubled(this.firstTime);
    this.lastTime = doubled(this.lastTime);
    this.durationEnd = doubled(this.durationEnd);
    this.firstPacket = doubled(this.firstPacket);
    this.lastPacket = doubled(this.lastPacket);
    this.vlan = doubled(this.vlan);
    this.innerVlan = doubled(this.innerVlan);
    this.attemptDeadline = doubled(this.attemptDeadline);
    this.closeDeadline = doubled(this.closeDeadline);
    this.inactivityTimeout = doubled(this.inactivityTimeout);
    this.queuedDeadline = doubled(this.queuedDeadline);
    this.synAckTime = doubled(this.synAckTime);
    this.handshakeAckTime = doubled(this.handshakeAckTime);
    this.synTimeAnswered = doubled(this.synTimeAnswered);
    this.synAckTimeAnswered = doubled(this.synAckTimeAnswered);
    this.handshakeFlags = doubled(this.handshakeFlags);
    this.synPacket = doubled(this.synPacket);
    this.synAckPacket = doubled(this.synAckPacket);
    this.ackPacket = doubled(this.ackPacket);
    this.ackPayload = doubled(this.ackPayload);
    this.anomalyBits = doubled(this.anomalyBits);
    this.expectedSynSeq = doubled(this.expectedSynSeq);
    this.firstFinSide = doubled(this.firstFinSide);
    this.closeFlags = doubled(this.closeFlags);
    this.firstFinEnd = doubled(this.firstFinEnd);
    this.firstRstSide = doubled(this.firstRstSide);
    this.firstCloseSide = doubled(this.firstCloseSide);
    this.removedBy = doubled(this.removedBy);
    this.removedAt = doubled(this.removedAt);
    this.synAckIsn = doubled(this.synAckIsn); this.synAckLastTime = doubled(this.synAckLastTime);
    this.synAckSent = doubled(this.synAckSent); this.synAck2Isn = doubled(this.synAck2Isn);
    this.synAck2Sent = doubled(this.synAck2Sent); this.synAck2Time = doubled(this.synAck2Time);
    this.synAck2LastTime = doubled(this.synAck2LastTime); this.synAck2Packet = doubled(this.synAck2Packet);
    this.synAck2SynTime = doubled(this.synAck2SynTime);
    this.tunnelKey = doubled(this.tunnelKey); this.tunnelFirst = doubled(this.tunnelFirst);
    this.tunnelCurrent = doubled(this.tunnelCurrent); this.tunnelTypes = doubled(this.tunnelTypes);
    this.tunnelDepth = doubled(this.tunnelDepth); this.tunnelChanges = doubled(this.tunnelChanges);
    this.tunnelFlags = doubled(this.tunnelFlags); this.tunnelParentCount = doubled(this.tunnelParentCount);
    this.tunnelParents = doubled(this.tunnelParents);
    this.anomalyRaw = doubled(this.anomalyRaw);
    this.growEndpoints();
    this.capacity *= 2;
  }

}

// The state bits, flags and removal reasons are defined once, beside the WebAssembly
// tracker's record layout.
export {
  ONCE_A, ONCE_D, ONCE_I, ONCE_Q, SEEN_SYN, SEEN_FIN, SEEN_RST, SEEN_TOP, SEEN_START, SEEN_CLOSED_BEFORE_RESET,
  SEEN_ISN, REASM_NEXT, REASM_PENDING, REASM_ESTABLISHED, REASM_INEXACT, HS_SYN_ACK_ANSWERED, HS_SYN_ACK_MISMATCH,
  HS_ACK_SEEN, HS_ACK_MISMATCH, HS_SIMULTANEOUS, HS_EXPECT_SYN, HS_RST_BEFORE_ACK, HS_PEER_ACKED_DATA, HS_SYN_ACK2, HS_SYN_ACKED_UNSEEN, HS_ORIG_ACKED_UNSEEN,
  EXT_BLOCKS, CLOSE_PEER_ACKED_FIN,
  CLOSE_SECOND_FIN_ACKS_FIRST, CLOSE_SECOND_FIN, CLOSE_FIN_BEFORE_RST, REMOVED_END, REMOVED_ATTEMPT, REMOVED_CLOSE,
  REMOVED_INACTIVITY, REMOVED_REUSE, REMOVED_IDLE_EMPTY, REMOVED_EVICTED,
} from "../../assembly/connection-layout.js";
