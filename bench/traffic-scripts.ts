// The connections of the benchmark's traffic mixes, as scripts: the packets of one connection in
// order, [from client?, TCP flags, payload bytes], and what kind of connection it is. The
// capture generator (bench/generate.ts) interleaves them and writes their headers.
//
// - bulk: long transfers dominate (heavy-tailed responses up to ~1.6 MB; 135-172 packets a
//   connection at 2-8 GB), 8 % of connections refused or unanswered, 15 % of the established reset
//   after the exchange, 5 % scripted to stay open (and those the capture's end cuts: generate.ts).
// - short: client/server traffic of many short request/response connections (most a handful of
//   packets; a tail of larger responses brings the mean to ~45 packets), and one in five failed:
//   refused, unanswered (SYN retransmitted), reset part-way through the response, or seen from
//   mid-stream (the capture started inside it: no handshake).

export const FLAG = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 } as const;
export const MSS = 1448;

export type Step = [fromClient: boolean, flags: number, payload: number];

/** What happened to a connection, as its script plays it out. */
export type ConnectionKind = "closed" | "refused" | "unanswered" | "reset" | "midstream" | "open";

export interface Script { kind: ConnectionKind; steps: Step[] }

export type Mix = "bulk" | "short";

/** Per mix: the share of connections over IPv6, the share VLAN-tagged, and the script. */
export interface MixProfile { v6: number; vlan: number; script: (random: () => number) => Script }

const A = FLAG.ACK;
const HANDSHAKE: readonly Step[] = [[true, FLAG.SYN, 0], [false, FLAG.SYN | A, 0], [true, A, 0]];
const CLOSE_CLIENT_FIRST: readonly Step[] = [[true, FLAG.FIN | A, 0], [false, FLAG.FIN | A, 0], [true, A, 0]];
const CLOSE_SERVER_FIRST: readonly Step[] = [[false, FLAG.FIN | A, 0], [true, A, 0], [true, FLAG.FIN | A, 0], [false, A, 0]];

/** `bytes` from the server in full segments, the client acknowledging every second one. */
function pushResponse(steps: Step[], bytes: number): void {
  let sent = 0, unacked = 0;
  while (sent < bytes) {
    const n = Math.min(MSS, bytes - sent);
    steps.push([false, A | (sent + n === bytes ? FLAG.PSH : 0), n]);
    sent += n;
    if (++unacked === 2) { steps.push([true, A, 0]); unacked = 0; }
  }
  if (unacked) steps.push([true, A, 0]);
}

// The bulk mix: the generator's original traffic (its random draws are kept as they were, so that
// a seed gives the same capture as before).
function bulkScript(random: () => number): Script {
  const r = random();
  if (r < 0.04) return { kind: "unanswered", steps: [[true, FLAG.SYN, 0], [true, FLAG.SYN, 0], [true, FLAG.SYN, 0]] };
  if (r < 0.08) return { kind: "refused", steps: [[true, FLAG.SYN, 0], [false, FLAG.RST | A, 0]] };
  const steps: Step[] = [...HANDSHAKE];
  // Request, then a response of a few bytes to a few megabytes (heavy-tailed, as on real links).
  steps.push([true, A | FLAG.PSH, 200 + Math.floor(random() * 600)]);
  pushResponse(steps, Math.floor(400 * Math.pow(10, random() * 3.6)));
  const end = random();
  if (end < 0.55) return { kind: "closed", steps: steps.concat(CLOSE_CLIENT_FIRST) };
  if (end < 0.8) return { kind: "closed", steps: steps.concat(CLOSE_SERVER_FIRST) };
  if (end < 0.9) return { kind: "reset", steps: steps.concat([[true, FLAG.RST | A, 0]]) };
  if (end < 0.95) return { kind: "reset", steps: steps.concat([[false, FLAG.RST | A, 0]]) };
  return { kind: "open", steps }; // still open when the capture ends
}

/** Response bytes of a short-mix exchange: mostly a few segments, a tail of larger objects. */
function shortResponse(random: () => number): number {
  if (random() < 0.9) return Math.floor(150 * Math.pow(10, random() * 1.7)); // 150 B - 7.5 kB
  return Math.floor(16_000 * Math.pow(10, random() * 1.6)); // 16 kB - 640 kB
}

function shortScript(random: () => number): Script {
  const r = random();
  if (r < 0.05) {
    // Unanswered: the SYN and one or two retransmissions of it.
    const syns = 2 + Math.floor(random() * 2);
    return { kind: "unanswered", steps: Array.from({ length: syns }, (): Step => [true, FLAG.SYN, 0]) };
  }
  if (r < 0.10) return { kind: "refused", steps: [[true, FLAG.SYN, 0], [false, FLAG.RST | A, 0]] };
  const request: Step = [true, A | FLAG.PSH, 120 + Math.floor(random() * 700)];
  if (r < 0.15) {
    // Reset part-way: the response stops after a segment or a few and one side sends RST.
    const steps: Step[] = [...HANDSHAKE, request];
    pushResponse(steps, (1 + Math.floor(random() * 4)) * MSS);
    return { kind: "reset", steps: steps.concat([[random() < 0.5, FLAG.RST | A, 0]]) };
  }
  if (r < 0.20) {
    // Mid-stream: the capture starts during the response; the connection then closes normally.
    const steps: Step[] = [];
    pushResponse(steps, shortResponse(random));
    return { kind: "midstream", steps: steps.concat(random() < 0.6 ? CLOSE_CLIENT_FIRST : CLOSE_SERVER_FIRST) };
  }
  // One to three requests on the connection (HTTP keep-alive), the server acknowledging a request
  // on its own when its response is not ready at once.
  const steps: Step[] = [...HANDSHAKE];
  const exchanges = 1 + Math.floor(random() * 3);
  for (let i = 0; i < exchanges; i++) {
    steps.push(i === 0 ? request : [true, A | FLAG.PSH, 120 + Math.floor(random() * 700)]);
    if (random() < 0.5) steps.push([false, A, 0]);
    pushResponse(steps, shortResponse(random));
  }
  return { kind: "closed", steps: steps.concat(random() < 0.6 ? CLOSE_CLIENT_FIRST : CLOSE_SERVER_FIRST) };
}

export const MIXES: Record<Mix, MixProfile> = {
  bulk: { v6: 0.25, vlan: 0.2, script: bulkScript },
  short: { v6: 0.2, vlan: 0.11, script: shortScript },
};
