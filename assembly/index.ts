// The WebAssembly decoder's exported interface.
//
// The SDK copies capture bytes into the input arena and calls decode(start, end, eof, base):
// it decodes every complete record in arena [start, end), writes one record per TCP packet
// into the output slot last selected (selectOutput; slot 0 after reset) or after the records
// already there (append), and stops when the input runs out (STATUS_NEED_MORE: move the
// unconsumed tail [cursor(), end) to the front, append more bytes, call again), when the output
// or metadata buffers are full (STATUS_OUTPUT_FULL: drain them, call again from cursor()), at
// the clean end (STATUS_DONE) or at a fatal input error (STATUS_ERROR). `base` is the input
// offset of arena byte 0, so offsets in records and errors are offsets in the whole input.
// No call allocates; nothing traps on any input. The memory is imported and shared (the SDK
// creates it), so that worker threads can read the output slots where they are.

import {
  LAYOUT_VERSION, STATUS_NEED_MORE, STATUS_DONE, STATUS_ERROR, FORMAT_UNKNOWN, FORMAT_PCAP,
  FORMAT_PCAPNG, ERR_EMPTY, ERR_BAD_MAGIC, ERR_TRUNCATED_FILE_HEADER, DEFAULT_TUNNEL_DEPTH,
  STAT_LAST_TS_SEC, STAT_LAST_TS_NSEC,
} from "./layout";
import {
  ensureMemory, INPUT_PTR, INPUT_CAPACITY, OUTPUT_PTR, SLOT_RECORDS, STATS_PTR, WARN_PTR,
  META_PTR, MAX_RECORD_BYTES, OUTPUT_SLOTS, MEMORY_END, FILE_OFFSETS_PTR, TUNNELS_PTR,
} from "./memory";
import { resetCounters, clearMeta, metaCount } from "./counters";
import { configurePackets, resetRecords, recordCount, selectOutput, setRecordsHandedOn } from "./packet";
import * as state from "./container/state";
import { decodePcap, resetPcap, isPcapMagic } from "./container/pcap";
import { decodePcapng, resetPcapng, BLOCK_SHB } from "./container/pcapng";
import { configureTunnelDepth } from "./tunnel/chain";
import { resetTunnelPorts, setTunnelPort } from "./tunnel/ports";
import { configureReassembly, resetReassembly, finishReassembly } from "./reassembly/fragments";

ensureMemory();

let cursorPos: u32 = 0;
let reassemblyFinished = false;

export function layoutVersion(): i32 { return LAYOUT_VERSION; }
export function inputPtr(): usize { return INPUT_PTR; }
export function inputCapacity(): u32 { return INPUT_CAPACITY; }
export function maxRecordBytes(): u32 { return MAX_RECORD_BYTES; }
export function outputPtr(): usize { return OUTPUT_PTR; }
/** Each output slot's file offsets (f64 per record) and tunnel records, at the same index. */
export function fileOffsetsPtr(): usize { return FILE_OFFSETS_PTR; }
export function tunnelsPtr(): usize { return TUNNELS_PTR; }
/** Records an output slot holds (its stride): RECORD_CAPACITY, and room for an A-MSDU's subframes past it. */
export function recordCapacity(): u32 { return SLOT_RECORDS; }
export function outputSlots(): u32 { return OUTPUT_SLOTS; }
/** The end of the decoder's regions: a tracker sharing the memory lives above it. */
export function memoryEnd(): usize { return MEMORY_END; }
export { selectOutput, setRecordsHandedOn };
export function statsPtr(): usize { return STATS_PTR; }
export function warningsPtr(): usize { return WARN_PTR; }
export function metaPtr(): usize { return META_PTR; }
export function metaEvents(): i32 { return metaCount; }
export function cursor(): u32 { return cursorPos; }
export function status(): i32 { return state.status; }
export function container(): i32 { return state.format; }
export function errorCode(): i32 { return state.errorCode; }
export function errorOffset(): f64 { return state.errorOffset; }
export function errorPacket(): f64 { return state.errorPacket; }
export function errorValue(): f64 { return state.errorValue; }
export function packetsDecoded(): f64 { return state.packetIndex; }

// Starts a new input. `seed` seeds the flow hash; `verify` turns checksum checks on. The
// tunnel ports, tunnel depth and fragment timeout go back to their defaults.
export function reset(seed: u32, verify: bool): void {
  resetCounters();
  resetRecords();
  state.resetState();
  resetPcap();
  resetPcapng();
  configurePackets(seed, verify);
  selectOutput(0);
  setRecordsHandedOn(0);
  cursorPos = 0;
  resetTunnelPorts();
  configureTunnelDepth(DEFAULT_TUNNEL_DEPTH);
  configureReassembly(60);
  resetReassembly();
  reassemblyFinished = false;
}

// After reset: tunnel levels decapsulated at most (0: none), and how long (seconds of capture
// time) an incomplete IP datagram is held.
export function configureDecapsulation(maxDepth: u32, fragmentTimeout: f64): void {
  configureTunnelDepth(maxDepth);
  configureReassembly(fragmentTimeout);
}

// After reset: UDP `port` carries tunnels of `type` (TUNNEL_*; 0 for none).
export { setTunnelPort };

// Returns the number of records in the output slot: those written by this call, after those of
// the calls before when `append` is set (a slot filled across chunks of input).
export function decode(start: u32, end: u32, eof: bool, base: f64, append: bool): u32 {
  if (!append) resetRecords();
  clearMeta();
  cursorPos = start;
  if (state.status == STATUS_ERROR || state.status == STATUS_DONE) return 0;
  if (end > INPUT_CAPACITY) end = INPUT_CAPACITY;
  if (state.format == FORMAT_UNKNOWN && !detect(start, end, eof, base)) return 0;
  if (state.format == FORMAT_PCAP) cursorPos = decodePcap(start, end, eof, base);
  else cursorPos = decodePcapng(start, end, eof, base);
  if ((state.status == STATUS_DONE || state.status == STATUS_ERROR) && !reassemblyFinished) {
    // Datagrams still incomplete are counted once the input is over.
    reassemblyFinished = true;
    finishReassembly(load<f64>(STATS_PTR + (<usize>STAT_LAST_TS_SEC << 3)) + load<f64>(STATS_PTR + (<usize>STAT_LAST_TS_NSEC << 3)) * 1e-9);
  }
  return recordCount;
}

// Recognises the container from its first four bytes.
function detect(start: u32, end: u32, eof: bool, base: f64): bool {
  if (end - start < 4) {
    if (!eof) state.setStatus(STATUS_NEED_MORE);
    else if (end == start && base == 0) state.fail(ERR_EMPTY, 0, 0);
    else state.fail(ERR_TRUNCATED_FILE_HEADER, base + start, <f64>(end - start));
    return false;
  }
  const raw = load<u32>(INPUT_PTR + start);
  if (isPcapMagic(raw)) { state.setFormat(FORMAT_PCAP); return true; }
  if (raw == BLOCK_SHB) { state.setFormat(FORMAT_PCAPNG); return true; }
  state.fail(ERR_BAD_MAGIC, base + start, <f64>bswap<u32>(raw));
  return false;
}
