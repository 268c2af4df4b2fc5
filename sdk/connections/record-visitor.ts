// What one walk over a connection's record rules (connection-record.ts, visitConnection) feeds:
// the fields in the record's order, each under its key, nested objects opened and closed. Two
// visitors take it: the object builder (record-object.ts: the SDK's ConnectionRecord) and the
// ndjson byte writer (lines/ndjson-bytes.ts: the line, without the object tree in between).
// The rules stay in one place; each output only says how to write a value.

import { FixedBytes } from "../lines/byte-sink.js";

/** A field name, with its JSON key bytes made once: `"name":` and `,"name":`. */
export class FieldKey {
  readonly json: FixedBytes;
  readonly jsonAfter: FixedBytes;
  /**
   * Sets this field on an object: a function of its own per key, so that each store sees the
   * few object shapes of its own field (one store by a computed name for every field saw them
   * all, and made building a record several times slower).
   */
  readonly set: (o: object, value: unknown) => void;

  constructor(readonly name: string) {
    const text = `${JSON.stringify(name)}:`;
    this.json = new FixedBytes(text);
    this.jsonAfter = new FixedBytes(`,${text}`);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the name is quoted by JSON.stringify
    this.set = new Function("o", "v", `o[${JSON.stringify(name)}] = v;`) as (o: object, value: unknown) => void;
  }
}

const KEYS = new Map<string, FieldKey>();

/** The key of `name`, made once. */
export function field(name: string): FieldKey {
  let key = KEYS.get(name);
  if (!key) KEYS.set(name, key = new FieldKey(name));
  return key;
}

export interface RecordVisitor {
  /** A nested object under `key`; its fields follow until close(). */
  open(key: FieldKey): void;
  close(): void;
  num(key: FieldKey, n: number): void;
  numOrNull(key: FieldKey, n: number | null): void;
  str(key: FieldKey, s: string): void;
  strOrNull(key: FieldKey, s: string | null): void;
  bool(key: FieldKey, b: boolean): void;
  /** null under `key`. */
  nil(key: FieldKey): void;
  /** A list of strings. */
  strings(key: FieldKey, items: readonly string[]): void;
  /** Any JSON value (a rare one: the tunnel chain), written as JSON.stringify writes it. */
  value(key: FieldKey, v: unknown): void;
}
