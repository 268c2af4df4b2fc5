// The decoder's tunnel and reassembly settings (handed to the WebAssembly module after each
// reset) and its tunnel and reassembly counters, read into objects.

import * as L from "../../assembly/layout.js";
import type { DecoderExports } from "./wasm.js";
import { checkTunnelPorts, tunnelTypeCode, TUNNEL_TYPES, type TunnelPorts, type TunnelType } from "./tunnels.js";

export interface DecapsulationOptions {
  tunnelPorts?: TunnelPorts;
  maxTunnelDepth?: number;
  fragmentTimeout?: number;
}

/** IP reassembly: datagrams rebuilt, and what was not trusted (see assembly/reassembly/). */
export interface ReassemblyStats {
  reassembled: number;
  /** Fragments overlapping data already held with other bytes, or partly (the first-seen kept). */
  overlaps: number;
  /** Fragments repeating data already held, byte for byte. */
  duplicates: number;
  /** Datagrams whose fragments reach past 65 535 bytes (Ping of Death), dropped. */
  oversize: number;
  /** Fragments that contradict their datagram (two ends, data past the end, ...): datagram dropped. */
  invalid: number;
  /** Datagrams never completed: dropped after the timeout, evicted to stay within the caps, unfinished at the end. */
  timedOut: number;
  evicted: number;
  unfinished: number;
  /** Reassembled datagrams with a snaplen-cut fragment (reassembled as far as captured). */
  cut: number;
}

/** Tunnels: packets per type and level (0 = outermost), and what was not decapsulated. */
export interface TunnelStats {
  /** For each type seen, the packets that went through it at each level. */
  byType: Partial<Record<TunnelType, number[]>>;
  /** Packets whose deepest tunnel level was 1, 2, 3. */
  byDepth: number[];
  /** A tunnel below the depth limit: not decapsulated. */
  tooDeep: number;
  /** GRE with routing, an unknown version or payload type. */
  unsupported: number;
  /** IPComp payloads inflated, and not (other algorithms, invalid streams). */
  ipcomp: number;
  ipcompUnsupported: number;
  /** 802.11 A-MSDU subframes decoded past each frame's first (each a packet, as in Zeek), and those left undecoded past an output slot's room for them. */
  amsduSubframes: number;
  amsduDropped: number;
}


export function configureDecapsulation(wasm: DecoderExports, options: DecapsulationOptions): void {
  const depth = options.maxTunnelDepth ?? L.DEFAULT_TUNNEL_DEPTH;
  if (!Number.isInteger(depth) || depth < 0 || depth > L.MAX_TUNNEL_DEPTH) {
    throw new RangeError(`maxTunnelDepth: ${depth} is not an integer from 0 to ${L.MAX_TUNNEL_DEPTH}`);
  }
  const timeout = options.fragmentTimeout ?? 60;
  if (!(timeout > 0) || !Number.isFinite(timeout)) throw new RangeError(`fragmentTimeout: ${timeout} is not a positive number of seconds`);
  wasm.configureDecapsulation(depth, timeout);
  if (options.tunnelPorts) {
    checkTunnelPorts(options.tunnelPorts);
    for (const [type, ports] of Object.entries(options.tunnelPorts)) {
      for (const port of ports ?? []) wasm.setTunnelPort(port, tunnelTypeCode(type));
    }
  }
}

export function tunnelStats(s: Float64Array): TunnelStats {
  const byType: Partial<Record<TunnelType, number[]>> = {};
  const reached = new Array<number>(L.MAX_TUNNEL_DEPTH).fill(0);
  for (let t = 1; t <= L.TUNNEL_TYPE_COUNT; t++) {
    const levels: number[] = [];
    for (let level = 0; level < L.MAX_TUNNEL_DEPTH; level++) {
      const n = s[L.STAT_TUNNEL_BASE + (t - 1) * L.MAX_TUNNEL_DEPTH + level]!;
      levels.push(n);
      reached[level]! += n;
    }
    if (levels.some((n) => n > 0)) byType[TUNNEL_TYPES[t]!] = levels;
  }
  // A packet reaching level k also reached the levels above it: those whose deepest was k.
  const byDepth = reached.map((n, k) => n - (reached[k + 1] ?? 0));
  return {
    byType, byDepth,
    tooDeep: s[L.STAT_TUNNEL_TOO_DEEP]!, unsupported: s[L.STAT_TUNNEL_UNSUPPORTED]!,
    ipcomp: s[L.STAT_IPCOMP]!, ipcompUnsupported: s[L.STAT_IPCOMP_UNSUPPORTED]!,
    amsduSubframes: s[L.STAT_AMSDU_SUBFRAMES]!, amsduDropped: s[L.STAT_AMSDU_DROPPED]!,
  };
}

export function reassemblyStats(s: Float64Array): ReassemblyStats {
  return {
    reassembled: s[L.STAT_REASSEMBLED]!,
    overlaps: s[L.STAT_FRAG_OVERLAP]!,
    duplicates: s[L.STAT_FRAG_DUPLICATE]!,
    oversize: s[L.STAT_FRAG_OVERSIZE]!,
    invalid: s[L.STAT_FRAG_INVALID]!,
    timedOut: s[L.STAT_FRAG_TIMED_OUT]!,
    evicted: s[L.STAT_FRAG_EVICTED]!,
    unfinished: s[L.STAT_FRAG_UNFINISHED]!,
    cut: s[L.STAT_FRAG_CUT]!,
  };
}
