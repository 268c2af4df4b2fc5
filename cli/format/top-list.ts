// The summary's "most"/"highest"/"slowest" lists, kept while streaming in bounded memory: the
// `limit` largest by value, equal values in the order the connections began (by the connections' keys, connection-id.ts). Records arrive
// in the order their connections end, so an entry with the list's lowest key can still be one to
// keep: an earlier connection that ended later takes the place of a later one.

import type { ConnectionRecord } from "../../sdk/index.js";
import type { ConnectionFacts } from "../../sdk/report/connection-facts.js";

interface Place { value: number; key: number }
interface Entry extends Place { record: ConnectionRecord }

// The list's order, the one rule for sorting, for refusing and for placing: largest value first,
// then lowest key (negative when a goes before b; keys are unique, so never 0 for two connections).
const before = (a: Place, b: Place) => b.value - a.value || a.key - b.key;

export class TopList {
  private readonly entries: Entry[] = [];
  // Filled in arrival order until the list is full, sorted once then: a --top as large as the
  // capture sorted the whole list at every connection (quadratic).
  private sorted = true;
  /** How many were offered: the list says when it holds fewer. */
  offered = 0;
  constructor(private readonly limit: number) {}

  /** Offers a connection; its record is built only when it enters the list. */
  add(c: ConnectionFacts, value: number): void {
    this.offered++;
    if (this.limit === 0) return;
    const list = this.entries;
    if (list.length < this.limit) {
      list.push({ value, key: c.key, record: c.record() });
      this.sorted = false;
      return;
    }
    this.sort();
    const place: Place = { value, key: c.key };
    if (before(place, list[list.length - 1]!) > 0) return;
    // Into its place (binary search), the last one out.
    let lo = 0, hi = list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(list[mid]!, place) < 0) lo = mid + 1; else hi = mid;
    }
    list.pop();
    list.splice(lo, 0, { value, key: c.key, record: c.record() });
  }

  get list(): ConnectionRecord[] {
    this.sort();
    return this.entries.map((e) => e.record);
  }

  /** "; the 10 highest of 127" when the list is short of what was offered, else "". */
  cut(): string {
    return this.entries.length < this.offered ? `; the ${this.entries.length} highest of ${this.offered}` : "";
  }

  private sort(): void {
    if (this.sorted) return;
    this.entries.sort(before);
    this.sorted = true;
  }
}
