// The packet being decoded: its output slot and the settings every layer reads.
//
// Each packet is decoded straight into the next free record slot; the slot is committed only
// when the packet turns out to be TCP with a readable header, otherwise it is simply reused.
// Beside the records, each output slot has an array of their file offsets and one of their
// tunnel records (written only for tunnelled packets), at the same index.

import {
  RECORD_SIZE, NO_VLAN, REC_TS_SEC, REC_TS_NSEC, REC_PACKET_INDEX, FILE_OFFSET_SIZE, TUNNEL_RECORD_SIZE,
  REC_CAP_LEN, REC_ORIG_LEN, REC_VLAN, REC_INNER_VLAN, REC_INTERFACE, REC_LINK_TYPE,
  REC_PACKET_FLAGS, PKT_SNAPLEN_TRUNCATED, STAT_TCP, REC_TUNNEL_DEPTH,
} from "./layout";
import { OUTPUT_PTR, OUTPUT_SLOTS, RECORD_CAPACITY, SLOT_RECORDS, FILE_OFFSETS_PTR, TUNNELS_PTR } from "./memory";
import { countStat } from "./counters";

let output: usize = OUTPUT_PTR; //      the output slot records go to
let offsets: usize = FILE_OFFSETS_PTR; // its file-offset array
let tunnels: usize = TUNNELS_PTR; //    its tunnel-record array
export let rec: usize = OUTPUT_PTR; // the record of the packet being decoded
export let recordCount: u32 = 0;
export let verifyChecksums: bool = false;
export let hashSeed: u32 = 0;
// Where the frame being decoded ended on the wire: its first byte plus its original length.
// An IP header whose total length reaches past it is dropped (wire/ip-length.ts). Bytes decoded
// from a buffer of their own (a reassembled datagram, an inflated IPComp payload) have their own.
export let wireEnd: usize = 0;
@inline export function setWireEnd(end: usize): void { wireEnd = end; }
// Tunnel levels entered so far by the packet being decoded (tunnel/chain.ts): its record's
// depth, which clearRecord zeroes (no state of its own to reset per packet).
@inline export function tunnelDepth(): u32 { return <u32>load<u8>(rec, REC_TUNNEL_DEPTH); }

/** The tunnel record of the packet being decoded. */
@inline export function tunnelRecord(): usize {
  return tunnels + <usize>recordCount * <usize>TUNNEL_RECORD_SIZE;
}

export function configurePackets(seed: u32, verify: bool): void {
  hashSeed = seed;
  verifyChecksums = verify;
}

export function resetRecords(): void {
  recordCount = 0;
  rec = output;
}

/** Sends the records of the next decode() calls to output slot `slot` (0 after reset). */
export function selectOutput(slot: u32): void {
  if (slot >= OUTPUT_SLOTS) slot = 0;
  output = OUTPUT_PTR + <usize>slot * SLOT_RECORDS * RECORD_SIZE;
  offsets = FILE_OFFSETS_PTR + <usize>slot * SLOT_RECORDS * FILE_OFFSET_SIZE;
  tunnels = TUNNELS_PTR + <usize>slot * SLOT_RECORDS * TUNNEL_RECORD_SIZE;
}

// Records the slot takes before it is full: RECORD_CAPACITY, less those of its batch already
// handed on (setRecordsHandedOn), so that a batch handed on in two parts ends where it would have whole.
let recordLimit: u32 = RECORD_CAPACITY;
@inline export function outputFull(): bool { return recordCount >= recordLimit; }

/**
 * `n` records of the batch being filled were handed on before it was full (a live stream kept
 * still): the next slot takes RECORD_CAPACITY - n (at least 1). 0: a whole batch again.
 */
export function setRecordsHandedOn(n: u32): void {
  recordLimit = n < RECORD_CAPACITY ? RECORD_CAPACITY - n : 1;
}
/** Room for one more record of the frame being decoded (an A-MSDU's next subframe). */
@inline export function roomInSlot(): bool { return recordCount < SLOT_RECORDS; }

/** The file offset of the packet being decoded's record (beside it, see beginPacket). */
@inline export function fileOffsetAt(): usize { return offsets + ((rec - output) >> 4); }

// Every byte of a record is written as zero first (memory.fill would be a call out of the
// compiled code, per packet).
@inline function clearRecord(p: usize): void {
  if (RECORD_SIZE != 128) ERROR("clearRecord clears 128 bytes");
  // Unrolled: V8 kept the loop, with its compare and branch per 16 bytes.
  store<u64>(p, 0, 0); store<u64>(p, 0, 8); store<u64>(p, 0, 16); store<u64>(p, 0, 24);
  store<u64>(p, 0, 32); store<u64>(p, 0, 40); store<u64>(p, 0, 48); store<u64>(p, 0, 56);
  store<u64>(p, 0, 64); store<u64>(p, 0, 72); store<u64>(p, 0, 80); store<u64>(p, 0, 88);
  store<u64>(p, 0, 96); store<u64>(p, 0, 104); store<u64>(p, 0, 112); store<u64>(p, 0, 120);
}

@inline export function beginPacket(
  tsSec: f64, tsNsec: u32, fileOffset: f64, packetIndex: f64,
  capLen: u32, origLen: u32, iface: u32, linkType: u32,
): void {
  const r = rec; // a local: V8 reloads a global before each store to memory
  clearRecord(r);
  if (RECORD_SIZE != 128 || FILE_OFFSET_SIZE != 8) ERROR("the file offset's place is the record's index * 8");
  store<f64>(fileOffsetAt(), fileOffset);
  store<f64>(r, tsSec, REC_TS_SEC);
  store<u32>(r, tsNsec, REC_TS_NSEC);
  store<f64>(r, packetIndex, REC_PACKET_INDEX);
  store<u32>(r, capLen, REC_CAP_LEN);
  store<u32>(r, origLen, REC_ORIG_LEN);
  store<u16>(r, <u16>NO_VLAN, REC_VLAN);
  store<u16>(r, <u16>NO_VLAN, REC_INNER_VLAN);
  store<u16>(r, <u16>iface, REC_INTERFACE);
  store<u16>(r, <u16>linkType, REC_LINK_TYPE);
  if (capLen < origLen) setPacketFlag(PKT_SNAPLEN_TRUNCATED);
}

@inline export function setPacketFlag(bit: u32): void {
  store<u8>(rec, load<u8>(rec, REC_PACKET_FLAGS) | <u8>bit, REC_PACKET_FLAGS);
}

export function noteVlan(id: u32): void {
  if (load<u16>(rec, REC_VLAN) == <u16>NO_VLAN) store<u16>(rec, <u16>id, REC_VLAN);
  else if (load<u16>(rec, REC_INNER_VLAN) == <u16>NO_VLAN) store<u16>(rec, <u16>id, REC_INNER_VLAN);
}

@inline export function commitRecord(): void {
  countStat(STAT_TCP);
  recordCount++;
  rec += RECORD_SIZE;
}
