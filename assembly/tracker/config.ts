// What a tracker run is configured with: timeouts, likely server ports, per-port inactivity
// timeouts, checksum verification and the prefixes it skips, and the shard it tracks.

import { REC_IP_VERSION, REC_SRC_ADDR, REC_DST_ADDR } from "../layout";

export let attemptTimeout: f64 = 5;
export let closeTimeout: f64 = 5;
export let handshakeInactivity: f64 = 60;
export let inactivityTimeout: f64 = 300;
export let verify = false;
// The flow groups (below) this tracker tracks: bit g for group g (sdk/connections/shard-groups.ts).
let ownedGroups: u64 = 0xffffffffffffffff;
/** Whether it tracks every flow (no shard, or a shard of all the groups). */
export let ownsAll = true;
/**
 * Whether the timeline figures (largest gap, steps back) are kept: a shard whose figures nobody
 * reads (the main thread's share, a worker past the first) passes over the others' packets faster.
 */
export let timelineKept = true;
export function setTimelineKept(on: bool): void { timelineKept = on; }

// The flows fall in VIRTUAL_SHARDS groups by flow hash, the same in every tracker whatever the
// thread count: a worker tracks whole groups (ownedGroups), and each group holds
// its own share of the limits below and ends its own connections past them, so that 1, 2, 3
// or more threads end the same connections. (The reference tracker: tracker-options.ts.)
export const VIRTUAL_SHARDS: u32 = 64;
@inline export function virtualShard(hash: u32): u32 { return hash & (VIRTUAL_SHARDS - 1); }
/**
 * Whether this tracker tracks the flow with this hash: its virtual shard is one of this worker's
 * (a shift and a test, no division: every packet of every tracker, some twice, asks).
 */
@inline export function tracksFlow(hash: u32): bool { return ((ownedGroups >> <u64>virtualShard(hash)) & 1) != 0; }
// A limit's share per group: a whole number, rounded up (0xffffffff: no limit).
function share(limit: u32): u32 { return limit == 0xffffffff ? limit : <u32>((<u64>limit + VIRTUAL_SHARDS - 1) / VIRTUAL_SHARDS); }

/** One-packet connections (held as pending entries) kept at once per virtual shard; its oldest ends past it. */
export let halfOpenShare: u32 = 0xffffffff;
export function setHalfOpenLimit(limit: u32): void { halfOpenShare = share(limit); }
/** Connection records (pending entries apart) kept at once per virtual shard; its least recently active end past it. */
export let connectionShare: u32 = 0xffffffff;
export function setConnectionLimit(limit: u32): void { connectionShare = share(limit); }
/** Connections keyed by tunnel chain and inner endpoints (else by inner endpoints, as Zeek). */
export let keyByTunnel = false;
export function setKeyByTunnel(on: bool): void { keyByTunnel = on; }

let likely: usize = 0; //       65536 bytes: 1 for a likely server port
let portTimeouts: usize = 0; // 65536 f64: inactivity timeout for a responder port, 0: none
const MAX_NETS: u32 = 256;
const NET_SIZE: u32 = 20; //    version, prefix bits, 2 unused, 16 address bytes
let nets: usize = 0;
let netCount: u32 = 0;

export function resetConfig(
  attempt: f64, close: f64, handshake: f64, inactivity: f64, verifyChecksums: bool, ownedLow: u32, ownedHigh: u32,
): void {
  attemptTimeout = attempt;
  closeTimeout = close;
  handshakeInactivity = handshake;
  inactivityTimeout = inactivity;
  verify = verifyChecksums;
  ownedGroups = (<u64>ownedHigh << 32) | <u64>ownedLow;
  ownsAll = ownedGroups == 0xffffffffffffffff;
  timelineKept = true;
  halfOpenShare = 0xffffffff;
  connectionShare = 0xffffffff;
  keyByTunnel = false;
  if (likely == 0) {
    likely = heap.alloc(65536);
    portTimeouts = heap.alloc(65536 << 3);
    nets = heap.alloc(<usize>(MAX_NETS * NET_SIZE));
  }
  memory.fill(likely, 0, 65536);
  memory.fill(portTimeouts, 0, 65536 << 3);
  netCount = 0;
}

export function setLikelyServerPort(port: u32): void { store<u8>(likely + (port & 0xffff), 1); }
export function setPortTimeout(port: u32, seconds: f64): void { store<f64>(portTimeouts + (<usize>(port & 0xffff) << 3), seconds); }
@inline export function isLikelyServerPort(port: u32): bool { return load<u8>(likely + port) == 1; }
@inline export function portTimeout(port: u32): f64 { return load<f64>(portTimeouts + (<usize>port << 3)); }

/** Room for one more prefix: its 16 address bytes go at the returned address; 0 when full. */
export function addIgnoredNet(version: u32, bits: u32): usize {
  if (netCount == MAX_NETS) return 0;
  const at = nets + <usize>(netCount++ * NET_SIZE);
  store<u8>(at, <u8>version);
  store<u8>(at, <u8>bits, 1);
  return at + 4;
}

function netContains(net: usize, version: u32, address: usize): bool {
  if (<u32>load<u8>(net) != version) return false;
  let bits = <i32>load<u8>(net, 1);
  for (let k: usize = 0; bits > 0; k++, bits -= 8) {
    const mask: u32 = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((<u32>load<u8>(address + k) & mask) != (<u32>load<u8>(net + 4 + k) & mask)) return false;
  }
  return true;
}

/** Whether either address of the packet record `r` lies in an ignore_checksums_nets prefix. */
export function checksumsIgnored(r: usize): bool {
  const version = <u32>load<u8>(r, REC_IP_VERSION);
  for (let k: u32 = 0; k < netCount; k++) {
    const net = nets + <usize>(k * NET_SIZE);
    if (netContains(net, version, r + REC_SRC_ADDR) || netContains(net, version, r + REC_DST_ADDR)) return true;
  }
  return false;
}
