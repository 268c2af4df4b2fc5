// The connection table: fixed-size records (connection-layout.ts) in chunks of CHUNK_SLOTS,
// so that growing never moves a connection and never needs twice the memory. Slots are
// recycled through a free list; a slot's generation survives reuse and tells stale timer
// entries apart.

import { CONN_SIZE, C_GENERATION, C_IN_USE, C_HISTORY_MORE, C_EXTENSION, C_TUNNEL_CHAIN, C_FLOW_HASH } from "../connection-layout";
import { initConnection } from "./connection";
import { VIRTUAL_SHARDS, virtualShard } from "./config";

const CHUNK_SHIFT = 12;
const CHUNK_SLOTS: u32 = 1 << CHUNK_SHIFT;
const MAX_CHUNKS: u32 = 1 << 16; // 268 M connections open at once

let chunks: usize = 0; //     MAX_CHUNKS chunk addresses
let chunkCount: u32 = 0;
let used: u32 = 0; //         slots handed out at least once
let freeList: usize = 0; //   u32 slots
let freeCount: u32 = 0;
let freeCapacity: u32 = 0;
export let liveConnections: u32 = 0;
let liveByShard: usize = 0; // u32 per virtual shard (config.ts): its share of the bound is checked

export function resetConnections(): void {
  if (chunks == 0) chunks = heap.alloc(<usize>MAX_CHUNKS << 2);
  for (let c: u32 = 0; c < chunkCount; c++) heap.free(<usize>load<u32>(<usize>load<u32>(chunks + (<usize>c << 2)) - 4));
  chunkCount = 0;
  used = 0;
  freeCount = 0;
  liveConnections = 0;
  if (liveByShard == 0) liveByShard = heap.alloc(<usize>VIRTUAL_SHARDS << 2);
  memory.fill(liveByShard, 0, <usize>VIRTUAL_SHARDS << 2);
}

/** Connection records of a virtual shard. */
@inline export function liveIn(shard: u32): u32 { return load<u32>(liveByShard + (<usize>shard << 2)); }
@inline function countIn(shard: u32, delta: i32): void {
  store<u32>(liveByShard + (<usize>shard << 2), load<u32>(liveByShard + (<usize>shard << 2)) + delta);
}

// Address of a slot's record.
@inline export function connAt(slot: u32): usize {
  return <usize>load<u32>(chunks + (<usize>(slot >> CHUNK_SHIFT) << 2)) + <usize>(slot & (CHUNK_SLOTS - 1)) * CONN_SIZE;
}

export function slotsUsed(): u32 { return used; }

// A cleared slot for a new connection of the flow with this hash.
export function allocateSlot(hash: u32): u32 {
  let slot: u32;
  if (freeCount > 0) {
    slot = load<u32>(freeList + (<usize>(--freeCount) << 2));
  } else {
    if (used == chunkCount << CHUNK_SHIFT) {
      // Records start on 64-byte lines (CONN_SIZE is a multiple of 64), so that the fields laid
      // out to share a line do; the allocation's own address sits just before the first one.
      const raw = heap.alloc(<usize>CHUNK_SLOTS * CONN_SIZE + 68);
      const first = (raw + 68) & ~(<usize>63);
      store<u32>(first - 4, <u32>raw);
      store<u32>(chunks + (<usize>chunkCount << 2), <u32>first);
      chunkCount++;
    }
    // Each slot zeroed when first handed out, not its whole chunk at once: a capture of a few
    // connections touched 5.8 MB (~1 400 page faults, ~3 ms of a small scan's start).
    slot = used++;
    memory.fill(connAt(slot), 0, <usize>CONN_SIZE);
  }
  initConnection(connAt(slot));
  store<u8>(connAt(slot), 1, C_IN_USE);
  liveConnections++;
  countIn(virtualShard(hash), 1);
  return slot;
}

export function releaseSlot(slot: u32): void {
  const c = connAt(slot);
  store<u8>(c, 0, C_IN_USE);
  store<u32>(c, load<u32>(c, C_GENERATION) + 1, C_GENERATION);
  const more = <usize>load<u32>(c, C_HISTORY_MORE);
  if (more != 0) { heap.free(more); store<u32>(c, 0, C_HISTORY_MORE); }
  const extension = <usize>load<u32>(c, C_EXTENSION);
  if (extension != 0) { heap.free(extension); store<u32>(c, 0, C_EXTENSION); }
  const chain = <usize>load<u32>(c, C_TUNNEL_CHAIN);
  if (chain != 0) { heap.free(chain); store<u32>(c, 0, C_TUNNEL_CHAIN); }
  if (freeCount == freeCapacity) {
    freeCapacity = freeCapacity == 0 ? 1024 : freeCapacity * 2;
    freeList = freeList == 0 ? heap.alloc(<usize>freeCapacity << 2) : heap.realloc(freeList, <usize>freeCapacity << 2);
  }
  store<u32>(freeList + (<usize>(freeCount++) << 2), slot);
  liveConnections--;
  countIn(virtualShard(load<u32>(c, C_FLOW_HASH)), -1);
}
