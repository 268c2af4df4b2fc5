// The linear memories of the two WebAssembly modules. Both are shared (SharedArrayBuffer
// underneath) and declare the same maximum, so that one memory can hold a decoder and a
// connection tracker at once: the decoder's regions lie at the bottom, the tracker's static data
// and heap from TRACKER_MEMORY_BASE up (package.json, build:wasm: --memoryBase). A tracker on
// the decoder's memory reads the packet records where the decoder wrote them, with no copy.

/** Both modules' --maximumMemory, in 64 KiB pages (4 GiB: all a 32-bit memory can address). */
export const MAX_PAGES = 65536;
/** Where the tracker's static data starts (--memoryBase); the decoder's regions end below it. */
export const TRACKER_MEMORY_BASE = 64 << 20;
/** The tracker's --initialMemory: its base plus the 5 MB its first connections need. */
export const TRACKER_INITIAL_PAGES = 1104;

/** A new shared memory of at least `pages` pages. */
export function createSharedMemory(pages = 1): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
}

/** Grows `memory` to at least `pages` pages (a module declaring more refuses it otherwise). */
export function ensurePages(memory: WebAssembly.Memory, pages: number): void {
  const have = memory.buffer.byteLength >>> 16;
  if (have < pages) memory.grow(pages - have);
}
