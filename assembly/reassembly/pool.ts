// The bytes of datagrams being reassembled: FRAG_CHUNKS chunks of FRAG_CHUNK_SIZE bytes, handed
// out from a stack of free ones. A datagram maps each 2 KiB of its payload to a chunk when a
// fragment first brings bytes there, so a datagram holds what its fragments brought, not 64 KiB.

import { FRAG_CHUNKS, FRAG_CHUNK_SHIFT, FRAG_CHUNK_SIZE, FRAG_FREE_CHUNKS_PTR, FRAG_POOL_PTR } from "../memory";

export const NO_CHUNK: u32 = 0xffff;
let freeChunks: u32 = 0;

export function resetPool(): void {
  for (let i: u32 = 0; i < FRAG_CHUNKS; i++) store<u16>(FRAG_FREE_CHUNKS_PTR + (<usize>i << 1), <u16>(FRAG_CHUNKS - 1 - i));
  freeChunks = FRAG_CHUNKS;
}

@inline export function poolHasRoom(): bool { return freeChunks != 0; }

/** A free chunk's index (the caller made sure one is free). */
export function takeChunk(): u32 {
  freeChunks--;
  return <u32>load<u16>(FRAG_FREE_CHUNKS_PTR + (<usize>freeChunks << 1));
}

export function giveChunk(chunk: u32): void {
  store<u16>(FRAG_FREE_CHUNKS_PTR + (<usize>freeChunks << 1), <u16>chunk);
  freeChunks++;
}

@inline export function chunkAddress(chunk: u32): usize { return FRAG_POOL_PTR + (<usize>chunk << FRAG_CHUNK_SHIFT); }

export { FRAG_CHUNK_SIZE, FRAG_CHUNK_SHIFT };
