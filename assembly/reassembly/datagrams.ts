// The table of datagrams being reassembled: FRAG_DATAGRAMS slots, found by key through a
// chained hash index, and kept in a list in the order they were opened, oldest first, which is
// also the order of their deadlines (each times out a fixed time after its first fragment).
// Nothing is allocated: slots come from a free stack and go back to it.
//
// Key: IP version, source and destination, identification, the IPv4 protocol (RFC 791) and the
// identity of the tunnel the fragments came through (two tunnels may carry the same inner
// addresses and identification).

import { FRAG_DATAGRAMS, FRAG_SLOT_SIZE, FRAG_BUCKETS, FRAG_SLOTS_PTR, FRAG_BUCKETS_PTR, FRAG_FREE_SLOTS_PTR } from "../memory";
import { mixWord, finish } from "../flowhash";
import { NO_CHUNK, giveChunk } from "./pool";

export const NONE: u32 = 0xffff;
export const CHUNKS_PER_DATAGRAM: u32 = 32; // 64 KiB of payload in 2 KiB chunks
export const MAX_SPANS: u32 = 16; //          disjoint received ranges a datagram may have
export const HEADER_ROOM: u32 = 128; //        IPv4 header, or IPv6 header and the extension headers before the fragment header

// Slot fields.
export const D_STATE = 0; //     u8 FREE, OPEN, DEAD
export const D_VERSION = 1; //   u8 4 or 6
export const D_PROTO = 2; //     u8 IPv4 protocol / next header after the IPv6 fragment header
export const D_SPANS = 3; //     u8 received ranges in D_SPAN_LIST
export const D_FLAGS = 4; //     u8 HAVE_*, SEEN_OVERLAP
export const D_COUNT = 6; //     u16 fragments received (saturating)
export const D_ID = 8; //        u32 identification
export const D_TUNNEL = 12; //   u32 tunnel identity (REC_TUNNEL_HASH) the fragments came through
export const D_TIME = 16; //     f64 capture time of the first fragment, seconds
export const D_END = 24; //      u32 payload length, known from the last fragment (HAVE_LAST)
export const D_CUT = 28; //      u32 first payload byte not captured (snaplen), NO_CUT if none
export const D_HEADER_LEN = 32; // u16 bytes in D_HEADER
export const D_NH_AT = 34; //    u16 IPv6: offset in D_HEADER of the next-header byte naming the fragment header
const D_NEXT_IN_BUCKET = 36; //  u16
const D_OLDER = 38; //           u16
const D_NEWER = 40; //           u16
const D_BUCKET = 42; //          u16
export const D_SRC = 48; //      16 bytes
export const D_DST = 64; //      16 bytes
export const D_CHUNKS = 80; //   CHUNKS_PER_DATAGRAM u16 chunk indices, NO_CHUNK where nothing arrived
export const D_SPAN_LIST = 144; // MAX_SPANS (start, end) u32 pairs, sorted, disjoint, not touching
export const D_HEADER = 272; //  HEADER_ROOM bytes: the offset-0 fragment's header

export const FREE: u8 = 0;
export const OPEN: u8 = 1;
export const DEAD: u8 = 2; // dropped, but kept to absorb its remaining fragments until it times out
export const HAVE_FIRST: u8 = 1;
export const HAVE_LAST: u8 = 2;
export const SEEN_OVERLAP: u8 = 4;
export const NO_CUT: u32 = 0xffffffff;

let freeSlots: u32 = 0;
export let oldest: u32 = NONE;
let newest: u32 = NONE;

@inline export function slotAddress(slot: u32): usize { return FRAG_SLOTS_PTR + <usize>slot * FRAG_SLOT_SIZE; }
@inline function bucketAddress(bucket: u32): usize { return FRAG_BUCKETS_PTR + (<usize>bucket << 1); }
@inline export function newerThan(slot: u32): u32 { return <u32>load<u16>(slotAddress(slot), D_NEWER); }

export function resetDatagrams(): void {
  for (let i: u32 = 0; i < FRAG_BUCKETS; i++) store<u16>(bucketAddress(i), <u16>NONE);
  for (let i: u32 = 0; i < FRAG_DATAGRAMS; i++) {
    store<u8>(slotAddress(i), FREE, D_STATE);
    store<u16>(FRAG_FREE_SLOTS_PTR + (<usize>i << 1), <u16>(FRAG_DATAGRAMS - 1 - i));
  }
  freeSlots = FRAG_DATAGRAMS;
  oldest = NONE;
  newest = NONE;
}

@inline export function hasFreeSlot(): bool { return freeSlots != 0; }

function keyBucket(version: u32, proto: u32, id: u32, tunnel: u32, src: usize, dst: usize): u32 {
  let h = mixWord(mixWord(mixWord(0x5eed, id), (version << 8) | proto), tunnel);
  h = mixWord(mixWord(h, load<u32>(src)), load<u32>(dst));
  if (version == 6) {
    h = mixWord(mixWord(mixWord(h, load<u32>(src, 4)), load<u32>(src, 8)), load<u32>(src, 12));
    h = mixWord(mixWord(mixWord(h, load<u32>(dst, 4)), load<u32>(dst, 8)), load<u32>(dst, 12));
  }
  return finish(h) & (FRAG_BUCKETS - 1);
}

function sameAddress(a: usize, b: usize, version: u32): bool {
  if (load<u32>(a) != load<u32>(b)) return false;
  return version == 4 || (load<u64>(a, 4) == load<u64>(b, 4) && load<u32>(a, 12) == load<u32>(b, 12));
}

/** The slot of the datagram with this key, or NONE. Addresses are 4 or 16 bytes at src, dst. */
export function findDatagram(version: u32, proto: u32, id: u32, tunnel: u32, src: usize, dst: usize): u32 {
  let slot = <u32>load<u16>(bucketAddress(keyBucket(version, proto, id, tunnel, src, dst)));
  while (slot != NONE) {
    const d = slotAddress(slot);
    if (load<u32>(d, D_ID) == id && load<u8>(d, D_VERSION) == <u8>version && load<u32>(d, D_TUNNEL) == tunnel
        && (version == 6 || load<u8>(d, D_PROTO) == <u8>proto)
        && sameAddress(d + D_SRC, src, version) && sameAddress(d + D_DST, dst, version)) return slot;
    slot = <u32>load<u16>(d, D_NEXT_IN_BUCKET);
  }
  return NONE;
}

/** Opens a datagram in a free slot (the caller made sure there is one) as the newest. */
export function openDatagram(version: u32, proto: u32, id: u32, tunnel: u32, src: usize, dst: usize, now: f64): u32 {
  freeSlots--;
  const slot = <u32>load<u16>(FRAG_FREE_SLOTS_PTR + (<usize>freeSlots << 1));
  const d = slotAddress(slot);
  const bucket = keyBucket(version, proto, id, tunnel, src, dst);
  store<u8>(d, OPEN, D_STATE);
  store<u8>(d, <u8>version, D_VERSION);
  store<u8>(d, <u8>proto, D_PROTO);
  store<u8>(d, 0, D_SPANS);
  store<u8>(d, 0, D_FLAGS);
  store<u16>(d, 0, D_COUNT);
  store<u32>(d, id, D_ID);
  store<u32>(d, tunnel, D_TUNNEL);
  store<f64>(d, now, D_TIME);
  store<u32>(d, 0, D_END);
  store<u32>(d, NO_CUT, D_CUT);
  store<u16>(d, 0, D_HEADER_LEN);
  store<u16>(d, 0, D_NH_AT);
  memory.fill(d + D_SRC, 0, 32);
  memory.copy(d + D_SRC, src, version == 4 ? 4 : 16);
  memory.copy(d + D_DST, dst, version == 4 ? 4 : 16);
  for (let c: u32 = 0; c < CHUNKS_PER_DATAGRAM; c++) store<u16>(d + D_CHUNKS + (<usize>c << 1), <u16>NO_CHUNK);
  store<u16>(d, <u16>bucket, D_BUCKET);
  store<u16>(d, load<u16>(bucketAddress(bucket)), D_NEXT_IN_BUCKET);
  store<u16>(bucketAddress(bucket), <u16>slot);
  store<u16>(d, <u16>newest, D_OLDER);
  store<u16>(d, <u16>NONE, D_NEWER);
  if (newest != NONE) store<u16>(slotAddress(newest), <u16>slot, D_NEWER);
  else oldest = slot;
  newest = slot;
  return slot;
}

/** Gives a datagram's chunks back to the pool (it stays in the table). */
export function releaseChunks(slot: u32): void {
  const d = slotAddress(slot);
  for (let c: u32 = 0; c < CHUNKS_PER_DATAGRAM; c++) {
    const at = d + D_CHUNKS + (<usize>c << 1);
    const chunk = <u32>load<u16>(at);
    if (chunk != NO_CHUNK) { giveChunk(chunk); store<u16>(at, <u16>NO_CHUNK); }
  }
}

/** Removes a datagram from the table and frees its slot and chunks. */
export function closeDatagram(slot: u32): void {
  const d = slotAddress(slot);
  releaseChunks(slot);
  // Out of its hash chain.
  const head = bucketAddress(<u32>load<u16>(d, D_BUCKET));
  let at = head;
  let s = <u32>load<u16>(head);
  while (s != NONE && s != slot) { at = slotAddress(s) + D_NEXT_IN_BUCKET; s = <u32>load<u16>(at); }
  if (s == slot) store<u16>(at, load<u16>(d, D_NEXT_IN_BUCKET));
  // Out of the age list.
  const older = <u32>load<u16>(d, D_OLDER), newer = <u32>load<u16>(d, D_NEWER);
  if (older != NONE) store<u16>(slotAddress(older), <u16>newer, D_NEWER); else oldest = newer;
  if (newer != NONE) store<u16>(slotAddress(newer), <u16>older, D_OLDER); else newest = older;
  store<u8>(d, FREE, D_STATE);
  store<u16>(FRAG_FREE_SLOTS_PTR + (<usize>freeSlots << 1), <u16>slot);
  freeSlots++;
}
