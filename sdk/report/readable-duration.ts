// A duration as a person reads it, the same in the summary and in a ladder's closing words.

/**
 * A duration in µs as a person reads it: ns (below 1 µs, from a nanosecond capture: loopback
 * handshakes take a few hundred), µs, ms or s.
 */
export function readableDuration(us: number | null): string {
  if (us === null) return "-";
  // Negative when the capture's clock stepped back between the two packets: the same units.
  if (us < 0) return `-${readableDuration(-us)}`;
  if (us > 0 && us < 0.9995) return `${(us * 1000).toFixed(0)} ns`;
  if (us < 999.5) return `${us.toFixed(0)} µs`;
  // Two decimals below 100 (of what rounds to below 100.00: 99.996 ms is "100 ms").
  if (us < 999_500) return `${(us / 1000).toFixed(us >= 99_995 ? 0 : 2)} ms`;
  return `${(us / 1e6).toFixed(us >= 99_995_000 ? 0 : 2)} s`;
}
