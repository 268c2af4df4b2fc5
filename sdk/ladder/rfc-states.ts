// Each side's RFC 9293 connection state, as a packet sequence seen at the capture point
// implies it: the sender moves on sending, the receiver on receiving (taken to be at once).

export type RfcState =
  | "CLOSED" | "LISTEN" | "SYN-SENT" | "SYN-RECEIVED" | "ESTABLISHED" | "FIN-WAIT-1" | "FIN-WAIT-2"
  | "CLOSE-WAIT" | "CLOSING" | "LAST-ACK" | "TIME-WAIT";

const SYN = 0x02, FIN = 0x01, RST = 0x04, ACK = 0x10;

const HANDSHAKING = new Set<RfcState>(["SYN-SENT", "SYN-RECEIVED", "LISTEN"]);

export interface RfcSides { client: RfcState; server: RfcState }

/**
 * Advances both sides for one packet. `finAcked` says whether the packet acknowledges the
 * receiver's FIN, `acksSyn` whether it acknowledges the receiver's SYN (or SYN/ACK), true when
 * that was not captured (the caller knows the sequence numbers).
 */
export function advanceRfc(sides: RfcSides, fromClient: boolean, flags: number, finAcked: boolean, acksSyn = true): RfcSides {
  let sender = fromClient ? sides.client : sides.server;
  let receiver = fromClient ? sides.server : sides.client;
  if (flags & RST) {
    sender = "CLOSED";
    if (receiver !== "LISTEN") receiver = "CLOSED";
  } else {
    if (flags & SYN) {
      if (!(flags & ACK)) {
        sender = "SYN-SENT";
        if (receiver === "SYN-SENT") receiver = "SYN-RECEIVED"; // simultaneous open
        else if (receiver === "CLOSED") receiver = "LISTEN";
      } else {
        sender = "SYN-RECEIVED";
        if (receiver === "SYN-SENT") receiver = "ESTABLISHED";
      }
    } else if (flags & ACK) {
      // An ACK of the receiver's SYN ends the handshake for both sides, also where the capture
      // missed a part of it: a sender still SYN-SENT received the SYN/ACK unseen, one still
      // LISTEN sent it unseen (and a receiver so waiting gets this ACK). One at or below the
      // SYN's sequence number acknowledges nothing of it (RFC 9293: not acceptable there).
      if (acksSyn) {
        if (HANDSHAKING.has(receiver)) receiver = "ESTABLISHED";
        if (HANDSHAKING.has(sender)) sender = "ESTABLISHED";
      }
      if (finAcked) {
        if (receiver === "FIN-WAIT-1") receiver = "FIN-WAIT-2";
        else if (receiver === "CLOSING") receiver = "TIME-WAIT";
        else if (receiver === "LAST-ACK") receiver = "CLOSED";
      }
    }
    if (flags & FIN) {
      if (sender === "ESTABLISHED" || sender === "SYN-RECEIVED") sender = "FIN-WAIT-1";
      else if (sender === "CLOSE-WAIT") sender = "LAST-ACK";
      // The receiver sees the FIN (and possibly, on the same packet, the ACK of its own FIN).
      if (receiver === "ESTABLISHED") receiver = "CLOSE-WAIT";
      else if (receiver === "FIN-WAIT-2") receiver = "TIME-WAIT";
      else if (receiver === "FIN-WAIT-1") receiver = finAcked ? "TIME-WAIT" : "CLOSING";
    }
  }
  return fromClient ? { client: sender, server: receiver } : { client: receiver, server: sender };
}
