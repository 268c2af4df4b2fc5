// Counts given on the command line: plain decimal digits only. Number() alone would also take
// "" and blanks (as 0), "0x10", "1e5", "1.0" and values past 2^53, where the SDK's own checks
// then fail as a bug rather than a usage error.

/** `value` as a whole number when it is written as decimal digits and below 2^53; null otherwise. */
export function wholeNumber(value: unknown): number | null {
  const text = String(value);
  if (!/^\d+$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}
