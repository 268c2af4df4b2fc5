// The record walk (visitConnection) as the SDK's ConnectionRecord object: each field set on the
// object open at the time, in the walk's order (the order JSON.stringify then writes).

import type { FieldKey, RecordVisitor } from "./record-visitor.js";

type Fields = Record<string, unknown>;

export class RecordObjectBuilder implements RecordVisitor {
  private readonly stack: Fields[] = [];
  private top: Fields = {};

  /** A new root object; the walk's fields go into it. */
  start(): void {
    this.stack.length = 0;
    this.top = {};
  }

  /** The root object built since start(). */
  result(): Fields {
    return this.top;
  }

  open(key: FieldKey): void {
    const inner: Fields = {};
    key.set(this.top, inner);
    this.stack.push(this.top);
    this.top = inner;
  }

  close(): void {
    this.top = this.stack.pop()!;
  }

  num(key: FieldKey, n: number): void { key.set(this.top, n); }
  numOrNull(key: FieldKey, n: number | null): void { key.set(this.top, n); }
  str(key: FieldKey, s: string): void { key.set(this.top, s); }
  strOrNull(key: FieldKey, s: string | null): void { key.set(this.top, s); }
  bool(key: FieldKey, b: boolean): void { key.set(this.top, b); }
  nil(key: FieldKey): void { key.set(this.top, null); }
  strings(key: FieldKey, items: readonly string[]): void { key.set(this.top, items); }
  value(key: FieldKey, v: unknown): void { key.set(this.top, v); }
}
