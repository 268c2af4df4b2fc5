// Wireshark's TCP analysis (tshark 4.0, default preferences) for every connection at once, with
// bounded state: fed one packet at a time with the fields a tracker has, it gives each packet
// its verdicts (retransmission, duplicate ACK, zero window, ...) and counts them per side, with
// the ack-RTT samples, retransmitted bytes, gaps and the time to the first payload byte. The
// rules and their order are restated in docs/tcp-analysis.md; the WebAssembly engine
// (assembly/tracker/analysis/engine.ts) follows this file rule for rule, and the tests hold the
// two to identical results.
//
// Usage: reset(slot) for a new connection; for each of its packets write time, seq and ack into
// `io` and call packet(slot, side, ...); read(slot) when it ends. Slots are the tracker's own.

import {
  V_RETRANSMISSION, V_FAST_RETRANSMISSION, V_SPURIOUS_RETRANSMISSION, V_OUT_OF_ORDER, V_DUP_ACK,
  V_LOST_SEGMENT, V_ACKED_UNSEEN, V_ZERO_WINDOW, V_ZERO_WINDOW_PROBE, V_ZERO_WINDOW_PROBE_ACK,
  V_WINDOW_FULL, V_WINDOW_UPDATE, V_KEEP_ALIVE, V_KEEP_ALIVE_ACK, V_ANY_RETRANSMISSION, COUNTS,
  RING_INLINE, RING_BLOCK, MAX_UNACKED, WSCALE_UNKNOWN, WSCALE_NONE, SB_BASE_SET, SB_RING_UNSORTED, RING_SORTED_SPAN,
  HS_NONE, HS_SYN, HS_SYN_ACK, HS_DONE,
} from "../../../assembly/analysis-layout.js";
import { AnalysisState, QUANTILE_HEIGHTS, QUANTILE_POSITIONS } from "./analysis-state.js";
import { addQuantileSample } from "./rtt-quantiles.js";

/** `io` slots the caller fills before packet(): the time (seconds), seq and ack. */
export const IO_TIME = 0;
export const IO_SEQ = 1;
export const IO_ACK = 2;
const IO_SAMPLE = 3;
const IO_NEXT = 4; // where a segment being listed ends

const FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10;

// Sequence numbers compare by the sign of their 32-bit difference: ((a - b) | 0) < 0 is "a
// before b". Wireshark compares time differences as unsigned 64-bit nanoseconds: a negative
// one (the clock stepped back) is larger than any positive one; ours are rounded to whole
// nanoseconds first. Both are written out where used rather than called: a sequence number
// above 2^31 or a time passed to a function V8 does not inline is boxed, an allocation per packet.

export class TcpAnalysis extends AnalysisState {
  /** The packet's f64 and u32 fields, written by the caller before packet() (see IO_*). */
  readonly io = new Float64Array(5);
  /** Take the usual-packet shortcut (see usual()); off only to test it against the rules. */
  shortcut = true;
  /** Packets the shortcut took (for that test). */
  usualPackets = 0;

  /**
   * Would tshark start a new stream with this packet (io seq), a pure SYN whose sequence number
   * differs from the one this side started with? tshark's streams only; a tracker has its own rule.
   */
  startsNewStream(slot: number, side: number, flags: number): boolean {
    const f = slot * 2 + side;
    return (flags & (SYN | ACK)) === SYN && (this.bits[f]! & SB_BASE_SET) !== 0 && this.io[IO_SEQ] !== this.baseSeq[f];
  }

  /**
   * One packet of the connection in `slot`, sent by `side` (0 or 1): TCP flags, the raw window
   * field, the window-scale option's shift (-1 when the packet has none) and the payload length.
   * Returns the packet's verdicts (V_* bits).
   */
  packet(slot: number, side: number, flags: number, window: number, wscale: number, payload: number): number {
    if (this.shortcut && this.usual(slot, side, flags, window, wscale, payload)) return 0;
    const io = this.io;
    const t = io[IO_TIME]!, seq = io[IO_SEQ]!, ack = io[IO_ACK]!;
    const f = slot * 2 + side, r = f ^ 1;

    // Before the analysis proper, as tshark's dissector does: a SYN sent again with the same
    // sequence number rewinds the next expected one; a SYN/ACK with another one moves the base.
    if ((this.bits[f]! & SB_BASE_SET) !== 0 && (flags & SYN) !== 0 && seq !== this.baseSeq[f]) {
      if (flags & ACK) this.baseSeq[f] = seq;
    } else if ((this.bits[f]! & SB_BASE_SET) !== 0 && (flags & (SYN | ACK)) === SYN) {
      this.nextSeq[f] = this.maxSeqToBeAcked[f]!;
    }
    if (!(this.bits[f]! & SB_BASE_SET)) {
      this.baseSeq[f] = flags & SYN ? seq : seq - 1;
      this.bits[f]! |= SB_BASE_SET;
    }
    if (!(this.bits[r]! & SB_BASE_SET) && flags & ACK) {
      this.baseSeq[r] = ack - 1;
      this.bits[r]! |= SB_BASE_SET;
    }

    let v = 0;
    const nxt = this.nextSeq[f]!;
    const plain = (flags & (SYN | FIN | RST)) === 0;
    if (payload === 1 && seq === nxt && this.window[r] === 0) {
      v = V_ZERO_WINDOW_PROBE; // and none of the checks up to the ACK counter
    } else {
      if (window === 0 && plain) v |= V_ZERO_WINDOW;
      if (nxt !== 0 && ((seq - nxt) | 0) > 0 && !(flags & RST)) v |= V_LOST_SEGMENT;
      if (payload <= 1 && seq === ((nxt - 1) >>> 0) && plain) v |= V_KEEP_ALIVE;
      const repeats = payload === 0 && seq === nxt && ack === this.lastAck[f] && plain;
      if (repeats && window !== 0 && window !== this.window[f]) v |= V_WINDOW_UPDATE;
      const scale = this.winScale[r]!;
      if (payload > 0 && scale !== WSCALE_UNKNOWN && plain) {
        const shift = scale === WSCALE_NONE ? 0 : scale;
        if (((seq + payload) >>> 0) === ((this.lastAck[r]! + ((this.window[r]! << shift) >>> 0)) >>> 0)) v |= V_WINDOW_FULL;
      }
      if (repeats && window !== 0 && window === this.window[f] && this.lastFlags[r]! & V_KEEP_ALIVE) {
        v |= V_KEEP_ALIVE_ACK;
      } else if (repeats && window === 0 && this.window[f] === 0 && this.lastFlags[r]! & V_ZERO_WINDOW_PROBE) {
        v |= V_ZERO_WINDOW_PROBE_ACK;
      } else if (repeats && window !== 0 && window === this.window[f]) {
        this.dupAckNum[f] = this.dupAckNum[f] === -1 ? 1 : this.dupAckNum[f]! + 1;
        v |= V_DUP_ACK;
      }
    }
    if (ack !== this.lastAck[f]) this.dupAckNum[f] = 0;

    // An acknowledgement beyond the data seen from the peer: the capture missed some of it.
    // Once per hole: either the peer's contiguous end moves up to its highest, or (when it is
    // there already) the peer's duplicate-ACK counter remembers it until the peer's ACK moves.
    const peerEnd = this.maxSeqToBeAcked[r]!;
    if (peerEnd !== 0 && ((ack - peerEnd) | 0) > 0 && flags & ACK) {
      if (((peerEnd - this.nextSeq[r]!) | 0) < 0) { // modulo 2^32: a plain < misjudges a wrapped stream
        this.maxSeqToBeAcked[r] = this.nextSeq[r]!;
        v |= V_ACKED_UNSEEN;
      } else {
        if (this.dupAckNum[r] === 0) v |= V_ACKED_UNSEEN;
        this.dupAckNum[r] = -1;
      }
    }

    // Data (or SYN/FIN) that does not advance the sequence: which kind of retransmission.
    const consumes = payload > 0 || (flags & (SYN | FIN)) !== 0;
    if (consumes && !(v & V_KEEP_ALIVE)) {
      let notAdvanced = nxt !== 0 && ((seq - nxt) | 0) < 0;
      if (payload > 1 && ((nxt - 1) >>> 0) === seq) notAdvanced = false; // data after a probe byte
      const peerAck = this.lastAck[r]!;
      // In whole nanoseconds, as tshark's: a difference of doubles lands either side of a bound it equals.
      const thresh = Math.round((this.firstRtt[slot] !== 0 ? this.firstRtt[slot]! : 0.003) * 1e9);
      const sinceAck = Math.round((t - this.sideLastTime[r]!) * 1e9), sinceNext = Math.round((t - this.nextSeqTime[f]!) * 1e9);
      if (payload > 0 && peerAck !== 0 && ((seq + payload - peerAck) | 0) <= 0) {
        v |= V_SPURIOUS_RETRANSMISSION; // data the peer had already acknowledged
      } else if (notAdvanced && (this.dupAckNum[r]! >>> 0) >= 2 && peerAck === seq && sinceAck >= 0 && sinceAck < 20_000_000) {
        v |= V_FAST_RETRANSMISSION; // (the counter read unsigned, as tshark keeps it: its -1 counts)
      } else if (notAdvanced && (sinceNext >= 0 ? thresh < 0 || sinceNext < thresh : thresh < 0 && sinceNext < thresh)
        && nxt !== ((seq + payload + (flags & (SYN | FIN) ? 1 : 0)) >>> 0)) {
        v |= V_OUT_OF_ORDER;
      } else if (notAdvanced) {
        v |= V_RETRANSMISSION;
      }
    }

    // The segment joins the unacknowledged ones; the highest next sequence number moves on.
    let next = (seq + payload) >>> 0;
    if (consumes && this.unacked[f]! < MAX_UNACKED) {
      if (flags & (SYN | FIN)) next = (next + 1) >>> 0;
      this.unacked[f] = this.unacked[f]! + 1;
      io[IO_NEXT] = next;
      this.listSegment(f);
    }
    if (!(v & V_ZERO_WINDOW_PROBE)) {
      if (((next - this.nextSeq[f]!) | 0) > 0 || this.nextSeq[f] === 0) {
        this.nextSeq[f] = next;
        this.nextSeqTime[f] = t;
      }
      if (seq === this.maxSeqToBeAcked[f] || this.maxSeqToBeAcked[f] === 0) this.maxSeqToBeAcked[f] = this.nextSeq[f]!;
    }
    this.window[f] = window;
    this.lastAck[f] = ack;
    this.lastFlags[f] = v; // (the time of this ACK is the side's last time, gaps() sets it)

    this.acknowledge(r);
    this.afterAnalysis(slot, side, flags, wscale);
    this.count(slot, side, flags, payload, v);
    return v;
  }

  /**
   * The usual packet, the WebAssembly engine's shortcut on the same test (its analysisPacket
   * says which packets): in order, no verdict possible. Does its bookkeeping and returns true,
   * or changes nothing and returns false for the rules to judge it.
   */
  private usual(slot: number, side: number, flags: number, window: number, wscale: number, payload: number): boolean {
    const io = this.io;
    const seq = io[IO_SEQ]!, ack = io[IO_ACK]!;
    const f = slot * 2 + side, r = f ^ 1;
    const nxt = this.nextSeq[f]!;
    const rttPending = this.firstRtt[slot] === 0 && this.mruSyn[slot] === this.mruSyn[slot];
    if (seq !== nxt || nxt === 0 || window === 0 || wscale >= 0 || (flags & (SYN | FIN | RST)) !== 0
      || (this.bits[f]! & this.bits[r]! & SB_BASE_SET) === 0 || rttPending || this.hsStage[slot] === HS_SYN_ACK) return false;
    const fwdAck = this.lastAck[f]!, peerEnd = this.maxSeqToBeAcked[r]!;
    if (peerEnd !== 0 && ((ack - peerEnd) | 0) > 0 && flags & ACK) return false;
    if (payload === 0) {
      if (ack === fwdAck) return false;
    } else {
      const peerAck = this.lastAck[r]!, peerWindow = this.window[r]!, scale = this.winScale[r]!;
      if (payload === 1 && peerWindow === 0) return false;
      if (peerAck !== 0 && ((seq + payload - peerAck) | 0) <= 0) return false;
      const shift = scale === WSCALE_NONE ? 0 : scale;
      if (scale !== WSCALE_UNKNOWN && ((seq + payload) >>> 0) === ((peerAck + ((peerWindow << shift) >>> 0)) >>> 0)) return false;
    }

    if (ack !== fwdAck) this.dupAckNum[f] = 0;
    if (payload > 0) {
      const next = (seq + payload) >>> 0;
      if (this.unacked[f]! < MAX_UNACKED) {
        this.unacked[f] = this.unacked[f]! + 1;
        io[IO_NEXT] = next;
        this.listSegment(f);
      }
      if (((next - nxt) | 0) > 0) {
        this.nextSeq[f] = next;
        this.nextSeqTime[f] = io[IO_TIME]!;
      }
      // The side's first payload byte (no keep-alive nor RST here), as the rules' last step.
      const fp = this.firstPayloadTime[f]!;
      if (fp !== fp) this.firstPayloadTime[f] = io[IO_TIME]!;
    }
    if (seq === this.maxSeqToBeAcked[f] || this.maxSeqToBeAcked[f] === 0) this.maxSeqToBeAcked[f] = this.nextSeq[f]!;
    this.window[f] = window;
    this.lastAck[f] = ack;
    this.lastFlags[f] = 0;
    this.acknowledge(r);
    this.gaps(slot, f);
    this.usualPackets++;
    return true;
  }

  // Lists a segment of side f ending at io[IO_NEXT]; the ring keeps the oldest (the ones the
  // next acknowledgements match), so a segment that finds it full is not listed.
  private listSegment(f: number): void {
    const next = this.io[IO_NEXT]!, t = this.io[IO_TIME]!;
    const count = this.ringCount[f]!;
    let blk = this.ringBlock[f]! - 1; // -1: inline
    if (blk < 0 && count === RING_INLINE && this.promoteRing(f)) blk = this.ringBlock[f]! - 1;
    const cap = blk < 0 ? RING_INLINE : RING_BLOCK;
    if (count < cap) {
      const ends = blk < 0 ? this.ringNext : this.poolNext, times = blk < 0 ? this.ringTime : this.poolTime;
      const base = blk < 0 ? f * RING_INLINE : blk * RING_BLOCK;
      let start = this.ringStart[f]!;
      if (start + count === cap) { // at the end: the entries move back to the front
        for (let k = 0; k < count; k++) {
          ends[base + k] = ends[base + start + k]!;
          times[base + k] = times[base + start + k]!;
        }
        start = 0;
        this.ringStart[f] = 0;
      }
      if (count > 0 && (((next - ends[base + start + count - 1]!) | 0) < 0 || ((next - ends[base + start]!) >>> 0) >= RING_SORTED_SPAN)) {
        this.bits[f]! |= SB_RING_UNSORTED;
      }
      ends[base + start + count] = next;
      times[base + start + count] = t;
      this.ringCount[f] = count + 1;
    }
  }

  // The peer's unacknowledged segments this ACK covers leave the ring; one whose end it matches
  // exactly gives an RTT sample, from its oldest transmission (as Wireshark measures).
  private acknowledge(r: number): void {
    const n = this.ringCount[r]!;
    if (n === 0) return;
    const ack = this.io[IO_ACK]!;
    const blk = this.ringBlock[r]! - 1; // -1: inline
    const ends = blk < 0 ? this.ringNext : this.poolNext, times = blk < 0 ? this.ringTime : this.poolTime;
    const base = (blk < 0 ? r * RING_INLINE : blk * RING_BLOCK) + this.ringStart[r]!;
    let kept = 0, matched = false;
    if (!(this.bits[r]! & SB_RING_UNSORTED) && ((ends[base + n - 1]! - ack) | 0) > 0) {
      // In order, and the newest is beyond the ACK: the covered entries are a prefix.
      let k = 0;
      for (; k < n; k++) {
        const end = ends[base + k]!;
        if (((end - ack) | 0) > 0) break;
        if (ack === end && !matched) {
          this.io[IO_SAMPLE] = this.io[IO_TIME]! - times[base + k]!;
          matched = true;
        }
      }
      kept = n - k;
      this.ringStart[r] = this.ringStart[r]! + k;
    } else {
      for (let k = 0; k < n; k++) {
        const end = ends[base + k]!;
        if (ack === end) {
          if (!matched) this.io[IO_SAMPLE] = this.io[IO_TIME]! - times[base + k]!;
          matched = true;
        } else if (((end - ack) | 0) > 0) {
          ends[base + kept] = end;
          times[base + kept] = times[base + k]!;
          kept++;
        }
      }
    }
    if (kept === 0) {
      this.ringStart[r] = 0;
      this.bits[r]! &= ~SB_RING_UNSORTED;
    }
    this.ringCount[r] = kept;
    if (blk >= 0 && kept <= RING_INLINE) this.demoteRing(r);
    const removed = n - kept;
    this.unacked[r] = this.unacked[r]! > removed ? this.unacked[r]! - removed : 0;
    // Segments the ring had no room for are gone too once everything sent is acknowledged.
    if (this.unacked[r]! > kept && ((ack - this.nextSeq[r]!) | 0) >= 0) this.unacked[r] = kept;
    if (matched && this.io[IO_SAMPLE] !== 0) this.rttSample(r);
  }

  private rttSample(e: number): void {
    const d = this.io[IO_SAMPLE]!;
    const n = this.rttSamples[e]! + 1;
    this.rttSamples[e] = n;
    if (n === 1 || d < this.rttMin[e]!) this.rttMin[e] = d;
    if (n === 1 || d > this.rttMax[e]!) this.rttMax[e] = d;
    this.rttSum[e] = this.rttSum[e]! + d;
    this.io[IO_SAMPLE] = d * 1e6;
    addQuantileSample(this.qHeights, e * QUANTILE_HEIGHTS, this.qPositions, e * QUANTILE_POSITIONS, n, this.io, IO_SAMPLE, 500);
    addQuantileSample(this.qHeights, e * QUANTILE_HEIGHTS + 5, this.qPositions, e * QUANTILE_POSITIONS + 3, n, this.io, IO_SAMPLE, 950);
  }

  // What tshark's dissector updates after the analysis of a packet: the handshake RTT and the
  // window scale of each side.
  private afterAnalysis(slot: number, side: number, flags: number, wscale: number): void {
    const f = slot * 2 + side, r = f ^ 1, t = this.io[IO_TIME]!;
    if ((flags & (SYN | ACK)) === SYN) this.mruSyn[slot] = t;
    if ((flags & (SYN | ACK)) === ACK) {
      const syn = this.mruSyn[slot]!;
      if (syn === syn && this.firstRtt[slot] === 0) this.firstRtt[slot] = t - syn;
    }
    if (wscale >= 0) this.winScale[f] = wscale > 14 ? 14 : wscale;
    if (flags & SYN) {
      if (this.winScale[f] === WSCALE_UNKNOWN) {
        this.winScale[f] = WSCALE_NONE;
        this.winScale[r] = WSCALE_NONE;
      } else if (flags & ACK && this.winScale[r] === WSCALE_NONE) {
        this.winScale[f] = WSCALE_NONE;
      }
    }
  }

  // Counts, retransmitted bytes, gaps and the handshake / first payload times.
  private count(slot: number, side: number, flags: number, payload: number, v: number): void {
    const f = slot * 2 + side, t = this.io[IO_TIME]!;
    if (v !== 0) {
      const c = f * COUNTS;
      if (v & V_ANY_RETRANSMISSION) {
        this.counts[c] = this.counts[c]! + 1;
        this.retransmittedBytes[f] = this.retransmittedBytes[f]! + payload;
      }
      for (let bit = 1; bit < COUNTS; bit++) if (v & (1 << bit)) this.counts[c + bit] = this.counts[c + bit]! + 1;
    }
    this.gaps(slot, f);

    const stage = this.hsStage[slot]!, kind = flags & (SYN | ACK);
    if (stage === HS_NONE && kind === SYN) {
      this.synSide[slot] = side;
      this.hsStage[slot] = HS_SYN;
    } else if (stage === HS_SYN && kind === (SYN | ACK) && side !== this.synSide[slot]) {
      this.hsStage[slot] = HS_SYN_ACK;
    } else if (stage === HS_SYN_ACK && kind === ACK && side === this.synSide[slot]) {
      this.hsStage[slot] = HS_DONE;
      this.handshakeTime[slot] = t;
    }
    const fp = this.firstPayloadTime[f]!;
    if (payload > 0 && fp !== fp && !(flags & RST) && !(v & V_KEEP_ALIVE)) this.firstPayloadTime[f] = t;
  }

  // The largest gaps between two packets of the connection and of side f; the side's last
  // time is also the time of its latest ACK (fast retransmissions).
  private gaps(slot: number, f: number): void {
    const t = this.io[IO_TIME]!;
    const last = this.lastTime[slot]!;
    if (last === last) {
      const gap = t > last ? t - last : 0;
      if (gap > this.maxGap[slot]!) this.maxGap[slot] = gap;
    }
    this.lastTime[slot] = t;
    const sideLast = this.sideLastTime[f]!;
    if (sideLast === sideLast) {
      const gap = t > sideLast ? t - sideLast : 0;
      if (gap > this.sideMaxGap[f]!) this.sideMaxGap[f] = gap;
    }
    this.sideLastTime[f] = t;
  }
}

export {
  V_RETRANSMISSION, V_FAST_RETRANSMISSION, V_SPURIOUS_RETRANSMISSION, V_OUT_OF_ORDER, V_DUP_ACK,
  V_LOST_SEGMENT, V_ACKED_UNSEEN, V_ZERO_WINDOW, V_ZERO_WINDOW_PROBE, V_ZERO_WINDOW_PROBE_ACK,
  V_WINDOW_FULL, V_WINDOW_UPDATE, V_KEEP_ALIVE, V_KEEP_ALIVE_ACK,
};
