// A group of connections that ended, in the canonical order, as a tracker hands them on: either
// unpacked into the slots of a scratch store (the WebAssembly tracker's, and a parallel scan's
// connection bytes), from which a line is written without any record object (lines/) and the
// records are built only when asked for; or as records built already (the reference tracker,
// whose store slot is reused as soon as a connection ends).

import { buildConnectionRecord, type ConnectionRecord } from "./connection-record.js";
import { ConnectionStore } from "./connection-store.js";
import type { ByteSink } from "../lines/byte-sink.js";
import type { LineWriter } from "../lines/line-formats.js";
import { appendWrittenLines, type WrittenLines } from "../lines/wasm-lines.js";

/**
 * The store a tracker unpacks each group into, slots 0 to count - 1: reused for the next group,
 * which makes the one before unreadable (its reads then throw, rather than read the next's).
 */
export class GroupStore {
  readonly store: ConnectionStore;
  generation = 0;

  constructor(readonly capacity: number) {
    this.store = new ConnectionStore(capacity);
  }
}

export class EndedGroup {
  private built: ConnectionRecord[] | null;
  /** Lines written in WebAssembly (wasm-lines.ts); the store holds only the connections it declined. */
  private lines: WrittenLines | null = null;
  /** Each connection's key (connection-id.ts) when the store does not hold them all: with `lines` or records. */
  private keys: Float64Array | null = null;

  private constructor(
    /** When each ended (the tracker's clock, seconds): with the connection's key, what the order sorts by. */
    readonly endedAt: number[],
    records: ConnectionRecord[] | null,
    private readonly owner: GroupStore | null,
    private readonly generation: number,
  ) {
    this.built = records;
  }

  /** Records built already; `keys` their connections' keys (a record has its id only). */
  static ofRecords(records: ConnectionRecord[], endedAt: number[], keys: Float64Array): EndedGroup {
    const group = new EndedGroup(endedAt, records, null, 0);
    group.keys = keys;
    return group;
  }

  /** The group unpacked into slots 0 to endedAt.length - 1 of `owner`'s store, just now. */
  static ofStore(owner: GroupStore, endedAt: number[]): EndedGroup {
    return new EndedGroup(endedAt, null, owner, ++owner.generation);
  }

  /**
   * A group whose lines are written already (in WebAssembly), but for those `lines` declines (unpacked into
   * `owner`'s store); `keys` holds every connection's key.
   */
  static ofLines(owner: GroupStore, endedAt: number[], keys: Float64Array, lines: WrittenLines): EndedGroup {
    const group = new EndedGroup(endedAt, null, owner, ++owner.generation);
    group.lines = lines;
    group.keys = keys;
    return group;
  }

  get count(): number {
    return this.endedAt.length;
  }

  /** The records (built on first asking, from the store). */
  get records(): ConnectionRecord[] {
    if (this.built) return this.built;
    if (this.lines) throw new Error("a group of lines written in WebAssembly has no records");
    const s = this.store();
    const records = new Array<ConnectionRecord>(this.count);
    for (let k = 0; k < records.length; k++) records[k] = buildConnectionRecord(s, k);
    return this.built = records;
  }

  /**
   * Writes connection k's line(s): the line written in WebAssembly when there is one, else from the
   * store when there is one, else from its record.
   */
  writeLine(k: number, out: ByteSink, write: LineWriter): void {
    const lines = this.lines;
    if (lines && lines.starts[k] !== -1) out.append(lines.bytes, lines.starts[k]!, lines.ends[k]!);
    else if (this.owner) write.connection(out, this.store(), k);
    else write.record(out, this.built![k]!);
  }

  /**
   * Writes every connection's line(s) in order: a group's lines written in WebAssembly as they are
   * (runs of them in one copy), the others with `write`.
   */
  writeLines(out: ByteSink, write: LineWriter): void {
    if (!this.lines) {
      for (let k = 0; k < this.count; k++) this.writeLine(k, out, write);
      return;
    }
    appendWrittenLines(out, this.lines, this.count, (k) => write.connection(out, this.store(), k));
  }

  /** How many of the group's lines were written in WebAssembly (the rest by the JS writer). */
  get wasmLines(): number {
    return this.lines ? this.lines.starts.filter((start) => start !== -1).length : 0;
  }

  /** Connection k's key (connection-id.ts): with endedAt, what the canonical order sorts by. */
  key(k: number): number {
    return this.keys ? this.keys[k]! : this.store().id[k]!;
  }

  /** Whether every connection of the group is in its store (a group of bytes, no lines written). */
  get inStore(): boolean {
    return this.owner !== null && this.lines === null;
  }

  /** The store the group is unpacked into (slots 0 to count - 1); only for a group of bytes. */
  store(): ConnectionStore {
    if (this.owner!.generation !== this.generation) throw new Error("an ended group was read after the next one was unpacked");
    return this.owner!.store;
  }
}
