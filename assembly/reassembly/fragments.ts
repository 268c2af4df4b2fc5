// IPv4 and IPv6 fragment reassembly, in bounded memory and on capture time.
//
// A fragment joins the datagram of its key (datagrams.ts); its new bytes go into pool chunks
// (coverage.ts). When the datagram holds [0, end) with its first and last fragments, it is
// rebuilt as one unfragmented IP packet — the offset-0 fragment's header with the lengths and
// fragment fields rewritten (IPv4 header checksum recomputed; IPv6 fragment header removed) —
// and decoded as any packet, once, in the frame of the fragment that completed it (as Zeek and
// Wireshark do). Its record says how many fragments made it (REC_FRAGMENTS, PKT_REASSEMBLED).
//
// Never trusted:
// - an overlap keeps the bytes seen first (counted: duplicate when the repeated bytes are the
//   same, overlap otherwise, and the record's FRAGMENTS_OVERLAP bit);
// - a datagram reaching past 65 535 bytes (Ping of Death) is dropped at once (oversize), before
//   anything is stored; no fragment is ever stored beyond the 64 KiB a datagram can have;
// - fragments that contradict each other (two different ends, data past the end, an IPv6
//   unfragmentable part over HEADER_ROOM bytes, more than MAX_SPANS disjoint pieces) drop the
//   datagram (invalid);
// a dropped datagram's slot stays, empty, to absorb its other fragments until it times out.
// Bounds: FRAG_DATAGRAMS datagrams and FRAG_CHUNKS * 2 KiB bytes (memory.ts); past either the
// oldest datagrams are dropped to make room (evicted). A datagram not complete `timeout`
// seconds of capture time after its first fragment is dropped (timed out); those still
// incomplete at the end of the input are counted as unfinished.

import {
  REC_TS_SEC, REC_TS_NSEC, REC_FRAGMENTS, REC_TUNNEL_HASH, FRAGMENTS_COUNT_MASK, FRAGMENTS_OVERLAP,
  PKT_REASSEMBLED, PKT_SNAPLEN_TRUNCATED, STAT_FRAGMENTS, STAT_REASSEMBLED, STAT_FRAG_OVERLAP,
  STAT_FRAG_DUPLICATE, STAT_FRAG_OVERSIZE, STAT_FRAG_INVALID, STAT_FRAG_TIMED_OUT, STAT_FRAG_EVICTED,
  STAT_FRAG_UNFINISHED, STAT_FRAG_CUT,
} from "../layout";
import { be16, be32, u8at, REASSEMBLY_PTR, DATAGRAM_BUFFER_SIZE } from "../memory";
import { countStat, addStat } from "../counters";
import { rec, setPacketFlag, tunnelDepth, wireEnd, setWireEnd } from "../packet";
import { sumBytes, fold } from "../wire/checksum";
import { decodeIPv4 } from "../wire/ipv4";
import { decodeIPv6 } from "../wire/ipv6";
import { resetPool, chunkAddress, NO_CHUNK, FRAG_CHUNK_SIZE, FRAG_CHUNK_SHIFT } from "./pool";
import {
  NONE, OPEN, DEAD, HAVE_FIRST, HAVE_LAST, SEEN_OVERLAP, NO_CUT, HEADER_ROOM,
  D_STATE, D_VERSION, D_PROTO, D_FLAGS, D_COUNT, D_TIME, D_END, D_CUT, D_HEADER_LEN, D_NH_AT,
  D_CHUNKS, D_HEADER, slotAddress, resetDatagrams, findDatagram, openDatagram, closeDatagram,
  releaseChunks, hasFreeSlot, oldest, newerThan,
} from "./datagrams";
import { addBytes, coversAll, highestByte, ADDED, DUPLICATE, OVERLAP, NO_ROOM } from "./coverage";

const MAX_DATAGRAM: u32 = 65535; // IPv4 total length; IPv6 payload length
let timeout: f64 = 60; //          seconds of capture time (the Linux default is 30, Windows' 60)

export function configureReassembly(timeoutSeconds: f64): void {
  timeout = timeoutSeconds > 0 ? timeoutSeconds : 60;
}

export function resetReassembly(): void {
  resetPool();
  resetDatagrams();
}

@inline function packetTime(): f64 { return load<f64>(rec, REC_TS_SEC) + <f64>load<u32>(rec, REC_TS_NSEC) * 1e-9; }

// Drops a datagram that never completed, counting it under `stat` unless it was dropped before.
function drop(slot: u32, stat: i32): void {
  if (load<u8>(slotAddress(slot), D_STATE) == OPEN) countStat(stat);
  closeDatagram(slot);
}

// Marks a datagram dropped: its bytes go back, its slot absorbs its other fragments.
function kill(slot: u32, stat: i32): void {
  const d = slotAddress(slot);
  if (load<u8>(d, D_STATE) == OPEN) countStat(stat);
  releaseChunks(slot);
  store<u8>(d, DEAD, D_STATE);
}

function expire(now: f64): void {
  while (oldest != NONE && now - load<f64>(slotAddress(oldest), D_TIME) > timeout) drop(oldest, STAT_FRAG_TIMED_OUT);
}

/** At the end of the input: the datagrams left are counted (timed out or unfinished) and freed. */
export function finishReassembly(lastTime: f64): void {
  while (oldest != NONE) {
    const late = lastTime - load<f64>(slotAddress(oldest), D_TIME) > timeout;
    drop(oldest, late ? STAT_FRAG_TIMED_OUT : STAT_FRAG_UNFINISHED);
  }
}

/** The IPv4 fragment at `p`: header `headerLen`, total length `totalLen`, captured to `end`. */
export function fragmentV4(p: usize, headerLen: u32, totalLen: u32, end: usize): void {
  const field = be16(p + 6);
  const data = p + headerLen;
  const captured = end > data ? <u32>(end - data) : 0;
  addFragment(4, u8at(p + 9), be16(p + 4), p + 12, p + 16, (field & 0x1fff) << 3, (field & 0x2000) != 0,
    data, totalLen - headerLen, captured, p, headerLen, 0, headerLen);
}

/**
 * The IPv6 fragment whose fixed header is at `p` and fragment header at `frag`; `nhAt` is the
 * next-header byte naming the fragment header; captured to `end`, declared to `ipEnd`.
 */
export function fragmentV6(p: usize, nhAt: usize, frag: usize, end: usize, ipEnd: usize): void {
  const field = be16(frag + 2);
  const data = frag + 8;
  const captured = end > data ? <u32>(end - data) : 0;
  const unfragmentable = <u32>(frag - p);
  addFragment(6, u8at(frag), be32(frag + 4), p + 8, p + 24, field & 0xfff8, (field & 1) != 0,
    data, <u32>(ipEnd - data), captured, p, unfragmentable, <u32>(nhAt - p), unfragmentable - 40);
}

// `extra` is what the rebuilt datagram's length field counts besides the payload: the IPv4
// header (total length), the IPv6 extension headers before the fragment header (payload length).
function addFragment(
  version: u32, proto: u32, id: u32, src: usize, dst: usize, offset: u32, more: bool,
  data: usize, length: u32, captured: u32, header: usize, headerLen: u32, nhAt: u32, extra: u32,
): void {
  const now = packetTime();
  expire(now);
  const tunnel = load<u32>(rec, REC_TUNNEL_HASH);
  if (captured > length) captured = length;
  let slot = findDatagram(version, proto, id, tunnel, src, dst);
  if (slot == NONE) {
    if (!hasFreeSlot()) drop(oldest, STAT_FRAG_EVICTED);
    slot = openDatagram(version, proto, id, tunnel, src, dst, now);
  }
  const d = slotAddress(slot);
  const count = <u32>load<u16>(d, D_COUNT);
  if (count < 0xffff) store<u16>(d, <u16>(count + 1), D_COUNT);
  countStat(STAT_FRAGMENTS); // until it turns out to complete the datagram
  if (load<u8>(d, D_STATE) != OPEN) return;

  const end = offset + length;
  if (end + extra > MAX_DATAGRAM) { kill(slot, STAT_FRAG_OVERSIZE); return; }
  if (length == 0 || (offset == 0 && headerLen > HEADER_ROOM)) { kill(slot, STAT_FRAG_INVALID); return; }
  let flags = load<u8>(d, D_FLAGS);
  const knownEnd = load<u32>(d, D_END);
  if (!more) {
    if ((flags & HAVE_LAST) != 0 ? end != knownEnd : highestByte(slot) > end) { kill(slot, STAT_FRAG_INVALID); return; }
  } else if ((flags & HAVE_LAST) != 0 && end > knownEnd) {
    kill(slot, STAT_FRAG_INVALID);
    return;
  }

  let outcome = addBytes(slot, offset, end, data, captured);
  while (outcome == NO_ROOM) {
    // The byte cap: drop the oldest other datagrams until this one's bytes fit.
    let victim = oldest;
    while (victim != NONE && (victim == slot || load<u8>(slotAddress(victim), D_STATE) != OPEN)) victim = newerThan(victim);
    if (victim == NONE) { kill(slot, STAT_FRAG_EVICTED); return; }
    drop(victim, STAT_FRAG_EVICTED);
    outcome = addBytes(slot, offset, end, data, captured);
  }
  if (outcome != ADDED && outcome != DUPLICATE && outcome != OVERLAP) { kill(slot, STAT_FRAG_INVALID); return; }
  if (outcome == DUPLICATE) countStat(STAT_FRAG_DUPLICATE);
  if (outcome == OVERLAP) countStat(STAT_FRAG_OVERLAP);
  if (outcome != ADDED) flags |= SEEN_OVERLAP;
  if (!more) { flags |= HAVE_LAST; store<u32>(d, end, D_END); }
  if (offset == 0 && (flags & HAVE_FIRST) == 0) {
    flags |= HAVE_FIRST;
    store<u8>(d, <u8>proto, D_PROTO);
    store<u16>(d, <u16>headerLen, D_HEADER_LEN);
    store<u16>(d, <u16>nhAt, D_NH_AT);
    memory.copy(d + D_HEADER, header, headerLen);
  }
  store<u8>(d, flags, D_FLAGS);
  if ((flags & (HAVE_FIRST | HAVE_LAST)) == (HAVE_FIRST | HAVE_LAST) && coversAll(slot, load<u32>(d, D_END))) complete(slot);
}

// Rebuilds the datagram in this IP layer's buffer and decodes it in the current record.
function complete(slot: u32): void {
  const d = slotAddress(slot);
  const version = <u32>load<u8>(d, D_VERSION);
  const headerLen = <u32>load<u16>(d, D_HEADER_LEN);
  const payloadLen = load<u32>(d, D_END);
  const cut = load<u32>(d, D_CUT);
  const captured = cut < payloadLen ? cut : payloadLen;
  const buf = REASSEMBLY_PTR + <usize>tunnelDepth() * DATAGRAM_BUFFER_SIZE;
  memory.copy(buf, d + D_HEADER, headerLen);
  for (let at: u32 = 0; at < captured; at += FRAG_CHUNK_SIZE) {
    const chunk = <u32>load<u16>(d + D_CHUNKS + (<usize>(at >> FRAG_CHUNK_SHIFT) << 1));
    const n = captured - at < FRAG_CHUNK_SIZE ? captured - at : FRAG_CHUNK_SIZE;
    if (chunk != NO_CHUNK) memory.copy(buf + headerLen + at, chunkAddress(chunk), n);
  }
  if (version == 4) {
    store<u16>(buf + 2, bswap<u16>(<u16>(headerLen + payloadLen)));
    store<u16>(buf + 6, bswap<u16>(<u16>(be16(buf + 6) & 0x4000))); // keep DF; no MF, offset 0
    store<u16>(buf + 10, 0);
    store<u16>(buf + 10, bswap<u16>(<u16>(~fold(sumBytes(buf, headerLen, 0)) & 0xffff)));
  } else {
    store<u16>(buf + 4, bswap<u16>(<u16>(headerLen - 40 + payloadLen)));
    store<u8>(buf + <usize>load<u16>(d, D_NH_AT), load<u8>(d, D_PROTO));
  }
  const count = <u32>load<u16>(d, D_COUNT);
  const fragments = (count < <u32>FRAGMENTS_COUNT_MASK ? count : <u32>FRAGMENTS_COUNT_MASK)
    | ((load<u8>(d, D_FLAGS) & SEEN_OVERLAP) != 0 ? FRAGMENTS_OVERLAP : 0);
  closeDatagram(slot);

  store<u8>(rec, <u8>fragments, REC_FRAGMENTS);
  setPacketFlag(PKT_REASSEMBLED);
  if (captured < payloadLen) { setPacketFlag(PKT_SNAPLEN_TRUNCATED); countStat(STAT_FRAG_CUT); }
  countStat(STAT_REASSEMBLED);
  // This frame is counted by what the datagram turns out to be, not as a fragment.
  addStat(STAT_FRAGMENTS, -1);
  const end = buf + headerLen + captured;
  // The datagram is as long on the wire as its rebuilt header says (Zeek: its wire length is
  // its total length); the frame's own end holds again afterwards (an A-MSDU's next subframe).
  const frameWireEnd = wireEnd;
  setWireEnd(buf + headerLen + payloadLen);
  if (version == 4) decodeIPv4(buf, end);
  else decodeIPv6(buf, end);
  setWireEnd(frameWireEnd);
}
