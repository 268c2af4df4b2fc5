// Ladder diagrams of selected connections: the first `limit` that a filter selects, in the order
// they began, drawn packet by packet, and how many it selects in all. An input that can be read
// twice (a regular file, bytes) is: a fast scan finds the connections (find-selected.ts), then
// the reference tracker, which hands on each packet with its verdicts, follows only their flows
// (draw-selected.ts), or their whole flow groups where the --max-* bounds ended connections early.
// An input read once (stdin, a pipe, a stream) has the reference tracker follow every flow in one
// pass (ladder-one-pass.ts).

import { statSync } from "node:fs";
import type { CaptureInput } from "../decoder/capture-input.js";
import type { CaptureSummary } from "../decoder/decode-capture.js";
import type { ConnectionRecord } from "../connections/connection-record.js";
import type { ConnectionFilter } from "../filter/connection-filter.js";
import type { ScanOptions } from "../scan.js";
import { checkInputs, checkLadderArguments } from "../options.js";
import { findSelected, type SelectedConnections } from "./find-selected.js";
import { drawSelected } from "./draw-selected.js";
import { laddersInOnePass } from "./ladder-one-pass.js";
import { poolScanMemories } from "../wasm-memory.js";

/** Options of a SYN or SYN/ACK, as Wireshark's Info column shows them. */
export interface SynOptions {
  mss: number | null;
  /** The shift count; the window multiplier is 2 to this power. */
  windowScale: number | null;
  sackPermitted: boolean;
  timestamps: boolean;
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

export interface LadderSelection {
  /** The first `limit` connections matched, in the order they began. */
  ladders: ConnectionLadder[];
  /** How many connections the selection matched in all. */
  matched: number;
  captures: CaptureSummary[];
}

/**
 * Returns the ladders of the first `limit` connections the filter selects (Infinity: all) and
 * how many it selected. The arguments are checked first, as createScanner() checks its own
 * (TypeError or RangeError naming the one at fault). The ladders are drawn by the reference
 * tracker on this thread; `threads` is used by the first pass of inputs read twice, and
 * `tracker` and `report` are checked but change nothing.
 */
export async function captureLadders(
  input: CaptureInput | CaptureInput[], filter: ConnectionFilter, options: ScanOptions = {}, limit = 20,
): Promise<LadderSelection> {
  checkInputs(input);
  checkLadderArguments(filter, options, limit);
  const inputs = Array.isArray(input) ? input : [input];
  if (!readTwice(inputs)) return laddersInOnePass(inputs, filter, options, limit);
  // The scan's memory is not kept for another scan: the passes below decode in a small one of their own.
  poolScanMemories(false);
  let selected: SelectedConnections;
  try {
    selected = await findSelected(inputs, filter, options, limit);
  } finally {
    poolScanMemories(true);
  }
  if (selected.needsEveryFlow) {
    readAgain(options);
    return laddersInOnePass(inputs, filter, options, limit);
  }
  if (selected.matched === 0) return { ladders: [], matched: 0, captures: selected.captures };
  readAgain(options);
  const drawn = await drawSelected(inputs, filter, options, selected);
  // The count is the first pass's, the ladders the second's: a file that changed in between (one
  // still being written) is drawn in one more pass, as it is then, so that both come from one reading.
  if (!drawn.complete || !sameReading(selected.captures, drawn.captures)) {
    readAgain(options);
    return laddersInOnePass(inputs, filter, options, limit);
  }
  return { ladders: drawn.ladders, matched: selected.matched, captures: drawn.captures };
}

/** Progress starts again from 0 with the next pass, as with the next input (decode-inputs.ts). */
function readAgain(options: ScanOptions): void {
  options.onProgress?.({ bytesRead: 0, storedBytesRead: 0 });
}

/** Whether two passes read the same packets of each input: as many bytes and packets, to the same last time and fault. */
function sameReading(first: CaptureSummary[], second: CaptureSummary[]): boolean {
  return first.length === second.length && first.every((a, k) => {
    const b = second[k]!;
    return a.bytesRead === b.bytesRead && a.stats.packets === b.stats.packets && a.stats.bytesCaptured === b.stats.bytesCaptured
      && a.stats.lastTimestamp?.sec === b.stats.lastTimestamp?.sec && a.stats.lastTimestamp?.nsec === b.stats.lastTimestamp?.nsec
      && a.error?.code === b.error?.code && a.error?.offset === b.error?.offset;
  });
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
