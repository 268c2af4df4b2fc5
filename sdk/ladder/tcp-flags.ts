// TCP flags named and ordered as Wireshark prints them ("SYN, ACK", "FIN, PSH, ACK"): by bit,
// lowest first, with AE (the former NS bit, RFC 9768) last.

const NAMES = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"];

export function wiresharkFlags(flags: number): string {
  const set: string[] = [];
  for (let bit = 0; bit < NAMES.length; bit++) if (flags & (1 << bit)) set.push(NAMES[bit]!);
  return set.length ? set.join(", ") : "<None>";
}
