// One pass over a capture that keeps the packets of selected connections only, for drawing
// their ladder diagrams. It draws the first `limit` matching connections in the order they
// began (by id) and counts every match. A connection's packets are kept from its start while
// it could still be one of those drawn: not once `limit` matches that began earlier are known,
// and dropped as soon as it ends unselected. At most the first KEEP_HEAD and the last KEEP_TAIL
// packets of each are kept (the middle is counted).

import * as L from "../../assembly/layout.js";
import { decodeInputs } from "../decoder/decode-inputs.js";
import type { CaptureInput } from "../decoder/capture-input.js";
import type { CaptureSummary } from "../decoder/decode-capture.js";
import { ConnectionTracker } from "../connections/tracker.js";
import { KEY_WORDS } from "../connections/connection-store.js";
import { buildConnectionRecord, type ConnectionRecord } from "../connections/connection-record.js";
import { formatAddress, type PacketBatch } from "../decoder/packet-batch.js";
import type { ConnectionFilter } from "../filter/connection-filter.js";
import type { ScanOptions } from "../scan.js";
import { IdHeap } from "./id-heap.js";

const KEEP_HEAD = 400;
const KEEP_TAIL = 100;

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
}

export interface LadderSelection {
  /** The first `limit` connections matched, in the order they began. */
  ladders: ConnectionLadder[];
  /** How many connections the selection matched in all. */
  matched: number;
  captures: CaptureSummary[];
}

interface Kept { head: LadderPacket[]; tail: LadderPacket[]; dropped: number; firstTime: number }

function synOptions(b: PacketBatch, i: number): SynOptions {
  const opts = b.options(i);
  const r = b.toRecord(i);
  return { mss: r.mss, windowScale: r.windowScale, sackPermitted: (opts & L.OPT_SACK_PERMITTED) !== 0, timestamps: (opts & L.OPT_TIMESTAMPS) !== 0 };
}

/**
 * Reads the capture(s) once; returns the ladders of the first `limit` connections the filter
 * selects (Infinity: all) and how many it selected.
 */
export async function captureLadders(
  input: CaptureInput | CaptureInput[], filter: ConnectionFilter, options: ScanOptions = {}, limit = 20,
): Promise<LadderSelection> {
  if (!(limit >= 1)) throw new RangeError(`limit must be at least 1 (Infinity for no limit), not ${limit}`);
  // Connections that could match, by slot: their packets so far, or null when only their
  // match is still to be counted (they began after `limit` matches already drawn).
  const watched = new Map<number, Kept | null>();
  const drawn = new IdHeap<ConnectionLadder>();
  let matched = 0;
  let pruned = false;
  const tracker = new ConnectionTracker(options, (store, slot) => {
    const k = watched.get(slot);
    if (k === undefined) return;
    watched.delete(slot);
    const connection = buildConnectionRecord(store, slot);
    if (!filter.matches(connection)) return;
    matched++;
    if (!k || (drawn.size >= limit && connection.id > drawn.maxId())) return;
    // Roles are final now: side 0 is the originator unless the connection was flipped.
    const sideAIsOrig = store.flipped[slot] === 0;
    const fix = (p: LadderPacket) => ({ ...p, fromOrig: p.fromOrig === sideAIsOrig });
    drawn.push(connection.id, { connection, packets: [...k.head.map(fix), ...k.tail.map(fix)], omitted: k.dropped, omittedAt: k.head.length });
    if (drawn.size > limit) drawn.popMax();
    if (drawn.size === limit && !pruned) {
      // From now on only connections that began earlier than the last drawn can be drawn.
      pruned = true;
      const max = drawn.maxId();
      for (const [s, kept] of watched) if (kept && store.id[s]! > max) watched.set(s, null);
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
      const drawable = drawn.size < limit || candidate.id < drawn.maxId();
      watched.set(slot, drawable ? { head: [], tail: [], dropped: 0, firstTime: NaN } : null);
    },
    packet(slot, fromSideA, b, i, time, verdicts) {
      const k = watched.get(slot);
      if (!k) return;
      if (k.firstTime !== k.firstTime) k.firstTime = time;
      const flags = b.flags(i);
      const p: LadderPacket = {
        time: time - k.firstTime, fromOrig: fromSideA, flags, seq: b.seq(i), ack: b.ack(i),
        payload: b.payloadLen(i), window: b.window(i), frame: b.packetIndex(i) + tracker.packetBase + 1, verdicts,
      };
      if (flags & L.FLAG_SYN) p.synOptions = synOptions(b, i);
      if (k.head.length < KEEP_HEAD) k.head.push(p);
      else {
        k.tail.push(p);
        if (k.tail.length > KEEP_TAIL) { k.tail.shift(); k.dropped++; }
      }
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
