// Half-open connections kept small: a connection whose only packet so far is the SYN that
// opened it is held here as that packet's fields (112 bytes) instead of a full connection record
// (CONN_SIZE), until a second packet arrives or its first timer is due; then track.ts replays
// the SYN into a full record, so the result is exactly what tracking it in full would give.
// Under a SYN flood nearly every connection stays here.
//
// The entries form a FIFO in creation order, which is also deadline order (track.ts admits an
// entry only if its deadline is not earlier than the last one's), so no timer-heap entry is
// needed: the head is always the next to come due. An entry is addressed by its sequence
// number; promoted entries are marked dead and skipped when the head reaches them.

const ENTRY_SIZE: usize = 112;
const CHUNK_SHIFT: u32 = 12;
const CHUNK_ENTRIES: u32 = 1 << CHUNK_SHIFT;
const MAX_CHUNKS: u32 = 1 << 16; // up to 268 M entries pending at once

// Entry layout: the key first, as in a connection record (C_KEY..C_KEY_VERSION), so that the
// flow index compares either alike.
export const P_KEY = 0; //          address of the sender (16), of the receiver (16)
export const P_KEY_PORTS = 32; //   sender port << 16 | receiver port
export const P_KEY_VERSION = 36; // u32
export const P_FLOW_HASH = 40;
export const P_SEQ = 44;
export const P_TS_SEC = 48; //      f64: the packet record's fields ...
export const P_PACKET = 56; //      f64: packet index including the packet base
export const P_NOW = 64; //         f64: the capture clock's "now" when the SYN came
export const P_TS_NSEC = 72;
export const P_IP_LEN = 76;
export const P_WINDOW = 80; //      u16 fields
export const P_FLAGS = 82;
export const P_MSS = 84;
export const P_OPTIONS = 86;
export const P_VLAN = 88;
export const P_INNER_VLAN = 90;
export const P_WSCALE = 92; //      u8 fields
export const P_TFO_COOKIE_LEN = 93;
export const P_PACKET_FLAGS = 94;
export const P_ALIVE = 95;
export const P_ACK = 96; //          u32: the SYN's acknowledgement field (the TCP analysis reads it)
export const P_TUNNEL_KEY = 100; //  u32: as C_TUNNEL_KEY (keyByTunnel), compared by the flow index
export const P_TUNNEL = 104; //      8 bytes: the record's REC_TUNNEL_HASH .. REC_FRAGMENTS

let chunks: usize = 0; // MAX_CHUNKS chunk addresses, used circularly
let head: u32 = 0; //    sequence number of the oldest entry kept
let tail: u32 = 0; //    sequence number the next entry gets
export let pendingLive: u32 = 0;

export function resetPending(): void {
  if (chunks == 0) {
    chunks = heap.alloc(<usize>MAX_CHUNKS << 2);
    memory.fill(chunks, 0, <usize>MAX_CHUNKS << 2);
  }
  while (head != tail) dropHead();
  if ((tail & (CHUNK_ENTRIES - 1)) != 0) freeChunkOf(tail); // the chunk being filled
  head = tail = 0;
  pendingLive = 0;
}

@inline function chunkSlot(seq: u32): usize { return chunks + (<usize>((seq >>> CHUNK_SHIFT) & (MAX_CHUNKS - 1)) << 2); }

@inline export function pendingAt(seq: u32): usize {
  return <usize>load<u32>(chunkSlot(seq)) + <usize>(seq & (CHUNK_ENTRIES - 1)) * ENTRY_SIZE;
}

/** Room for one more entry, or 0 when MAX_CHUNKS chunks are in use; its sequence number is pendingTail() - 1. */
export function pushPending(): usize {
  if ((tail & (CHUNK_ENTRIES - 1)) == 0) {
    if (tail - head >= (MAX_CHUNKS - 1) << CHUNK_SHIFT) return 0;
    store<u32>(chunkSlot(tail), <u32>heap.alloc(<usize>CHUNK_ENTRIES * ENTRY_SIZE));
  }
  const at = pendingAt(tail++);
  store<u8>(at, 1, P_ALIVE);
  pendingLive++;
  return at;
}

export function pendingTail(): u32 { return tail; }

/** Marks an entry promoted (or ended): the head skips it. */
export function killPending(seq: u32): void {
  store<u8>(pendingAt(seq), 0, P_ALIVE);
  pendingLive--;
}

/** The oldest live entry's sequence number, dropping dead ones on the way; -1 when none. */
export function pendingHead(): i64 {
  while (head != tail) {
    if (load<u8>(pendingAt(head), P_ALIVE) != 0) return <i64>head;
    dropHead();
  }
  return -1;
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
