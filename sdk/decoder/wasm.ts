// Loads the WebAssembly decoder: the module is compiled once per process and instantiated once
// per decoder, on a linear memory of its own (its arenas) or on one a parallel scan gives it.
// The memory is shared (a SharedArrayBuffer underneath) so that worker threads can read the
// decoded records where they are. The layout version compiled into the .wasm must equal the
// one this SDK was built with.

import { readFile } from "node:fs/promises";
import { LAYOUT_VERSION } from "../../assembly/layout.js";
import { createSharedMemory } from "../wasm-memory.js";
import { wasmFileError } from "../wasm-file-error.js";

export interface DecoderExports {
  memory: WebAssembly.Memory;
  layoutVersion(): number;
  inputPtr(): number;
  inputCapacity(): number;
  maxRecordBytes(): number;
  outputPtr(): number;
  /** Slot 0's file offsets (f64 per record) and tunnel records; the other slots follow. */
  fileOffsetsPtr(): number;
  tunnelsPtr(): number;
  recordCapacity(): number;
  outputSlots(): number;
  /** The end of the decoder's regions: a tracker sharing the memory must start above it. */
  memoryEnd(): number;
  selectOutput(slot: number): void;
  setRecordsHandedOn(n: number): void;
  statsPtr(): number;
  warningsPtr(): number;
  metaPtr(): number;
  metaEvents(): number;
  cursor(): number;
  status(): number;
  container(): number;
  errorCode(): number;
  errorOffset(): number;
  errorPacket(): number;
  errorValue(): number;
  packetsDecoded(): number;
  reset(seed: number, verify: number): void;
  configureDecapsulation(maxDepth: number, fragmentTimeout: number): void;
  setTunnelPort(port: number, type: number): void;
  decode(start: number, end: number, eof: number, base: number, append: number): number;
}

// build/decoder.wasm sits at the package root: two levels up from this source file when tests
// run it directly and from the bundled command (dist/cli/), three from the compiled
// dist/sdk/decoder/wasm.js (where two levels up, dist/build, does not exist).
const WASM_CANDIDATES = [
  new URL("../../build/decoder.wasm", import.meta.url),
  new URL("../../../build/decoder.wasm", import.meta.url),
];

async function readWasm(): Promise<Uint8Array<ArrayBuffer>> {
  const errors: unknown[] = [];
  for (const url of WASM_CANDIDATES) {
    try {
      return new Uint8Array(await readFile(url));
    } catch (error) {
      errors.push(error);
    }
  }
  throw wasmFileError("decoder.wasm", errors);
}

let compiled: Promise<WebAssembly.Module> | undefined;

function compileOnce(): Promise<WebAssembly.Module> {
  if (!compiled) {
    compiled = readWasm().then((bytes) => WebAssembly.compile(bytes));
    // A failed load may be retried (e.g. after the package is rebuilt).
    compiled.catch(() => { compiled = undefined; });
  }
  return compiled;
}

/**
 * A linear memory for decoder instances (one at a time); it grows to their regions (~63 MB)
 * when an instance starts. A connection tracker may live on it too (wasm-memory.ts).
 */
export function createDecoderMemory(): WebAssembly.Memory {
  return createSharedMemory();
}


// Instances given back by finished decoders, reused by the next ones: instantiating means
// allocating and zeroing ~63 MB of linear memory, which would cost more than decoding a small
// capture. reset() puts an instance back in its initial state. Instances on a memory given
// by the caller are not kept: the caller's workers may still be reading it.
const idle: DecoderExports[] = [];
const MAX_IDLE = 4;
const onCallersMemory = new WeakSet<DecoderExports>();

export async function acquireDecoder(memory?: WebAssembly.Memory): Promise<DecoderExports> {
  if (memory) {
    const wasm = await instantiateDecoder(memory);
    onCallersMemory.add(wasm);
    return wasm;
  }
  return idle.pop() ?? instantiateDecoder();
}

export function releaseDecoder(wasm: DecoderExports): void {
  if (idle.length < MAX_IDLE && !onCallersMemory.has(wasm)) idle.push(wasm);
}

export async function instantiateDecoder(memory = createDecoderMemory()): Promise<DecoderExports> {
  const module = await compileOnce();
  // A plain instance (the module imports its memory alone and exports only functions): no
  // loader between, so that the SDK imported by its path under Deno has no bare specifier left
  // to resolve outside a package.json that lists it.
  const wasm = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as DecoderExports;
  const version = wasm.layoutVersion();
  if (version !== LAYOUT_VERSION) {
    throw new Error(
      `decoder.wasm has record layout version ${version}, this SDK expects ${LAYOUT_VERSION}: rebuild with "npm run build"`,
    );
  }
  return wasm;
}
