// A conn.log row written straight from a record's values, column by column in the order of
// zeek-log.ts's table, with no call per column: the row zeekRow makes of the record built from
// the same values (test/cli/format/line-formats.test.ts holds the two together on every corpus
// capture and on values captures rarely hold). Cells are as zeekRow's: null is "-", numbers as
// String() writes them, text as is.

import type { EndpointValues, RecordValues } from "../../sdk/index.js";
import { FixedBytes, type ByteSink } from "../../sdk/lines/byte-sink.js";
import { AnalysisCells } from "./analysis-columns.js";
import type { LocalNets } from "./zeek-local.js";
import { zeekDuration } from "./zeek-duration.js";

const TAB = 0x09, LF = 0x0a, UNSET = 0x2d;

/** The columns' texts that need more than a field: zeek-log.ts's. */
export interface ZeekTexts {
  /** The time to the microsecond, from the record's text. */
  micro(ts: string): string;
  uid(v: RecordValues): string;
  tunnelParents(v: RecordValues): string;
  /** What local_orig and local_resp count as local. */
  local: LocalNets;
}

const TCP_UNSET_UNSET = new FixedBytes("\ttcp\t-"); // proto, service
// local_orig, local_resp: T or F each, by Zeek's local nets (zeek-local.ts).
const LOCAL_CELLS = ["\tF\tF", "\tT\tF", "\tF\tT", "\tT\tT"].map((cells) => new FixedBytes(cells));
const IP_PROTO = new FixedBytes("\t6"); // ip_proto

function num(out: ByteSink, n: number | null): void {
  out.byte(TAB);
  if (n === null) out.byte(UNSET);
  else out.numText(n);
}

function text(out: ByteSink, s: string | null): void {
  out.byte(TAB);
  if (s === null) out.byte(UNSET);
  else out.plain(s);
}

function address(out: ByteSink, e: EndpointValues): void {
  if (e.addrText !== null) return text(out, e.addr);
  out.byte(TAB);
  out.address(e.addrBytes, e.addrAt, e.version);
}

function local(e: EndpointValues, nets: LocalNets): boolean {
  return e.addrText !== null ? nets.hasText(e.addrText) : nets.has(e.version, e.addrBytes, e.addrAt);
}

const ANALYSIS = new AnalysisCells(TAB, "-", true); // whole doubles with ".0", as Zeek writes them

/** The row of `v`, its newline included. */
export function writeZeekValues(out: ByteSink, v: RecordValues, texts: ZeekTexts): void {
  // The ts text is made anyway (the uid hashes it), so it is written from the text.
  out.plain(texts.micro(v.ts));
  text(out, texts.uid(v));
  address(out, v.orig);
  num(out, v.orig.port);
  address(out, v.resp);
  num(out, v.resp.port);
  out.raw(TCP_UNSET_UNSET);
  // Zeek leaves the duration and the byte counts unset for a connection that lasted 0 s by its
  // microsecond clock (zeek-log.ts).
  const duration = zeekDuration(v.ts, v.duration), lasted = duration !== null;
  text(out, duration);
  num(out, lasted ? v.orig.bytes : null);
  num(out, lasted ? v.resp.bytes : null);
  text(out, v.connState);
  out.raw(LOCAL_CELLS[Number(local(v.orig, texts.local)) | (Number(local(v.resp, texts.local)) << 1)]!);
  const o = v.orig.missedBytes, r = v.resp.missedBytes;
  num(out, o === null || r === null ? null : o + r);
  text(out, v.history === "" ? null : v.history);
  num(out, v.orig.pkts);
  num(out, v.orig.ipBytes);
  num(out, v.resp.pkts);
  num(out, v.resp.ipBytes);
  text(out, v.tunnel ? texts.tunnelParents(v) : null);
  out.raw(IP_PROTO);
  text(out, v.communityId);
  ANALYSIS.write(out, v);
  out.byte(LF);
}
