// One-packet connections held small, as the WebAssembly tracker holds them (its pending
// entries, assembly/tracker/pending.ts): a connection whose only packet so far is the one that
// opened it (a lone SYN, a mid-stream ACK, a RST, ...) is kept as a copy of that packet's record,
// with the clock's "now" when it came, instead of a full connection slot (~1.2 KB with its TCP
// analysis state), until a second packet arrives, its first timer may be due, or it is evicted;
// then the tracker replays the packet into a full connection (ConnectionTracker.promotePending),
// so the result is exactly what tracking it in full would give. Under a flood of one-packet
// connections nearly every connection stays here, ~230 bytes each.
//
// The entries are kept in the order they came, which is also the order of their first
// deadlines (the tracker admits one only at the clock's latest time).

import * as L from "../../assembly/layout.js";
import { PacketBatch } from "../decoder/packet-batch.js";
import { KEY_WORDS } from "./connection-store.js";
import { FlowTable } from "./flow-table.js";
import { SlotFifo } from "./slot-fifo.js";
import { SlotLists } from "./slot-lists.js";
import { VIRTUAL_SHARDS, virtualShard } from "./tracker-options.js";

export class PendingSyns {
  private capacity = 1024;
  key = new Int32Array(1024 * KEY_WORDS);
  flowHash = new Uint32Array(1024);
  /** The tunnel chain's identity when connections are keyed by tunnel (keyByTunnel), else 0; as the store's. */
  tunnelKey = new Int32Array(1024);
  /** The capture clock's "now" when the SYN came. */
  now = new Float64Array(1024);
  private records = new Uint8Array(1024 * L.RECORD_SIZE);
  /** The held packets' records (the packet index in them counts the packets of earlier inputs too). */
  batch = new PacketBatch(this.records.buffer, 0, 1024);
  private readonly free: number[] = [];
  private used = 0;
  /** Entries oldest first, each with its first deadline. */
  private readonly order = new SlotFifo();
  /** Entries oldest first per virtual shard (tracker-options.ts): each ends its own oldest past its share. */
  private readonly byShard = new SlotLists(VIRTUAL_SHARDS);
  private readonly table = new FlowTable(this);

  get size(): number { return this.order.size; }
  /** The oldest entry, or -1. */
  oldest(): number { return this.order.oldest(); }
  /** Entries of a virtual shard. */
  sizeIn(shard: number): number { return this.byShard.size(shard); }
  /** A virtual shard's oldest entry, or -1. */
  oldestIn(shard: number): number { return this.byShard.oldest(shard); }
  /** When the oldest entry's timers first look at it (Infinity when none is held). */
  oldestDeadline(): number { return this.order.oldestDeadline(); }

  /** The key the connection of entry `p` gets: its packet's frame number and subframe fraction (connection-id.ts). */
  connectionKey(p: number): number {
    return this.batch.f64[(p * L.RECORD_SIZE + L.REC_PACKET_INDEX) >> 3]! + 1;
  }

  /** The entry holding a packet between these endpoints, or -1; `fromSideA` then says whether its sender sent this packet. */
  find(hash: number, words: Int32Array, srcAt: number, dstAt: number, ports: number, version: number, tunnelKey: number): number {
    return this.table.find(hash, words, srcAt, dstAt, ports, version, tunnelKey);
  }

  get fromSideA(): boolean { return this.table.fromSideA; }

  /** Holds packet i of `b` (the first of a connection), `packetKey` its index in the whole input with its subframe fraction. */
  hold(b: PacketBatch, i: number, packetKey: number, now: number, deadline: number, keyByTunnel: boolean): void {
    let p = this.free.pop();
    if (p === undefined) {
      if (this.used === this.capacity) this.grow();
      p = this.used++;
    }
    const at = p * L.RECORD_SIZE;
    this.records.set(b.u8.subarray(i * L.RECORD_SIZE, i * L.RECORD_SIZE + L.RECORD_SIZE), at);
    this.batch.f64[(at + L.REC_PACKET_INDEX) >> 3] = packetKey;
    const k = p * KEY_WORDS, src = (i * L.RECORD_SIZE + L.REC_SRC_ADDR) >> 2, dst = (i * L.RECORD_SIZE + L.REC_DST_ADDR) >> 2;
    for (let w = 0; w < 4; w++) {
      this.key[k + w] = b.i32[src + w]!;
      this.key[k + 4 + w] = b.i32[dst + w]!;
    }
    this.key[k + 8] = (b.u16[(i * L.RECORD_SIZE + L.REC_SRC_PORT) >> 1]! << 16) | b.u16[(i * L.RECORD_SIZE + L.REC_DST_PORT) >> 1]!;
    this.key[k + 9] = b.u8[i * L.RECORD_SIZE + L.REC_IP_VERSION]!;
    this.flowHash[p] = b.u32[(i * L.RECORD_SIZE + L.REC_FLOW_HASH) >> 2]!;
    this.tunnelKey[p] = keyByTunnel ? b.i32[(i * L.RECORD_SIZE + L.REC_TUNNEL_HASH) >> 2]! : 0;
    this.now[p] = now;
    this.order.push(p, deadline);
    this.byShard.push(virtualShard(this.flowHash[p]!), p);
    this.table.insert(p, this.flowHash[p]!);
  }

  /** Lets entry `p` go (its packet is being replayed); its record stays readable until the next hold(). */
  release(p: number): void {
    this.order.delete(p);
    this.byShard.delete(virtualShard(this.flowHash[p]!), p);
    this.table.remove(p, this.flowHash[p]!);
    this.free.push(p);
  }

  private grow(): void {
    const n = this.capacity * 2;
    const widen = <T extends Int32Array | Uint32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T, per: number): T => {
      const next = make(n * per);
      next.set(a);
      return next;
    };
    this.key = widen(this.key, (k) => new Int32Array(k), KEY_WORDS);
    this.flowHash = widen(this.flowHash, (k) => new Uint32Array(k), 1);
    this.tunnelKey = widen(this.tunnelKey, (k) => new Int32Array(k), 1);
    this.now = widen(this.now, (k) => new Float64Array(k), 1);
    this.records = widen(this.records, (k) => new Uint8Array(k), L.RECORD_SIZE);
    this.batch = new PacketBatch(this.records.buffer, 0, n);
    this.capacity = n;
  }
}
