// IPv4 loose and strict source routes, as Zeek reads them (IP_Hdr::DstAddr is the header's
// destination for IPv4): a connection is keyed on the addresses in the IP header, so a SYN
// source-routed through a router is keyed on that router (the current hop), not on the final
// destination in the option (which tshark shows, and which the sender's TCP checksum covers).
// The answer from the final destination is another connection. With checksums verified, the
// SYN's checksum, computed over the final destination, fails against the header's, as it does
// in Zeek: history C, no state. Both trackers agree.

import { describe, it, expect } from "vitest";
import { writePcap, type Frame } from "../../helpers/capture-writer.js";
import { scanWithBothTrackers } from "../../helpers/both-trackers.js";
import { F, ethernet, ipv4, tcpSegment, parseAddress, concat } from "../../helpers/packets.js";

const CLIENT = "10.0.0.1", ROUTER = "10.0.5.1", SERVER = "192.0.2.80";

// Option type 131 (LSRR) or 137 (SSRR): length, pointer 4, the route still to go, then padding.
function sourceRoute(type: number, ...route: string[]): Uint8Array {
  const option = concat(new Uint8Array([type, 3 + 4 * route.length, 4]), ...route.map(parseAddress));
  return concat(option, new Uint8Array((4 - (option.length % 4)) % 4)); // end of options
}

function frame(src: string, dst: string, tcpDst: string, options: Uint8Array | undefined, flags: number, seq: number, ack: number, ms: number, fromClient: boolean): Frame {
  const tcp = tcpSegment({ sport: fromClient ? 40000 : 80, dport: fromClient ? 80 : 40000, flags, seq, ack }, parseAddress(src), parseAddress(tcpDst));
  return { data: ethernet(ipv4({ src, dst, options }, tcp)), sec: 1_700_000_000, nsec: ms * 1_000_000 };
}

for (const [name, type] of [["loose", 131], ["strict", 137]] as const) {
  describe(`a ${name} source-routed SYN`, () => {
    const frames = [
      // Through the router towards the server; the server answers straight back.
      frame(CLIENT, ROUTER, SERVER, sourceRoute(type, SERVER), F.SYN, 1000, 0, 0, true),
      frame(SERVER, CLIENT, CLIENT, undefined, F.SYN | F.ACK, 5000, 1001, 20, false),
      frame(CLIENT, ROUTER, SERVER, sourceRoute(type, SERVER), F.ACK, 1001, 5001, 25, true),
    ];

    it("is keyed on the header's destination (the current hop), as Zeek keys it", async () => {
      const { connections } = await scanWithBothTrackers(writePcap(frames));
      expect(connections).toHaveLength(2);
      const [syn, synAck] = connections;
      expect(syn).toMatchObject({ orig: { addr: CLIENT }, resp: { addr: ROUTER }, history: "SA" });
      expect(synAck).toMatchObject({ orig: { addr: CLIENT }, resp: { addr: SERVER, port: 80 }, handshake: { outcome: "syn-ack-only" } });
    });

    it("fails checksum verification, as in Zeek: its checksum covers the final destination", async () => {
      const { connections } = await scanWithBothTrackers(writePcap(frames), { verifyChecksums: true });
      expect(connections[0]).toMatchObject({ resp: { addr: ROUTER }, history: "C", connState: "OTH", orig: { pkts: 0 } });
    });
  });
}
