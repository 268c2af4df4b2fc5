// Ladder diagrams of selected connections: the first `limit` that a filter selects, in the order
// they began, drawn packet by packet, and how many it selects in all. An input that can be read
// twice (a regular file, bytes) is: a fast scan finds the connections (find-selected.ts), then
// the reference tracker, which hands on each packet with its verdicts, follows only their flows
// (draw-selected.ts), or their whole flow groups where the --max-* bounds ended connections early,
// handing each ladder on in id order as soon as it is due. An input read once (stdin, a pipe, a
// stream) has the reference tracker follow every flow in one pass (ladder-one-pass.ts).

import { statSync } from "node:fs";
import type { CaptureInput } from "../decoder/capture-input.js";
import type { CaptureSummary } from "../decoder/decode-capture.js";
import type { ConnectionRecord } from "../connections/connection-record.js";
import type { ConnectionFilter } from "../filter/connection-filter.js";
import type { ScanOptions } from "../scan.js";
import { checkInputs, checkLadderArguments, checkOnLadder } from "../options.js";
import { findSelected, type SelectedConnections } from "./find-selected.js";
import { drawSelected, inPass } from "./draw-selected.js";
import { laddersInOnePass } from "./ladder-one-pass.js";
import { poolScanMemories } from "../wasm-memory.js";

/** Options of a SYN or SYN/ACK, as Wireshark's Info column shows them. */
export interface SynOptions {
  mss: number | null;
  /** The shift count; the window multiplier is 2 to this power. */
  windowScale: number | null;
  sackPermitted: boolean;
  timestamps: boolean;
  /** TCP Fast Open's cookie length (0: a cookie request); null without the option. */
  tfoCookieLen: number | null;
}

export interface LadderPacket {
  /** Seconds since the connection's first packet. */
  time: number;
  fromOrig: boolean;
  flags: number;
  seq: number;
  ack: number;
  payload: number;
  window: number;
  /** Frame number in the capture (1-based, as Wireshark counts). */
  frame: number;
  /** On packets with SYN set: their options. */
  synOptions?: SynOptions;
  /** Wireshark's TCP analysis verdicts on this packet (V_* bits of assembly/analysis-layout.ts). */
  verdicts: number;
}

export interface ConnectionLadder {
  connection: ConnectionRecord;
  packets: LadderPacket[];
  /** Packets not kept between the head and the tail. */
  omitted: number;
  /** Index in `packets` where the omitted run sits (packets.length when none). */
  omittedAt: number;
  /**
   * A packet's timestamp is not a whole microsecond (a nanosecond capture's): times are drawn
   * with nine decimals, else six (what they carry, as Wireshark shows each capture's resolution).
   */
  nanoseconds: boolean;
}

/** What captureLadders() drew: the ladders themselves, where drawLadders() counts them. */
export interface LadderSelection extends Omit<LadderCount, "drawn"> {
  /** The first `limit` connections matched, in the order they began. */
  ladders: ConnectionLadder[];
}

/** What drawLadders() drew. */
export interface LadderCount {
  /** Ladders handed on. */
  drawn: number;
  /** How many connections the selection matched in all. */
  matched: number;
  /**
   * Present when some of the first matches (by id, at most the limit with `drawn`) were not
   * drawn: from a stream (one pass), past ~100 000 packets of connections that could be drawn
   * open at once, the latest-begun ones' packets were let go (sdk/ladder/ladder-one-pass.ts).
   * How many. A file is read as often as it takes (draw-selected.ts) and draws them all.
   */
  notDrawn?: number;
  /**
   * A summary of each input read to its end. From files or bytes, where the filter pins ids
   * (onlyIds: `id 42`), reading stops once those connections have ended: the input then being
   * read and those after it have none.
   */
  captures: CaptureSummary[];
}

/**
 * Returns the ladders of the first `limit` connections the filter selects (Infinity: all) and
 * how many it selected; drawLadders() hands them on one at a time instead, for a caller that
 * draws many. The arguments are checked first, as createScanner() checks its own (TypeError
 * or RangeError naming the one at fault). The ladders are drawn by the reference tracker on
 * this thread; `threads` is used by the first pass of inputs read twice, and `tracker` and
 * `report` are checked but change nothing.
 */
export async function captureLadders(
  input: CaptureInput | CaptureInput[], filter: ConnectionFilter, options: ScanOptions = {}, limit = 20,
): Promise<LadderSelection> {
  const ladders: ConnectionLadder[] = [];
  const { matched, captures } = await drawLadders(input, filter, options, limit, (ladder) => { ladders.push(ladder); });
  return { ladders, matched, captures };
}

/**
 * Hands the ladders of the first `limit` connections the filter selects to `onLadder`, in the
 * order they began, awaiting it; returns how many it drew and matched. From a file or bytes each
 * is handed on once every earlier one has been, during the second pass, and memory stays bounded
 * however many are drawn (those held back past 256 wait in a temporary file); from a stream,
 * once no connection that began earlier can still be drawn (in the same bounded way).
 */
export async function drawLadders(
  input: CaptureInput | CaptureInput[], filter: ConnectionFilter, options: ScanOptions | undefined, limit: number,
  onLadder: (ladder: ConnectionLadder) => void | Promise<void>,
): Promise<LadderCount> {
  checkInputs(input);
  checkLadderArguments(filter, options, limit);
  checkOnLadder(onLadder);
  options ??= {}; // undefined as captureLadders takes it (checked above)
  const inputs = Array.isArray(input) ? input : [input];
  // The reads check the signal, but ladders due at once (all those the end of the input makes
  // due, or one connection's end releasing many held back) are handed on with no read between.
  const signal = options.signal;
  const handOn = signal ? async (ladder: ConnectionLadder) => {
    signal.throwIfAborted();
    await onLadder(ladder);
    signal.throwIfAborted();
  } : onLadder;
  if (!readTwice(inputs)) return laddersInOnePass(inputs, filter, options, limit, handOn);
  // The scan's memory is not kept for another scan: the pass below decodes in a small one of its own.
  poolScanMemories(false);
  let selected: SelectedConnections;
  try {
    selected = await findSelected(inputs, filter, inPass(options, 1), limit);
  } finally {
    poolScanMemories(true);
  }
  if (selected.matched === 0) return { drawn: 0, matched: 0, captures: selected.captures };
  await drawSelected(inputs, filter, options, selected, handOn); // its passes report from 0, with their numbers
  return { drawn: selected.ids.length, matched: selected.matched, captures: selected.captures };
}

/**
 * Whether captureLadders() reads these inputs twice: each is bytes or a regular file's path (a
 * pipe, stdin or a stream can be read once only). A progress bar counts their bytes twice.
 */
export function readTwice(inputs: readonly CaptureInput[]): boolean {
  return inputs.every((input) => input instanceof Uint8Array || (typeof input === "string" && input !== "-" && isFile(input)));
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false; // the pass that opens it says why it cannot be read
  }
}
