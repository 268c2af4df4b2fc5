// The ladder in one pass of the reference tracker over every packet: for inputs that can be read
// only once (stdin, a pipe, a caller's stream). It draws the first `limit` matching connections
// in the order they began (by id) and counts every match.
// A connection's packets are kept from its start while it could still be one of those drawn:
// not once `limit` matches that began earlier are known, and dropped as soon as it ends
// unselected (kept-packets.ts keeps them, in bounded form).

import { decodeInputs } from "../decoder/decode-inputs.js";
import type { CaptureInput } from "../decoder/capture-input.js";
import type { CaptureSummary } from "../decoder/decode-capture.js";
import { ConnectionTracker } from "../connections/tracker.js";
import { KEY_WORDS, type ConnectionStore } from "../connections/connection-store.js";
import { buildConnectionRecord, type ConnectionRecord } from "../connections/connection-record.js";
import { formatAddress } from "../decoder/packet-batch.js";
import type { ConnectionFilter, ProvisionalConnection } from "../filter/connection-filter.js";
import type { ScanOptions } from "../scan.js";
import { IdHeap } from "./id-heap.js";
import { KeptPackets, NOT_WATCHED, KEEPING, type KeptRun } from "./kept-packets.js";
import type { ConnectionLadder, LadderSelection } from "./ladder-capture.js";

/** The endpoints of the connection in `slot`, as a filter's mayMatch() reads them. */
export function candidateOf(store: ConnectionStore, slot: number): ProvisionalConnection {
  const key = store.key, w = slot * KEY_WORDS, version = key[w + 9]!;
  const bytes = new Uint8Array(key.buffer, key.byteOffset + w * 4, 32);
  return {
    id: store.id[slot]!,
    a: { addr: formatAddress(bytes, 0, version), port: key[w + 8]! >>> 16 },
    b: { addr: formatAddress(bytes, 16, version), port: key[w + 8]! & 0xffff },
  };
}

/** The ladder of the connection that ended in `slot`, from its kept packets. */
export function ladderOf(store: ConnectionStore, slot: number, connection: ConnectionRecord, run: KeptRun): ConnectionLadder {
  // Roles are final now: side 0 is the originator unless the connection was flipped.
  const sideAIsOrig = store.flipped[slot] === 0;
  const packets = run.packets.map((p) => ({ ...p, fromOrig: p.fromOrig === sideAIsOrig }));
  return { connection, packets, omitted: run.omitted, omittedAt: run.omittedAt, nanoseconds: run.nanoseconds };
}

export async function laddersInOnePass(
  inputs: CaptureInput[], filter: ConnectionFilter, options: ScanOptions, limit: number,
): Promise<LadderSelection> {
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
    drawn.push(connection.id, ladderOf(store, slot, connection, run));
    if (drawn.size > limit) drawn.popMax();
    if (drawn.size === limit && !pruned) {
      // From now on only connections that began earlier than the last drawn can be drawn.
      pruned = true;
      const max = drawn.maxId();
      for (const s of kept.keeping()) if (store.id[s]! > max) kept.countOnly(s);
    }
  }, {
    created(store, slot) {
      const candidate = candidateOf(store, slot);
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
  for await (const { batch, packetBase } of decodeInputs(inputs, options, captures)) {
    tracker.packetBase = packetBase;
    tracker.processBatch(batch);
  }
  tracker.finish();
  const ladders = drawn.values().sort((a, b) => a.connection.id - b.connection.id);
  return { ladders, matched, captures };
}
