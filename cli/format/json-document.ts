// --format json: one document, { captures, report, connections }, byte for byte what
// JSON.stringify(document, null, 2) writes, without holding every record. The captures and the
// report are known only at the end and come first, so each connection's text waits: in memory up
// to HELD_CHARS, then in a temporary file whose name is removed as soon as it is opened. Holding the record objects took ~5x the capture: 490 MB
// of memory for a 100 MB one.

import { closeSync, readSync, writeSync } from "node:fs";
import { openUnlinkedTemporary, temporaryDirectory } from "../../sdk/temporary-file.js";
import { type Output } from "../output.js";
import { causeInWords } from "../../sdk/error-causes.js";

/**
 * The connections' text kept in memory at most, in characters (the records' JSON is ASCII but for
 * names); the rest waits on disk. Held, joined and encoded at each spill, 16 M of them took a
 * 2 M-packet SYN flood to 228 MB at one thread (166 MB with 4 M).
 */
export const HELD_CHARS = 4 << 20;
const COPY_BYTES = 1 << 20;
/**
 * Records stringified in one call (JsonDocument.add): their text (~3.5 kB a record) stays under
 * the 128 kB past which V8 puts a string in its large-object space, which only a full collection
 * frees. A group's text in one piece (~0.9 MB for 256) made a 175 000-SYN flood's heap 74 MB.
 */
const STRINGIFY_RECORDS = 32;

/** The temporary file for the connections' text could not be made, written or read (a full disk). */
export class JsonSpillError extends Error {
  override name = "JsonSpillError";
}

const NESTED_HEAD = "[\n  [\n    ", NESTED_TAIL = "\n  ]\n]";
// How JSON.stringify(..., null, 2) ends a document whose connections are none.
const EMPTY_TAIL = "[]\n}";

export class JsonDocument {
  private held: string[] = [];
  private heldChars = 0;
  private fd = -1;
  private spilled = 0;
  private count = 0;

  constructor(private readonly heldMax = HELD_CHARS) {}

  /** Connection records, after those added before. */
  add(records: readonly unknown[]): void {
    for (let at = 0; at < records.length; at += STRINGIFY_RECORDS) this.addSome(records.slice(at, at + STRINGIFY_RECORDS));
  }

  private addSome(records: readonly unknown[]): void {
    // Stringified two arrays deep, the records come indented as the document's connections are:
    // "[\n  [\n    " + the records, each after ",\n    " + "\n  ]\n]".
    const nested = JSON.stringify([records], null, 2);
    const text = (this.count === 0 ? "" : ",\n    ") + nested.slice(NESTED_HEAD.length, nested.length - NESTED_TAIL.length);
    this.count += records.length;
    this.held.push(text);
    this.heldChars += text.length;
    if (this.heldChars >= this.heldMax) this.spill();
  }

  /** The whole document, the connections added so far last. Closes the temporary file. */
  async write(output: Output, captures: unknown, report: unknown): Promise<void> {
    try {
      // The document without its connections, as JSON.stringify writes it; they go in its empty array.
      const empty = JSON.stringify({ captures, report, connections: [] }, null, 2);
      if (this.count === 0) {
        await output.write(empty + "\n");
        return;
      }
      await output.write(empty.slice(0, empty.length - EMPTY_TAIL.length) + "[\n    ");
      if (this.fd >= 0) await this.copySpilled(output);
      for (const text of this.held) await output.write(text);
      this.held = [];
      await output.write("\n  ]\n}\n");
    } finally {
      this.close();
    }
  }

  /** Removes the temporary file (idempotent). */
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private spill(): void {
    const bytes = Buffer.from(this.held.join(""), "utf8");
    try {
      if (this.fd < 0) this.fd = openUnlinkedTemporary("tcp-handshake-scan-json-", "connections.json");
      for (let at = 0; at < bytes.length;) at += writeSync(this.fd, bytes, at, bytes.length - at, this.spilled + at);
    } catch (error) {
      throw spillError(error);
    }
    this.spilled += bytes.length;
    this.held = [];
    this.heldChars = 0;
  }

  private async copySpilled(output: Output): Promise<void> {
    const chunk = Buffer.alloc(COPY_BYTES);
    for (let at = 0; at < this.spilled;) {
      let n: number;
      try {
        n = readSync(this.fd, chunk, 0, Math.min(COPY_BYTES, this.spilled - at), at);
      } catch (error) {
        throw spillError(error);
      }
      if (n === 0) throw new JsonSpillError(`${temporaryDirectory()}: the json document's temporary file ended early`);
      await output.writeBytes(chunk.subarray(0, n));
      at += n;
    }
  }
}

// The temporary file failed (a full disk, a TMPDIR that is not there): one line, in the words
// the output's own failures use.
function spillError(error: unknown): JsonSpillError {
  const e = error as NodeJS.ErrnoException;
  const cause = typeof e?.code === "string" ? causeInWords(e as NodeJS.ErrnoException & { code: string }) : (error as Error).message;
  return new JsonSpillError(`${temporaryDirectory()}: cannot keep the json document's connections there until the end: ${cause}`);
}
