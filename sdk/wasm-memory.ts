// The linear memories of the two WebAssembly modules. Both are shared (SharedArrayBuffer
// underneath) and declare the same maximum, so that one memory can hold a decoder and a
// connection tracker at once: the decoder's regions lie at the bottom, the tracker's static data
// and heap from TRACKER_MEMORY_BASE up (package.json, build:wasm: --memoryBase). A tracker on
// the decoder's memory reads the packet records where the decoder wrote them, with no copy.

/** Both modules' --maximumMemory, in 64 KiB pages (4 GiB: all a 32-bit memory can address). */
export const MAX_PAGES = 65536;
/** Where the tracker's static data starts (--memoryBase); the decoder's regions end below it. */
export const TRACKER_MEMORY_BASE = 64 << 20;
/**
 * The tracker's --initialMemory: its base plus the 11 MB its first connections need (a chunk of
 * connection records with their TCP analysis blocks, 5.6 MB, and the analysis ring pool, 1.5 MB).
 */
export const TRACKER_INITIAL_PAGES = 1200;

/** A new shared memory of at least `pages` pages. */
export function createSharedMemory(pages = 1): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
}

/** Grows `memory` to at least `pages` pages (a module declaring more refuses it otherwise). */
export function ensurePages(memory: WebAssembly.Memory, pages: number): void {
  const have = memory.buffer.byteLength >>> 16;
  if (have < pages) memory.grow(pages - have);
}

// Scans take their memory (decoder below, tracker above the base) from here and give it back
// when they end. A shared memory that is dropped is reclaimed only when V8 next collects its
// old generation, which a loop of small scans hardly provokes: each left ~5 MB of touched pages
// behind (3 000 scans of the sample capture reached 2.5 GB of RSS).
const pool: WebAssembly.Memory[] = [];
const MAX_POOLED = 2;
/**
 * Larger memories are dropped rather than kept and zeroed. A tracker that outgrows its initial
 * pages doubles them (AssemblyScript's heap grows the memory by its size), and most scans of
 * more than a few thousand connections do: that size is kept, or a loop of such scans leaves
 * 150 MB a scan to V8's next full collection (200 scans of a 30 MB capture: 1.5 GB of RSS).
 */
const MAX_POOLED_BYTES = 2 * TRACKER_INITIAL_PAGES * 65536;

/**
 * A memory for one scan's decoders and tracker: a pooled one, or a new one. A pooled memory's
 * tracker part is zeroed here, so that the tracker instantiated there finds it as it finds a new
 * memory (the decoder's part needs nothing: a decoder resets its regions when it starts). Zeroed
 * when taken, not when given back: the command's one scan gave back ~86 MB that were zeroed
 * (~18 ms, its last pages made resident) as the process was about to exit.
 */
export function acquireScanMemory(): WebAssembly.Memory {
  const memory = pool.pop();
  if (memory === undefined) return createSharedMemory(TRACKER_INITIAL_PAGES);
  new Uint8Array(memory.buffer, TRACKER_MEMORY_BASE, memory.buffer.byteLength - TRACKER_MEMORY_BASE).fill(0);
  return memory;
}

/** Gives back a scan's memory once nothing runs on it any more (its workers terminated). */
export function releaseScanMemory(memory: WebAssembly.Memory): void {
  const bytes = memory.buffer.byteLength;
  if (unpooledBy > 0 || pool.length >= MAX_POOLED || bytes > MAX_POOLED_BYTES || pool.includes(memory)) return;
  pool.push(memory);
}

/**
 * While off, scans give their memory up instead of pooling it: a pooled memory keeps its pages
 * (and zeroing it when taken makes every page resident), which only a caller that scans again
 * gains from (the ladder's first pass, whose second pass decodes in a small memory of its own).
 * Each call that turns it off is paired with one that turns it on (in a finally): pooling
 * resumes when every caller has, so that one ladder ending does not turn it on under another
 * one's first pass. Both drop the memories pooled before.
 */
export function poolScanMemories(on: boolean): void {
  unpooledBy = Math.max(0, unpooledBy + (on ? -1 : 1));
  pool.length = 0;
}
/** Callers that have turned pooling off and not yet on again. */
let unpooledBy = 0;
