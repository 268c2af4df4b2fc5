// The ladders of a one-pass ladder (a stream) that ended but may not be handed on yet: a
// connection that began earlier may still be open, and may match. Kept sorted by id; with a
// limit, only the first `room` of them (a ladder past the others can no longer be drawn). Past
// MAX_WAITING in memory, a ladder waits in a temporary file (spill-file.ts). A match whose packets
// were let go for memory (kept-packets.ts) takes its place as null: it counts toward the limit,
// and is handed on as null (not drawn).

import type { ConnectionLadder } from "./ladder-capture.js";
import { MAX_WAITING, SpillFile, type SpilledAt } from "./spill-file.js";

export class ReadyLadders {
  /** Ids, ascending, from `head` on: those before it are taken (Array.shift() copies the rest, each time). */
  private ids: number[] = [];
  private head = 0;
  private readonly held = new Map<number, ConnectionLadder | SpilledAt | null>();
  private inMemory = 0;
  private readonly spillFile = new SpillFile();

  constructor(private readonly maxWaiting = MAX_WAITING) {}

  get size(): number {
    return this.ids.length - this.head;
  }

  /** The lowest id held (Infinity when none). */
  minId(): number {
    return this.size > 0 ? this.ids[this.head]! : Infinity;
  }

  /** The highest id held (-Infinity when none). */
  maxId(): number {
    return this.size > 0 ? this.ids[this.ids.length - 1]! : -Infinity;
  }

  /** The ladder of connection `id`, or null for a match whose packets were let go. */
  add(id: number, ladder: ConnectionLadder | null): void {
    let lo = this.head, hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ids[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    this.ids.splice(lo, 0, id);
    if (ladder === null) {
      this.held.set(id, null);
    } else if (this.inMemory < this.maxWaiting) {
      this.held.set(id, ladder);
      this.inMemory++;
    } else {
      this.held.set(id, this.spillFile.write(ladder));
    }
  }

  /** Gives up the highest id's ladder (it can no longer be drawn). */
  dropMax(): void {
    const id = this.ids.pop()!;
    const entry = this.held.get(id)!;
    if (entry !== null && !isSpilled(entry)) this.inMemory--;
    this.held.delete(id);
  }

  /** Takes the lowest id's ladder out (null: a match whose packets were let go). */
  shift(): ConnectionLadder | null {
    const id = this.ids[this.head++]!;
    // Once most are taken, those left are moved down (in all, no more moves than ids added).
    if (this.head >= 1024 && this.head * 2 >= this.ids.length) {
      this.ids = this.ids.slice(this.head);
      this.head = 0;
    }
    const entry = this.held.get(id)!;
    this.held.delete(id);
    if (entry === null) return null;
    if (isSpilled(entry)) return this.spillFile.read(entry);
    this.inMemory--;
    return entry;
  }

  close(): void {
    this.spillFile.close();
  }
}

function isSpilled(entry: ConnectionLadder | SpilledAt): entry is SpilledAt {
  return (entry as SpilledAt).length !== undefined && (entry as ConnectionLadder).connection === undefined;
}
