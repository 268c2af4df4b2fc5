// What carried a connection: the tunnel chain of its first packet, the chains its packets came
// through since, and Zeek's reaction to a change (notes section 5: history 'X'). The reference
// tracker's tracker-tunnel.ts, rule for rule.
//
// Zeek compares each packet's encapsulation with the connection's when it finds the connection
// (Connection::CheckEncapsulation, before the TCP analyzer sees the packet): a change from one
// chain to another raises tunnel_changed while fewer than Tunnel::max_changes_per_connection (5)
// were raised, and past that logs 'X' once; a change from no tunnel to one raises it without
// counting; a change to no tunnel raises it with an empty chain. conn.log's tunnel_parents
// collects the chain of the first packet and of every tunnel_changed that carried one.

import * as L from "../layout";
import {
  C_TUNNEL_KEY, C_TUNNEL_FIRST, C_TUNNEL_CURRENT, C_TUNNEL_TYPES, C_TUNNEL_DEPTH, C_TUNNEL_CHANGES,
  C_TUNNEL_PARENT_COUNT, C_TUNNEL_FLAGS, C_TUNNEL_PARENTS, TUNNEL_MAX_CHANGES, TUNNEL_MAX_PARENTS,
  TUNNEL_X_LOGGED, E_TUNNELLED, C_TUNNEL_CHAIN,
} from "../connection-layout";
import { endpointAt } from "./connection";
import { appendLetter } from "./history";
import { rec, currentTunnelRecord } from "./context";
import * as config from "./config";

const LETTER_X: u32 = 0x58; // 'X'

/** A new connection takes its first packet's chain (and, keyed by tunnel, keeps it in its key). */
export function startTunnel(c: usize): void {
  const h = load<u32>(rec, L.REC_TUNNEL_HASH);
  store<u32>(c, config.keyByTunnel ? h : 0, C_TUNNEL_KEY);
  store<u32>(c, h, C_TUNNEL_FIRST);
  store<u32>(c, h, C_TUNNEL_CURRENT);
  store<u16>(c, load<u16>(rec, L.REC_TUNNEL_TYPES), C_TUNNEL_TYPES);
  store<u8>(c, load<u8>(rec, L.REC_TUNNEL_DEPTH), C_TUNNEL_DEPTH);
  store<u8>(c, 0, C_TUNNEL_CHANGES);
  store<u8>(c, 0, C_TUNNEL_FLAGS);
  store<u8>(c, 0, C_TUNNEL_PARENT_COUNT);
  store<u32>(c, 0, C_TUNNEL_CHAIN);
  if (h != 0) {
    addParent(c, h);
    keepChain(c);
  }
  setTunnelled(c, h != 0);
}

// The first packet's levels in a block of their own (connection-layout.ts, C_TUNNEL_CHAIN): a
// tunnelled connection's, at most 8 + MAX_TUNNEL_DEPTH * TUNNEL_LEVEL_SIZE bytes, freed with it.
function keepChain(c: usize): void {
  const levels = currentTunnelRecord();
  if (levels == 0) return;
  const bytes = <usize>load<u8>(rec, L.REC_TUNNEL_DEPTH) * L.TUNNEL_LEVEL_SIZE;
  const block = heap.alloc(8 + bytes);
  store<u32>(block, <u32>bytes);
  store<u32>(block, 0, 4);
  memory.copy(block + 8, levels, bytes);
  store<u32>(c, <u32>block, C_TUNNEL_CHAIN);
}

/** An existing connection's packet: follows a change of tunnel. Cheap when neither is tunnelled. */
@inline export function noteTunnel(c: usize, side: u32): void {
  const h = load<u32>(rec, L.REC_TUNNEL_HASH);
  if (h != 0 || load<u8>(endpointAt(c, side), E_TUNNELLED) != 0) changeTunnel(c, h);
}

function changeTunnel(c: usize, h: u32): void {
  const current = load<u32>(c, C_TUNNEL_CURRENT);
  if (current == h) return;
  if (current != 0 && h != 0) {
    const changes = <u32>load<u8>(c, C_TUNNEL_CHANGES);
    if (changes < <u32>TUNNEL_MAX_CHANGES) {
      store<u8>(c, <u8>(changes + 1), C_TUNNEL_CHANGES);
      addParent(c, h);
    } else if ((load<u8>(c, C_TUNNEL_FLAGS) & TUNNEL_X_LOGGED) == 0) {
      store<u8>(c, load<u8>(c, C_TUNNEL_FLAGS) | <u8>TUNNEL_X_LOGGED, C_TUNNEL_FLAGS);
      appendLetter(c, LETTER_X);
    }
  } else if (h != 0) {
    addParent(c, h);
  }
  store<u32>(c, h, C_TUNNEL_CURRENT);
  setTunnelled(c, h != 0);
}

// tunnel_parents is a set: each chain once, in the order first seen.
function addParent(c: usize, h: u32): void {
  const n = <u32>load<u8>(c, C_TUNNEL_PARENT_COUNT);
  for (let k: u32 = 0; k < n; k++) if (load<u32>(c + C_TUNNEL_PARENTS + (<usize>k << 2)) == h) return;
  if (n == <u32>TUNNEL_MAX_PARENTS) return;
  store<u32>(c + C_TUNNEL_PARENTS + (<usize>n << 2), h);
  store<u8>(c, <u8>(n + 1), C_TUNNEL_PARENT_COUNT);
}

function setTunnelled(c: usize, on: bool): void {
  store<u8>(endpointAt(c, 0), on ? 1 : 0, E_TUNNELLED);
  store<u8>(endpointAt(c, 1), on ? 1 : 0, E_TUNNELLED);
}
