// What the streaming decoder (packet-decoder.ts) is given and tells: its options, where a
// parallel scan has its records go, and the capture's statistics, sections and interfaces.

import type { SectionOptions, InterfaceOptions } from "./pcapng-options.js";
import type { ReassemblyStats, TunnelStats } from "./decapsulation.js";
import type { TunnelPorts } from "./tunnels.js";

export interface DecoderOptions {
  /** Seed of the symmetric flow hash (default 0). */
  hashSeed?: number;
  /** Verify IPv4 header and TCP checksums; bad ones are flagged per packet (default false). */
  verifyChecksums?: boolean;
  /** Bytes read per chunk (default 1 MiB; 256 KiB - 1 MiB is fastest: it stays in cache). */
  chunkSize?: number;
  /** UDP ports taken as tunnels besides the defaults (DEFAULT_TUNNEL_PORTS), e.g. { vxlan: [4790] }. */
  tunnelPorts?: TunnelPorts;
  /** Tunnel levels decapsulated at most: 0 (none) to 3; default 2, Zeek's Tunnel::max_depth. */
  maxTunnelDepth?: number;
  /** Seconds of capture time an incomplete IP datagram is kept for reassembly (default 60). */
  fragmentTimeout?: number;
}

export const DEFAULT_CHUNK_SIZE = 1 << 20;

/**
 * Sections and interfaces described in a capture's summary: the first this many of each, so that
 * a file of millions of tiny section headers (any number is valid pcapng) keeps memory flat.
 */
export const LISTED = 1000;

/**
 * Where a decoder puts its records, for a scan whose worker threads read them in place: the
 * decoder runs on `memory`, and each step writes to output slot `outputSlot()` (the caller
 * makes sure no worker still reads it).
 */
export interface DecoderPlacement {
  memory: WebAssembly.Memory;
  outputSlot(): number;
  /**
   * Fill each slot before handing it on: a step that ran out of input keeps its records and the
   * next step appends to them (`holding` is true meanwhile). With large packets a chunk of input
   * holds ~1 000 of them: fuller batches mean fewer hand-overs (each wakes a worker).
   */
  fill?: boolean;
  /**
   * With `fill`: a caller may hand on what a slot holds before it is full (releaseHeld). False
   * for a map task, whose batches are its partitions' units.
   */
  releasable?: boolean;
}

export interface CaptureStats {
  /** Packets, as capinfos counts them. */
  packets: number;
  /**
   * pcapng blocks that are frames in Wireshark's numbering but no packets (systemd journal
   * entries, custom blocks, Sysdig events): a frame number each, beside the packets'.
   */
  nonPacketFrames: number;
  tcp: number;
  tcpUnreadable: number;
  udp: number;
  icmp: number;
  otherIp: number;
  nonIp: number;
  fragments: number;
  truncated: number;
  unsupportedLink: number;
  tunnelled: number;
  ipUnreadable: number;
  /**
   * IP packets whose total length reaches past the frame's original length (at any tunnel
   * level): dropped, as Zeek does (truncated_IP_len); counted in ipUnreadable too.
   */
  ipLenPastWire: number;
  linkInvalid: number;
  badChecksum: number;
  bytesCaptured: number;
  bytesOriginal: number;
  /** The file's first packet's timestamp; lastTimestamp is the latest, whatever the order. */
  firstTimestamp: Timestamp | null;
  /** The earliest packet's timestamp: before firstTimestamp in a capture out of time order. */
  earliestTimestamp: Timestamp | null;
  lastTimestamp: Timestamp | null;
  reassembly: ReassemblyStats;
  tunnels: TunnelStats;
}

export interface Timestamp { sec: number; nsec: number }

/** A pcap file header or pcapng section; pcapng's text options when the section has them. */
export interface SectionInfo extends SectionOptions {
  offset: number;
  byteOrder: "little" | "big";
  version: string;
}

export interface InterfaceInfo extends InterfaceOptions {
  offset: number;
  section: number;
  id: number;
  linkType: number;
  linkTypeName: string;
  snaplen: number;
  /** Timestamp units per second: 1e6 for microseconds, 1e9 for nanoseconds, 2^n ... */
  tsUnitsPerSec: number;
  tsOffsetSec: number;
  fcsBytes: number;
}

export type ContainerFormat = "pcap" | "pcapng";
