// Linear-memory map of the decoder. Nothing is allocated per packet or per call: every region
// is laid out once, after the static data, when the module starts.
//
//   stats | warnings | metadata ring | interface table | output slots (records, their file
//   offsets, their tunnel records) | UDP tunnel ports | IP reassembly | IPComp | input arena
//
// The SDK copies capture bytes into the input arena and reads records out of the output region
// through typed-array views; it learns the addresses from the exported *Ptr() functions.

import {
  RECORD_SIZE, STAT_COUNT, WARN_COUNT, WARN_SLOT_SIZE, META_CAPACITY, META_SLOT_SIZE,
  FILE_OFFSET_SIZE, TUNNEL_RECORD_SIZE, MAX_TUNNEL_DEPTH,
} from "./layout";

export const RECORD_CAPACITY: u32 = 4096;
// Records past RECORD_CAPACITY a slot has room for: a frame begins only below RECORD_CAPACITY,
// and one frame makes one record, except an 802.11 A-MSDU, one per subframe (wire/amsdu.ts).
// Its largest (11 454 bytes) could hold 184 bare TCP subframes, real ones a handful; what is
// past the room is counted. The room costs 280 bytes a record in each of the 32 slots (573 KB
// for 64), and the decoder's regions must stay below the tracker's 64 MiB base.
export const AMSDU_EXTRA_RECORDS: u32 = 64;
export const SLOT_RECORDS: u32 = RECORD_CAPACITY + AMSDU_EXTRA_RECORDS;
// Output regions, SLOT_RECORDS records each: a scan on worker threads has the decoder fill
// one while the workers read the ones before it straight from this (shared) memory.
export const OUTPUT_SLOTS: u32 = 32;
// Interfaces a pcapng section may describe (a capture merged from many hosts, or a host's
// thousands of veth interfaces, can pass 1 024): 48 bytes each, 3 MiB in all, fixed like every
// region here. 65 536 is also all that the obsolete Packet Block's 16-bit interface id can name.
export const MAX_INTERFACES: u32 = 65536;
export const INTERFACE_SLOT: u32 = 48;
// No capture record or pcapng block may be longer than this (libpcap and Wireshark use the
// same 16 MiB ceiling for pcapng blocks). Length fields above it are errors, never allocations.
export const MAX_RECORD_BYTES: u32 = 16 << 20;
// Room for one maximal record carried over from the previous chunk plus a fresh chunk.
export const INPUT_CAPACITY: u32 = MAX_RECORD_BYTES + (4 << 20);

// IP reassembly (reassembly/): at most FRAG_DATAGRAMS datagrams held at once, their bytes in a
// pool of FRAG_CHUNKS chunks of FRAG_CHUNK_SIZE (4 MiB in all): the two caps of its memory.
export const FRAG_DATAGRAMS: u32 = 1024;
export const FRAG_SLOT_SIZE: u32 = 400;
export const FRAG_BUCKETS: u32 = 2048;
export const FRAG_CHUNK_SHIFT: u32 = 11;
export const FRAG_CHUNK_SIZE: u32 = 1 << FRAG_CHUNK_SHIFT;
export const FRAG_CHUNKS: u32 = 2048;
// A whole datagram rebuilt from its fragments (or an IPComp payload inflated), one per IP layer
// of a packet: the outer one and one inside each tunnel level.
export const DATAGRAM_BUFFER_SIZE: u32 = 65536 + 256;
export const IP_LAYERS: u32 = <u32>MAX_TUNNEL_DEPTH + 1;

// Every region's address is a compile-time constant, so that each use is an immediate in the
// compiled code: a pointer computed at start-up (a call to an align function, or __heap_base)
// became a global that V8 loaded again at each use, ~14 instructions a packet in the decoder.
// Regions start on 64-byte lines: (end + LINE_MASK) & ~LINE_MASK.
const LINE_MASK: usize = 63;

// Past the module's static data (its strings and tables); ensureMemory() checks that the static
// data ends before it.
export const STATIC_DATA_END: usize = 8192;
export const STATS_PTR: usize = STATIC_DATA_END;
export const WARN_PTR: usize = STATS_PTR + <usize>STAT_COUNT * 8;
export const META_PTR: usize = (WARN_PTR + <usize>(WARN_COUNT * WARN_SLOT_SIZE) * 8 + LINE_MASK) & ~LINE_MASK;
export const IFACE_PTR: usize = (META_PTR + <usize>(META_CAPACITY * META_SLOT_SIZE) * 8 + LINE_MASK) & ~LINE_MASK;
export const OUTPUT_PTR: usize = (IFACE_PTR + <usize>MAX_INTERFACES * INTERFACE_SLOT + LINE_MASK) & ~LINE_MASK;
// Beside each output slot's records: their file offsets and their tunnel records, same index.
export const FILE_OFFSETS_PTR: usize = (OUTPUT_PTR + <usize>(OUTPUT_SLOTS * SLOT_RECORDS) * RECORD_SIZE + LINE_MASK) & ~LINE_MASK;
export const TUNNELS_PTR: usize = (FILE_OFFSETS_PTR + <usize>(OUTPUT_SLOTS * SLOT_RECORDS) * FILE_OFFSET_SIZE + LINE_MASK) & ~LINE_MASK;
// The tunnel type of each UDP port (u8 TUNNEL_*, 0 for none).
export const PORT_TABLE_PTR: usize = (TUNNELS_PTR + <usize>(OUTPUT_SLOTS * SLOT_RECORDS) * TUNNEL_RECORD_SIZE + LINE_MASK) & ~LINE_MASK;
export const FRAG_SLOTS_PTR: usize = (PORT_TABLE_PTR + 65536 + LINE_MASK) & ~LINE_MASK;
export const FRAG_BUCKETS_PTR: usize = (FRAG_SLOTS_PTR + <usize>(FRAG_DATAGRAMS * FRAG_SLOT_SIZE) + LINE_MASK) & ~LINE_MASK;
export const FRAG_FREE_SLOTS_PTR: usize = FRAG_BUCKETS_PTR + <usize>FRAG_BUCKETS * 2; // u16 stack
export const FRAG_FREE_CHUNKS_PTR: usize = FRAG_FREE_SLOTS_PTR + <usize>FRAG_DATAGRAMS * 2; // u16 stack
export const FRAG_POOL_PTR: usize = (FRAG_FREE_CHUNKS_PTR + <usize>FRAG_CHUNKS * 2 + LINE_MASK) & ~LINE_MASK;
export const REASSEMBLY_PTR: usize = (FRAG_POOL_PTR + <usize>(FRAG_CHUNKS << FRAG_CHUNK_SHIFT) + LINE_MASK) & ~LINE_MASK;
export const IPCOMP_PTR: usize = REASSEMBLY_PTR + <usize>(IP_LAYERS * DATAGRAM_BUFFER_SIZE);
// The inflater's Huffman tables (wire/inflate.ts).
export const INFLATE_TABLES_PTR: usize = IPCOMP_PTR + <usize>(IP_LAYERS * DATAGRAM_BUFFER_SIZE);
export const INFLATE_TABLES_SIZE: u32 = 2048;
export const INPUT_PTR: usize = (INFLATE_TABLES_PTR + <usize>INFLATE_TABLES_SIZE + LINE_MASK) & ~LINE_MASK;
export const MEMORY_END: usize = INPUT_PTR + <usize>INPUT_CAPACITY + 64; // 64: slack for wide loads

export function ensureMemory(): void {
  if (__heap_base > STATIC_DATA_END) unreachable(); // the static data grew past STATIC_DATA_END: raise it
  const pages = <i32>((MEMORY_END + 0xffff) >> 16);
  const have = memory.size();
  if (pages > have) memory.grow(pages - have);
}

// Network (big-endian) loads. Callers have checked the bounds.
@inline export function be16(p: usize): u32 { return <u32>bswap<u16>(load<u16>(p)); }
@inline export function be32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }
@inline export function u8at(p: usize): u32 { return <u32>load<u8>(p); }

// Small fixed-size copies and clears as plain loads and stores: V8 runs memory.copy and
// memory.fill as calls out of the compiled code, which cost more than the bytes they move.
@inline export function copy16(dst: usize, src: usize): void {
  store<u64>(dst, load<u64>(src));
  store<u64>(dst, load<u64>(src, 8), 8);
}
