// The streaming decoder: a fixed input arena in WebAssembly memory, refilled chunk by chunk.
//
// Memory is constant whatever the input size: the arena holds at most one record carried over
// from the previous chunk plus one fresh chunk. A caller (see decode-input.ts) loops:
//
//   while (!decoder.finished) {
//     if (decoder.needsInput) { n = read into decoder.writable(); n ? decoder.commit(n) : decoder.end(); }
//     const batch = decoder.step(); // records of this step, valid until the next step
//   }

import * as L from "../../assembly/layout.js";
import { acquireDecoder, releaseDecoder, type DecoderExports } from "./wasm.js";
import { PacketBatch } from "./packet-batch.js";
import { describeError, describeWarning, type DecodeError, type DecodeWarning } from "./diagnostics.js";
import { sectionOptions, interfaceOptions, OptionTextBudget } from "./pcapng-options.js";
import { linkTypeName } from "./link-types.js";
import {
  configureDecapsulation, reassemblyStats, tunnelStats, type ReassemblyStats, type TunnelStats,
} from "./decapsulation.js";

import {
  DEFAULT_CHUNK_SIZE, LISTED, type DecoderOptions, type DecoderPlacement, type CaptureStats, type Timestamp,
  type SectionInfo, type InterfaceInfo, type ContainerFormat,
} from "./decoder-types.js";

export type { ReassemblyStats, TunnelStats };
export {
  DEFAULT_CHUNK_SIZE, LISTED, type DecoderOptions, type DecoderPlacement, type CaptureStats, type Timestamp,
  type SectionInfo, type InterfaceInfo, type ContainerFormat,
} from "./decoder-types.js";

export class PacketDecoder {
  /** The records of the last step (a view of the output slot it wrote). */
  batch: PacketBatch;
  /** The first LISTED sections and interfaces (sectionCount, interfaceCount: all of them). */
  readonly sections: SectionInfo[] = [];
  readonly interfaces: InterfaceInfo[] = [];
  sectionCount = 0;
  /** What is left of this capture's budget for the sections' and interfaces' option texts. */
  readonly optionTexts = new OptionTextBudget();
  interfaceCount = 0;
  private bigEndianSection = false;
  /** Bytes handed to the decoder so far. */
  bytesIn = 0;

  private readonly arena: Uint8Array;
  private readonly stats64: Float64Array;
  private readonly warn64: Float64Array;
  private readonly meta64: Float64Array;
  private readonly chunkSize: number;
  private readonly slots: PacketBatch[] = []; // views of the output slots, made when first used
  private readonly capacity: number; //           records a slot holds
  private handedOn = 0; //                          records of the batch being filled handed on already (releaseHeld)
  private slot = 0;
  private held = false; // the output slot holds records that the next step appends to
  private start = 0; // first unconsumed arena byte
  private limit = 0; // end of valid arena bytes
  private base = 0; //  input offset of arena byte 0
  private eof = false;
  private state: number = L.STATUS_NEED_MORE;
  // What the decoder reported, kept once its instance is released.
  private final: {
    stats: CaptureStats; earliest: Timestamp | null; warnings: DecodeWarning[]; error: DecodeError | null; container: ContainerFormat | null; packets: number;
  } | null = null;

  private constructor(
    private readonly wasm: DecoderExports, options: DecoderOptions, private readonly placement: DecoderPlacement | null,
  ) {
    // The decoder's regions never move; a tracker on the same memory may grow it, and views of
    // a shared memory stay valid when it grows.
    const buffer = wasm.memory.buffer;
    this.capacity = wasm.recordCapacity();
    this.arena = new Uint8Array(buffer, wasm.inputPtr(), wasm.inputCapacity());
    this.batch = this.slots[0] = this.slotView(0);
    this.stats64 = new Float64Array(buffer, wasm.statsPtr(), L.STAT_COUNT);
    this.warn64 = new Float64Array(buffer, wasm.warningsPtr(), L.WARN_COUNT * L.WARN_SLOT_SIZE);
    this.meta64 = new Float64Array(buffer, wasm.metaPtr(), L.META_CAPACITY * L.META_SLOT_SIZE);
    const maxChunk = wasm.inputCapacity() - wasm.maxRecordBytes();
    this.chunkSize = Math.max(1, Math.min(options.chunkSize ?? DEFAULT_CHUNK_SIZE, maxChunk));
    wasm.reset((options.hashSeed ?? 0) >>> 0, options.verifyChecksums ? 1 : 0);
    configureDecapsulation(wasm, options);
  }

  private slotView(slot: number): PacketBatch {
    const w = this.wasm;
    return PacketBatch.ofSlot(w.memory.buffer, w.outputPtr(), this.capacity, slot, { fileOffsetsAt: w.fileOffsetsPtr(), tunnelsAt: w.tunnelsPtr() });
  }

  static async create(options: DecoderOptions = {}, placement?: DecoderPlacement): Promise<PacketDecoder> {
    return new PacketDecoder(await acquireDecoder(placement?.memory), options, placement ?? null);
  }

  /**
   * Ends decoding and hands the WebAssembly instance back for reuse. Statistics, warnings and
   * the error stay readable; batches and writable() views must not be used afterwards.
   */
  release(): void {
    if (this.final) return;
    this.final = {
      stats: this.stats(), earliest: this.earliestTimestamp(), warnings: this.warnings(), error: this.error, container: this.container,
      packets: this.packetsDecoded,
    };
    if (!this.finished) this.state = L.STATUS_DONE;
    this.batch.count = 0;
    releaseDecoder(this.wasm);
  }

  /** True when the decoder cannot go on without more input (or end()). */
  get needsInput(): boolean { return this.state === L.STATUS_NEED_MORE && !this.eof; }
  /** True after the clean end of the input or a fatal error. */
  get finished(): boolean { return this.state === L.STATUS_DONE || this.state === L.STATUS_ERROR; }

  /** Free arena space to read the next chunk into (at most chunkSize bytes). */
  writable(): Uint8Array {
    if (this.start > 0) {
      // Move the unconsumed tail (at most one partial record) to the front.
      this.arena.copyWithin(0, this.start, this.limit);
      this.base += this.start;
      this.limit -= this.start;
      this.start = 0;
    }
    const room = Math.min(this.chunkSize, this.arena.length - this.limit);
    return this.arena.subarray(this.limit, this.limit + room);
  }

  /** Declares that n bytes were written into the last writable() view. */
  commit(n: number): void {
    this.limit += n;
    this.bytesIn += n;
    this.state = L.STATUS_OUTPUT_FULL; // there is something new to decode
  }

  /** Copies `bytes` in, as far as there is room; returns how many were taken. */
  push(bytes: Uint8Array): number {
    const target = this.writable();
    const n = Math.min(target.length, bytes.length);
    target.set(bytes.subarray(0, n));
    this.commit(n);
    return n;
  }

  /** Declares the end of the input. */
  end(): void {
    this.eof = true;
    if (this.state === L.STATUS_NEED_MORE) this.state = L.STATUS_OUTPUT_FULL;
  }

  /** Runs the decoder once; returns the batch of records it produced (maybe empty). */
  step(): PacketBatch {
    const wasm = this.wasm;
    if (this.finished || this.needsInput) {
      this.batch.count = 0;
      return this.batch;
    }
    if (this.placement && !this.held) {
      const slot = this.placement.outputSlot();
      if (slot !== this.slot) {
        wasm.selectOutput(slot);
        this.slot = slot;
        this.batch = this.slots[slot] ??= this.slotView(slot);
      }
    }
    this.batch.count = wasm.decode(this.start, this.limit, this.eof ? 1 : 0, this.base, this.held ? 1 : 0);
    this.start = wasm.cursor();
    this.state = wasm.status();
    this.held = this.placement?.fill === true && this.state === L.STATUS_NEED_MORE && !this.eof
      && this.batch.count < this.capacity;
    // The rest of a batch whose first records were handed on (releaseHeld) is complete: slots take
    // a whole batch again.
    if (!this.held && this.handedOn > 0) {
      wasm.setRecordsHandedOn(0);
      this.handedOn = 0;
    }
    const s = this.stats64;
    // -1 before any packet; a time before 1970 is negative too, which the trackers' clock skips likewise.
    this.batch.latestSec = Number.isNaN(s[L.STAT_FIRST_TS_SEC]) ? -1 : s[L.STAT_LAST_TS_SEC]!;
    this.batch.latestNsec = s[L.STAT_LAST_TS_NSEC]!;
    this.drainMeta();
    return this.batch;
  }

  /** True while the last step's records wait for more to be appended (DecoderPlacement.fill). */
  get holding(): boolean { return this.held; }

  /**
   * The records the last step holds for more to be appended (DecoderPlacement.fill), handed on
   * now: `goesOn` (a stream that keeps still), the rest of their batch follows in the next slot;
   * otherwise the input ends here (with the latest time, as a whole batch). Null when none are held.
   */
  releaseHeld(goesOn: boolean): PacketBatch | null {
    if (!this.held) return null;
    this.held = false;
    if (!goesOn) return this.batch;
    // The batch goes on in the next slot, which ends where this one would have (the decoder's
    // record limit), and its time comes with its rest: -1 here, so that the trackers step their
    // clocks where they would have for the whole batch. Stepped here, to the latest time so far,
    // a clock that had stepped back ended connections early, by where the stream kept still.
    this.handedOn += this.batch.count;
    this.wasm.setRecordsHandedOn(this.handedOn);
    this.batch.latestSec = -1;
    return this.batch;
  }

  /** Whether a caller may hand on a slot before it is full (DecoderPlacement.releasable). */
  get releasable(): boolean { return this.placement?.fill === true && this.placement.releasable !== false; }

  /** Packets read so far (all kinds, not only TCP). */
  get packetsDecoded(): number { return this.final ? this.final.packets : this.wasm.packetsDecoded(); }

  get container(): ContainerFormat | null {
    if (this.final) return this.final.container;
    const c = this.wasm.container();
    return c === L.FORMAT_PCAP ? "pcap" : c === L.FORMAT_PCAPNG ? "pcapng" : null;
  }

  /** The fatal error that stopped decoding, if any. */
  get error(): DecodeError | null {
    if (this.final) return this.final.error;
    const w = this.wasm;
    if (this.state !== L.STATUS_ERROR) return null;
    return describeError(w.errorCode(), w.errorValue(), w.errorOffset(), w.errorPacket());
  }

  warnings(): DecodeWarning[] {
    if (this.final) return this.final.warnings;
    const out: DecodeWarning[] = [];
    for (let code = 0; code < L.WARN_COUNT; code++) {
      const s = code * L.WARN_SLOT_SIZE;
      const count = this.warn64[s]!;
      if (count > 0) out.push(describeWarning(code, count, this.warn64[s + 1]!, this.warn64[s + 2]!, this.warn64[s + 3]!));
    }
    return out;
  }

  /**
   * The earliest packet's timestamp, null before any packet: stats().firstTimestamp is the first
   * in the file, which a capture out of time order (merged interfaces) has later than another.
   */
  earliestTimestamp(): Timestamp | null {
    if (this.final) return this.final.earliest;
    const s = this.stats64;
    return Number.isNaN(s[L.STAT_FIRST_TS_SEC]) ? null : { sec: s[L.STAT_EARLIEST_TS_SEC]!, nsec: s[L.STAT_EARLIEST_TS_NSEC]! };
  }

  stats(): CaptureStats {
    if (this.final) return this.final.stats;
    const s = this.stats64;
    const ts = (secSlot: number, nsecSlot: number): Timestamp | null =>
      Number.isNaN(s[L.STAT_FIRST_TS_SEC]) ? null : { sec: s[secSlot]!, nsec: s[nsecSlot]! };
    return {
      packets: s[L.STAT_PACKETS]!,
      nonPacketFrames: s[L.STAT_NON_PACKET_FRAMES]!,
      tcp: s[L.STAT_TCP]!,
      tcpUnreadable: s[L.STAT_TCP_UNREADABLE]!,
      udp: s[L.STAT_UDP]!,
      icmp: s[L.STAT_ICMP]!,
      otherIp: s[L.STAT_OTHER_IP]!,
      nonIp: s[L.STAT_NON_IP]!,
      fragments: s[L.STAT_FRAGMENTS]!,
      truncated: s[L.STAT_TRUNCATED]!,
      unsupportedLink: s[L.STAT_UNSUPPORTED_LINK]!,
      tunnelled: s[L.STAT_TUNNELLED]!,
      ipUnreadable: s[L.STAT_IP_UNREADABLE]!,
      ipLenPastWire: s[L.STAT_IP_LEN_PAST_WIRE]!,
      linkInvalid: s[L.STAT_LINK_INVALID]!,
      badChecksum: s[L.STAT_BAD_CHECKSUM]!,
      bytesCaptured: s[L.STAT_BYTES_CAPTURED]!,
      bytesOriginal: s[L.STAT_BYTES_ORIGINAL]!,
      firstTimestamp: ts(L.STAT_FIRST_TS_SEC, L.STAT_FIRST_TS_NSEC),
      earliestTimestamp: ts(L.STAT_EARLIEST_TS_SEC, L.STAT_EARLIEST_TS_NSEC),
      lastTimestamp: ts(L.STAT_LAST_TS_SEC, L.STAT_LAST_TS_NSEC),
      reassembly: reassemblyStats(s),
      tunnels: tunnelStats(s),
    };
  }

  private drainMeta(): void {
    const n = this.wasm.metaEvents();
    const m = this.meta64;
    for (let k = 0; k < n; k++) {
      const e = k * L.META_SLOT_SIZE;
      // A pcapng block's text options, read where the block still is in the arena.
      const pcapng = this.container === "pcapng";
      if (m[e] === L.META_SECTION) {
        const bigEndian = m[e + 2] !== 0;
        this.bigEndianSection = bigEndian;
        if (this.sectionCount++ >= LISTED) continue;
        this.sections.push({
          offset: m[e + 1]!,
          byteOrder: bigEndian ? "big" : "little",
          version: `${m[e + 3]}.${m[e + 4]}`,
          ...(pcapng ? sectionOptions(this.arena.subarray(0, this.limit), m[e + 1]! - this.base, bigEndian, this.optionTexts) : {}),
        });
      } else if (m[e] === L.META_INTERFACE) {
        const linkType = m[e + 4]!;
        const bigEndian = this.bigEndianSection; // an interface is in the latest section
        if (this.interfaceCount++ >= LISTED) continue;
        this.interfaces.push({
          offset: m[e + 1]!,
          section: m[e + 2]!,
          id: m[e + 3]!,
          linkType,
          linkTypeName: linkTypeName(linkType),
          snaplen: m[e + 5]!,
          tsUnitsPerSec: m[e + 6]!,
          tsOffsetSec: m[e + 7]!,
          fcsBytes: m[e + 8]!,
          ...(pcapng ? interfaceOptions(this.arena.subarray(0, this.limit), m[e + 1]! - this.base, bigEndian, this.optionTexts) : {}),
        });
      }
    }
  }
}

