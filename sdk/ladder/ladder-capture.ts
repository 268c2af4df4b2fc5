// One pass over a capture that keeps the packets of selected connections only, for drawing
// their ladder diagrams. It draws the first `limit` matching connections in the order they
// began (by id) and counts every match. A connection's packets are kept from its start while
// it could still be one of those drawn: not once `limit` matches that began earlier are known,
// and dropped as soon as it ends unselected (kept-packets.ts keeps them, in bounded form).

import { decodeInputs } from "../decoder/decode-inputs.js";
import type { CaptureInput } from "../decoder/capture-input.js";
import type { CaptureSummary } from "../decoder/decode-capture.js";
import { ConnectionTracker } from "../connections/tracker.js";
import { KEY_WORDS } from "../connections/connection-store.js";
import { buildConnectionRecord, type ConnectionRecord } from "../connections/connection-record.js";
import { formatAddress } from "../decoder/packet-batch.js";
import type { ConnectionFilter } from "../filter/connection-filter.js";
import type { ScanOptions } from "../scan.js";
import { checkInputs, checkLadderArguments } from "../options.js";
import { IdHeap } from "./id-heap.js";
import { KeptPackets, NOT_WATCHED, KEEPING } from "./kept-packets.js";

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
 * Reads the capture(s) once; returns the ladders of the first `limit` connections the filter
 * selects (Infinity: all) and how many it selected. The arguments are checked first, as
 * createScanner() checks its own (TypeError or RangeError naming the one at fault); the
 * ladder is drawn by the reference tracker on this thread, so `threads`, `tracker` and
 * `report` are checked but change nothing.
 */
export async function captureLadders(
  input: CaptureInput | CaptureInput[], filter: ConnectionFilter, options: ScanOptions = {}, limit = 20,
): Promise<LadderSelection> {
  checkInputs(input);
  checkLadderArguments(filter, options, limit);
  // Connections that could match, by slot: their packets so far, or only their match still to
  // be counted (they began after `limit` matches already drawn).
  const kept = new KeptPackets();
  const drawn = new IdHeap<ConnectionLadder>();
  let matched = 0;
  let pruned = false;
  const tracker = new ConnectionTracker(options, (store, slot) => {
    const state = kept.stateOf(slot);
    if (state === NOT_WATCHED) return;
    const connection = buildConnectionRecord(store, slot);
    const matches = filter.matches(connection);
    const draw = matches && state === KEEPING && (drawn.size < limit || connection.id < drawn.maxId());
    const run = draw ? kept.take(slot) : null;
    kept.forget(slot);
    if (matches) matched++;
    if (!run) return;
    // Roles are final now: side 0 is the originator unless the connection was flipped.
    const sideAIsOrig = store.flipped[slot] === 0;
    const packets = run.packets.map((p) => ({ ...p, fromOrig: p.fromOrig === sideAIsOrig }));
    drawn.push(connection.id, { connection, packets, omitted: run.omitted, omittedAt: run.omittedAt, nanoseconds: run.nanoseconds });
    if (drawn.size > limit) drawn.popMax();
    if (drawn.size === limit && !pruned) {
      // From now on only connections that began earlier than the last drawn can be drawn.
      pruned = true;
      const max = drawn.maxId();
      for (const s of kept.keeping()) if (store.id[s]! > max) kept.countOnly(s);
    }
  }, {
    created(store, slot) {
      const key = store.key, w = slot * KEY_WORDS, version = key[w + 9]!;
      const bytes = new Uint8Array(key.buffer, key.byteOffset + w * 4, 32);
      const candidate = {
        id: store.id[slot]!,
        a: { addr: formatAddress(bytes, 0, version), port: key[w + 8]! >>> 16 },
        b: { addr: formatAddress(bytes, 16, version), port: key[w + 8]! & 0xffff },
      };
      if (!filter.mayMatch(candidate)) return;
      // Ids grow with every new connection: once `limit` are drawn, a new one cannot be.
      kept.watch(slot, drawn.size < limit || candidate.id < drawn.maxId());
    },
    packet(slot, fromSideA, b, i, time, verdicts) {
      if (kept.stateOf(slot) !== KEEPING) return;
      kept.add(slot, fromSideA, b, i, time, b.packetIndex(i) + tracker.packetBase + 1, verdicts);
    },
  });
  const captures: CaptureSummary[] = [];
  for await (const { batch, packetBase } of decodeInputs(Array.isArray(input) ? input : [input], options, captures)) {
    tracker.packetBase = packetBase;
    tracker.processBatch(batch);
  }
  tracker.finish();
  const ladders = drawn.values().sort((a, b) => a.connection.id - b.connection.id);
  return { ladders, matched, captures };
}
