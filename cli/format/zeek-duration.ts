// The duration column of a Zeek conn.log (zeek-log.ts, zeek-values-row.ts; the WebAssembly row
// writer, assembly/lines/zeek.ts, computes the same).

/**
 * The duration as Zeek logs it, null when that is 0 s (Zeek leaves it unset then). Zeek reads a
 * capture's times to the microsecond (libpcap's default precision cuts a nanosecond stamp), so
 * its duration is the difference of the two cut times: a nanosecond capture's 0.000804100 s from
 * .000100900 to .000905000 is 0.000805 there. A record's duration is the double nearest a whole
 * count of nanoseconds; past what that holds exactly (~10^6 s), or before 1970, its own six decimals.
 */
export function zeekDuration(ts: string, duration: number): string | null {
  if (duration === 0) return null;
  const dot = ts.indexOf("."), nanos = Math.round(duration * 1e9);
  if (ts.startsWith("-") || !(duration < 1e6) || nanos / 1e9 !== duration) return duration.toFixed(6);
  const first = dot < 0 ? 0 : Number((ts.slice(dot + 1) + "000000000").slice(0, 9));
  const micros = Math.floor((first + nanos) / 1000) - Math.floor(first / 1000);
  return micros === 0 ? null : `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, "0")}`;
}
