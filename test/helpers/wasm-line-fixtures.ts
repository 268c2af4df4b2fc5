// Captures for the WebAssembly line writers' tests (test/sdk/lines/wasm-*.test.ts): connections
// inside tunnels of several kinds and depths, one whose tunnel changes past Zeek's limit, one
// that enters a tunnel after its first packet, and histories past the record's inline letters.

import { Conversation, merge } from "./conversation.js";
import { writePcap, type Frame } from "./capture-writer.js";
import { ethernet, tcpIp, F, type Bytes, type TcpOption } from "./packets.js";
import { geneve, gre, gtpu, outerIp, udpTunnel, vxlan } from "./tunnels.js";

const V4 = { src: "192.0.2.1", dst: "192.0.2.2" };
const V6 = { src: "2001:db8:77::1", dst: "2001:db8:77::2" };

const ipOf = (frame: Bytes) => frame.subarray(14); // the conversations' frames are untagged Ethernet

/** The conversation's frames, each packet's frame made by `wrap` from its own (k: its index). */
function wrapped(c: Conversation, wrap: (frame: Bytes, k: number) => Bytes | null): Frame[] {
  return c.frames.map((f, k) => ({ ...f, data: wrap(f.data, k) ?? f.data }));
}

function handshake(clientPort: number): Conversation {
  return new Conversation({ clientPort, client: "10.9.0.1", server: "10.9.0.2" })
    .c(F.SYN).s(F.SYN | F.ACK).c(F.ACK).c(F.ACK | F.PSH, 100).s(F.ACK | F.PSH, 200).c(F.FIN | F.ACK).s(F.FIN | F.ACK).c(F.ACK);
}

/** Connections carried by VXLAN, GRE with a key over IPv6, VXLAN in GRE, Geneve, GTP-U, IP in IP; changing tunnels; entering one. */
export function tunnelCapture(): Bytes {
  const vx = (vni: number) => (f: Bytes) => ethernet(udpTunnel(V4, 5555, 4789, vxlan(vni, f)));
  const frames = [
    wrapped(handshake(41001), vx(7)),
    wrapped(handshake(41002), (f) => ethernet(outerIp(V6, 47, gre(0x0800, ipOf(f), { key: 77 })))),
    wrapped(handshake(41003), (f) => ethernet(outerIp(V6, 47, gre(0x0800, udpTunnel(V4, 6000, 4789, vxlan(9, f)))))),
    wrapped(handshake(41004), (f) => ethernet(udpTunnel(V4, 6001, 6081, geneve(4242, 0x6558, f)))),
    wrapped(handshake(41005), (f) => ethernet(udpTunnel(V6, 2152, 2152, gtpu(0xdeadbeef, ipOf(f))))),
    wrapped(handshake(41006), (f) => ethernet(outerIp(V4, 4, ipOf(f)))),
    // a new VNI every packet: five changes counted, then history 'X'; six parents at most
    wrapped(handshake(41007), (f, k) => vx(100 + k)(f)),
    // untunnelled first (no chain), then inside VXLAN
    wrapped(handshake(41008), (f, k) => (k === 0 ? null : vx(8)(f))),
  ];
  return writePcap(frames.flat().sort((a, b) => (a.sec ?? 0) - (b.sec ?? 0) || (a.nsec ?? 0) - (b.nsec ?? 0)));
}

/** A connection whose history has more than `letters` letters (two a round of out-of-window RST and FIN), beside a plain one. */
export function longHistoryCapture(rounds: number): Bytes {
  const c = new Conversation().c(F.SYN).s(F.SYN | F.ACK).c(F.ACK);
  for (let k = 0; k < rounds; k++) c.c({ flags: F.RST, seq: 90_000 + k * 7, dt: 1 }).s({ flags: F.FIN | F.ACK, seq: 70_000 + k * 3, dt: 1 });
  const other = new Conversation({ clientPort: 40001 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK).c(F.FIN | F.ACK).s(F.FIN | F.ACK).c(F.ACK);
  return writePcap(merge(c, other));
}

/** The corpus's captures with tunnels, by name. */
export const TUNNEL_CAPTURE_NAMES = /vxlan|gre|geneve|erspan|pptp|gtp|teredo|ayiya|mpls|ipip|tunnel/i;

const OPTIONS: TcpOption[] = [{ kind: "mss", value: 1460 }, { kind: "wscale", shift: 7 }, { kind: "sackPermitted" }, { kind: "timestamps", value: 1, echo: 0 }];

/** Handshakes of every outcome, teardowns, options, VLANs, IPv6, retransmissions, a tunnel. */
export function mixedCapture(): Bytes {
  const complete = new Conversation({ clientPort: 40001 })
    .c({ flags: F.SYN, options: OPTIONS }).s({ flags: F.SYN | F.ACK, options: OPTIONS }).c(F.ACK)
    .c(F.ACK | F.PSH, 300).s(F.ACK, 0).s(F.ACK | F.PSH, 1200).c(F.ACK).c(F.FIN | F.ACK).s(F.FIN | F.ACK).c(F.ACK);
  const rejected = new Conversation({ v6: true, clientPort: 40002 }).c(F.SYN).s(F.RST | F.ACK);
  const unanswered = new Conversation({ clientPort: 40003, vlan: 12 }).c(F.SYN).c({ flags: F.SYN, dt: 1000 }).c({ flags: F.SYN, dt: 2000 });
  const tfo = new Conversation({ clientPort: 40004 })
    .c({ flags: F.SYN, payload: 20, options: [{ kind: "tfo", cookie: new Uint8Array(8) }] }).s(F.SYN | F.ACK).c(F.ACK).c(F.RST);
  // data on the SYN and on the SYN/ACK without a TFO option: no cookie (null), not a cookie request
  const synData = new Conversation({ clientPort: 40011 }).c({ flags: F.SYN, payload: 20 }).s({ flags: F.SYN | F.ACK, payload: 6 }).c(F.ACK);
  // data after the FIN: counted in the sizes (Zeek's last_seq moves past the FIN)
  const afterFin = new Conversation({ clientPort: 40012 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK).c(F.ACK | F.PSH, 100).c(F.FIN | F.ACK).c(F.ACK | F.PSH, 10).s(F.FIN | F.ACK).c(F.ACK);
  const simultaneous = new Conversation({ clientPort: 40005, serverPort: 40006 }).c(F.SYN).s(F.SYN).c(F.SYN | F.ACK).s(F.SYN | F.ACK);
  const midStream = new Conversation({ clientPort: 40007, serverPort: 443 }).c(F.ACK | F.PSH, 100).c(F.ACK | F.PSH, 100).c(F.FIN | F.ACK);
  // retransmissions and repeated data both ways
  const chatty = new Conversation({ clientPort: 40008 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK);
  for (let i = 0; i < 40; i++) { chatty.c(F.ACK | F.PSH, 10 + i); chatty.s(F.ACK | F.PSH, 20 + i); chatty.c({ flags: F.ACK, seq: 1001, payload: 5 }); }
  chatty.c(F.RST | F.ACK);
  const v6 = new Conversation({ v6: true, client: "2001:db8:0:0:1::c", server: "::ffff:10.1.2.3", clientPort: 40009 })
    .c(F.SYN).s(F.SYN | F.ACK).c(F.ACK).s(F.FIN | F.ACK).c(F.ACK);
  const frames = merge(complete, rejected, unanswered, tfo, synData, afterFin, simultaneous, midStream, chatty, v6);
  // one connection inside VXLAN
  const ends = { src: "192.0.2.1", dst: "192.0.2.2" };
  const inner = ethernet(tcpIp({ src: "10.9.0.1", dst: "10.9.0.2", sport: 40010, dport: 80, flags: F.SYN }));
  frames.push({ data: ethernet(udpTunnel(ends, 5555, 4789, vxlan(7, inner))), sec: 1_700_000_100, nsec: 0 });
  return writePcap(frames);
}
