// The per-endpoint columns of a ConnectionStore (connection-store.ts), indexed by endpoint:
// slot * 2 + side (side 0 sent the connection's first packet). Cleared and doubled with the
// store's slots.

/** A column twice as long, holding what `column` held. */
export function doubled<T extends Uint8Array | Uint16Array | Int16Array | Int32Array | Uint32Array | Float64Array>(column: T): T {
  const next = new (column.constructor as new (n: number) => T)(column.length * 2);
  next.set(column);
  return next;
}

export class EndpointColumns {
  state: Uint8Array;
  once: Uint8Array; //       history letters recorded once per direction (ONCE_*)
  seen: Uint8Array; //       SEEN_* validity bits of the sequence fields below
  lastSynSeq: Uint32Array;
  lastFinPos: Uint32Array;
  lastRstSeq: Uint32Array;
  topSeq: Uint32Array; //    highest sequence number reached (payload end)
  startSeq: Uint32Array; //  first payload sequence number (after the SYN)
  isn: Uint32Array; //       sequence number of the first SYN / SYN-ACK
  pkts: Float64Array;
  ipBytes: Float64Array;
  payloadBytes: Float64Array;
  syns: Uint32Array; //      pure SYNs sent
  synAcks: Uint32Array;
  fins: Uint32Array;
  rsts: Uint32Array;
  retransmits: Uint32Array;
  zeroWindows: Uint32Array;
  badChecksums: Uint32Array;
  lastSynTime: Float64Array; // time of the latest SYN or SYN/ACK transmission
  mss: Uint16Array;
  windowScale: Uint8Array; //  0xff: not offered
  optionBits: Uint16Array; //  layout OPT_* of the SYN / SYN-ACK
  ecnBits: Uint8Array; //      TCP flags ECE/CWR/AE on the SYN / SYN-ACK, >> 6
  tfoCookieLen: Int16Array; // -1: no TFO option
  synPayload: Uint32Array; //  payload carried on the SYN / SYN-ACK (TFO data)
  // Content-gap detection (Zeek's reassembler in outline): the next in-order byte of this
  // endpoint's stream, the out-of-order blocks above holes (in `blocks`), the gaps found and
  // the bytes they missed.
  reasm: Uint8Array; //        REASM_* bits
  nextSeq: Uint32Array;
  blockCount: Uint8Array;
  gaps: Uint32Array;
  missedBytes: Float64Array;
  topWraps: Uint32Array; //    times topSeq passed 2^32 since startSeq

  constructor(capacity: number) {
    const e = capacity * 2;
    this.state = new Uint8Array(e);
    this.once = new Uint8Array(e);
    this.seen = new Uint8Array(e);
    this.lastSynSeq = new Uint32Array(e);
    this.lastFinPos = new Uint32Array(e);
    this.lastRstSeq = new Uint32Array(e);
    this.topSeq = new Uint32Array(e);
    this.startSeq = new Uint32Array(e);
    this.isn = new Uint32Array(e);
    this.pkts = new Float64Array(e);
    this.ipBytes = new Float64Array(e);
    this.payloadBytes = new Float64Array(e);
    this.syns = new Uint32Array(e);
    this.synAcks = new Uint32Array(e);
    this.fins = new Uint32Array(e);
    this.rsts = new Uint32Array(e);
    this.retransmits = new Uint32Array(e);
    this.zeroWindows = new Uint32Array(e);
    this.badChecksums = new Uint32Array(e);
    this.lastSynTime = new Float64Array(e);
    this.mss = new Uint16Array(e);
    this.windowScale = new Uint8Array(e);
    this.optionBits = new Uint16Array(e);
    this.ecnBits = new Uint8Array(e);
    this.tfoCookieLen = new Int16Array(e);
    this.synPayload = new Uint32Array(e);
    this.reasm = new Uint8Array(e);
    this.nextSeq = new Uint32Array(e);
    this.blockCount = new Uint8Array(e);
    this.gaps = new Uint32Array(e);
    this.missedBytes = new Float64Array(e);
    this.topWraps = new Uint32Array(e);
  }

  /** Both endpoints of `slot` back to their state before a first packet. */
  protected clearEndpoints(slot: number): void {
    const e0 = slot * 2;
    this.state[e0] = 0; this.state[e0 + 1] = 0;
    this.once[e0] = 0; this.once[e0 + 1] = 0;
    this.seen[e0] = 0; this.seen[e0 + 1] = 0;
    this.lastSynSeq[e0] = 0; this.lastSynSeq[e0 + 1] = 0;
    this.lastFinPos[e0] = 0; this.lastFinPos[e0 + 1] = 0;
    this.lastRstSeq[e0] = 0; this.lastRstSeq[e0 + 1] = 0;
    this.topSeq[e0] = 0; this.topSeq[e0 + 1] = 0;
    this.startSeq[e0] = 0; this.startSeq[e0 + 1] = 0;
    this.isn[e0] = 0; this.isn[e0 + 1] = 0;
    this.pkts[e0] = 0; this.pkts[e0 + 1] = 0;
    this.ipBytes[e0] = 0; this.ipBytes[e0 + 1] = 0;
    this.payloadBytes[e0] = 0; this.payloadBytes[e0 + 1] = 0;
    this.syns[e0] = 0; this.syns[e0 + 1] = 0;
    this.synAcks[e0] = 0; this.synAcks[e0 + 1] = 0;
    this.fins[e0] = 0; this.fins[e0 + 1] = 0;
    this.rsts[e0] = 0; this.rsts[e0 + 1] = 0;
    this.retransmits[e0] = 0; this.retransmits[e0 + 1] = 0;
    this.zeroWindows[e0] = 0; this.zeroWindows[e0 + 1] = 0;
    this.badChecksums[e0] = 0; this.badChecksums[e0 + 1] = 0;
    this.lastSynTime[e0] = 0; this.lastSynTime[e0 + 1] = 0;
    this.mss[e0] = 0; this.mss[e0 + 1] = 0;
    this.optionBits[e0] = 0; this.optionBits[e0 + 1] = 0;
    this.ecnBits[e0] = 0; this.ecnBits[e0 + 1] = 0;
    this.synPayload[e0] = 0; this.synPayload[e0 + 1] = 0;
    this.reasm[e0] = 0; this.reasm[e0 + 1] = 0;
    this.nextSeq[e0] = 0; this.nextSeq[e0 + 1] = 0;
    this.blockCount[e0] = 0; this.blockCount[e0 + 1] = 0;
    this.gaps[e0] = 0; this.gaps[e0 + 1] = 0;
    this.missedBytes[e0] = 0; this.missedBytes[e0 + 1] = 0;
    this.topWraps[e0] = 0; this.topWraps[e0 + 1] = 0;
    this.windowScale[e0] = 0xff; this.windowScale[e0 + 1] = 0xff; // not offered
    this.tfoCookieLen[e0] = -1; this.tfoCookieLen[e0 + 1] = -1; // no TFO option
  }

  // Written out column by column, as ConnectionStore.grow (why: there).
  protected growEndpoints(): void {
    this.state = doubled(this.state);
    this.once = doubled(this.once);
    this.seen = doubled(this.seen);
    this.lastSynSeq = doubled(this.lastSynSeq);
    this.lastFinPos = doubled(this.lastFinPos);
    this.lastRstSeq = doubled(this.lastRstSeq);
    this.topSeq = doubled(this.topSeq);
    this.startSeq = doubled(this.startSeq);
    this.isn = doubled(this.isn);
    this.pkts = doubled(this.pkts);
    this.ipBytes = doubled(this.ipBytes);
    this.payloadBytes = doubled(this.payloadBytes);
    this.syns = doubled(this.syns);
    this.synAcks = doubled(this.synAcks);
    this.fins = doubled(this.fins);
    this.rsts = doubled(this.rsts);
    this.retransmits = doubled(this.retransmits);
    this.zeroWindows = doubled(this.zeroWindows);
    this.badChecksums = doubled(this.badChecksums);
    this.lastSynTime = doubled(this.lastSynTime);
    this.mss = doubled(this.mss);
    this.windowScale = doubled(this.windowScale);
    this.optionBits = doubled(this.optionBits);
    this.ecnBits = doubled(this.ecnBits);
    this.tfoCookieLen = doubled(this.tfoCookieLen);
    this.synPayload = doubled(this.synPayload);
    this.reasm = doubled(this.reasm);
    this.nextSeq = doubled(this.nextSeq);
    this.blockCount = doubled(this.blockCount);
    this.gaps = doubled(this.gaps);
    this.missedBytes = doubled(this.missedBytes);
    this.topWraps = doubled(this.topWraps);
  }
}
