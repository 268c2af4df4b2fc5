// Runs of connection bytes (ended-bytes.ts) from the workers: unpacked as they are handed on
// (records built, or lines written, from there), 1 408+ bytes a connection waiting rather than
// a record's objects.

import { unpackConnection } from "../connections/unpack-connection.js";
import { FINISH_GROUP } from "../connections/track.js";
import { EndedGroup, GroupStore } from "../connections/ended-group.js";
import { endedKeys, endedRecords } from "./ended-bytes.js";
import { runsOf, taken, type Received, type RunItem, type RunKind } from "./merge-runs.js";
import type { WorkerMessage } from "./messages.js";

interface Bytes { view: DataView; bytes: Uint8Array; offsets: number[] }

export class RecordRuns implements RunKind<Bytes, EndedGroup> {
  private readonly unpacked = new GroupStore(FINISH_GROUP);

  receive(m: WorkerMessage, message: Received) {
    if (m.type !== "ended") throw new Error(`a scan worker sent ${m.type} for records`);
    const view = new DataView(m.bytes, 0, m.length), bytes = new Uint8Array(m.bytes, 0, m.length);
    const total = m.groups.reduce((n, g) => n + g.count, 0);
    const offsets = endedRecords(view, 0, total);
    const keys = endedKeys(view, offsets);
    message.left = total;
    return runsOf(m.groups, { view, bytes, offsets }, keys, message);
  }

  emit(items: RunItem<Bytes>[]): EndedGroup {
    const endedAt: number[] = [];
    for (const { run, k, at } of items) {
      unpackConnection(run.data.view, run.data.bytes, run.data.offsets[k]!, this.unpacked.store, endedAt.length);
      taken(run);
      endedAt.push(at);
    }
    return EndedGroup.ofStore(this.unpacked, endedAt);
  }
}
