// What carried a connection: the tunnel chain of its first packet, the chains its packets came
// through since, and Zeek's reaction to a change (history 'X'). The WebAssembly tracker's
// assembly/tracker/tunnel.ts follows this rule for rule; its comment says what Zeek does
// (Connection::CheckEncapsulation, Tunnel::max_changes_per_connection, conn.log tunnel_parents).

import * as L from "../../assembly/layout.js";
import { TUNNEL_MAX_CHANGES, TUNNEL_MAX_PARENTS, TUNNEL_X_LOGGED } from "../../assembly/connection-layout.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import type { TrackerContext } from "./tracker-context.js";

/** A new connection takes its first packet's chain (and, keyed by tunnel, keeps it in its key). */
export function startTunnel(k: TrackerContext, b: PacketBatch, i: number, slot: number): void {
  const s = k.store;
  const h = b.u32[i * 32 + L.REC_TUNNEL_HASH / 4]!;
  s.tunnelKey[slot] = k.keyByTunnel ? h | 0 : 0;
  s.tunnelFirst[slot] = h;
  s.tunnelCurrent[slot] = h;
  s.tunnelTypes[slot] = b.u16[i * 64 + L.REC_TUNNEL_TYPES / 2]!;
  s.tunnelDepth[slot] = b.u8[i * L.RECORD_SIZE + L.REC_TUNNEL_DEPTH]!;
  s.tunnelChanges[slot] = 0;
  s.tunnelFlags[slot] = 0;
  s.tunnelParentCount[slot] = 0;
  if (h !== 0) {
    addParent(k, slot, h);
    // The levels in full, from the tunnel record beside the packet's (absent from a view without them).
    if (b.tunnels) s.tunnelChain[slot] = b.tunnel(i);
  }
}

/** An existing connection's packet: follows a change of tunnel. */
export function noteTunnel(k: TrackerContext, b: PacketBatch, i: number, slot: number): void {
  const s = k.store;
  const h = b.u32[i * 32 + L.REC_TUNNEL_HASH / 4]!;
  const current = s.tunnelCurrent[slot]!;
  if (current === h) return;
  if (current !== 0 && h !== 0) {
    if (s.tunnelChanges[slot]! < TUNNEL_MAX_CHANGES) {
      s.tunnelChanges[slot]!++;
      addParent(k, slot, h);
    } else if (!(s.tunnelFlags[slot]! & TUNNEL_X_LOGGED)) {
      s.tunnelFlags[slot]! |= TUNNEL_X_LOGGED;
      k.appendLetter(slot, "X");
    }
  } else if (h !== 0) {
    addParent(k, slot, h);
  }
  s.tunnelCurrent[slot] = h;
}

// tunnel_parents is a set: each chain once, in the order first seen.
function addParent(k: TrackerContext, slot: number, h: number): void {
  const s = k.store;
  const n = s.tunnelParentCount[slot]!, at = slot * TUNNEL_MAX_PARENTS;
  for (let j = 0; j < n; j++) if (s.tunnelParents[at + j] === h) return;
  if (n === TUNNEL_MAX_PARENTS) return;
  s.tunnelParents[at + n] = h;
  s.tunnelParentCount[slot] = n + 1;
}
