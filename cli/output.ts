// Where results go: standard output or a file (-o), written in 64 KiB pieces with
// backpressure, so that streaming millions of records does not pile them up in memory.

import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";

export class Output {
  private pending = "";
  private readonly stream: NodeJS.WritableStream;
  private readonly file: WriteStream | null;

  constructor(path?: string) {
    this.file = path ? createWriteStream(path) : null;
    this.stream = this.file ?? process.stdout;
  }

  async write(text: string): Promise<void> {
    this.pending += text;
    if (this.pending.length >= 65536) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.pending) return;
    const chunk = this.pending;
    this.pending = "";
    if (!this.stream.write(chunk)) await once(this.stream, "drain");
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.file) {
      this.file.end();
      await once(this.file, "close");
    }
  }
}
