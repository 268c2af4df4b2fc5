// Numbers as the csv writes them: String(n)'s digits, never in exponent form. String() writes
// magnitudes below 1e-6 and from 1e21 up as "1e-7" or "1e+21", which spreadsheets and some csv
// readers take for text (a connection of 100 ns, from a nanosecond capture, lasted "1e-7" s).
// The digits are String()'s own, with the point moved: no binary noise is added.

/** `n` as String(n) writes it, but in plain positional form ("0.0000001" for 1e-7). */
export function plainNumber(n: number): string {
  const s = String(n);
  const e = s.indexOf("e");
  if (e < 0) return s; // NaN and the infinities too
  const sign = s[0] === "-" ? "-" : "";
  const mantissa = s.slice(sign.length, e);
  const dot = mantissa.indexOf(".");
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const point = (dot < 0 ? mantissa.length : dot) + Number(s.slice(e + 1)); // where the point goes in digits
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + "0".repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Whether String(n) writes n in exponent form (plainNumber rewrites it). */
export function hasExponent(n: number): boolean {
  const a = n < 0 ? -n : n;
  return a !== 0 && (a < 1e-6 || a >= 1e21) && Number.isFinite(a);
}
