// Reads one connection record of the WebAssembly tracker (layout: assembly/connection-layout.ts)
// into a slot of a ConnectionStore, so that the one record builder (connection-record.ts)
// serves both trackers, with the TCP analysis results of the block at C_ANALYSIS (kept as bytes,
// their objects made when a record asks: ConnectionStore.analysisAt) and the tunnel
// chain of the block at C_TUNNEL_CHAIN (in the same memory or buffer as the record). Only what
// the record is made of (record-values.ts), when it ended and its flow hash (which the ladder's
// first pass, find-selected.ts, reads) are read: the tracker's own
// bookkeeping (deadlines, ISNs, the second SYN/ACK, per-side counters no field shows, the
// extension block's out-of-order blocks) is left unset in the slot, which saves about 40 of
// some 120 stores a connection. A record field that reads more must be added here too (the
// WebAssembly tracker's records are held to the reference tracker's, built from its full store).

import * as C from "../../assembly/connection-layout.js";
import * as L from "../../assembly/layout.js";
import { readTunnelLevels } from "../decoder/tunnels.js";
import { ANOMALY_RAW_WORDS, ConnectionStore, KEY_WORDS } from "./connection-store.js";
import { connectionId } from "./connection-id.js";

const ascii = new TextDecoder("latin1");

export function unpackConnection(view: DataView, bytes: Uint8Array, c: number, s: ConnectionStore, slot: number): void {
  const f64 = (at: number) => view.getFloat64(c + at, true);
  const u32 = (at: number) => view.getUint32(c + at, true);
  const u16 = (at: number) => view.getUint16(c + at, true);
  const u8 = (at: number) => view.getUint8(c + at);
  const k = slot * KEY_WORDS;
  for (let w = 0; w < 10; w++) s.key[k + w] = view.getInt32(c + C.C_KEY + w * 4, true);
  s.flowHash[slot] = u32(C.C_FLOW_HASH);
  s.flipped[slot] = u8(C.C_FLIPPED);
  s.id[slot] = f64(C.C_ID);
  s.firstSec[slot] = f64(C.C_FIRST_SEC);
  s.firstNsec[slot] = u32(C.C_FIRST_NSEC);
  s.firstTime[slot] = f64(C.C_FIRST_TIME);
  s.durationEnd[slot] = f64(C.C_DURATION_END);
  s.firstPacket[slot] = connectionId(f64(C.C_ID)) - 1;
  s.lastPacket[slot] = f64(C.C_LAST_PACKET);
  s.vlan[slot] = u16(C.C_VLAN);
  s.innerVlan[slot] = u16(C.C_INNER_VLAN);
  s.synAckTime[slot] = f64(C.C_SYN_ACK_TIME);
  s.handshakeAckTime[slot] = f64(C.C_HANDSHAKE_ACK_TIME);
  s.synTimeAnswered[slot] = f64(C.C_SYN_TIME_ANSWERED);
  s.synAckTimeAnswered[slot] = f64(C.C_SYN_ACK_TIME_ANSWERED);
  s.handshakeFlags[slot] = u16(C.C_HANDSHAKE_FLAGS);
  s.synPacket[slot] = f64(C.C_SYN_PACKET);
  s.synAckPacket[slot] = f64(C.C_SYN_ACK_PACKET);
  s.ackPacket[slot] = f64(C.C_ACK_PACKET);
  s.ackPayload[slot] = u32(C.C_ACK_PAYLOAD);
  s.closeFlags[slot] = u8(C.C_CLOSE_FLAGS);
  s.firstRstSide[slot] = u8(C.C_FIRST_RST_SIDE);
  s.firstCloseSide[slot] = u8(C.C_FIRST_CLOSE_SIDE);
  s.removedBy[slot] = u8(C.C_REMOVED_BY);
  s.removedAt[slot] = f64(C.C_REMOVED_AT);
  s.tunnelFirst[slot] = u32(C.C_TUNNEL_FIRST);
  s.tunnelTypes[slot] = u16(C.C_TUNNEL_TYPES);
  s.tunnelDepth[slot] = u8(C.C_TUNNEL_DEPTH);
  s.tunnelChanges[slot] = u8(C.C_TUNNEL_CHANGES);
  const parents = u8(C.C_TUNNEL_PARENT_COUNT);
  s.tunnelParentCount[slot] = parents;
  for (let k = 0; k < parents; k++) s.tunnelParents[slot * C.TUNNEL_MAX_PARENTS + k] = u32(C.C_TUNNEL_PARENTS + k * 4);
  const chain = u32(C.C_TUNNEL_CHAIN);
  s.tunnelChain[slot] = chain === 0 ? undefined
    : readTunnelLevels(bytes, chain + 8, view.getUint32(chain, true) / L.TUNNEL_LEVEL_SIZE);
  s.history[slot] = history(view, bytes, c);
  s.anomalyCounts[slot] = undefined; // (the raw words below are this connection's)
  unpackAnomalies(view, c, s.anomalyRaw, slot * ANOMALY_RAW_WORDS);
  for (let side = 0; side < 2; side++) unpackEndpoint(view, c + C.C_ENDPOINTS + side * C.ENDPOINT_STRIDE, s, slot * 2 + side);
  s.setRawAnalysis(slot, view, c + C.C_ANALYSIS);
}

function unpackEndpoint(view: DataView, p: number, s: ConnectionStore, e: number): void {
  const f64 = (at: number) => view.getFloat64(p + at, true);
  const u32 = (at: number) => view.getUint32(p + at, true);
  const u8 = (at: number) => view.getUint8(p + at);
  s.state[e] = u8(C.E_STATE);
  s.seen[e] = u8(C.E_SEEN);
  s.lastFinPos[e] = u32(C.E_LAST_FIN_POS);
  s.topSeq[e] = u32(C.E_TOP_SEQ);
  s.startSeq[e] = u32(C.E_START_SEQ);
  s.pkts[e] = f64(C.E_PKTS);
  s.ipBytes[e] = f64(C.E_IP_BYTES);
  s.payloadBytes[e] = f64(C.E_PAYLOAD_BYTES);
  s.syns[e] = u32(C.E_SYNS);
  s.synAcks[e] = u32(C.E_SYN_ACKS);
  s.fins[e] = u32(C.E_FINS);
  s.rsts[e] = u32(C.E_RSTS);
  s.mss[e] = view.getUint16(p + C.E_MSS, true);
  s.windowScale[e] = u8(C.E_WINDOW_SCALE);
  s.optionBits[e] = view.getUint16(p + C.E_OPTION_BITS, true);
  s.ecnBits[e] = u8(C.E_ECN_BITS);
  s.tfoCookieLen[e] = view.getInt16(p + C.E_TFO_COOKIE_LEN, true);
  s.synPayload[e] = u32(C.E_SYN_PAYLOAD);
  s.reasm[e] = u8(C.E_REASM);
  s.topWraps[e] = u32(C.E_TOP_WRAPS);
  s.missedBytes[e] = f64(C.E_MISSED_BYTES);
}

// History letters are ASCII and usually a handful: a loop beats a TextDecoder call (which
// also needs a subarray). Most connections of a capture share a few histories, so the text made
// for some letters is kept in a small table, by a hash of them, and handed out again while the
// letters match: one string a connection was a tenth of what a scan allocated.
const HISTORY_TABLE = 256;
const historyTexts: string[] = new Array<string>(HISTORY_TABLE).fill("");

function letters(bytes: Uint8Array, from: number, to: number): string {
  let hash = 0;
  for (let k = from; k < to; k++) hash = (hash * 31 + bytes[k]!) | 0;
  const at = (hash ^ (hash >>> 8) ^ (hash >>> 16)) & (HISTORY_TABLE - 1);
  const known = historyTexts[at]!;
  if (known.length === to - from && sameLetters(known, bytes, from)) return known;
  let text = "";
  for (let k = from; k < to; k++) text += String.fromCharCode(bytes[k]!);
  historyTexts[at] = text;
  return text;
}

function sameLetters(text: string, bytes: Uint8Array, from: number): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== bytes[from + i]) return false;
  return true;
}

function history(view: DataView, bytes: Uint8Array, c: number): string {
  const len = view.getUint16(c + C.C_HISTORY_LEN, true);
  const inline = letters(bytes, c + C.C_HISTORY, c + C.C_HISTORY + Math.min(len, C.HISTORY_INLINE));
  if (len <= C.HISTORY_INLINE) return inline;
  const more = view.getUint32(c + C.C_HISTORY_MORE, true);
  return inline + ascii.decode(bytes.subarray(more + 8, more + 8 + view.getUint32(more, true)));
}

// The anomaly order and counts as the record holds them, into the store's anomalyRaw (its
// anomalyCountsAt reads them as counts by name, in the order they first appeared). The order is
// a u64 of 4-bit fields, read as two u32 halves (a BigInt would be allocated per connection).
function unpackAnomalies(view: DataView, c: number, raw: Uint32Array, at: number): void {
  const low = view.getUint32(c + C.C_ANOMALY_ORDER, true), high = view.getUint32(c + C.C_ANOMALY_ORDER + 4, true);
  raw[at] = low;
  raw[at + 1] = high;
  if (low === 0 && high === 0) return;
  for (let index = 0; index < ANOMALY_RAW_WORDS - 2; index++) raw[at + 2 + index] = view.getUint32(c + C.C_ANOMALY_COUNTS + index * 4, true);
}
