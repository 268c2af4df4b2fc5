// One pass over a capture that keeps the packets of selected connections only, for drawing
// their ladder diagrams. A connection's packets are kept from its start while the selection
// could still match it, and dropped as soon as it ends unselected; at most the first
// KEEP_HEAD and the last KEEP_TAIL packets of each are kept (the middle is counted).

import { decodeInputs } from "../decoder/decode-inputs.js";
import type { CaptureInput } from "../decoder/capture-input.js";
import type { CaptureSummary } from "../decoder/decode-capture.js";
import { ConnectionTracker } from "../connections/tracker.js";
import { KEY_WORDS } from "../connections/connection-store.js";
import { buildConnectionRecord, type ConnectionRecord } from "../connections/connection-record.js";
import { formatAddress } from "../decoder/packet-batch.js";
import type { ConnectionFilter } from "../filter/connection-filter.js";
import type { ScanOptions } from "../scan.js";

const KEEP_HEAD = 400;
const KEEP_TAIL = 100;

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
}

export interface ConnectionLadder {
  connection: ConnectionRecord;
  packets: LadderPacket[];
  /** Packets not kept between the head and the tail. */
  omitted: number;
  /** Index in `packets` where the omitted run sits (packets.length when none). */
  omittedAt: number;
}

interface Kept { head: LadderPacket[]; tail: LadderPacket[]; dropped: number; firstTime: number }

/** Reads the capture(s) once and returns the ladders of the connections the filter selects. */
export async function captureLadders(
  input: CaptureInput | CaptureInput[], filter: ConnectionFilter, options: ScanOptions = {}, limit = 20,
): Promise<{ ladders: ConnectionLadder[]; captures: CaptureSummary[] }> {
  const kept = new Map<number, Kept>(); // by slot
  const ladders: ConnectionLadder[] = [];
  const tracker = new ConnectionTracker(options, (store, slot) => {
    const k = kept.get(slot);
    if (!k) return;
    kept.delete(slot);
    if (ladders.length >= limit) return;
    const connection = buildConnectionRecord(store, slot);
    if (!filter.matches(connection)) return;
    // Roles are final now: side 0 is the originator unless the connection was flipped.
    const sideAIsOrig = store.flipped[slot] === 0;
    const fix = (p: LadderPacket) => ({ ...p, fromOrig: p.fromOrig === sideAIsOrig });
    ladders.push({ connection, packets: [...k.head.map(fix), ...k.tail.map(fix)], omitted: k.dropped, omittedAt: k.head.length });
  }, {
    created(store, slot) {
      const key = store.key, w = slot * KEY_WORDS, version = key[w + 9]!;
      const bytes = new Uint8Array(key.buffer, key.byteOffset + w * 4, 32);
      const candidate = {
        id: store.id[slot]!,
        a: { addr: formatAddress(bytes, 0, version), port: key[w + 8]! >>> 16 },
        b: { addr: formatAddress(bytes, 16, version), port: key[w + 8]! & 0xffff },
      };
      if (filter.mayMatch(candidate)) kept.set(slot, { head: [], tail: [], dropped: 0, firstTime: NaN });
    },
    packet(slot, fromSideA, b, i, time) {
      const k = kept.get(slot);
      if (!k) return;
      if (k.firstTime !== k.firstTime) k.firstTime = time;
      const p: LadderPacket = {
        time: time - k.firstTime, fromOrig: fromSideA, flags: b.flags(i), seq: b.seq(i), ack: b.ack(i),
        payload: b.payloadLen(i), window: b.window(i), frame: b.packetIndex(i) + tracker.packetBase + 1,
      };
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
  ladders.sort((a, b) => a.connection.id - b.connection.id);
  return { ladders, captures };
}
