// A capture timestamp as exact text: "1591780863.720289000" (seconds and nine digits of
// nanoseconds, as tshark prints frame.time_epoch).

export function epochString(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, "0")}`;
}
