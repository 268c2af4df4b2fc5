// Decodes a whole input into plain records for assertions.

import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeCapture, type CaptureInput, type DecodeCaptureOptions, type TcpPacketRecord, type CaptureSummary } from "../../sdk/index.js";

export interface Decoded {
  records: TcpPacketRecord[];
  summary: CaptureSummary;
}

export async function decodeAll(input: CaptureInput, options?: DecodeCaptureOptions): Promise<Decoded> {
  const capture = decodeCapture(input, options);
  const records: TcpPacketRecord[] = [];
  for await (const batch of capture) for (let i = 0; i < batch.count; i++) records.push(batch.toRecord(i));
  return { records, summary: capture.summary() };
}

/** Feeds `bytes` as a stream of chunks of the given sizes (cycled). */
export async function* chunked(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let pos = 0;
  for (let k = 0; pos < bytes.length; k++) {
    const n = Math.max(1, sizes[k % sizes.length]!);
    yield bytes.slice(pos, pos + n);
    pos += n;
  }
}

export { rng } from "../../bench/generate.js";

/** The shared corpus beside the checkout (or $TCP_SCAN_CORPUS), or null when absent. */
export function corpusDir(): string | null {
  const dir = process.env.TCP_SCAN_CORPUS ?? fileURLToPath(new URL("../../../shared/corpus/", import.meta.url));
  return existsSync(dir) ? dir : null;
}

/** Every capture under `dir` (.pcap, .pcapng, .cap), in its subfolders too. */
export function capturesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return capturesUnder(path);
    return /\.(pcap|pcapng|cap)$/.test(name) ? [path] : [];
  });
}
