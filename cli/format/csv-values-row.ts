// A csv row written straight from a record's values, column by column in CSV_COLUMNS' order
// (connection-csv.ts), with no call per column: the cells csvRow makes of the record built from
// the same values (test/cli/format/line-formats.test.ts holds the two together on every corpus
// capture and on values captures rarely hold). A call through the column table per cell, and
// the value it returned boxed, were most of a row's cost.

import { tunnelChainText, type EndpointValues, type RecordTunnel, type RecordValues } from "../../sdk/index.js";
import { FixedBytes, type ByteSink } from "../../sdk/lines/byte-sink.js";
import { AnalysisCells } from "./analysis-columns.js";
import { hasExponent, plainNumber } from "./plain-number.js";

const COMMA = 0x2c, CR = 0x0d, LF = 0x0a;

/** The characters a cell is quoted for (connection-csv.ts, NEEDS_QUOTES), by code. */
const QUOTED = new Uint8Array(128);
for (const c of [0x22, COMMA, CR, LF]) QUOTED[c] = 1;

const TRUE = new FixedBytes(",true"), FALSE = new FixedBytes(",false");
const NO_TUNNEL = new FixedBytes(",,,,,"); // tunnel, its identity, parents, changes and chain

/** cell(text) after a comma: plain ASCII as is, the rest quoted or encoded by `quote`. */
function text(out: ByteSink, s: string, quote: (s: string) => string): void {
  out.byte(COMMA);
  if (!out.plainUnless(s, QUOTED)) out.utf8(quote(s));
}

function num(out: ByteSink, n: number | null | undefined): void {
  out.byte(COMMA);
  if (n === null || n === undefined) return;
  if (hasExponent(n)) out.plain(plainNumber(n)); // a duration below 1 µs: never "1e-7"
  else out.numText(n);
}

function bool(out: ByteSink, b: boolean): void {
  out.raw(b ? TRUE : FALSE);
}

// An option's cell: empty when that side sent no SYN (the record's options null).
function optionNum(out: ByteSink, seen: boolean, n: number | null): void {
  if (seen) num(out, n);
  else out.byte(COMMA);
}

function optionBool(out: ByteSink, seen: boolean, b: boolean): void {
  if (seen) bool(out, b);
  else out.byte(COMMA);
}

function address(out: ByteSink, e: EndpointValues, quote: (s: string) => string): void {
  if (e.addrText !== null) return text(out, e.addr, quote);
  out.byte(COMMA);
  out.address(e.addrBytes, e.addrAt, e.version);
}

// A tunnelled connection's five cells: the chain outermost first, its identity, the chains seen.
function tunnel(out: ByteSink, t: RecordTunnel, quote: (s: string) => string): void {
  text(out, t.types.join(">"), quote);
  text(out, t.identity, quote);
  text(out, t.parents.join(";"), quote);
  num(out, t.changes);
  if (t.chain) text(out, tunnelChainText(t.chain), quote);
  else out.byte(COMMA);
}

function endpointCells(out: ByteSink, e: EndpointValues): void {
  num(out, e.pkts);
  num(out, e.bytes);
  num(out, e.ipBytes);
  num(out, e.missedBytes);
}

const ANALYSIS = new AnalysisCells(COMMA, "");

/** The row of `v`, CR LF included; `quote` is the cell of a text to quote or encode (connection-csv.ts). */
export function writeCsvValues(out: ByteSink, v: RecordValues, quote: (s: string) => string): void {
  out.numText(v.id);
  text(out, v.communityId, quote);
  // The time and the addresses written from the numbers and bytes, no string in between.
  if (v.tsText === null) { out.byte(COMMA); out.epoch(v.firstSec, v.firstNsec); }
  else text(out, v.ts, quote);
  num(out, v.duration);
  address(out, v.orig, quote);
  num(out, v.orig.port);
  address(out, v.resp, quote);
  num(out, v.resp.port);
  num(out, v.vlan);
  num(out, v.innerVlan);
  if (v.tunnel === undefined) out.raw(NO_TUNNEL);
  else tunnel(out, v.tunnel, quote);
  text(out, v.connState, quote);
  text(out, v.history, quote);
  text(out, v.outcome, quote);
  num(out, v.synCount);
  num(out, v.synAckCount);
  num(out, v.rttSynToSynAckUs);
  num(out, v.rttSynAckToAckUs);
  text(out, v.teardown, quote);
  if (v.firstCloser === null) out.byte(COMMA);
  else text(out, v.firstCloser, quote);
  endpointCells(out, v.orig);
  endpointCells(out, v.resp);
  num(out, v.orig.syn);
  num(out, v.orig.fin);
  num(out, v.orig.rst);
  num(out, v.resp.synAck);
  num(out, v.resp.fin);
  num(out, v.resp.rst);
  const o = v.origOptions, r = v.respOptions, os = o.seen, rs = r.seen;
  optionNum(out, os, o.mss); optionNum(out, rs, r.mss);
  optionNum(out, os, o.windowScale); optionNum(out, rs, r.windowScale);
  optionBool(out, os, o.sackPermitted); optionBool(out, rs, r.sackPermitted);
  optionBool(out, os, o.timestamps); optionBool(out, rs, r.timestamps);
  optionBool(out, os, o.ece && o.cwr); optionBool(out, rs, r.ece && !r.cwr); // ECN setup (RFC 3168)
  optionBool(out, os, o.mptcp); optionBool(out, rs, r.mptcp);
  optionNum(out, os, o.tfo ? o.cookieLen : null);
  optionNum(out, os, o.tfo ? o.data : null);
  optionNum(out, rs, r.tfo ? r.cookieLen : null);
  anomalies(out, v, quote);
  num(out, v.firstPacket);
  num(out, v.lastPacket);
  ANALYSIS.write(out, v);
  out.byte(CR);
  out.byte(LF);
}

// "name=count;..." (the "anomalies" column of connection-csv.ts): usually empty, or a name or two.
function anomalies(out: ByteSink, v: RecordValues, quote: (s: string) => string): void {
  if (v.anomalyCount === 0) return out.byte(COMMA);
  let s = "";
  for (let k = 0; k < v.anomalyCount; k++) s += `${k ? ";" : ""}${v.anomalyNames[k]}=${v.anomalyCounts[k]}`;
  text(out, s, quote);
}
