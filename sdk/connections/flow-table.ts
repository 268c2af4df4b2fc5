// Hash index from a packet's endpoints to the connection slot that holds them.
//
// Open addressing with linear probing over the decoder's symmetric flow hash; the hash only
// picks where to start, the full key (both addresses, both ports, IP version, and the tunnel
// chain's identity when connections are keyed by tunnel: else 0) is always compared, in either
// direction. Removed entries become tombstones; the table is rebuilt when
// entries plus tombstones pass half its size.

import { KEY_WORDS } from "./connection-store.js";

/** What the table indexes: KEY_WORDS key words and the flow hash per slot (a ConnectionStore, the pending SYNs). */
export interface KeyedSlots {
  readonly key: Int32Array;
  readonly flowHash: Uint32Array;
  /** The tunnel chain in the key (keyByTunnel), else 0 for every slot. */
  readonly tunnelKey: Int32Array;
}

const EMPTY = 0;
const TOMBSTONE = -1;

export class FlowTable {
  private table = new Int32Array(4096); // slot + 1, EMPTY or TOMBSTONE
  private mask = 4095;
  private entries = 0;
  private tombstones = 0;

  constructor(private readonly store: KeyedSlots) {}

  /**
   * The slot of the connection between (src, srcPort) and (dst, dstPort), or -1. `words` holds
   * the packet's addresses: src at srcAt, dst at dstAt (4 words each, network byte order).
   * Sets `fromSideA` to whether the packet was sent by the connection's side 0.
   */
  find(hash: number, words: Int32Array, srcAt: number, dstAt: number, ports: number, version: number, tunnelKey: number): number {
    const key = this.store.key, tunnelKeys = this.store.tunnelKey;
    const swappedPorts = (ports << 16) | (ports >>> 16);
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const entry = this.table[i]!;
      if (entry === EMPTY) return -1;
      if (entry === TOMBSTONE) continue;
      const slot = entry - 1;
      const k = slot * KEY_WORDS;
      if (key[k + 9] !== version || tunnelKeys[slot] !== tunnelKey) continue;
      if (key[k + 8] === ports && key[k] === words[srcAt] && key[k + 1] === words[srcAt + 1] && key[k + 2] === words[srcAt + 2]
        && key[k + 3] === words[srcAt + 3] && key[k + 4] === words[dstAt] && key[k + 5] === words[dstAt + 1]
        && key[k + 6] === words[dstAt + 2] && key[k + 7] === words[dstAt + 3]) {
        this.fromSideA = true;
        return slot;
      }
      if (key[k + 8] === swappedPorts && key[k] === words[dstAt] && key[k + 1] === words[dstAt + 1] && key[k + 2] === words[dstAt + 2]
        && key[k + 3] === words[dstAt + 3] && key[k + 4] === words[srcAt] && key[k + 5] === words[srcAt + 1]
        && key[k + 6] === words[srcAt + 2] && key[k + 7] === words[srcAt + 3]) {
        this.fromSideA = false;
        return slot;
      }
    }
  }

  /** Side of the connection found by the last find(): true for side 0. */
  fromSideA = true;

  /** Indexes a slot whose key is already stored. */
  insert(slot: number, hash: number): void {
    if ((this.entries + this.tombstones + 1) * 2 > this.table.length) this.rebuild();
    let i = hash & this.mask;
    while (this.table[i]! > 0) i = (i + 1) & this.mask;
    if (this.table[i] === TOMBSTONE) this.tombstones--;
    this.table[i] = slot + 1;
    this.entries++;
  }

  remove(slot: number, hash: number): void {
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const entry = this.table[i]!;
      if (entry === EMPTY) return;
      if (entry === slot + 1) {
        this.table[i] = TOMBSTONE;
        this.entries--;
        this.tombstones++;
        return;
      }
    }
  }

  private rebuild(): void {
    const old = this.table;
    const size = this.entries * 4 > old.length ? old.length * 2 : old.length;
    this.table = new Int32Array(size);
    this.mask = size - 1;
    this.tombstones = 0;
    for (const entry of old) {
      if (entry <= 0) continue;
      let i = this.store.flowHash[entry - 1]! & this.mask;
      while (this.table[i] !== EMPTY) i = (i + 1) & this.mask;
      this.table[i] = entry;
    }
  }
}
