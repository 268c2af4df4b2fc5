// A connection's ndjson line written straight from its columns (the record walk,
// connection-record.ts visitConnection) into a ByteSink, key by key: the same bytes as
// JSON.stringify(buildConnectionRecord(...)) + "\n" encoded (test/sdk/lines/ndjson-bytes.test.ts
// holds the two together on every corpus capture), without building the record's object tree,
// JSON.stringify's generic walk of it and the string's UTF-8 encoding after it: per connection,
// those were the largest costs of the scan (README, "Threads and the record path").

import type { ConnectionStore } from "../connections/connection-store.js";
import { visitConnection } from "../connections/connection-record.js";
import type { FieldKey, RecordVisitor } from "../connections/record-visitor.js";
import type { ByteSink } from "./byte-sink.js";

const OPEN = 0x7b, CLOSE = 0x7d, NEWLINE = 0x0a, OPEN_LIST = 0x5b, CLOSE_LIST = 0x5d, COMMA = 0x2c;

/** The walk's fields as JSON; start() and end() write the line's braces and newline. */
export class NdjsonVisitor implements RecordVisitor {
  out!: ByteSink;
  /** No field yet in the object open: its next key goes without a comma. */
  private first = true;

  private key(key: FieldKey): void {
    this.out.raw(this.first ? key.json : key.jsonAfter);
    this.first = false;
  }

  start(out: ByteSink): void {
    this.out = out;
    out.byte(OPEN);
    this.first = true;
  }

  end(): void {
    this.out.byte(CLOSE);
    this.out.byte(NEWLINE);
  }

  open(key: FieldKey): void { this.key(key); this.out.byte(OPEN); this.first = true; }
  close(): void { this.out.byte(CLOSE); this.first = false; }
  num(key: FieldKey, n: number): void { this.key(key); this.out.num(n); }
  numOrNull(key: FieldKey, n: number | null): void { this.key(key); this.out.numOrNull(n); }
  str(key: FieldKey, s: string): void { this.key(key); this.out.str(s); }
  strOrNull(key: FieldKey, s: string | null): void { this.key(key); if (s === null) this.out.nil(); else this.out.str(s); }
  bool(key: FieldKey, b: boolean): void { this.key(key); this.out.bool(b); }
  nil(key: FieldKey): void { this.key(key); this.out.nil(); }
  strings(key: FieldKey, items: readonly string[]): void {
    this.key(key);
    this.out.byte(OPEN_LIST);
    for (let i = 0; i < items.length; i++) { if (i) this.out.byte(COMMA); this.out.str(items[i]!); }
    this.out.byte(CLOSE_LIST);
  }
  value(key: FieldKey, v: unknown): void { this.key(key); this.out.utf8(JSON.stringify(v)); }
}

const visitor = new NdjsonVisitor();

/** Writes the ndjson line (newline included) of the connection in `slot` of `s`. */
export function writeNdjson(out: ByteSink, s: ConnectionStore, slot: number): void {
  visitor.start(out);
  visitConnection(s, slot, visitor);
  visitor.end();
}
