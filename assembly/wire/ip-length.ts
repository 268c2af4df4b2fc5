// Zeek's truncated_IP_len: an IP header whose total length reaches past the end of the frame on
// the wire (the capture's original length, not what the snaplen kept) describes bytes that were
// never sent. Zeek drops such a packet before fragment reassembly and before any connection sees
// it; so does this decoder, at every tunnel level (Zeek gives an inner packet the wire length
// left of its frame: build_inner_packet; its IP in IP and GRE take the captured length instead,
// which only differs on a frame the snaplen cut: docs/decoder.md, "What the decoder reads"). A
// frame cut by the snaplen whose IP length fits its original length is read as before: true
// lengths, payload flagged as cut.

import { STAT_IP_UNREADABLE, STAT_IP_LEN_PAST_WIRE } from "../layout";
import { countStat } from "../counters";
import { wireEnd } from "../packet";

/** Whether an IP packet that ends at `ipEnd` ran past the wire; if so it is counted. */
@inline export function ipPastWire(ipEnd: usize): bool {
  const past = ipEnd > wireEnd;
  if (past) countPastWire();
  return past;
}

// Out of line: the per-packet path keeps the compare alone.
function countPastWire(): void {
  countStat(STAT_IP_LEN_PAST_WIRE);
  countStat(STAT_IP_UNREADABLE);
}
