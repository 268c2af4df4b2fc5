// What a connection tracker is configured with (both trackers: the reference in tracker.ts and
// the WebAssembly one behind wasm-tracker.ts), and what it hands out.

import type { PacketBatch } from "../decoder/packet-batch.js";
import type { ConnectionStore } from "./connection-store.js";
import type { TrackerShard } from "./shard-groups.js";

/** Connection lifetimes in seconds; Zeek's defaults. */
export interface Timeouts {
  /** An originator SYN left unanswered this long ends the attempt (tcp_attempt_delay). */
  attempt: number;
  /** Linger after a close or reset completes (tcp_close_delay, tcp_reset_delay). */
  close: number;
  /** Inactivity while both sides are still in the handshake (udp_inactivity_timeout). */
  handshakeInactivity: number;
  /** Inactivity once a side is past the handshake (tcp_inactivity_timeout). */
  inactivity: number;
  /** Inactivity for connections to these server ports (Conn::port_inactivity_timeouts). */
  portInactivity: Record<number, number>;
}

export const ZEEK_TIMEOUTS: Timeouts = {
  attempt: 5,
  close: 5,
  handshakeInactivity: 60,
  inactivity: 300,
  portInactivity: { 21: 3600, 22: 3600, 23: 3600, 513: 3600 },
};

export interface TrackerOptions {
  /** Ports taken to be the server side of connections first seen mid-stream. */
  likelyServerPorts?: readonly number[];
  /** Act on checksum flags of the decoder (which must verify them). */
  verifyChecksums?: boolean;
  /** With verifyChecksums: packets from or to these prefixes are not checked (Zeek's ignore_checksums_nets). */
  ignoreChecksumsNets?: readonly string[];
  timeouts?: Partial<Timeouts>;
  /**
   * Key connections by the tunnel chain that carried them as well as by their inner endpoints,
   * so that the same inner addresses and ports in two tunnels (two VXLAN VNIs, two GTP-U
   * tunnels, ...) are two connections. Default false: Zeek's key, the inner endpoints alone (a
   * connection whose packets change tunnel stays one connection, with history 'X' past five
   * changes).
   */
  keyByTunnel?: boolean;
  /**
   * Track only the connections whose flow hash falls in this shard: the virtual shards (flow
   * groups, below) it owns, those whose group mod count is index, or with `weights` a run of
   * them in proportion (shard-groups.ts); the clock and timers still advance with every
   * packet, so each connection ends exactly as it would without sharding.
   */
  shard?: TrackerShard;
  /**
   * The reference tracker only: track, within the shard, only the flows for which this returns
   * true, given their flow hash (the decoder's REC_FLOW_HASH); as for a shard, the clock and
   * timers advance with every packet. For the ladder's second pass, which draws a few connections
   * a first scan found: their flows alone, or the whole virtual shard of one that saw evictions.
   */
  tracksFlow?: (flowHash: number) => boolean;
  /**
   * Connections of one packet so far (a lone SYN, a mid-stream ACK, a RST, a SYN/ACK, ...) kept
   * at once (default DEFAULT_MAX_HALF_OPEN; Infinity: no limit), each held as its packet's
   * record until a second packet or its first timer. Past it, the oldest ends at once (a SYN's
   * attempt timer would have ended it later), "evicted": no flood of them can exhaust memory.
   * Split over VIRTUAL_SHARDS groups of flows, each ending its own oldest past its share.
   */
  maxHalfOpen?: number;
  /**
   * Connection records (all but those of one packet so far) kept at once (default
   * DEFAULT_MAX_CONNECTIONS; Infinity: no limit). Past it, the least recently active end at
   * once with teardown "evicted", one-sided and mid-stream ones first: no flood can exhaust
   * memory. Split over VIRTUAL_SHARDS groups of flows, each ending its own past its share.
   */
  maxConnections?: number;
}

/** Far more than ordinary traffic holds at once in its first packet; under a flood, ~150 bytes each. */
export const DEFAULT_MAX_HALF_OPEN = 100_000;

/**
 * Connection records kept at once by default. A record costs ~1.4 KB of peak memory in a flood
 * (the record, its index entry, timer and eviction entries, and what they leave behind), on
 * top of what a flood costs the rest of the scan (~150-180 MB of peak RSS, one-packet
 * connections up to their own bound included). A flood of one-packet connections never makes
 * records; 30 000 bounds one whose connections have two packets or more.
 * Ordinary traffic holds far fewer at once (the 300 MB generated capture of the benchmarks,
 * 7 000); raise it for captures that hold more (--max-connections).
 */
export const DEFAULT_MAX_CONNECTIONS = 30_000;

function limit(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value === Infinity || (Number.isInteger(value) && value >= 1))) {
    throw new RangeError(`${name} must be a whole number of connections, at least 1, or Infinity (got ${String(value)})`);
  }
  return value;
}

/**
 * The flows fall in VIRTUAL_SHARDS groups by flow hash, the same in every tracker whatever the
 * thread count: a worker tracks whole groups (TrackerOptions.shard), and each group holds its
 * own share of maxHalfOpen and maxConnections and ends its own connections past them, so that
 * 1, 2, 3 or more threads end the same connections. (The WebAssembly tracker: assembly/tracker/config.ts.)
 */
export const VIRTUAL_SHARDS = 64;
export function virtualShard(hash: number): number { return hash & (VIRTUAL_SHARDS - 1); }
/** A limit's share per virtual shard: rounded up to a whole number. */
export function limitShare(limit: number): number { return limit === Infinity ? Infinity : Math.ceil(limit / VIRTUAL_SHARDS); }

/** TrackerOptions.maxHalfOpen as both trackers apply it: a whole number, at least 1, or Infinity. */
export function halfOpenLimit(options: TrackerOptions): number {
  return limit(options.maxHalfOpen, DEFAULT_MAX_HALF_OPEN, "maxHalfOpen");
}

/** TrackerOptions.maxConnections as both trackers apply it: a whole number, at least 1, or Infinity. */
export function connectionLimit(options: TrackerOptions): number {
  return limit(options.maxConnections, DEFAULT_MAX_CONNECTIONS, "maxConnections");
}

export type EmitConnection = (store: ConnectionStore, slot: number) => void;

/** Optional observers, for tools that need more than the connection records (the ladder). */
export interface TrackerHooks {
  /** A connection was created in `slot`; `packet` is the packet that created it. */
  created?(store: ConnectionStore, slot: number, b: PacketBatch, i: number): void;
  /**
   * An accepted packet; `fromSideA` says whether the connection's side 0 sent it, `verdicts` are
   * its TCP analysis verdicts (V_* bits of assembly/analysis-layout.ts).
   */
  packet?(slot: number, fromSideA: boolean, b: PacketBatch, i: number, time: number, verdicts: number): void;
}
