// A capture timestamp as exact text: "1591780863.720289000" (seconds and nine digits of
// nanoseconds, as tshark prints frame.time_epoch).

/** `sec` whole seconds plus `nsec` nanoseconds (0 <= nsec < 10^9 from the decoder; a difference may be negative). */
export function epochString(sec: number, nsec: number): string {
  // Normalised, so that nanoseconds always print as nine digits: -2 s + 0.5 s is "-1.500000000".
  sec += Math.floor(nsec / 1e9);
  nsec -= Math.floor(nsec / 1e9) * 1e9;
  if (sec < 0 && nsec > 0) return `-${-sec - 1}.${String(1e9 - nsec).padStart(9, "0")}`;
  return `${sec}.${String(nsec).padStart(9, "0")}`;
}

/**
 * The whole seconds (rounded down) and nanoseconds of an epochString: "-1.500000000" is -2 s
 * and 500 000 000 ns, the second a date of it falls in and the fraction past it.
 */
export function epochParts(ts: string): { sec: number; nsec: number } {
  const negative = ts.startsWith("-");
  const [whole, fraction = ""] = (negative ? ts.slice(1) : ts).split(".");
  const sec = Number(whole), nsec = Number(fraction.padEnd(9, "0").slice(0, 9));
  if (!negative) return { sec, nsec };
  return nsec === 0 ? { sec: -sec, nsec: 0 } : { sec: -sec - 1, nsec: 1e9 - nsec };
}
