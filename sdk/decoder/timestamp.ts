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

/**
 * "2020-06-10T09:21:03": whole seconds `sec` since 1970 as an ISO 8601 UTC date and time, or
 * null for a time of no year 0000-9999 (a damaged or wrapped stamp), which Date would write
 * with six digits and a sign ("+010000-01-01T…") where every reader expects four.
 */
export function isoSeconds(sec: number): string | null {
  const date = new Date(sec * 1000);
  if (Number.isNaN(date.getTime())) return null;
  const iso = date.toISOString();
  return /^\d{4}-/.test(iso) ? iso.slice(0, 19) : null;
}
