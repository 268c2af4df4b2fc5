// The connection tracker the scans use: the per-packet work runs in WebAssembly
// (assembly/tracker/), rule for rule the model of the reference tracker in TypeScript
// (tracker.ts, which the ladder uses for its per-packet hooks, and the tests compare against).
// Each batch of packet records is copied into the tracker's memory and tracked there (or read
// where the decoder wrote it, when the tracker lives in the decoder's memory); the connections
// that end come back through the ended buffer, are read into a one-slot
// ConnectionStore and handed to `emit`, exactly as the reference tracker hands out its slots.

import * as L from "../../assembly/layout.js";
import { CONN_SIZE } from "../../assembly/connection-layout.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import { ConnectionStore } from "./connection-store.js";
import { ZEEK_TIMEOUTS, halfOpenLimit, connectionLimit, type TrackerOptions, type EmitConnection, type Timeouts } from "./tracker.js";
import { ZEEK_LIKELY_SERVER_PORTS } from "./likely-server-ports.js";
import { parseCidr } from "./cidr.js";
import { instantiateTracker, type TrackerExports } from "./tracker-module.js";
import { unpackConnection } from "./unpack-connection.js";
import { ownedGroups } from "./shard-groups.js";

export class WasmConnectionTracker {
  /** The instance (its line writer, wasm-lines.ts, writes in its memory between calls). */
  readonly wasm: TrackerExports;
  private readonly scratch = new ConnectionStore(1);
  private buffer: ArrayBuffer | null = null;
  private bytes = new Uint8Array(0);
  private view = new DataView(new ArrayBuffer(0));
  private recordsAt = 0; // the records area batches are copied to, allocated on first use
  private readonly recordsCapacity: number;
  /**
   * When set, each call's ended connections go to it as one run (their address in the tracker's
   * memory and how many), in place of `emit` and `raw`: a scan worker's ring of them, which
   * places the next call's with setEndedArea (parallel/ended-ring.ts).
   */
  endedRuns: ((at: number, count: number) => void) | null = null;

  /**
   * `emit` gets each ended connection in a one-slot store; with `raw`, the record's bytes in the
   * tracker's memory are handed over instead (read them before the next call). With `memory`
   * (a decoder's), the tracker lives there and can read the decoder's records in place
   * (processInPlace).
   */
  constructor(
    options: TrackerOptions, private readonly emit: EmitConnection | null,
    private readonly raw: ((bytes: Uint8Array, view: DataView, at: number) => void) | null = null,
    memory?: WebAssembly.Memory,
  ) {
    const wasm = instantiateTracker(memory);
    this.wasm = wasm;
    const timeouts: Timeouts = { ...ZEEK_TIMEOUTS, ...options.timeouts };
    const owned = ownedGroups(options.shard);
    wasm.reset(
      timeouts.attempt, timeouts.close, timeouts.handshakeInactivity, timeouts.inactivity,
      options.verifyChecksums ? 1 : 0, owned.low, owned.high,
    );
    const limit = halfOpenLimit(options), records = connectionLimit(options);
    wasm.setHalfOpenLimit(limit >= 0xffffffff ? 0xffffffff : limit); // u32: 0xffffffff is no limit
    wasm.setConnectionLimit(records >= 0xffffffff ? 0xffffffff : records);
    wasm.setKeyByTunnel(options.keyByTunnel ? 1 : 0);
    for (const port of options.likelyServerPorts ?? ZEEK_LIKELY_SERVER_PORTS) {
      if (port >= 0 && port < 65536) wasm.setLikelyServerPort(port);
    }
    for (const [port, seconds] of Object.entries(timeouts.portInactivity)) wasm.setPortTimeout(Number(port), seconds);
    for (const text of options.ignoreChecksumsNets ?? []) {
      const net = parseCidr(text);
      const at = wasm.addIgnoredNet(net.version, net.bits);
      if (at === 0) throw new Error("at most 256 ignore-checksums prefixes");
      this.refresh().set(new Uint8Array(net.words.buffer, net.words.byteOffset, 16), at);
    }
    this.recordsCapacity = wasm.recordsCapacity();
  }

  /** Added to packet indices: the packets of earlier files when several are read as one. */
  get packetBase(): number { return this.base; }
  set packetBase(base: number) {
    this.base = base;
    this.wasm.setPacketBase(base);
  }

  private base = 0;

  /** The capture clock's origin (the seconds of its first record), when the run sees only part of it. */
  setClockBase(secs: number): void { this.wasm.setClockBase(secs); }

  /**
   * A shard tracker whose timeline figures nobody reads (the main thread's share, a worker past
   * the first): it passes over the other shards' packets without them (faster; the same
   * connections), and maxGapSec and backwardsSteps are NaN from then on.
   */
  dropTimeline(): void {
    this.wasm.setTimelineKept(0);
    this.timelineKept = false;
  }

  private timelineKept = true;

  get maxGapSec(): number { return this.timelineKept ? this.wasm.maxGapSec() : NaN; }
  get backwardsSteps(): number { return this.timelineKept ? this.wasm.backwardsSteps() : NaN; }
  /** Connections open now. */
  get live(): number { return this.wasm.liveConnections(); }

  processBatch(b: PacketBatch): void {
    if (this.recordsAt === 0) this.recordsAt = this.wasm.recordsPtr();
    for (let first = 0; first < b.count; first += this.recordsCapacity) {
      const count = Math.min(this.recordsCapacity, b.count - first);
      const from = first * L.RECORD_SIZE;
      this.refresh().set(b.u8.subarray(from, from + count * L.RECORD_SIZE), this.recordsAt);
      this.copyTunnelRecords(b, first, count);
      for (let next = 0; next < count;) {
        next = this.wasm.track(next, count);
        this.drain();
      }
    }
    this.advanceClock(b.latestSec, b.latestNsec);
  }

  // The tunnel records of a batch's tunnelled records go with them (the others are not read).
  private copyTunnelRecords(b: PacketBatch, first: number, count: number): void {
    // Asked of the records just copied in, in WebAssembly (a loop here cost ~2.5 ns a record).
    if (!b.tunnels || !this.wasm.anyTunnelled(this.recordsAt, count)) {
      this.wasm.setTunnelRecords(0);
      return;
    }
    const at = this.wasm.tunnelRecordsPtr();
    const from = first * L.TUNNEL_RECORD_SIZE;
    this.refresh().set(b.tunnels.subarray(from, from + count * L.TUNNEL_RECORD_SIZE), at);
    this.wasm.setTunnelRecords(at);
  }

  /**
   * Tracks `count` records at byte `at` of the tracker's memory (the constructor's `memory`),
   * their tunnel records at `tunnelsAt` (0: none), then moves the clock to
   * `latestSec`/`latestNsec` (PacketBatch.latestSec).
   */
  processInPlace(at: number, count: number, latestSec: number, latestNsec: number, tunnelsAt = 0): void {
    this.wasm.setTunnelRecords(tunnelsAt);
    for (let next = 0; next < count;) {
      next = this.wasm.trackAt(at, next, count);
      this.drain();
    }
    this.advanceClock(latestSec, latestNsec);
  }

  /** The latest time of any packet read (TCP or not): the timers due by then fire. */
  advanceClock(sec: number, nsec: number): void {
    // Called without a time too (sec -1): the timers its other shards' packets left due fire.
    while (this.wasm.advanceClock(sec, nsec) === 0) this.drain();
    this.drain();
  }

  /**
   * Ends the connections still open (end of input), in the order they began, at most `max` of
   * them per call; returns true once none is left.
   */
  finish(max = Infinity): boolean {
    let left = max;
    for (;;) {
      const done = this.wasm.finish(Math.min(left, 0x7fffffff)) !== 0;
      left -= this.drain();
      if (done) return true;
      if (left <= 0) return false;
    }
  }

  // Hands the connections in the ended buffer to `emit`; returns how many.
  private drain(): number {
    const n = this.wasm.endedCount();
    if (n === 0) return 0;
    if (this.endedRuns) {
      this.endedRuns(this.wasm.endedPtr() >>> 0, n);
      return n;
    }
    const bytes = this.refresh();
    const base = this.wasm.endedPtr();
    for (let k = 0; k < n; k++) {
      const at = base + k * CONN_SIZE;
      if (this.raw) {
        this.raw(bytes, this.view, at);
      } else {
        unpackConnection(this.view, bytes, at, this.scratch, 0);
        this.emit!(this.scratch, 0);
      }
    }
    return n;
  }

  // Views over the tracker's memory, renewed when it has grown.
  private refresh(): Uint8Array {
    const buffer = this.wasm.memory.buffer;
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.bytes = new Uint8Array(buffer);
      this.view = new DataView(buffer);
    }
    return this.bytes;
  }
}
