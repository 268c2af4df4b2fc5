// Scripts TCP conversations for scenario tests: each step is one packet from the client or the
// server; sequence and acknowledgement numbers follow from what each side sent (override them
// to craft anomalies), and time advances by `dt` milliseconds per step unless given.

import { tcpIp, ethernet, F, type TcpOption } from "./packets.js";
import type { Frame } from "./capture-writer.js";

export interface Step {
  flags: number;
  payload?: number;
  seq?: number;
  ack?: number;
  options?: TcpOption[];
  window?: number;
  /** Milliseconds since the previous packet. */
  dt?: number;
  /** Leave out of the capture (the packet was "lost" before the capture point). */
  lost?: boolean;
}

export interface ConversationSpec {
  client?: string;
  server?: string;
  clientPort?: number;
  serverPort?: number;
  v6?: boolean;
  clientIsn?: number;
  serverIsn?: number;
  vlan?: number;
  /** Start time, epoch seconds. */
  start?: number;
}

export class Conversation {
  readonly frames: Frame[] = [];
  private time: number;
  private next: [number, number]; // next sequence number to send: client, server
  private received: [number, number]; // highest sequence received: by client, by server

  constructor(private readonly spec: ConversationSpec = {}) {
    this.time = (spec.start ?? 1_700_000_000) * 1000;
    this.next = [spec.clientIsn ?? 1000, spec.serverIsn ?? 5000];
    this.received = [0, 0];
  }

  /** A packet from the client. */
  c(step: Step | number, payload?: number): this { return this.send(0, typeof step === "number" ? { flags: step, payload } : step); }
  /** A packet from the server. */
  s(step: Step | number, payload?: number): this { return this.send(1, typeof step === "number" ? { flags: step, payload } : step); }

  /** Pause (milliseconds) before the next packet. */
  wait(ms: number): this { this.time += ms; return this; }

  /** The next sequence number the client (0) or the server (1) would send. */
  nextSeq(side: 0 | 1): number { return this.next[side]; }
  /** The highest sequence number the client (0) or the server (1) has received (its next ACK). */
  highestReceived(side: 0 | 1): number { return this.received[side]; }

  private send(side: 0 | 1, step: Step): this {
    const peer = side ^ 1;
    const payload = step.payload ?? 0;
    const seq = step.seq ?? this.next[side]!;
    const ack = step.ack ?? (step.flags & F.ACK ? this.received[side]! : 0);
    this.time += step.dt ?? 10;
    const sp = this.spec;
    const ip = tcpIp({
      v6: sp.v6,
      src: side === 0 ? sp.client ?? (sp.v6 ? "2001:db8::c" : "10.0.0.1") : sp.server ?? (sp.v6 ? "2001:db8::5" : "10.0.0.2"),
      dst: side === 0 ? sp.server ?? (sp.v6 ? "2001:db8::5" : "10.0.0.2") : sp.client ?? (sp.v6 ? "2001:db8::c" : "10.0.0.1"),
      sport: side === 0 ? sp.clientPort ?? 40000 : sp.serverPort ?? 80,
      dport: side === 0 ? sp.serverPort ?? 80 : sp.clientPort ?? 40000,
      seq, ack, flags: step.flags, payload, options: step.options, window: step.window,
    });
    const consumed = payload + (step.flags & F.SYN ? 1 : 0) + (step.flags & F.FIN ? 1 : 0);
    const end = (seq + consumed) >>> 0;
    if (step.seq === undefined || ((end - this.next[side]!) | 0) > 0) this.next[side] = end;
    if (((end - this.received[peer]!) | 0) > 0 || this.received[peer] === 0) this.received[peer] = end;
    if (!step.lost) {
      const ms = Math.floor(this.time);
      this.frames.push({ data: ethernet(ip, sp.vlan ? { vlans: [[0x8100, sp.vlan]] } : {}), sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1_000_000 });
    }
    return this;
  }
}

/** Interleaves conversations by time into one frame list. */
export function merge(...conversations: Conversation[]): Frame[] {
  return conversations.flatMap((c) => c.frames).sort((a, b) => (a.sec! - b.sec!) || (a.nsec! - b.nsec!));
}
