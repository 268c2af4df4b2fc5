// Hash index from a packet's endpoints to the slot of the connection that holds them.
//
// Open addressing with linear probing over the decoder's symmetric flow hash. Each entry keeps
// the hash beside the slot so that most non-matching probes never touch a connection record;
// a match is always confirmed on the full key (both addresses, both ports, IP version, and the
// tunnel chain's identity when connections are keyed by tunnel), in either direction. Removed entries become tombstones; the index is rebuilt when entries plus
// tombstones pass half its size.

import { C_KEY, C_KEY_PORTS, C_KEY_VERSION, C_ANALYSIS, C_TUNNEL_KEY, C_LAST_TIME, C_ENDPOINTS, ENDPOINT_STRIDE,
  ENDPOINT_COLD, C_ANOMALY_BITS, ANOMALY_SNAPLEN_TRUNCATED,
} from "../connection-layout";
import { S_NEXT_SEQ_TIME, A_RTT, RTT_STRIDE, A_QUANTILES, QUANTILES_STRIDE } from "../analysis-layout";
import { REC_SRC_ADDR, REC_DST_ADDR, REC_TUNNEL_HASH } from "../layout";
import { connAt } from "./connections";
import { pendingAt, P_TUNNEL_KEY } from "./pending";
import { keyByTunnel } from "./config";

const EMPTY: i32 = 0;
const TOMBSTONE: i32 = -1;

// Entries: u32 hash, then i32: slot + 1 of a connection record, PENDING | the sequence number
// (28 bits) of a pending one-packet connection (pending.ts), EMPTY or TOMBSTONE.
export const PENDING: i32 = 0x40000000;
const PENDING_SEQ: i32 = 0x0fffffff;
let entries: usize = 0;
let size: u32 = 0;
let mask: u32 = 0;
let filled: u32 = 0;
let tombstones: u32 = 0;

/** Side of the connection found by the last findFlow(): true when side 0 sent the packet. */
export let foundFromSideA = true;

export function resetFlowIndex(): void {
  if (entries != 0) heap.free(entries);
  size = 4096;
  mask = size - 1;
  entries = heap.alloc(<usize>size << 3);
  memory.fill(entries, 0, <usize>size << 3);
  filled = 0;
  tombstones = 0;
}

@inline function sameAddress(a: usize, b: usize): bool {
  return load<u64>(a) == load<u64>(b) && load<u64>(a, 8) == load<u64>(b, 8);
}

/**
 * The connection the packet record `r` belongs to: its slot, PENDING | sequence number for a
 * pending connection, or -1.
 */
export function findFlow(r: usize, hash: u32, ports: u32, version: u32): i32 {
  const swapped = rotl<u32>(ports, 16);
  for (let i = hash & mask; ; i = (i + 1) & mask) {
    const at = entries + (<usize>i << 3);
    const entry = load<i32>(at, 4);
    if (entry == EMPTY) return -1;
    if (entry == TOMBSTONE || load<u32>(at) != hash) continue;
    const found = (entry & PENDING) != 0 ? entry : entry - 1;
    const c = (entry & PENDING) != 0 ? pendingAt(<u32>(entry & PENDING_SEQ)) : connAt(<u32>(entry - 1));
    if (load<u32>(c, C_KEY_VERSION) != version) continue;
    // Keyed by tunnel: the same inner endpoints in another tunnel chain are another connection.
    if (keyByTunnel && load<u32>(c + <usize>((entry & PENDING) != 0 ? P_TUNNEL_KEY : C_TUNNEL_KEY)) != load<u32>(r, REC_TUNNEL_HASH)) continue;
    const keyPorts = load<u32>(c, C_KEY_PORTS);
    if (keyPorts == ports && sameAddress(c + C_KEY, r + REC_SRC_ADDR) && sameAddress(c + C_KEY + 16, r + REC_DST_ADDR)) {
      foundFromSideA = true;
      return found;
    }
    if (keyPorts == swapped && sameAddress(c + C_KEY, r + REC_DST_ADDR) && sameAddress(c + C_KEY + 16, r + REC_SRC_ADDR)) {
      foundFromSideA = false;
      return found;
    }
  }
  return -1; // unreachable: the index always has an empty entry
}

// Look-ahead loads (WebAssembly has no prefetch instruction): the index entry of a packet some
// places ahead, and the hot lines of the connection of a nearer one, whose index entry has
// arrived by then (track.ts makes them a group of packets at a time). These cache misses then
// overlap with each other and with the work on the packets in between. The results feed
// `touched` only so that the loads are kept.
let touched: u32 = 0;
@inline export function touchIndex(hash: u32): u32 {
  return load<u32>(entries + (<usize>(hash & mask) << 3), 4);
}
export function keepTouched(sum: u32): void { touched += sum; }
export function touchConnection(hash: u32): u32 {
  // The first entry with this hash (its index line arrived with touchIndex): the flow's own
  // entry unless two flows share the hash (rare), often a few entries past its home one.
  let i = hash & mask;
  let entry = load<i32>(entries + (<usize>i << 3), 4);
  while (entry != EMPTY && (entry == TOMBSTONE || load<u32>(entries + (<usize>i << 3)) != hash)) {
    i = (i + 1) & mask;
    entry = load<i32>(entries + (<usize>i << 3), 4);
  }
  if (entry == EMPTY) return 0;
  const c = (entry & PENDING) != 0 ? pendingAt(<u32>(entry & PENDING_SEQ)) : connAt(<u32>(entry - 1));
  if ((entry & PENDING) != 0) return load<u32>(c, C_KEY_VERSION);
  // The record's other hot lines: its times and deadlines, then both endpoints (every packet
  // reads and writes the three).
  let sum = load<u32>(c, C_KEY_VERSION) + load<u32>(c + C_LAST_TIME) + load<u32>(c + C_ENDPOINTS) + load<u32>(c + C_ENDPOINTS + ENDPOINT_STRIDE);
  // Payload cut by the snaplen is never delivered: each ACK of it is a content gap, counted on
  // the endpoints' cold lines.
  if ((load<u32>(c, C_ANOMALY_BITS) & (1 << ANOMALY_SNAPLEN_TRUNCATED)) != 0) {
    sum += load<u32>(c + C_ENDPOINTS + ENDPOINT_COLD) + load<u32>(c + C_ENDPOINTS + ENDPOINT_COLD + ENDPOINT_STRIDE);
  }
  // The TCP analysis block's two hot lines (both sides' rules state, then their times), which
  // every packet reads, each side's line of RTT statistics and first ring entries, which a
  // packet's segment or ACK usually reads (analysis layout 4), and each side's line of RTT
  // quantile estimators, which an RTT sample (0.4 a packet on short exchanges) reads and
  // writes: without it that line was the first miss of most samples, half of the estimators'
  // time in the tracker.
  const a = c + C_ANALYSIS;
  return sum + load<u32>(a) + load<u32>(a + S_NEXT_SEQ_TIME) + load<u32>(a + A_RTT) + load<u32>(a + A_RTT + RTT_STRIDE)
    + load<u32>(a + A_QUANTILES) + load<u32>(a + A_QUANTILES + QUANTILES_STRIDE);
}
export function touchedSum(): u32 { return touched; }

/** Indexes a connection (slot) whose key is already stored. */
export function insertFlow(slot: u32, hash: u32): void {
  insertEntry(<i32>slot + 1, hash);
}

/** Indexes a pending connection whose key is already stored. */
export function insertPending(seq: u32, hash: u32): void {
  insertEntry(PENDING | (<i32>seq & PENDING_SEQ), hash);
}

function insertEntry(value: i32, hash: u32): void {
  if ((filled + tombstones + 1) * 2 > size) rebuild();
  let i = hash & mask;
  while (load<i32>(entries + (<usize>i << 3), 4) > 0) i = (i + 1) & mask;
  const at = entries + (<usize>i << 3);
  if (load<i32>(at, 4) == TOMBSTONE) tombstones--;
  store<u32>(at, hash);
  store<i32>(at, value, 4);
  filled++;
}

export function removeFlow(slot: u32, hash: u32): void {
  removeEntry(<i32>slot + 1, hash);
}

export function removePending(seq: u32, hash: u32): void {
  removeEntry(PENDING | (<i32>seq & PENDING_SEQ), hash);
}

function removeEntry(value: i32, hash: u32): void {
  for (let i = hash & mask; ; i = (i + 1) & mask) {
    const at = entries + (<usize>i << 3);
    const entry = load<i32>(at, 4);
    if (entry == EMPTY) return;
    if (entry == value) {
      store<i32>(at, TOMBSTONE, 4);
      filled--;
      tombstones++;
      return;
    }
  }
}

function rebuild(): void {
  const old = entries, oldSize = size;
  size = filled * 4 > oldSize ? oldSize * 2 : oldSize;
  mask = size - 1;
  entries = heap.alloc(<usize>size << 3);
  memory.fill(entries, 0, <usize>size << 3);
  tombstones = 0;
  for (let j: u32 = 0; j < oldSize; j++) {
    const from = old + (<usize>j << 3);
    if (load<i32>(from, 4) <= 0) continue;
    const hash = load<u32>(from);
    let i = hash & mask;
    while (load<i32>(entries + (<usize>i << 3), 4) != EMPTY) i = (i + 1) & mask;
    store<u64>(entries + (<usize>i << 3), load<u64>(from));
  }
  heap.free(old);
}
