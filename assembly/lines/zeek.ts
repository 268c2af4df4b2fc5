// A connection's Zeek conn.log row written from its record's bytes (connection-layout.ts): the
// bytes cli/format/zeek-values-row.ts writeZeekValues writes, columns in zeek-log.ts's order,
// for the one-thread line scan. Its rules are record-rules.ts's (the THIRD COPY of
// record-values.ts's) and row-cells.ts's; the uid is zeek-log.ts's (SHA-256 of
// "communityId|ts|id", 17 of its bytes in base 62), the duration zeek-duration.ts's.
// test/sdk/lines/wasm-csv-zeek.test.ts holds the rows byte-equal to the JS writer's.
// writeZeekLine declines (0: JS writes the row) what writeLine declines, a history past ASCII,
// and a duration of 1e6 s or more.

import * as C from "../connection-layout";
import { out, startAt, byte, word, uint, uint32, fixedDigits, Fixed, raw, copy } from "./sink";
import { zeekLocal } from "./zeek-local";
import { number } from "./numbers";
import { ipv4, ipv6 } from "./address";
import { communityId } from "./community-id";
import * as R from "./record-rules";
import { historyLength, historyLetters, HISTORY_WRITTEN_MAX } from "./record-blocks";
import { hex8, parentCount, parent } from "./tunnel-text";
import { MESSAGE, DIGEST, sha256 } from "./sha256";
import { ZEEK, startRow, rowDeclined, cell, uintCell, unsetCell, analysisCells } from "./row-cells";

const TAB: u32 = 0x09;
const TCP_UNSET_UNSET = new Fixed("\ttcp\t-"), IP_PROTO = new Fixed("\t6");
// local_orig and local_resp: T or F each, by Zeek's default local nets (zeek-local.ts).
const LOCAL_CELLS: StaticArray<u32> = [0x46094609, 0x46095409, 0x54094609, 0x54095409]; // "\tF\tF", "\tT\tF", "\tF\tT", "\tT\tT"
const STATES = new StaticArray<Fixed>(R.CONN_STATES.length);
for (let i = 0; i < R.CONN_STATES.length; i++) STATES[i] = new Fixed("\t" + R.CONN_STATES[i]);
const TUNNEL = new Fixed("tunnel|");
const CID_LENGTH: usize = 30; // "1:" and 28 base64 characters
const CID: usize = memory.data(32, 8); // the row's Community ID, kept from the uid's text (MESSAGE is hashed over)

@inline function base62(v: u32): u32 { return v < 10 ? 0x30 + v : v < 36 ? 0x41 + v - 10 : 0x61 + v - 36; }

/** "C" and MESSAGE's first `length` bytes' digest as zeek-log.ts uidOf writes it: 17 bytes, each mod 62. */
function uid(length: i32): void {
  sha256(length);
  byte(0x43);
  for (let k = 0; k < 17; k++) byte(base62(<u32>load<u8>(DIGEST + <usize>k) % 62));
}

// The text "communityId|ts|id" the row's uid hashes, written into MESSAGE; its length (0: not certain).
function uidText(c: usize): i32 {
  const line = out;
  startAt(MESSAGE);
  communityId(R.v6 ? 16 : 4, R.origAddr, R.origPort, R.respAddr, R.respPort, 0);
  byte(0x7c); uint32(<u32>load<f64>(c + C.C_FIRST_SEC)); byte(0x2e); fixedDigits(load<u32>(c + C.C_FIRST_NSEC), 9);
  byte(0x7c);
  const exact = number(Math.floor(load<f64>(c + C.C_ID))); // the id: the key's whole part
  const length = <i32>(out - MESSAGE);
  memory.copy(CID, MESSAGE, CID_LENGTH);
  startAt(line);
  return exact ? length : 0;
}

/** A tunnel chain's uid (zeek-log.ts zeekTunnelUid): of "tunnel|" and its identity's 8 hex digits. */
function tunnelUid(identity: u32): void {
  const line = out;
  startAt(MESSAGE);
  raw(TUNNEL); hex8(identity);
  startAt(line);
  uid(15);
}

/**
 * The duration as Zeek logs it, in microseconds (cli/format/zeek-duration.ts): the difference of
 * the first and last packets' times cut to the microsecond, as Zeek reads them. -1 when JS must
 * write it: a duration of 10^6 s or more, or not the double nearest a whole count of nanoseconds.
 */
function zeekMicros(c: usize, d: f64): i64 {
  if (d == 0) return 0;
  if (!(d > 0 && d < 1e6)) return -1;
  const k = Math.round(d * 1e9);
  if (k / 1e9 != d) return -1;
  const first = <u64>load<u32>(c + C.C_FIRST_NSEC);
  return <i64>((first + <u64>k) / 1000 - first / 1000);
}

function address(at: usize): void { byte(TAB); if (R.v6) ipv6(at); else ipv4(at); }

/** Writes the conn.log row of the record at `c` at `at` (room for LINE_MAX_BYTES); its end, or 0 when JS must write it. */
export function writeZeekLine(c: usize, at: usize): usize {
  const hlen = historyLength(c);
  if (hlen > HISTORY_WRITTEN_MAX || !R.plainTime(c)) return 0;
  startRow();
  R.readFlow(c);
  const o = R.origE, r = R.respE;
  const uidLength = uidText(c);
  if (uidLength == 0) return 0;
  startAt(at);
  uint32(<u32>load<f64>(c + C.C_FIRST_SEC)); byte(0x2e); fixedDigits(load<u32>(c + C.C_FIRST_NSEC) / 1000, 6);
  byte(TAB); uid(uidLength);
  address(R.origAddr); uintCell(ZEEK, R.origPort);
  address(R.respAddr); uintCell(ZEEK, R.respPort);
  raw(TCP_UNSET_UNSET);
  // Zeek leaves the duration and the byte counts unset for a connection that lasted 0 s by its
  // microsecond clock.
  const micros = zeekMicros(c, R.duration(c));
  if (micros < 0) return 0;
  if (micros == 0) { unsetCell(ZEEK); unsetCell(ZEEK); unsetCell(ZEEK); }
  else {
    byte(TAB); uint(<u64>micros / 1000000); byte(0x2e); fixedDigits(<u32>(<u64>micros % 1000000), 6);
    cell(ZEEK, R.origBytes); cell(ZEEK, R.respBytes);
  }
  raw(STATES[R.connState(load<u8>(o + C.E_STATE), load<u8>(r + C.E_STATE), historyLetters(c, hlen), hlen, R.origBytes, R.respBytes)]);
  const v = R.v6 ? 6 : 4;
  word(unchecked(LOCAL_CELLS[<i32>zeekLocal(R.origAddr, v) | (<i32>zeekLocal(R.respAddr, v) << 1)]));
  if ((load<u8>(o + C.E_REASM) & C.REASM_INEXACT) != 0 || (load<u8>(r + C.E_REASM) & C.REASM_INEXACT) != 0) unsetCell(ZEEK);
  else cell(ZEEK, load<f64>(o + C.E_MISSED_BYTES) + load<f64>(r + C.E_MISSED_BYTES));
  if (hlen == 0) unsetCell(ZEEK);
  else {
    const letters = historyLetters(c, hlen);
    for (let i = 0; i < hlen; i++) if (load<u8>(letters + <usize>i) > 0x7e) return 0;
    byte(TAB); copy(letters, <usize>hlen);
  }
  cell(ZEEK, load<f64>(o + C.E_PKTS)); cell(ZEEK, load<f64>(o + C.E_IP_BYTES));
  cell(ZEEK, load<f64>(r + C.E_PKTS)); cell(ZEEK, load<f64>(r + C.E_IP_BYTES));
  const parents = parentCount(c);
  if (parents == 0) unsetCell(ZEEK);
  else {
    byte(TAB);
    for (let k = 0; k < parents; k++) { if (k) byte(0x2c); tunnelUid(parent(c, k)); }
  }
  raw(IP_PROTO);
  byte(TAB); copy(CID, CID_LENGTH);
  analysisCells(ZEEK, c + C.C_ANALYSIS, R.origSide);
  byte(0x0a);
  return rowDeclined() ? 0 : out;
}
