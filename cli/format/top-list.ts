// The summary's "most"/"highest"/"slowest" lists, kept while streaming in bounded memory: the
// `limit` largest by key, equal keys in the order the connections began (by id). Records arrive
// in the order their connections end, so an entry with the list's lowest key can still be one to
// keep: an earlier connection that ended later takes the place of a later one.

import type { ConnectionRecord } from "../../sdk/index.js";
import type { ConnectionFacts } from "../../sdk/report/connection-facts.js";

export class TopList {
  private readonly entries: { key: number; id: number; record: ConnectionRecord }[] = [];
  /** How many were offered: the list says when it holds fewer. */
  offered = 0;
  constructor(private readonly limit: number) {}

  /** Offers a connection; its record is built only when it enters the list. */
  add(c: ConnectionFacts, key: number): void {
    this.offered++;
    if (this.limit === 0) return;
    const list = this.entries;
    if (list.length === this.limit) {
      const last = list[list.length - 1]!;
      if (key < last.key || (key === last.key && c.id > last.id)) return;
    }
    list.push({ key, id: c.id, record: c.record() });
    list.sort((a, b) => b.key - a.key || a.id - b.id);
    if (list.length > this.limit) list.pop();
  }

  get list(): ConnectionRecord[] {
    return this.entries.map((e) => e.record);
  }

  /** "; the 10 highest of 127" when the list is short of what was offered, else "". */
  cut(): string {
    return this.entries.length < this.offered ? `; the ${this.entries.length} highest of ${this.offered}` : "";
  }
}
