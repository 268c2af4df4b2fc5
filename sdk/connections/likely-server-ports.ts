// Zeek's likely_server_ports for TCP with all base scripts loaded (a plain `zeek -r`):
// a connection first seen mid-stream is oriented with these ports as the server side.

export const ZEEK_LIKELY_SERVER_PORTS: readonly number[] = [
  21, 22, 25, 53, 79, 80, 81, 88, 135, 139, 143, 389, 443, 445, 465, 502, 514, 563, 585, 587,
  614, 631, 636, 989, 990, 992, 993, 995, 1080, 1434, 1883, 2811, 3128, 3268, 3306, 3389, 5222,
  5223, 5269, 5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
];

/** A 65536-entry lookup table: 1 for a likely server port. */
export function portSet(ports: readonly number[]): Uint8Array {
  const set = new Uint8Array(65536);
  for (const p of ports) if (p >= 0 && p < 65536) set[p] = 1;
  return set;
}
