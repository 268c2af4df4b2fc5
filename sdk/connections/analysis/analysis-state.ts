// The TCP analysis engine's state in struct-of-arrays form: one typed-array column per field,
// indexed by connection slot (per-connection fields) or by endpoint (slot * 2 + side), the same
// indexing as the reference tracker's ConnectionStore, so that a tracker can keep one engine
// beside its store and use its own slots. The fields are those of the WebAssembly engine's
// block (assembly/analysis-layout.ts), which documents each; columns double when a slot beyond
// them is reset. Nothing is allocated per packet. A side with more unacknowledged segments than
// its inline ring holds borrows a block from a pool of fixed size (the "ring" methods below).

import {
  COUNTS, RING_INLINE, RING_BLOCK, DEFAULT_RING_BLOCKS, MAX_RING_BLOCKS, RING_GROUPS, RING_GROUP_BLOCKS, WSCALE_UNKNOWN, HS_NONE,
} from "../../../assembly/analysis-layout.js";

/** Marker heights and inner positions per endpoint: two P-square estimators (p50, p95). */
export const QUANTILE_HEIGHTS = 10;
export const QUANTILE_POSITIONS = 6;

export class AnalysisState {
  capacity: number;

  // Per connection.
  firstRtt!: Float64Array;
  mruSyn!: Float64Array;
  lastTime!: Float64Array;
  maxGap!: Float64Array;
  handshakeTime!: Float64Array;
  synSide!: Uint8Array;
  hsStage!: Uint8Array;

  // Per endpoint: the rules' state.
  nextSeq!: Uint32Array;
  maxSeqToBeAcked!: Uint32Array;
  lastAck!: Uint32Array;
  window!: Uint32Array;
  baseSeq!: Uint32Array;
  dupAckNum!: Int32Array;
  unacked!: Uint32Array;
  lastFlags!: Uint16Array;
  winScale!: Int8Array;
  bits!: Uint8Array;
  nextSeqTime!: Float64Array;
  sideLastTime!: Float64Array; // also the time of the side's latest ACK (fast retransmissions)
  firstPayloadTime!: Float64Array;
  ringNext!: Uint32Array; //   RING_INLINE per endpoint, oldest first
  ringTime!: Float64Array;
  ringCount!: Uint16Array;
  ringStart!: Uint16Array; //  index of the oldest entry (entries run from there, no wrap)
  ringBlock!: Int32Array; //   pool block + 1 holding the endpoint's ring instead (0: inline)
  // Per endpoint: results.
  counts!: Uint32Array; //     COUNTS per endpoint, in verdict-bit order
  rttSamples!: Uint32Array;
  rttMin!: Float64Array;
  rttMax!: Float64Array;
  rttSum!: Float64Array;
  retransmittedBytes!: Float64Array;
  sideMaxGap!: Float64Array;
  qHeights!: Float32Array; //  QUANTILE_HEIGHTS per endpoint
  qPositions!: Int32Array; //  QUANTILE_POSITIONS per endpoint

  // The pool of ring blocks (RING_BLOCK entries each) and its free list; each lent block's flow
  // group and the blocks each group holds (at most RING_GROUP_BLOCKS).
  readonly poolNext: Uint32Array;
  readonly poolTime: Float64Array;
  private readonly poolFree: Int32Array;
  private poolFreeCount: number;
  private readonly blockGroup: Uint8Array;
  private readonly groupBlocks = new Int32Array(RING_GROUPS);
  /** The flow group (flow hash & 63) of the packet being analysed: a block it borrows counts there. */
  ringGroup = 0;

  constructor(capacity = 1024, ringBlocks = DEFAULT_RING_BLOCKS) {
    this.capacity = 0;
    ringBlocks = Math.min(ringBlocks, MAX_RING_BLOCKS);
    this.resize(capacity);
    this.poolNext = new Uint32Array(ringBlocks * RING_BLOCK);
    this.poolTime = new Float64Array(ringBlocks * RING_BLOCK);
    this.poolFree = new Int32Array(ringBlocks);
    for (let k = 0; k < ringBlocks; k++) this.poolFree[k] = ringBlocks - 1 - k;
    this.poolFreeCount = ringBlocks;
    this.blockGroup = new Uint8Array(ringBlocks);
  }

  /** Pool blocks not lent to any side. */
  get freeRingBlocks(): number { return this.poolFreeCount; }

  /**
   * The connection in `slot` ended: its pool blocks go back at once (reset does it too, but a
   * slot may wait long for its next connection).
   */
  release(slot: number): void {
    for (let e = slot * 2; e < slot * 2 + 2; e++) {
      const held = this.ringBlock[e]!;
      if (held > 0) this.freeBlock(held - 1);
      this.ringBlock[e] = 0;
    }
  }

  /** Moves endpoint e's full inline ring into a pool block; false when the pool is empty. */
  protected promoteRing(e: number): boolean {
    const g = this.ringGroup;
    if (this.poolFreeCount === 0 || this.groupBlocks[g]! >= RING_GROUP_BLOCKS) return false;
    const blk = this.poolFree[--this.poolFreeCount]!;
    this.blockGroup[blk] = g;
    this.groupBlocks[g]!++;
    const from = e * RING_INLINE + this.ringStart[e]!, to = blk * RING_BLOCK, n = this.ringCount[e]!;
    for (let k = 0; k < n; k++) {
      this.poolNext[to + k] = this.ringNext[from + k]!;
      this.poolTime[to + k] = this.ringTime[from + k]!;
    }
    this.ringStart[e] = 0;
    this.ringBlock[e] = blk + 1;
    return true;
  }

  /** Moves endpoint e's ring back inline (it holds RING_INLINE entries or fewer) and frees its block. */
  protected demoteRing(e: number): void {
    const blk = this.ringBlock[e]! - 1;
    const from = blk * RING_BLOCK + this.ringStart[e]!, to = e * RING_INLINE, n = this.ringCount[e]!;
    for (let k = 0; k < n; k++) {
      this.ringNext[to + k] = this.poolNext[from + k]!;
      this.ringTime[to + k] = this.poolTime[from + k]!;
    }
    this.ringStart[e] = 0;
    this.freeBlock(blk);
    this.ringBlock[e] = 0;
  }

  private freeBlock(blk: number): void {
    this.poolFree[this.poolFreeCount++] = blk;
    this.groupBlocks[this.blockGroup[blk]!]!--;
  }

  /** Every field of `slot` back to its initial value: a new connection in that slot. */
  reset(slot: number): void {
    if (slot >= this.capacity) this.resize(Math.max(this.capacity * 2, slot + 1));
    this.release(slot);
    this.firstRtt[slot] = 0;
    this.mruSyn[slot] = NaN;
    this.lastTime[slot] = NaN;
    this.maxGap[slot] = -1; // fewer than two packets
    this.handshakeTime[slot] = NaN;
    this.synSide[slot] = 0;
    this.hsStage[slot] = HS_NONE;
    for (let e = slot * 2; e < slot * 2 + 2; e++) {
      this.nextSeq[e] = 0;
      this.maxSeqToBeAcked[e] = 0;
      this.lastAck[e] = 0;
      this.window[e] = 0xffffffff;
      this.baseSeq[e] = 0;
      this.dupAckNum[e] = 0;
      this.unacked[e] = 0;
      this.lastFlags[e] = 0;
      this.winScale[e] = WSCALE_UNKNOWN;
      this.bits[e] = 0;
      this.nextSeqTime[e] = 0;
      this.sideLastTime[e] = NaN;
      this.firstPayloadTime[e] = NaN;
      this.ringCount[e] = 0;
      this.ringStart[e] = 0;
      this.counts.fill(0, e * COUNTS, e * COUNTS + COUNTS);
      this.rttSamples[e] = 0;
      this.rttMin[e] = 0;
      this.rttMax[e] = 0;
      this.rttSum[e] = 0;
      this.retransmittedBytes[e] = 0;
      this.sideMaxGap[e] = -1;
      this.qHeights.fill(0, e * QUANTILE_HEIGHTS, e * QUANTILE_HEIGHTS + QUANTILE_HEIGHTS);
      this.qPositions.fill(0, e * QUANTILE_POSITIONS, e * QUANTILE_POSITIONS + QUANTILE_POSITIONS);
    }
  }

  /** Bytes of state per connection, besides the shared pool (for the documentation and the tests). */
  static bytesPerConnection(): number {
    const perSlot = 5 * 8 + 2;
    const perEndpoint = 7 * 4 + 2 + 1 + 1 + 3 * 8 + RING_INLINE * (4 + 8) + 2 + 2 + 4
      + COUNTS * 4 + 4 + 5 * 8 + QUANTILE_HEIGHTS * 4 + QUANTILE_POSITIONS * 4;
    return perSlot + 2 * perEndpoint;
  }

  private resize(capacity: number): void {
    const c = capacity, e = capacity * 2;
    const grow = <T extends ArrayLike<number>>(old: T | undefined, make: (n: number) => T, n: number): T => {
      const next = make(n);
      if (old) (next as unknown as { set(a: ArrayLike<number>): void }).set(old);
      return next;
    };
    const f64 = (n: number) => new Float64Array(n), u32 = (n: number) => new Uint32Array(n);
    const u8 = (n: number) => new Uint8Array(n);
    this.firstRtt = grow(this.firstRtt, f64, c);
    this.mruSyn = grow(this.mruSyn, f64, c);
    this.lastTime = grow(this.lastTime, f64, c);
    this.maxGap = grow(this.maxGap, f64, c);
    this.handshakeTime = grow(this.handshakeTime, f64, c);
    this.synSide = grow(this.synSide, u8, c);
    this.hsStage = grow(this.hsStage, u8, c);
    this.nextSeq = grow(this.nextSeq, u32, e);
    this.maxSeqToBeAcked = grow(this.maxSeqToBeAcked, u32, e);
    this.lastAck = grow(this.lastAck, u32, e);
    this.window = grow(this.window, u32, e);
    this.baseSeq = grow(this.baseSeq, u32, e);
    this.dupAckNum = grow(this.dupAckNum, (n) => new Int32Array(n), e);
    this.unacked = grow(this.unacked, u32, e);
    this.lastFlags = grow(this.lastFlags, (n) => new Uint16Array(n), e);
    this.winScale = grow(this.winScale, (n) => new Int8Array(n), e);
    this.bits = grow(this.bits, u8, e);
    this.nextSeqTime = grow(this.nextSeqTime, f64, e);
    this.sideLastTime = grow(this.sideLastTime, f64, e);
    this.firstPayloadTime = grow(this.firstPayloadTime, f64, e);
    this.ringNext = grow(this.ringNext, u32, e * RING_INLINE);
    this.ringTime = grow(this.ringTime, f64, e * RING_INLINE);
    this.ringCount = grow(this.ringCount, (n) => new Uint16Array(n), e);
    this.ringStart = grow(this.ringStart, (n) => new Uint16Array(n), e);
    this.ringBlock = grow(this.ringBlock, (n) => new Int32Array(n), e);
    this.counts = grow(this.counts, u32, e * COUNTS);
    this.rttSamples = grow(this.rttSamples, u32, e);
    this.rttMin = grow(this.rttMin, f64, e);
    this.rttMax = grow(this.rttMax, f64, e);
    this.rttSum = grow(this.rttSum, f64, e);
    this.retransmittedBytes = grow(this.retransmittedBytes, f64, e);
    this.sideMaxGap = grow(this.sideMaxGap, f64, e);
    this.qHeights = grow(this.qHeights, (n) => new Float32Array(n), e * QUANTILE_HEIGHTS);
    this.qPositions = grow(this.qPositions, (n) => new Int32Array(n), e * QUANTILE_POSITIONS);
    this.capacity = capacity;
  }
}
