// The ladder in one pass of the reference tracker over every packet: for inputs that can be read
// only once (stdin, a pipe, a caller's stream). It draws the first `limit` matching connections
// in the order they began (by id) and counts every match. A connection's packets are kept from
// its start while it could still be one of those drawn: not once `limit` matches that began
// earlier are known, and dropped as soon as it ends unselected (kept-packets.ts keeps them, in
// bounded form). A ladder is handed on after a batch once no connection that began before it
// can still be drawn (none open that may match, no one-packet connection held that began
// earlier): a live capture's ladders come as it goes. A filter that pins ids stops the reading
// once those connections have ended (`tcpdump -w - | ... --ladder 42 -` ends by itself).
// Memory: past KEPT_PACKETS packet objects kept in all (checked after each batch), the packets of
// the latest-begun connections are let go (never those of the first `limit`, or of the first
// ALWAYS_KEPT when the limit is higher); one of them that turns out to be among the first `limit`
// matches still takes its place, but is not drawn: it is counted (LadderCount.notDrawn).

import { decodeInputs } from "../decoder/decode-inputs.js";
import type { CaptureInput } from "../decoder/capture-input.js";
import type { CaptureSummary } from "../decoder/decode-capture.js";
import { ConnectionTracker } from "../connections/tracker.js";
import { KEY_WORDS, type ConnectionStore } from "../connections/connection-store.js";
import { buildConnectionRecord, type ConnectionRecord } from "../connections/connection-record.js";
import { formatAddress } from "../decoder/packet-batch.js";
import type { ConnectionFilter, ProvisionalConnection } from "../filter/connection-filter.js";
import type { ScanOptions } from "../scan.js";
import { ReadyLadders } from "./ready-ladders.js";
import { KeptPackets, NOT_WATCHED, KEEPING, LET_GO, KEPT_PACKETS, ALWAYS_KEPT, type KeptRun } from "./kept-packets.js";
import { KeptIds } from "./kept-ids.js";
import type { ConnectionLadder, LadderCount } from "./ladder-capture.js";
import { connectionId, keyIsId } from "../connections/connection-id.js";

/** The endpoints of the connection in `slot`, as a filter's mayMatch() reads them. */
export function candidateOf(store: ConnectionStore, slot: number): ProvisionalConnection {
  const key = store.key, w = slot * KEY_WORDS, version = key[w + 9]!;
  const bytes = new Uint8Array(key.buffer, key.byteOffset + w * 4, 32);
  return {
    id: connectionId(store.id[slot]!),
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
  onLadder: (ladder: ConnectionLadder) => void | Promise<void>, keptPackets = KEPT_PACKETS,
): Promise<LadderCount> {
  // Connections that could match, by slot: their packets so far, or only their match still to
  // be counted (they began after `limit` matches already drawn or waiting).
  const kept = new KeptPackets();
  const ready = new ReadyLadders();
  let handed = 0, matched = 0, notDrawn = 0;
  // Ids past this cannot be drawn: `limit` matches that began earlier are handed on (drawn or
  // not, their packets let go) or ready.
  const placed = () => handed + notDrawn;
  const cutoff = () => placed() + ready.size < limit ? Infinity : placed() >= limit ? -Infinity : ready.maxId();
  // A filter that pins ids (`id 42`) can match nothing else: the reading stops once those ended.
  const idsToEnd = filter.onlyIds ? new Set(filter.onlyIds) : null;
  const tracker = new ConnectionTracker(options, (store, slot) => {
    // An id another connection may share (its frame began several) is never settled by one of them.
    if (keyIsId(store.id[slot]!)) idsToEnd?.delete(store.id[slot]!);
    const state = kept.stateOf(slot);
    if (state === NOT_WATCHED) return;
    const connection = buildConnectionRecord(store, slot);
    const matches = filter.matches(connection);
    const key = store.id[slot]!;
    // A match let go for memory takes its place as one would have been drawn, as null.
    const place = matches && (state === KEEPING || state === LET_GO) && key < cutoff();
    const run = place && state === KEEPING ? kept.take(slot) : null;
    kept.forget(slot);
    if (matches) matched++;
    if (!place) return;
    ready.add(key, run ? ladderOf(store, slot, connection, run) : null);
    if (placed() + ready.size > limit) ready.dropMax();
  }, {
    created(store, slot) {
      const candidate = candidateOf(store, slot);
      if (!filter.mayMatch(candidate)) return;
      // Keys grow with every new connection: once `limit` are drawn or waiting, a new one cannot be drawn.
      const key = store.id[slot]!, keep = key < cutoff();
      kept.watch(slot, keep);
      if (keep) keptIds.add(key, slot);
    },
    packet: kept.packetHook((): number => tracker.packetBase),
  });
  const keptIds = new KeptIds((slot, id) => kept.stateOf(slot) === KEEPING && tracker.store.id[slot] === id);
  /** Hands on the ready ladders that began before every connection that may still be drawn. */
  const handOn = async (everyOneEnded: boolean) => {
    for (const s of keptIds.takeAbove(cutoff())) kept.countOnly(s); // they can no longer be drawn
    // Past the bound, the latest-begun connections' packets go, down to three quarters of it,
    // while more than the first `limit` (at most ALWAYS_KEPT) are kept.
    kept.letGoLatest(keptIds, keptPackets, Math.min(limit, ALWAYS_KEPT));
    const before = everyOneEnded ? Infinity : Math.min(heldOldestKey(tracker), keptIds.lowestId());
    while (ready.size > 0 && ready.minId() < before) {
      const ladder = ready.shift();
      if (ladder === null) { notDrawn++; continue; }
      await onLadder(ladder);
      handed++;
    }
  };
  const captures: CaptureSummary[] = [];
  try {
    let stopped = false;
    for await (const { batch, packetBase } of decodeInputs(inputs, options, captures)) {
      tracker.packetBase = packetBase;
      tracker.processBatch(batch);
      stopped = idsToEnd?.size === 0;
      await handOn(stopped);
      if (stopped) break;
    }
    if (!stopped) {
      tracker.finish();
      await handOn(true);
    }
  } finally {
    ready.close();
  }
  return { drawn: handed, matched, captures, ...(notDrawn > 0 ? { notDrawn } : {}) };
}

/** The key of the oldest one-packet connection the tracker holds (not yet a slot), or Infinity. */
function heldOldestKey(tracker: ConnectionTracker): number {
  const p = tracker.pending.oldest();
  return p < 0 ? Infinity : tracker.pending.connectionKey(p);
}
