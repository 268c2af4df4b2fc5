// A connection's csv row written from its record's bytes (connection-layout.ts): the bytes
// cli/format/csv-values-row.ts writeCsvValues writes, columns in connection-csv.ts's CSV_COLUMNS
// order, for the one-thread line scan. Its rules are record-rules.ts's (the THIRD COPY of
// record-values.ts's) and row-cells.ts's: test/sdk/lines/wasm-csv-zeek.test.ts holds the rows
// byte-equal to the JS writer's. writeCsvLine declines (0: JS writes the row) what writeLine
// declines, and a history with a character the csv would quote (none of the tracker's letters).

import * as C from "../connection-layout";
import * as L from "../layout";
import { out, startAt, byte, uint32, fixedDigits, Fixed, raw, copy } from "./sink";
import { ipv4, ipv6 } from "./address";
import { communityId } from "./community-id";
import * as R from "./record-rules";
import { historyLength, historyLetters, HISTORY_WRITTEN_MAX, chainBlock } from "./record-blocks";
import { levelType, typeName, hex8, depth, parentCount, parent, chainLevels, level, levelText } from "./tunnel-text";
import { anomalyNames, anomalyList } from "./anomaly-list";
import { CSV, startRow, rowDeclined, num, cell, uintCell, cellOr, analysisCells } from "./row-cells";

const COMMA: u32 = 0x2c;
const NO_TUNNEL = new Fixed(",,,,,"), TRUE = new Fixed(",true"), FALSE = new Fixed(",false");
const names = (all: string[]): StaticArray<Fixed> => {
  const fixed = new StaticArray<Fixed>(all.length);
  for (let i = 0; i < all.length; i++) fixed[i] = new Fixed("," + all[i]);
  return fixed;
};
const OUTCOMES = names(R.OUTCOME_NAMES), TEARDOWNS = names(R.TEARDOWN_NAMES), STATES = names(R.CONN_STATES);
const ORIG = new Fixed(",orig"), RESP = new Fixed(",resp");
const ANOMALIES = anomalyNames("", "=");

function address(at: usize): void { byte(COMMA); if (R.v6) ipv6(at); else ipv4(at); }

function endpointCells(e: usize, bytes: f64): void {
  cell(CSV, load<f64>(e + C.E_PKTS));
  cell(CSV, bytes);
  cell(CSV, load<f64>(e + C.E_IP_BYTES));
  cellOr(CSV, (load<u8>(e + C.E_REASM) & C.REASM_INEXACT) != 0, load<f64>(e + C.E_MISSED_BYTES));
}

// A tunnelled connection's five cells: the types joined by ">", its identity, the parents by ";", changes, the chain's text.
function tunnel(c: usize): void {
  byte(COMMA);
  for (let k = 0, n = depth(c); k < n; k++) { if (k) byte(0x3e); typeName(levelType(c, k), false); }
  byte(COMMA); hex8(load<u32>(c + C.C_TUNNEL_FIRST));
  byte(COMMA);
  for (let k = 0, n = parentCount(c); k < n; k++) { if (k) byte(0x3b); hex8(parent(c, k)); }
  uintCell(CSV, load<u8>(c + C.C_TUNNEL_CHANGES));
  byte(COMMA);
  if (chainBlock(c) != 0) for (let k = 0, n = chainLevels(c); k < n; k++) { if (k) { byte(0x20); byte(0x3e); byte(0x20); } levelText(level(c, k)); }
}

@inline function seen(e: usize): bool { return load<u32>(e + C.E_SYNS) != 0 || load<u32>(e + C.E_SYN_ACKS) != 0; }
@inline function bits(e: usize): u32 { return <u32>load<u16>(e + C.E_OPTION_BITS); }
@inline function ecn(e: usize): u32 { return <u32>load<u8>(e + C.E_ECN_BITS); }
function flag(isSeen: bool, v: bool): void { if (!isSeen) byte(COMMA); else raw(v ? TRUE : FALSE); }
function optionCell(isSeen: bool, isNull: bool, n: f64): void { if (!isSeen) byte(COMMA); else cellOr(CSV, isNull, n); }
@inline function tfo(e: usize): bool { return load<i16>(e + C.E_TFO_COOKIE_LEN) >= 0 || load<u32>(e + C.E_SYN_PAYLOAD) > 0; }
@inline function noCookie(e: usize): bool { return load<i16>(e + C.E_TFO_COOKIE_LEN) < 0; } // data on the SYN without a TFO option
@inline function cookieLen(e: usize): f64 { return <f64>load<i16>(e + C.E_TFO_COOKIE_LEN); }

// csv-values-row.ts's option cells: empty for a side that sent no SYN
function options(o: usize, r: usize): void {
  const os = seen(o), rs = seen(r);
  optionCell(os, !(bits(o) & L.OPT_MSS), <f64>load<u16>(o + C.E_MSS));
  optionCell(rs, !(bits(r) & L.OPT_MSS), <f64>load<u16>(r + C.E_MSS));
  optionCell(os, load<u8>(o + C.E_WINDOW_SCALE) == 0xff, <f64>load<u8>(o + C.E_WINDOW_SCALE));
  optionCell(rs, load<u8>(r + C.E_WINDOW_SCALE) == 0xff, <f64>load<u8>(r + C.E_WINDOW_SCALE));
  flag(os, (bits(o) & L.OPT_SACK_PERMITTED) != 0); flag(rs, (bits(r) & L.OPT_SACK_PERMITTED) != 0);
  flag(os, (bits(o) & L.OPT_TIMESTAMPS) != 0); flag(rs, (bits(r) & L.OPT_TIMESTAMPS) != 0);
  flag(os, (ecn(o) & 3) == 3); flag(rs, (ecn(r) & 3) == 1); // ECN setup (RFC 3168): ECE and CWR; ECE without CWR
  flag(os, (bits(o) & L.OPT_MPTCP) != 0); flag(rs, (bits(r) & L.OPT_MPTCP) != 0);
  optionCell(os, !tfo(o) || noCookie(o), cookieLen(o));
  optionCell(os, !tfo(o), <f64>load<u32>(o + C.E_SYN_PAYLOAD));
  optionCell(rs, !tfo(r) || noCookie(r), cookieLen(r));
}

// A history's letters as a cell: as they are, unless one needs quoting or encoding (then JS writes the row).
function historyCell(letters: usize, length: i32): bool {
  for (let i = 0; i < length; i++) {
    const ch = load<u8>(letters + <usize>i);
    if (ch == 0x22 || ch == 0x2c || ch == 0x0d || ch == 0x0a || ch > 0x7e) return false;
  }
  byte(COMMA);
  copy(letters, <usize>length);
  return true;
}

/** Writes the csv row of the record at `c` at `at` (room for LINE_MAX_BYTES); its end, or 0 when JS must write it. */
export function writeCsvLine(c: usize, at: usize): usize {
  const hlen = historyLength(c);
  if (hlen > HISTORY_WRITTEN_MAX || !R.plainTime(c)) return 0;
  startRow();
  startAt(at);
  R.readFlow(c);
  const o = R.origE, r = R.respE;
  const id = Math.floor(load<f64>(c + C.C_ID)); // the key's whole part (connection-layout.ts)
  num(id);
  byte(COMMA); communityId(R.v6 ? 16 : 4, R.origAddr, R.origPort, R.respAddr, R.respPort, 0);
  byte(COMMA); uint32(<u32>load<f64>(c + C.C_FIRST_SEC)); byte(0x2e); fixedDigits(load<u32>(c + C.C_FIRST_NSEC), 9);
  cell(CSV, R.duration(c));
  address(R.origAddr); uintCell(CSV, R.origPort);
  address(R.respAddr); uintCell(CSV, R.respPort);
  const vlan = load<u16>(c + C.C_VLAN), innerVlan = load<u16>(c + C.C_INNER_VLAN);
  if (vlan == L.NO_VLAN) byte(COMMA); else uintCell(CSV, vlan);
  if (innerVlan == L.NO_VLAN) byte(COMMA); else uintCell(CSV, innerVlan);
  if (parentCount(c) == 0) raw(NO_TUNNEL); else tunnel(c);
  const letters = historyLetters(c, hlen);
  raw(STATES[R.connState(load<u8>(o + C.E_STATE), load<u8>(r + C.E_STATE), letters, hlen, R.origBytes, R.respBytes)]);
  if (!historyCell(letters, hlen)) return 0;
  const handshake = R.outcome(c, o, r);
  raw(OUTCOMES[handshake]);
  uintCell(CSV, load<u32>(o + C.E_SYNS)); uintCell(CSV, load<u32>(r + C.E_SYN_ACKS));
  const hs = <u32>load<u16>(c + C.C_HANDSHAKE_FLAGS);
  cellOr(CSV, !(hs & C.HS_SYN_ACK_ANSWERED), R.rttUs(load<f64>(c + C.C_SYN_TIME_ANSWERED), load<f64>(c + C.C_SYN_ACK_TIME)));
  cellOr(CSV, !((hs & C.HS_ACK_SEEN) && !(hs & C.HS_ACK_MISMATCH)), R.rttUs(load<f64>(c + C.C_SYN_ACK_TIME_ANSWERED), load<f64>(c + C.C_HANDSHAKE_ACK_TIME)));
  raw(TEARDOWNS[R.teardown(c, o, r, R.origSide)]);
  const closer = <u32>load<u8>(c + C.C_FIRST_CLOSE_SIDE);
  if (closer == 0) byte(COMMA); else raw(closer - 1 == R.origSide ? ORIG : RESP);
  endpointCells(o, R.origBytes);
  endpointCells(r, R.respBytes);
  uintCell(CSV, load<u32>(o + C.E_SYNS)); uintCell(CSV, load<u32>(o + C.E_FINS)); uintCell(CSV, load<u32>(o + C.E_RSTS));
  uintCell(CSV, load<u32>(r + C.E_SYN_ACKS)); uintCell(CSV, load<u32>(r + C.E_FINS)); uintCell(CSV, load<u32>(r + C.E_RSTS));
  options(o, r);
  byte(COMMA);
  anomalyList(c, ANOMALIES, 0x3b, handshake == R.OUTCOME_MID_STREAM, load<f64>(o + C.E_PKTS) == 0 || load<f64>(r + C.E_PKTS) == 0);
  cell(CSV, id);
  cell(CSV, load<f64>(c + C.C_LAST_PACKET) + 1);
  analysisCells(CSV, c + C.C_ANALYSIS, R.origSide);
  byte(0x0d); byte(0x0a);
  return rowDeclined() ? 0 : out;
}
