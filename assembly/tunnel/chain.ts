// Entering one tunnel level. The outer IP header of the level has already been decoded into the
// record; entering saves it (addresses, ports, id, the frame's VLAN) into the packet's tunnel
// record, adds the level to the record's chain (types, depth, identity hash) and counts it.
// The inner layers then overwrite the record's IP, VLAN and TCP fields as they are decoded, so
// that a tunnelled packet's record describes the innermost packet, as Zeek's does.

import {
  REC_TUNNEL_HASH, REC_TUNNEL_TYPES, REC_TUNNEL_DEPTH, REC_IP_VERSION, REC_SRC_ADDR, REC_DST_ADDR,
  REC_VLAN, REC_INNER_VLAN, REC_PACKET_FLAGS, NO_VLAN, PKT_IP_LEN_FROM_CAPTURE,
  TUNNEL_LEVEL_SIZE, TUN_TYPE, TUN_IP_VERSION, TUN_FLAGS, TUN_VERSION, TUN_ID, TUN_SRC_PORT,
  TUN_DST_PORT, TUN_VLAN, TUN_SRC_ADDR, TUN_DST_ADDR, MAX_TUNNEL_DEPTH, DEFAULT_TUNNEL_DEPTH,
  STAT_TUNNEL_BASE, STAT_TUNNEL_TOO_DEEP, STAT_TUNNELLED,
} from "../layout";
import { copy16 } from "../memory";
import { countStat } from "../counters";
import { rec, hashSeed, tunnelDepth, tunnelRecord } from "../packet";
import { flowHash, mixWord, finish } from "../flowhash";

// Tunnel levels decapsulated at most (Zeek's Tunnel::max_depth); deeper ones are counted.
let maxDepth: u32 = DEFAULT_TUNNEL_DEPTH;
// Keeps the tunnel identity apart from the flow hash of the same endpoints.
const TUNNEL_SEED: u32 = 0x7e55e1a5;

export function configureTunnelDepth(depth: u32): void {
  maxDepth = depth < <u32>MAX_TUNNEL_DEPTH ? depth : <u32>MAX_TUNNEL_DEPTH;
}

// What the identity takes of a level's UDP ports (enterTunnel's `identityPort`).
export const BOTH_PORTS: i32 = -1; // the outer UDP flow, as Zeek's tunnel "connection" (GTP-U, Teredo, AYIYA)
export const NO_PORTS: i32 = 0; //   IP and GRE tunnels: the two addresses, as Zeek

/**
 * Enters a tunnel level of `type` whose outer header is the record's current IP header, with
 * outer UDP ports (0 for IP and GRE tunnels) and an id (`flags` has TUNF_ID when there is one).
 * `sameBothWays` says the id is the same in both directions and belongs in the identity.
 * `identityPort`: BOTH_PORTS, NO_PORTS, or the tunnel's own port alone — for overlays whose
 * source port is a hash of the inner flow (VXLAN, Geneve, MPLS in UDP: Zeek keeps VXLAN's
 * identity to the addresses and the destination port). Returns false, with the packet counted,
 * when the depth limit forbids it.
 */
export function enterTunnel(
  type: u32, flags: u32, version: u32, id: u32, srcPort: u32, dstPort: u32, sameBothWays: bool,
  identityPort: i32,
): bool {
  const level = tunnelDepth();
  if (level >= maxDepth) {
    countStat(STAT_TUNNEL_TOO_DEEP);
    countStat(STAT_TUNNELLED);
    return false;
  }
  const t = tunnelRecord() + <usize>level * TUNNEL_LEVEL_SIZE;
  const src = rec + REC_SRC_ADDR, dst = rec + REC_DST_ADDR;
  const ipv4 = load<u8>(rec, REC_IP_VERSION) == 4;
  store<u8>(t, <u8>type, TUN_TYPE);
  store<u8>(t, load<u8>(rec, REC_IP_VERSION), TUN_IP_VERSION);
  store<u8>(t, <u8>flags, TUN_FLAGS);
  store<u8>(t, <u8>version, TUN_VERSION);
  store<u32>(t, id, TUN_ID);
  store<u16>(t, <u16>srcPort, TUN_SRC_PORT);
  store<u16>(t, <u16>dstPort, TUN_DST_PORT);
  store<u16>(t, load<u16>(rec, REC_VLAN), TUN_VLAN);
  copy16(t + TUN_SRC_ADDR, src);
  copy16(t + TUN_DST_ADDR, dst);

  // The identity: the chain so far, then this level's unordered endpoints, type and shared id.
  const hashSrcPort = identityPort == BOTH_PORTS ? srcPort : <u32>identityPort;
  const hashDstPort = identityPort == BOTH_PORTS ? dstPort : <u32>identityPort;
  let h = mixWord(load<u32>(rec, REC_TUNNEL_HASH), flowHash(hashSeed ^ TUNNEL_SEED, src, hashSrcPort, dst, hashDstPort, ipv4));
  h = mixWord(h, type);
  if (sameBothWays) h = mixWord(h, id);
  h = finish(h);
  store<u32>(rec, h != 0 ? h : 1, REC_TUNNEL_HASH);
  store<u16>(rec, load<u16>(rec, REC_TUNNEL_TYPES) | <u16>(type << (level << 2)), REC_TUNNEL_TYPES);
  store<u8>(rec, <u8>(level + 1), REC_TUNNEL_DEPTH);

  // What the inner layers describe afresh.
  store<u16>(rec, <u16>NO_VLAN, REC_VLAN);
  store<u16>(rec, <u16>NO_VLAN, REC_INNER_VLAN);
  store<u8>(rec, load<u8>(rec, REC_PACKET_FLAGS) & ~(<u8>PKT_IP_LEN_FROM_CAPTURE), REC_PACKET_FLAGS);
  countStat(STAT_TUNNEL_BASE + <i32>(type - 1) * MAX_TUNNEL_DEPTH + <i32>level);
  return true;
}
