// One-packet connections kept small: a connection whose only packet so far is the one that
// opened it (a lone SYN, a mid-stream ACK, a RST, a SYN/ACK, ...) is held here as that packet's
// record's fields (128 bytes) instead of a full connection record (CONN_SIZE), until a second packet
// arrives or its first timer may be due; then half-open.ts replays the packet into a full
// record, so the result is exactly what tracking it in full would give. Under a flood of
// one-packet connections of any kind nearly every connection stays here.
//
// The entries form a FIFO in creation order, which is also deadline order (half-open.ts admits
// a packet only at the clock's latest time, and every entry's deadline is that time plus the
// same offset), so no timer-heap entry is needed: the head is always the next to come due. An
// entry is addressed by its sequence number; promoted entries are marked dead and skipped when
// the head reaches them.

import { VIRTUAL_SHARDS, virtualShard } from "./config";
import * as L from "../layout";

const ENTRY_SIZE: usize = 128;
const CHUNK_SHIFT: u32 = 12;
const CHUNK_ENTRIES: u32 = 1 << CHUNK_SHIFT;
const MAX_CHUNKS: u32 = 1 << 16; // up to 268 M entries pending at once
const SEQ_BITS: u32 = (MAX_CHUNKS << CHUNK_SHIFT) - 1; // the bits of a sequence number pendingAt() reads

// Entry layout: the key first, as in a connection record (C_KEY..C_KEY_VERSION), so that the
// flow index compares either alike; then the packet record's fields that the tracker's rules
// read (every REC_* named under assembly/tracker/), the others being zero on replay. A rule
// that starts reading another field must add it here: the reference tracker keeps the whole
// record, and the tests comparing the trackers would tell.
export const P_KEY = 0; //          address of the sender (16), of the receiver (16)
export const P_KEY_PORTS = 32; //   sender port << 16 | receiver port
export const P_KEY_VERSION = 36; // u32
export const P_TS_SEC = 40; //      f64
export const P_PACKET = 48; //      f64: packet key (index and subframe fraction) including the packet base
export const P_NOW = 56; //         f64: the capture clock's "now" when the packet came
const P_TUNNEL = 64; //             8 bytes: the record's REC_TUNNEL_HASH .. REC_FRAGMENTS
export const P_TUNNEL_KEY = P_TUNNEL; // REC_TUNNEL_HASH: compared by the flow index when keyed by tunnel
export const P_FLOW_HASH = 72;
const P_SEQ = 76; //                u32 fields
const P_ACK = 80;
export const P_TS_NSEC = 84;
const P_IP_LEN = 88;
const P_PAYLOAD_LEN = 92;
const P_TSVAL = 96;
const P_WINDOW = 100; //            u16 fields
const P_FLAGS = 102;
const P_MSS = 104;
const P_OPTIONS = 106;
const P_VLAN = 108;
const P_INNER_VLAN = 110;
const P_WSCALE = 112; //            u8 fields
const P_TFO_COOKIE_LEN = 113;
const P_PACKET_FLAGS = 114;
export const P_ALIVE = 115;
const P_PREV = 116; //              u32: the previous and next live entry of the same virtual
const P_NEXT = 120; //              shard (config.ts), NONE at either end

/** Copies packet record `r`'s fields into entry `p` (its packet index as given). */
export function storeRecord(p: usize, r: usize, packetIndex: f64): void {
  memory.copy(p + P_KEY, r + L.REC_SRC_ADDR, 32);
  store<f64>(p, load<f64>(r, L.REC_TS_SEC), P_TS_SEC);
  store<f64>(p, packetIndex, P_PACKET);
  store<u64>(p, load<u64>(r, L.REC_TUNNEL_HASH), P_TUNNEL);
  store<u32>(p, load<u32>(r, L.REC_FLOW_HASH), P_FLOW_HASH);
  store<u32>(p, load<u32>(r, L.REC_SEQ), P_SEQ);
  store<u32>(p, load<u32>(r, L.REC_ACK), P_ACK);
  store<u32>(p, load<u32>(r, L.REC_TS_NSEC), P_TS_NSEC);
  store<u32>(p, load<u32>(r, L.REC_IP_LEN), P_IP_LEN);
  store<u32>(p, load<u32>(r, L.REC_PAYLOAD_LEN), P_PAYLOAD_LEN);
  store<u32>(p, load<u32>(r, L.REC_TSVAL), P_TSVAL);
  store<u16>(p, load<u16>(r, L.REC_WINDOW), P_WINDOW);
  store<u16>(p, load<u16>(r, L.REC_TCP_FLAGS), P_FLAGS);
  store<u16>(p, load<u16>(r, L.REC_MSS), P_MSS);
  store<u16>(p, load<u16>(r, L.REC_OPTIONS), P_OPTIONS);
  store<u16>(p, load<u16>(r, L.REC_VLAN), P_VLAN);
  store<u16>(p, load<u16>(r, L.REC_INNER_VLAN), P_INNER_VLAN);
  store<u8>(p, load<u8>(r, L.REC_WSCALE), P_WSCALE);
  store<u8>(p, load<u8>(r, L.REC_TFO_COOKIE_LEN), P_TFO_COOKIE_LEN);
  store<u8>(p, load<u8>(r, L.REC_PACKET_FLAGS), P_PACKET_FLAGS);
}

/** Writes entry `p`'s packet record to `x` (RECORD_SIZE bytes; the fields not kept zero). */
export function loadRecord(x: usize, p: usize): void {
  memory.fill(x, 0, L.RECORD_SIZE);
  memory.copy(x + L.REC_SRC_ADDR, p + P_KEY, 32);
  const ports = load<u32>(p, P_KEY_PORTS);
  store<u16>(x, <u16>(ports >>> 16), L.REC_SRC_PORT);
  store<u16>(x, <u16>ports, L.REC_DST_PORT);
  store<u8>(x, <u8>load<u32>(p, P_KEY_VERSION), L.REC_IP_VERSION);
  store<f64>(x, load<f64>(p, P_TS_SEC), L.REC_TS_SEC);
  store<f64>(x, load<f64>(p, P_PACKET), L.REC_PACKET_INDEX);
  store<u64>(x, load<u64>(p, P_TUNNEL), L.REC_TUNNEL_HASH);
  store<u32>(x, load<u32>(p, P_FLOW_HASH), L.REC_FLOW_HASH);
  store<u32>(x, load<u32>(p, P_SEQ), L.REC_SEQ);
  store<u32>(x, load<u32>(p, P_ACK), L.REC_ACK);
  store<u32>(x, load<u32>(p, P_TS_NSEC), L.REC_TS_NSEC);
  store<u32>(x, load<u32>(p, P_IP_LEN), L.REC_IP_LEN);
  store<u32>(x, load<u32>(p, P_PAYLOAD_LEN), L.REC_PAYLOAD_LEN);
  store<u32>(x, load<u32>(p, P_TSVAL), L.REC_TSVAL);
  store<u16>(x, load<u16>(p, P_WINDOW), L.REC_WINDOW);
  store<u16>(x, load<u16>(p, P_FLAGS), L.REC_TCP_FLAGS);
  store<u16>(x, load<u16>(p, P_MSS), L.REC_MSS);
  store<u16>(x, load<u16>(p, P_OPTIONS), L.REC_OPTIONS);
  store<u16>(x, load<u16>(p, P_VLAN), L.REC_VLAN);
  store<u16>(x, load<u16>(p, P_INNER_VLAN), L.REC_INNER_VLAN);
  store<u8>(x, load<u8>(p, P_WSCALE), L.REC_WSCALE);
  store<u8>(x, load<u8>(p, P_TFO_COOKIE_LEN), L.REC_TFO_COOKIE_LEN);
  store<u8>(x, load<u8>(p, P_PACKET_FLAGS), L.REC_PACKET_FLAGS);
}

let chunks: usize = 0; // MAX_CHUNKS chunk addresses, used circularly
let head: u32 = 0; //    sequence number of the oldest entry kept
let tail: u32 = 0; //    sequence number the next entry gets
export let pendingLive: u32 = 0;
// The live head as pendingHead() last found it, and whether it may have changed since (it
// died, or a push came to a queue with no live entry): until then the head need not be looked
// for again, which the packet loop's timer check asks for at every packet (half-open.ts).
export let knownHead: i64 = -1;
export let headMayHaveChanged = true;
// Per virtual shard, its live entries oldest first (a list threaded through them: P_PREV,
// P_NEXT), so that each shard ends its own oldest past its share of the limit.
const NONE: u32 = 0xffffffff;
let shardFirst: usize = 0; // u32 per shard
let shardLast: usize = 0; //  u32 per shard
let shardSize: usize = 0; //  u32 per shard

export function resetPending(): void {
  if (chunks == 0) {
    chunks = heap.alloc(<usize>MAX_CHUNKS << 2);
    memory.fill(chunks, 0, <usize>MAX_CHUNKS << 2);
  }
  while (head != tail) dropHead();
  if ((tail & (CHUNK_ENTRIES - 1)) != 0) freeChunkOf(tail); // the chunk being filled
  head = tail = 0;
  pendingLive = 0;
  knownHead = -1;
  headMayHaveChanged = true;
  if (shardFirst == 0) {
    shardFirst = heap.alloc(<usize>VIRTUAL_SHARDS << 2);
    shardLast = heap.alloc(<usize>VIRTUAL_SHARDS << 2);
    shardSize = heap.alloc(<usize>VIRTUAL_SHARDS << 2);
  }
  memory.fill(shardFirst, 0xff, <usize>VIRTUAL_SHARDS << 2);
  memory.fill(shardLast, 0xff, <usize>VIRTUAL_SHARDS << 2);
  memory.fill(shardSize, 0, <usize>VIRTUAL_SHARDS << 2);
}

/**
 * For the tests: the FIFO, empty after resetPending(), numbers its next entry `seq` (a multiple
 * of CHUNK_ENTRIES), as it would after that many pushes: past the flow index's 28 bits, say.
 */
export function startPendingAt(seq: u32): void {
  assert(head == tail && pendingLive == 0 && (seq & (CHUNK_ENTRIES - 1)) == 0);
  head = tail = seq;
}

@inline function shardField(table: usize, shard: u32): usize { return table + (<usize>shard << 2); }

/** Live entries of a virtual shard. */
export function pendingIn(shard: u32): u32 { return load<u32>(shardField(shardSize, shard)); }

/** A virtual shard's oldest live entry's sequence number; -1 when none. */
export function oldestPendingIn(shard: u32): i64 {
  const first = load<u32>(shardField(shardFirst, shard));
  return first == NONE ? -1 : <i64>first;
}

@inline function chunkSlot(seq: u32): usize { return chunks + (<usize>((seq >>> CHUNK_SHIFT) & (MAX_CHUNKS - 1)) << 2); }

@inline export function pendingAt(seq: u32): usize {
  return <usize>load<u32>(chunkSlot(seq)) + <usize>(seq & (CHUNK_ENTRIES - 1)) * ENTRY_SIZE;
}

/**
 * Room for one more entry of the flow with this hash, or 0 when MAX_CHUNKS chunks are in use;
 * its sequence number is pendingTail() - 1.
 */
export function pushPending(hash: u32): usize {
  if ((tail & (CHUNK_ENTRIES - 1)) == 0) {
    if (tail - head >= (MAX_CHUNKS - 1) << CHUNK_SHIFT) return 0;
    store<u32>(chunkSlot(tail), <u32>heap.alloc(<usize>CHUNK_ENTRIES * ENTRY_SIZE));
  }
  const seq = tail++;
  const at = pendingAt(seq);
  store<u8>(at, 1, P_ALIVE);
  pendingLive++;
  if (knownHead < 0) headMayHaveChanged = true;
  const shard = virtualShard(hash);
  const last = load<u32>(shardField(shardLast, shard));
  store<u32>(at, last, P_PREV);
  store<u32>(at, NONE, P_NEXT);
  if (last == NONE) store<u32>(shardField(shardFirst, shard), seq);
  else store<u32>(pendingAt(last), seq, P_NEXT);
  store<u32>(shardField(shardLast, shard), seq);
  store<u32>(shardField(shardSize, shard), load<u32>(shardField(shardSize, shard)) + 1);
  return at;
}

export function pendingTail(): u32 { return tail; }

/** Marks an entry promoted (or ended): the head skips it; out of its shard's list. */
export function killPending(seq: u32): void {
  const at = pendingAt(seq);
  store<u8>(at, 0, P_ALIVE);
  pendingLive--;
  // `seq` may come from the flow index, which keeps only the bits pendingAt() reads (28): the
  // live entries span fewer numbers than that, so those bits name the head alone.
  if (knownHead >= 0 && ((<u32>knownHead ^ seq) & SEQ_BITS) == 0) headMayHaveChanged = true;
  const shard = virtualShard(load<u32>(at, P_FLOW_HASH));
  const prev = load<u32>(at, P_PREV), next = load<u32>(at, P_NEXT);
  if (prev == NONE) store<u32>(shardField(shardFirst, shard), next);
  else store<u32>(pendingAt(prev), next, P_NEXT);
  if (next == NONE) store<u32>(shardField(shardLast, shard), prev);
  else store<u32>(pendingAt(next), prev, P_PREV);
  store<u32>(shardField(shardSize, shard), load<u32>(shardField(shardSize, shard)) - 1);
}

/** The oldest live entry's sequence number, dropping dead ones on the way; -1 when none. */
export function pendingHead(): i64 {
  headMayHaveChanged = false;
  while (head != tail) {
    if (load<u8>(pendingAt(head), P_ALIVE) != 0) return knownHead = <i64>head;
    dropHead();
  }
  return knownHead = -1;
}

/** Sequence numbers from the head to the tail, for a walk over the live entries. */
export function pendingFirst(): u32 { return head; }

// Drops the head entry; a chunk is freed once the head has passed its last entry.
function dropHead(): void {
  head++;
  if ((head & (CHUNK_ENTRIES - 1)) == 0) freeChunkOf(head - 1);
}

function freeChunkOf(seq: u32): void {
  heap.free(<usize>load<u32>(chunkSlot(seq)));
  store<u32>(chunkSlot(seq), 0);
}
